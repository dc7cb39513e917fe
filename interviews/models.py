"""Interview plans (a position's ordered rounds) and a candidate's interviews built from them.

A plan is the position's ``PlanRound`` rows in ``order``; each names its kind, duration,
aspects with expected points, a default interviewer with assistants, instructions and (for a
panel) the bank's topics, or (for a one-way round) the ``video_interviews`` interview the
candidate is invited into and nothing of an interviewer. A candidate's ``Interview`` copies
the plan into ``Round`` rows at creation, so editing the plan later changes no interview
already under way.

Only ``interviews.services`` writes these rows.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from candidates.models import Candidate, Position
from questionbank.models import Topic
from sessions_live.models import LiveSession

MAX_ROUNDS = 20
MAX_ASPECTS = 20
MAX_POINTS = 100


class RoundKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", pgettext_lazy("round kind", "one-to-one")
    PANEL = "panel", pgettext_lazy("round kind", "panel (live session)")
    # Recorded answers to a video interview's questions, reviewed later (``video_interviews``):
    # the round names its ``VideoInterview``; nobody is on it and it has no time.
    ONE_WAY = "one_way", pgettext_lazy("round kind", "one-way video interview")


# A one-way round names its video interview; no other kind names one.
ONE_WAY_HAS_ITS_VIDEO_INTERVIEW = Q(kind=RoundKind.ONE_WAY, video_interview__isnull=False) | (
    ~Q(kind=RoundKind.ONE_WAY) & Q(video_interview__isnull=True)
)


class PlanRound(models.Model):
    position = models.ForeignKey(
        Position, on_delete=models.CASCADE, related_name="plan_rounds", verbose_name=_("position")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(pgettext_lazy("round", "name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=RoundKind.choices, default=RoundKind.ONE_TO_ONE
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration, minutes"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    default_interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default interviewer"),
    )
    assistants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("assisting interviewers"),
    )
    instructions = models.TextField(_("instructions for the interviewers"), blank=True)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="+", verbose_name=_("topics (panel rounds)")
    )
    # Whom the scheduler may put on the round (one of them leads it); empty: the default
    # interviewer. Copied into each interview's round, as the rest of the plan is.
    pool = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("interviewers the scheduler may choose"),
    )
    # A one-way round's video interview (required for that kind, empty for the others): the
    # candidate is invited into it when their interview reaches the round.
    video_interview = models.ForeignKey(
        "video_interviews.VideoInterview",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_rounds",
        verbose_name=_("video interview (one-way rounds)"),
    )

    class Meta:
        ordering = ["position", "order", "id"]
        verbose_name = _("plan round")
        verbose_name_plural = _("plan rounds")
        constraints = [
            models.UniqueConstraint(fields=["position", "order"], name="plan_round_order_once"),
            models.CheckConstraint(
                condition=ONE_WAY_HAS_ITS_VIDEO_INTERVIEW, name="plan_round_video_interview_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} · {self.order + 1}. {self.name}"


class PlanAspect(models.Model):
    plan_round = models.ForeignKey(
        PlanRound, on_delete=models.CASCADE, related_name="aspects", verbose_name=_("round")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(pgettext_lazy("aspect", "name"), max_length=200)
    expected_points = models.PositiveSmallIntegerField(
        _("expected points"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_POINTS)],
    )

    class Meta:
        ordering = ["plan_round", "order", "id"]
        verbose_name = _("aspect")
        verbose_name_plural = _("aspects")

    def __str__(self) -> str:
        return self.name


class Interview(models.Model):
    """One candidate's run through a position's plan. At most one is open per candidate."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("interview status", "open")
        CLOSED = "closed", pgettext_lazy("interview status", "closed")

    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="interviews", verbose_name=_("candidate")
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="interviews", verbose_name=_("position")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate"], condition=Q(status="open"), name="one_open_interview"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.position}"


