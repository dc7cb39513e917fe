"""The outbox: one row per message to send, written in the same transaction as its cause;
and the notices each person is shown on the site (stored, and pushed to their open pages)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Outbox(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", pgettext_lazy("delivery channel", "e-mail")
        TELEGRAM = "telegram", _("Telegram")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        # A reopened decision withdraws what was not sent yet: HR must not get a stale outcome.
        CANCELLED = "cancelled", _("cancelled")
        # The channel is not configured on this server (no Telegram bot): nothing to retry.
        SKIPPED = "skipped", _("skipped")

    class Kind(models.TextChoices):
        DECISION = "decision", _("decision")
        REOPENED = "reopened", _("decision reopened")
        # A person's account: the link to set their password when a recruiter creates them.
        ACCOUNT = "account", _("account")
        # A round assigned to an interviewer (with its .ics), a reminder before an interview
        # or of overdue feedback, and the e-mail copy of a notice.
        ASSIGNMENT = "assignment", _("round assignment")
        REMINDER = "reminder", _("reminder")
        NOTICE = "notice", _("notice")
        # A one-way video interview's invitation to a candidate (video_interviews), sent again
        # or reminded of.
        INVITATION = "invitation", _("video interview invitation")

    decision = models.ForeignKey(
        "cabinet.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox",
        verbose_name=_("decision"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.DECISION, db_index=True
    )
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # Files sent with an e-mail: [{"filename", "content_type", "content" (text)}], e.g. an
    # invitation's .ics as "text/calendar; method=REQUEST". Other channels send none.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # The worker that claimed the row holds it until ``claimed_until``; a worker that died
    # mid-send lets the lease run out and the row is claimed again.
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), default=timezone.now, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.status})"


class Notice(models.Model):
    """One notice to one person: stored (listed on /notices/, counted until read) and pushed
    to their open pages after commit. ``title`` and ``body`` are written in the recipient's
    language when the notice is made; ``link`` is a path on this site."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("recipient"),
    )
    # A short code the cause chose (round_assigned, no_match, decision_waiting, reminder…).
    kind = models.CharField(_("kind"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notice_list"),
            models.Index(
                fields=["recipient"],
                name="notice_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"
