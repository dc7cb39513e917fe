"""The outbox: one row per message to send, written in the same transaction as its cause."""

from __future__ import annotations

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
