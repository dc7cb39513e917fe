"""Availability and the auto-scheduler's runs.

* ``Slot``: a stretch of time a person is free — an interviewer's own, or a candidate's kept
  by the recruiters. Stored in UTC with the IANA zone it was entered in (shown back in it).
* ``WeeklyHours`` / ``DayException``: an interviewer's working hours as wall-clock times in
  their zone, expanded date by date (so 09:00–17:00 in Berlin stays 09:00–17:00 across a DST
  change), with days off and extra hours on given dates.
* ``Capacity``: how many interviews an interviewer takes a day and a week (blank: the
  defaults in settings).
* ``Run``: one pass of the scheduler (hourly by beat, or by a recruiter; a preview books
  nothing); ``Booking`` is what it booked and why that slot; ``NoMatch`` a round it could not
  place and why. A round the candidate's interview does not have yet (no interview open: the
  run creates it from the plan when it books) is named by its ``plan_round``.

Only ``scheduling.services`` writes the availability rows, ``scheduling.booking`` the runs.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from candidates.models import Candidate
from interviews.models import Round


class Slot(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="free_slots",
        verbose_name=_("interviewer"),
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="free_slots",
        verbose_name=_("candidate"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    zone = models.CharField(_("time zone"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("free slot")
        verbose_name_plural = _("free slots")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(candidate__isnull=True))
                | (Q(user__isnull=True) & Q(candidate__isnull=False)),
                name="slot_one_owner",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after"),
        ]
        indexes = [
            models.Index(fields=["user", "starts_at"], name="slot_user_start"),
            models.Index(fields=["candidate", "starts_at"], name="slot_candidate_start"),
        ]


class WeeklyHours(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="weekly_hours",
        verbose_name=_("interviewer"),
    )
    # 0 = Monday, as date.weekday().
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MinValueValidator(0), MaxValueValidator(6)]
    )
    starts = models.TimeField(pgettext_lazy("hours", "from"))
    ends = models.TimeField(pgettext_lazy("hours", "to"))
    zone = models.CharField(_("time zone"), max_length=64)

    class Meta:
        ordering = ["user", "weekday", "starts"]
        verbose_name = _("weekly hours")
        verbose_name_plural = _("weekly hours")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="hours_ends_after"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday"),
        ]


class DayException(models.Model):
    """A date that differs from the weekly hours: a day off (``available`` false, no times)
    or extra hours (``available`` true, ``starts``–``ends``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="day_exceptions",
        verbose_name=_("interviewer"),
    )
    day = models.DateField(_("date"))
    available = models.BooleanField(_("available"), default=False)
    starts = models.TimeField(pgettext_lazy("hours", "from"), null=True, blank=True)
    ends = models.TimeField(pgettext_lazy("hours", "to"), null=True, blank=True)
    zone = models.CharField(_("time zone"), max_length=64)

    class Meta:
        ordering = ["user", "day", "starts"]
        verbose_name = _("exception to the weekly hours")
        verbose_name_plural = _("exceptions to the weekly hours")
        constraints = [
            models.CheckConstraint(
                condition=(Q(available=False) & Q(starts__isnull=True) & Q(ends__isnull=True))
                | (
                    Q(available=True)
                    & Q(starts__isnull=False)
                    & Q(ends__isnull=False)
                    & Q(ends__gt=F("starts"))
                ),
                name="exception_shape",
            ),
        ]


class Capacity(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interview_capacity"
    )
    per_day = models.PositiveSmallIntegerField(
        _("interviews a day"), null=True, blank=True, validators=[MaxValueValidator(24)]
    )
    per_week = models.PositiveSmallIntegerField(
        _("interviews a week"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("interview capacity")
        verbose_name_plural = _("interview capacities")


class Run(models.Model):
    class Trigger(models.TextChoices):
        BEAT = "beat", pgettext_lazy("scheduler run", "hourly")
        MANUAL = "manual", pgettext_lazy("scheduler run", "by a recruiter")

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    preview = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    booked = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    # True when the solver proved the count the most possible; a time-boxed panel solve may
    # stop short and says how far it may be (``gap``: bound − found, in interviews).
    optimal = models.BooleanField(default=True)
    gap = models.PositiveIntegerField(default=0)
    stats = models.JSONField(default=dict, blank=True)
    # The times it looked at: from the next hour to SCHEDULER_HORIZON_DAYS ahead.
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    # Bookings the database refused (a concurrent run or a recruiter took the time first).
    skipped = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("scheduler run")
        verbose_name_plural = _("scheduler runs")


class Booking(models.Model):
    class Outcome(models.TextChoices):
        BOOKED = "booked", pgettext_lazy("scheduler booking", "booked")
        REFUSED = "refused", pgettext_lazy("scheduler booking", "taken meanwhile")
        PREVIEW = "preview", pgettext_lazy("scheduler booking", "preview")

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="bookings")
    # Null in a preview for a candidate with no interview yet: ``plan_round`` names it.
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, null=True, blank=True, related_name="scheduler_bookings"
    )
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, null=True, related_name="+")
    plan_round = models.ForeignKey(
        "interviews.PlanRound", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    round_name = models.CharField(max_length=200, blank=True)
    round_order = models.PositiveSmallIntegerField(default=0)
    # The lead (a one-to-one round's interviewer); ``people``: every user id booked.
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    people = models.JSONField(default=list, blank=True)
    starts_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.BOOKED)
    # Why this slot: what else was possible, which cap applied, the load it evened out.
    why = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]


class NoMatch(models.Model):
    class Reason(models.TextChoices):
        NO_OVERLAP = "no_overlap", _("no free time overlaps")
        AT_CAP = "at_cap", _("every interviewer free then is at their limit")
        NO_INTERVIEWER = "no_interviewer", _("no interviewer for the round")
        TAKEN = "taken", _("the overlapping times went to other candidates")

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="no_matches")
    # Null for a candidate with no interview yet: ``plan_round`` names the round.
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    plan_round = models.ForeignKey(
        "interviews.PlanRound", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    round_name = models.CharField(max_length=200, blank=True)
    round_order = models.PositiveSmallIntegerField(default=0)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.JSONField(default=dict, blank=True)
    # When the recruiters were told (null: not told — a preview, or the same reason told
    # less than a day ago).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["candidate", "notified_at"], name="nomatch_candidate_told")]
