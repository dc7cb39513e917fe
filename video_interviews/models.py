"""One-way video interviews: a recruiter's interview of ordered questions, its invitations by
e-mail with 6-digit codes, reusable question sets, candidates' accounts' own data, and (for
the recording slice) one answer per invitation and question.

The rules (codes, the invitation's life, limits) are ``video_interviews.rules``'; every write
goes through ``video_interviews.services``."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from candidates.models import get_private_storage
from video_interviews import rules


class VideoInterview(models.Model):
    class Status(models.TextChoices):
        ACTIVE = rules.ACTIVE, pgettext_lazy("video interview", "active")
        INACTIVE = rules.INACTIVE, pgettext_lazy("video interview", "inactive")
        COMPLETED = rules.CLOSED, pgettext_lazy("video interview", "completed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    deadline = models.DateTimeField(_("deadline"))
    position = models.ForeignKey(
        "candidates.Position",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="video_interviews",
        verbose_name=_("position"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="video_interviews_created",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The interviewers who watch and rate its answers (managers review every interview).
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="video_interviews_to_review",
        verbose_name=_("reviewers"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("video interview")
        verbose_name_plural = _("video interviews")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """One question of an interview, in its place (``order`` from 0). A question from the
    bank keeps its text as it was when the interview was made (``bank_question`` says where
    it came from)."""

    interview = models.ForeignKey(
        VideoInterview,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("video interview"),
    )
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("question"), max_length=rules.TEXT_MAX)
    thinking_seconds = models.PositiveSmallIntegerField(
        _("thinking time (seconds)"),
        default=rules.DEFAULT_THINKING,
        validators=[MaxValueValidator(rules.THINKING_MAX)],
    )
    answer_seconds = models.PositiveSmallIntegerField(
        _("answer time limit (seconds)"),
        default=rules.DEFAULT_ANSWER,
        validators=[MinValueValidator(rules.ANSWER_MIN), MaxValueValidator(rules.ANSWER_MAX)],
    )
    retakes = models.PositiveSmallIntegerField(
        _("retakes allowed"),
        default=rules.DEFAULT_RETAKES,
        validators=[MaxValueValidator(rules.RETAKES_MAX)],
    )
    bank_question = models.ForeignKey(
        "questionbank.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from the bank"),
    )

    class Meta:
        ordering = ["interview", "order"]
        verbose_name = _("video interview question")
        verbose_name_plural = _("video interview questions")
        constraints = [
            models.UniqueConstraint(fields=["interview", "order"], name="video_question_order"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def spec(self) -> rules.QuestionSpec:
        return rules.QuestionSpec(
            text=self.text,
            thinking_seconds=self.thinking_seconds,
            answer_seconds=self.answer_seconds,
            retakes=self.retakes,
            bank_question_id=self.bank_question_id,
        )


class QuestionSetTemplate(models.Model):
    """A saved question set to start a new interview from. ``questions``: a list of
    ``{text, thinking_seconds, answer_seconds, retakes, bank_question_id}`` in order."""

    name = models.CharField(pgettext_lazy("question set", "name"), max_length=200)
    questions = models.JSONField(_("questions"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = [Lower("name"), "id"]
        verbose_name = _("question set template")
        verbose_name_plural = _("question set templates")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="video_template_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def specs(self) -> list[rules.QuestionSpec]:
        return [
            rules.QuestionSpec(
                text=str(item.get("text", "")),
                thinking_seconds=int(item.get("thinking_seconds", rules.DEFAULT_THINKING)),
                answer_seconds=int(item.get("answer_seconds", rules.DEFAULT_ANSWER)),
                retakes=int(item.get("retakes", rules.DEFAULT_RETAKES)),
                bank_question_id=item.get("bank_question_id"),
            )
            for item in self.questions
            if isinstance(item, dict)
        ]


class Invitation(models.Model):
    """One address invited to one interview, with its 6-digit code. The code is unique among
    live invitations (pending or accepted): the partial unique constraint below."""

    class Status(models.TextChoices):
        PENDING = rules.PENDING, pgettext_lazy("invitation", "pending")
        ACCEPTED = rules.ACCEPTED, pgettext_lazy("invitation", "accepted")
        COMPLETED = rules.COMPLETED, pgettext_lazy("invitation", "completed")
        EXPIRED = rules.EXPIRED, pgettext_lazy("invitation", "expired")
        REVOKED = rules.REVOKED, pgettext_lazy("invitation", "revoked")

    interview = models.ForeignKey(
        VideoInterview,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("video interview"),
    )
    email = models.EmailField(_("e-mail address"))
    code = models.CharField(_("code"), max_length=rules.CODE_DIGITS)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # The language of its e-mails (the recruiter's choice, or the candidate's own).
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="video_invitations",
        verbose_name=_("candidate's account"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("added at"), null=True, blank=True)
    # Set by the recording slice: the first answer begun, the last one handed in.
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    # The automatic reminder before the deadline goes once: claimed by setting this.
    auto_reminded_at = models.DateTimeField(_("reminded automatically at"), null=True, blank=True)
    # The pipeline's candidate card of the same address (``review_services.link_person``):
    # the recommendations join that card's history and the cabinet.
    person = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="video_invitations",
        verbose_name=_("candidate card"),
    )
    # The pipeline's one-way round this invitation is for (``services.round_invite``, on the
    # interviews' ``round_reached`` fact): one invitation per round. A string reference: of
    # the interviews app this one imports only its facts (``interviews.events``).
    round = models.OneToOneField(
        "interviews.Round",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="video_invitation",
        verbose_name=_("interview round"),
    )

    class Meta:
        ordering = ["interview", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(status__in=rules.LIVE),
                name="video_invitation_live_code",
            ),
            models.UniqueConstraint(
                "interview", Lower("email"), name="video_invitation_one_per_address"
            ),
            # A candidate adds an interview once (whatever invitation they got to it).
            models.UniqueConstraint(
                fields=["interview", "candidate"],
                condition=models.Q(candidate__isnull=False),
                name="video_invitation_one_per_candidate",
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="video_invitation_code_digits"
            ),
        ]
        indexes = [models.Index(fields=["code"], name="video_invitation_code")]

    def __str__(self) -> str:
        return f"{self.email} → {self.interview_id}"

    def current_status(self, now: Any = None) -> str:
        return rules.current_status(self.status, self.interview.deadline, now or timezone.now())


class InvitationMail(models.Model):
    """An e-mail about an invitation, as the outbox row that carries it: the first
    invitation, each resend and reminder. The interview's page shows the newest one's
    delivery (sent, pending, failed with the reason)."""

    class Purpose(models.TextChoices):
        INVITE = "invite", _("invitation")
        RESEND = "resend", _("sent again")
        REMIND = "remind", _("reminder")
        AUTO_REMIND = "auto_remind", _("automatic reminder")

    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="mails", verbose_name=_("invitation")
    )
    outbox = models.OneToOneField(
        "notify.Outbox", on_delete=models.CASCADE, related_name="+", verbose_name=_("outbox")
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["invitation", "-created_at", "-id"]
        verbose_name = _("invitation e-mail")
        verbose_name_plural = _("invitation e-mails")


class CandidateProfile(models.Model):
    """What a candidate's account (``accounts.User.kind == "candidate"``) keeps beyond the
    user row: whether their address is confirmed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="candidate_profile",
        verbose_name=_("account"),
    )
    signed_up_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate's account")
        verbose_name_plural = _("candidates' accounts")

    def __str__(self) -> str:
        return str(self.user)


