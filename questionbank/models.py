"""Topics, questions and reference answers. A question once used in an interview is retired,
never deleted: its scores and feedback keep pointing at it."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    default_minutes = models.PositiveSmallIntegerField(
        _("default minutes"), default=10, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class QuestionQuerySet(models.QuerySet["Question"]):
    def active(self) -> QuestionQuerySet:
        return self.filter(active=True)


class Question(models.Model):
    class Difficulty(models.TextChoices):
        EASY = "easy", pgettext_lazy("difficulty", "easy")
        MEDIUM = "medium", pgettext_lazy("difficulty", "medium")
        HARD = "hard", pgettext_lazy("difficulty", "hard")

    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="questions", verbose_name=_("topic")
    )
    text = models.TextField(_("question"))
    reference_answer = models.TextField(_("reference answer"), blank=True)
    difficulty = models.CharField(
        _("difficulty"), max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    max_points = models.PositiveSmallIntegerField(
        _("max points"), default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Retired questions are kept but no longer asked.")
    )
    # Set when a live session first takes this question into its snapshot. From then on the
    # question is part of an interview's record and may only be retired.
    first_used_at = models.DateTimeField(_("first used"), null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["topic__name", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        permissions = [("retire_question", _("Can retire questions"))]
        indexes = [models.Index(fields=["topic", "active"])]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_used(self) -> bool:
        return self.first_used_at is not None

    def retire(self) -> None:
        if self.active:
            self.active = False
            self.retired_at = timezone.now()
            self.save(update_fields=["active", "retired_at", "updated_at"])