class Round(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("round status", "not scheduled")
        SCHEDULED = "scheduled", pgettext_lazy("round status", "scheduled")
        RUNNING = "running", pgettext_lazy("round status", "live session running")
        DONE = "done", pgettext_lazy("round status", "done")
        CANCELLED = "cancelled", pgettext_lazy("round status", "cancelled")

    class Outcome(models.TextChoices):
        SELECTED = "selected", pgettext_lazy("round outcome", "selected")
        REJECTED = "rejected", pgettext_lazy("round outcome", "rejected")

    class Recommendation(models.TextChoices):
        STRONG_NO = "strong_no", pgettext_lazy("recommendation", "strong no")
        NO = "no", pgettext_lazy("recommendation", "no")
        YES = "yes", pgettext_lazy("recommendation", "yes")
        STRONG_YES = "strong_yes", pgettext_lazy("recommendation", "strong yes")

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("interview")
    )
    # Denormalised from the interview: the calendar, the interviewer's history and the
    # reports filter rounds by candidate and position without a join through interviews.
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("candidate")
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("position")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(pgettext_lazy("round", "name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=RoundKind.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration, minutes"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    instructions = models.TextField(_("instructions for the interviewers"), blank=True)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rounds",
        verbose_name=_("interviewer"),
    )
    assistants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assisted_rounds",
        verbose_name=_("assisting interviewers"),
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="+", verbose_name=_("topics"))
    # The plan round's pool, as it was when the interview was created (the scheduler's choice).
    pool = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("interviewers the scheduler may choose"),
    )
    # The plan round's video interview, as it was when the interview was created.
    video_interview = models.ForeignKey(
        "video_interviews.VideoInterview",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rounds",
        verbose_name=_("video interview (one-way rounds)"),
    )
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    session = models.OneToOneField(
        LiveSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="round",
        verbose_name=_("live session"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    recommendation = models.CharField(
        _("overall recommendation"), max_length=12, choices=Recommendation.choices, blank=True
    )
    feedback = models.TextField(_("feedback"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rated by"),
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    # The sums of the rated aspects, written with them (``interviews.services``): the reports
    # add them up per interviewer without joining every aspect of every round.
    points_received = models.PositiveIntegerField(_("points received"), null=True, blank=True)
    points_expected = models.PositiveIntegerField(_("points expected"), null=True, blank=True)
    # The calendar event's identity: the same UID for every version of this round's event,
    # SEQUENCE bumped on each change of its time, people or status (RFC 5545 §3.8.7.4).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["interview", "order", "id"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["interview", "order"], name="round_order_once"),
            models.CheckConstraint(
                condition=ONE_WAY_HAS_ITS_VIDEO_INTERVIEW, name="round_video_interview_kind"
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"], name="round_starts_at"),
            models.Index(fields=["interviewer", "starts_at"], name="round_interviewer_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.order + 1}. {self.name}"

    @property
    def ends_at(self):  # type: ignore[no-untyped-def]
        from datetime import timedelta

        return (
            None
            if self.starts_at is None
            else self.starts_at + timedelta(minutes=self.duration_minutes)
        )

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.SCHEDULED, self.Status.RUNNING)


class Hold(models.Model):
    """A stretch of a person's time that a round takes: one row for each person on a round
    that is scheduled or running (the interviewer, each assistant) and one for its candidate,
    written by ``interviews.services`` in the round's transaction (replaced when the time or
    the people change, removed when the round is cancelled, done or loses its time).

    The database itself refuses two overlapping holds of one person, so no double booking can
    commit however many writers race (two scheduler runs, a recruiter and the scheduler):
    on PostgreSQL an exclusion constraint (``btree_gist``; ``[starts_at, ends_at)`` ranges
    of one ``user_id`` / ``candidate_id`` may not overlap), on SQLite triggers that raise
    before such an insert or update (migration ``0005_hold``). Neither is in ``Meta``: the two
    engines need different statements, made by the migration for the engine it runs on."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="holds", verbose_name=_("round")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interviewer"),
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("candidate"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("time taken by a round")
        verbose_name_plural = _("times taken by rounds")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(candidate__isnull=True))
                | (Q(user__isnull=True) & Q(candidate__isnull=False)),
                name="hold_one_person",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="hold_ends_after"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "starts_at"], name="hold_user_starts"),
            models.Index(fields=["candidate", "starts_at"], name="hold_candidate_starts"),
        ]

    def __str__(self) -> str:
        who = f"user {self.user_id}" if self.user_id else f"candidate {self.candidate_id}"
        return f"{who}: {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class RoundAspect(models.Model):
    """An aspect the round rates, copied from the plan, with the points it received."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="aspects", verbose_name=_("round")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(pgettext_lazy("aspect", "name"), max_length=200)
    expected_points = models.PositiveSmallIntegerField(
        _("expected points"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_POINTS)],
    )
    # Null until rated. A panel round's aspects are its topics, with the session's scores.
    points = models.PositiveSmallIntegerField(_("points received"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["round", "order", "id"]
        verbose_name = _("round aspect")
        verbose_name_plural = _("round aspects")

    def __str__(self) -> str:
        return self.name


class Drive(models.Model):
    """A hiring drive: many candidates for one position from one CSV or .xlsx file, with
    their resumes (``interviews.drives``). A draft keeps the uploaded files in the private
    storage (``drives/<key>/``, never a public URL) until it is imported or discarded; the
    import creates every candidate and their interview, or none. ``total`` and ``done`` are
    its progress (while it runs, ``done`` is told through the cache: the rows being written
    are not committed yet)."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("drive status", "checked, not imported")
        RUNNING = "running", pgettext_lazy("drive status", "importing")
        DONE = "done", pgettext_lazy("drive status", "imported")
        DISCARDED = "discarded", pgettext_lazy("drive status", "discarded")

    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="drives", verbose_name=_("position")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # Names the drive's folder of uploaded files (never the user's file names: user input).
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sheet_name = models.CharField(_("file name"), max_length=200, blank=True)
    # {"sheet": {"path", "name", "format"}, "resumes": [{"path", "name", "size"}, …]}
    files = models.JSONField(_("uploaded files"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows imported"), default=0)
    failure = models.TextField(_("why the last import stopped"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    started_at = models.DateTimeField(_("import started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("drive")
        verbose_name_plural = _("drives")
        indexes = [models.Index(fields=["status", "updated_at"], name="drive_status_updated")]

    def __str__(self) -> str:
        return f"{self.position} · {self.sheet_name or self.pk}"


class CalendarFeed(models.Model):
    """A person's secret calendar feed (``/calendar/feed/<token>.ics``): the rounds they are on,
    for their calendar program to subscribe to without signing in. Only the token's SHA-256 is
    kept (``interviews.feeds``): the address is shown once, when it is made; a new one replaces
    it and removing the row turns the feed off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("person"),
    )
    token_hash = models.CharField(_("token's SHA-256"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.created_at:%Y-%m-%d}"


class ReminderSent(models.Model):
    """A reminder that went out (``interviews.reminders``): one row per round, kind and slot,
    so that no reminder is ever sent twice however often (or on how many workers) the beat job
    runs. ``slot`` names which one: the minutes before a start (with the start it was for, so a
    rescheduled round is reminded again) or the how-manieth reminder of overdue feedback."""

    class Kind(models.TextChoices):
        BEFORE = "before", pgettext_lazy("reminder kind", "before the interview")
        FEEDBACK = "feedback", pgettext_lazy("reminder kind", "feedback overdue")

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("round")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    slot = models.CharField(_("slot"), max_length=40)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["round", "sent_at", "id"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["round", "kind", "slot"], name="reminder_sent_once")
        ]

    def __str__(self) -> str:
        return f"{self.round_id} · {self.kind} · {self.slot}"