def answer_path(instance: Any, filename: str) -> str:
    # Never the uploaded name: it is the candidate's input. ``filename`` gives the kind of file
    # (the processing names its MP4 ``answer.mp4`` and its thumbnail ``thumbnail.jpg``; a kept
    # take is ``original.webm`` / ``original.mp4`` by the container sniffed from its bytes).
    suffix = PurePath(filename).suffix.lower()
    if suffix not in {".mp4", ".webm", ".jpg"}:
        suffix = ""
    return str(PurePath("video_answers", f"{uuid.uuid4().hex}{suffix}"))


class Answer(models.Model):
    """One candidate's answer to one question of their invitation. Each recording of it is a
    ``Take`` (uploaded with the tus protocol while it is recorded); the one the candidate keeps
    is copied into the private storage as ``original``, and the processing (a Celery task,
    ``video_interviews.processing``) makes ``file`` (MP4, H.264/AAC) and ``thumbnail`` from it.
    Every file is streamed after an access check, never from a public address."""

    class Status(models.TextChoices):
        EMPTY = "empty", pgettext_lazy("answer", "not recorded")
        UPLOADING = "uploading", pgettext_lazy("answer", "recording")
        UPLOADED = "uploaded", pgettext_lazy("answer", "handed in, waiting to be processed")
        PROCESSING = "processing", pgettext_lazy("answer", "processing")
        READY = "ready", pgettext_lazy("answer", "ready")
        FAILED = "failed", pgettext_lazy("answer", "failed")

    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="answers", verbose_name=_("invitation")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.EMPTY
    )
    # Takes begun, each a recording (an interrupted one included; see ``Take.interrupted``).
    takes = models.PositiveSmallIntegerField(_("takes recorded"), default=0)
    original = models.FileField(
        _("recording as uploaded"),
        upload_to=answer_path,
        storage=get_private_storage,
        max_length=200,
        blank=True,
    )
    file = models.FileField(
        _("video (MP4)"),
        upload_to=answer_path,
        storage=get_private_storage,
        max_length=200,
        blank=True,
    )
    thumbnail = models.FileField(
        _("thumbnail (JPEG)"),
        upload_to=answer_path,
        storage=get_private_storage,
        max_length=200,
        blank=True,
    )
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    # What the browser says it recorded, and what the processing measured in the file.
    recorded_ms = models.PositiveIntegerField(_("recorded (ms)"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    submitted_at = models.DateTimeField(_("handed in at"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["invitation", "question__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "question"], name="video_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}/{self.question_id}"


class Take(models.Model):
    """One recording of an answer, and its tus upload (``/candidate/uploads/<id>``): the
    browser sends the bytes while it records, the length once it stops. The bytes in flight
    live in ``UPLOADS_DIR`` (a local directory shared by the app's processes), never in a
    process's memory; the kept take moves to the private storage."""

    class Status(models.TextChoices):
        RECORDING = "recording", pgettext_lazy("take", "recording")
        UPLOADED = "uploaded", pgettext_lazy("take", "uploaded")
        KEPT = "kept", pgettext_lazy("take", "kept")
        DISCARDED = "discarded", pgettext_lazy("take", "discarded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="recordings", verbose_name=_("answer")
    )
    number = models.PositiveSmallIntegerField(_("take"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECORDING
    )
    # The tus resource: bytes received so far, and the length once the browser declares it.
    offset = models.PositiveBigIntegerField(_("bytes received"), default=0)
    length = models.PositiveBigIntegerField(_("length in bytes"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    recorded_ms = models.PositiveIntegerField(_("recorded (ms)"), null=True, blank=True)
    # Cut short by a reload or a lost camera: it does not use up a retake.
    interrupted = models.BooleanField(_("interrupted"), default=False)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("uploaded at"), null=True, blank=True)

    class Meta:
        ordering = ["answer", "number"]
        verbose_name = _("take")
        verbose_name_plural = _("takes")
        constraints = [
            models.UniqueConstraint(fields=["answer", "number"], name="video_take_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.answer_id}#{self.number}"


# --- review ------------------------------------------------------------------------------------
# Written by ``video_interviews.review_services``; who sees whose is ``access.video``'s rule.


class AnswerRating(models.Model):
    """One reviewer's rating of one answer (1–5) with their feedback; changed in place."""

    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("answer")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="video_answer_ratings",
        verbose_name=_("reviewer"),
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    feedback = models.TextField(_("feedback"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["answer", "created_at", "id"]
        verbose_name = _("answer rating")
        verbose_name_plural = _("answer ratings")
        constraints = [
            models.UniqueConstraint(fields=["answer", "reviewer"], name="video_rating_once"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="video_rating_score_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.answer_id} · {self.reviewer_id}: {self.score}"


class Recommendation(models.Model):
    """One reviewer's overall recommendation on one invitation (the candidate's whole
    interview); changed in place, each change a line of the candidate card's history."""

    class Choice(models.TextChoices):
        STRONG_YES = "strong_yes", pgettext_lazy("recommendation", "strong yes")
        YES = "yes", pgettext_lazy("recommendation", "yes")
        NO = "no", pgettext_lazy("recommendation", "no")
        STRONG_NO = "strong_no", pgettext_lazy("recommendation", "strong no")

    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("invitation"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="video_recommendations",
        verbose_name=_("reviewer"),
    )
    choice = models.CharField(_("recommendation"), max_length=10, choices=Choice.choices)
    summary = models.TextField(_("summary"), blank=True)
    at = models.DateTimeField(_("given at"), default=timezone.now)

    class Meta:
        ordering = ["invitation", "at", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "reviewer"], name="video_recommendation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id} · {self.reviewer_id}: {self.choice}"
