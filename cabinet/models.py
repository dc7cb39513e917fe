"""Decisions on interviewed candidates: teams, rejection reasons, and who decided what when."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate
from sessions_live.models import LiveSession


def hr_language_default() -> str:
    """The language of HR's messages unless the manager picks another (``HR_LANGUAGE``)."""
    return settings.HR_LANGUAGE


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    # Retire instead of delete: past hires keep pointing at their team.
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class RejectionReason(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")

    def __str__(self) -> str:
        return self.name


class Decision(models.Model):
    """A manager's decision on a candidate: on one live session of theirs (``session``), or on
    the candidate as their rounds left them (no session: one-to-one rounds only, say). Reopening
    keeps the row (with who and when) and lets a new one be made, so at most one *current*
    decision exists per session, and per candidate among those without a session."""

    class Outcome(models.TextChoices):
        HIRE = "hire", _("hire")
        REJECT = "reject", _("reject")

    # Always the candidate decided on; with a session, that session's candidate.
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("candidate")
    )
    session = models.ForeignKey(
        LiveSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("session"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("team"),
    )
    reasons = models.ManyToManyField(
        RejectionReason, blank=True, related_name="decisions", verbose_name=_("reasons")
    )
    comment = models.TextField(_("comment"), blank=True)
    # HR's messages about this decision (and its reopening) are written in this language.
    hr_language = models.CharField(
        _("language of HR's messages"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=hr_language_default,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), db_index=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            # The database, not only the service, refuses a second current decision.
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(reopened_at__isnull=True),
                name="one_current_decision_per_session",
            ),
            models.UniqueConstraint(
                fields=["candidate"],
                condition=Q(reopened_at__isnull=True, session__isnull=True),
                name="one_current_decision_per_candidate_without_session",
            ),
            models.CheckConstraint(
                condition=Q(outcome="reject", team__isnull=True)
                | Q(outcome="hire", team__isnull=False),
                name="hire_has_team_reject_has_none",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session or self.candidate} · {self.get_outcome_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A decision on a session is on that session's candidate: the one place it is set
        # when a caller names only the session (as every caller did before candidates).
        if self.candidate_id is None and self.session_id is not None:
            self.candidate_id = (
                LiveSession.objects.filter(pk=self.session_id)
                .values_list("candidate_id", flat=True)
                .get()
            )
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.reopened_at is None


class DecisionAudit(models.Model):
    """Append-only trail: every decide and reopen, with who, when and what it said."""

    class Kind(models.TextChoices):
        DECIDE = "decide", _("decided")
        REOPEN = "reopen", _("reopened")

    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="+", verbose_name=_("candidate")
    )
    session = models.ForeignKey(
        LiveSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="audit", verbose_name=_("decision")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"))
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("decision audit entry")
        verbose_name_plural = _("decision audit trail")
