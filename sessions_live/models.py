"""A live session's row (the arbiter's state, versioned) and the records reports need."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate
from questionbank.models import Question, Topic


class LiveSession(models.Model):
    class Phase(models.TextChoices):
        LOBBY = "lobby", _("lobby")
        INTRO = "intro", _("intro")
        BLOCKS = "blocks", _("blocks")
        CLOSING = "closing", _("closing")
        FINISHED = "finished", _("finished")

    code = models.CharField(_("code"), max_length=32, unique=True)
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("candidate")
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_sessions"
    )
    # The arbiter owns this JSON; only sessions_live.services writes it, under the row lock.
    state = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.LOBBY)
    # Unix time of the next due transition, so an idle session can be found and advanced.
    next_deadline = models.FloatField(null=True, blank=True, db_index=True)
    ready_for_decision = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")

    def __str__(self) -> str:
        return f"{self.code} · {self.candidate}"


class Membership(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_membership_per_user")
        ]


class SessionTopic(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="topics")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    seconds = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "topic"], name="topic_once_per_session")
        ]


class AskedQuestion(models.Model):
    """A question asked in a block, with its score: written in the command's transaction."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="asked")
    block_index = models.PositiveSmallIntegerField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    # PROTECT: a question with recorded answers can never be deleted, only retired.
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, null=True, blank=True, related_name="asked"
    )
    key = models.CharField(max_length=40)
    text = models.TextField()
    max_points = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    skipped = models.BooleanField(default=False)
    adhoc = models.BooleanField(default=False)
    reviewed = models.BooleanField(default=False)
    asked_at = models.DateTimeField()

    class Meta:
        ordering = ["session", "block_index", "asked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "block_index", "key"], name="asked_once")
        ]


class FeedbackRecord(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="feedback")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField()
    items = models.JSONField(default=dict)
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="feedback_once")]


class Connection(models.Model):
    """One open WebSocket, for presence across processes. A process that dies stops
    refreshing its heartbeat; its rows then no longer count and are swept."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="connections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    server_id = models.CharField(max_length=64, db_index=True)
    connected_at = models.DateTimeField(auto_now_add=True)


class ServerProcess(models.Model):
    """A serving process's heartbeat; presence trusts only connections of live processes."""

    server_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField(db_index=True)


class ResultEdit(models.Model):
    """One change an author made to their own score, note or feedback after the interview:
    the session's history of edits (append-only, with who, when, the old and the new value).
    The arbiter's state keeps what was said live; the current value is the state with these
    edits applied in order (``sessions_live.feedback_edits``)."""

    class Kind(models.TextChoices):
        SCORE = "score", _("score and note")
        FEEDBACK = "feedback", _("feedback")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="edits")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # For a score: the block and the question's key; blank for feedback.
    block_index = models.PositiveSmallIntegerField(null=True, blank=True)
    question_key = models.CharField(max_length=40, blank=True)
    old = models.JSONField(default=dict)
    new = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        ordering = ["session", "at", "id"]
        verbose_name = _("result edit")
        verbose_name_plural = _("result edits")
