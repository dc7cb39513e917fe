"""The admin of the one-way interviews: to look things up (search and filters); the
recruiters' pages and the services make every change, so the rows are read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from video_interviews.models import (
    Answer,
    AnswerRating,
    Invitation,
    Question,
    QuestionSetTemplate,
    Recommendation,
    Take,
    VideoInterview,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("order", "text", "thinking_seconds", "answer_seconds", "retakes", "bank_question")
    readonly_fields = fields
    can_delete = False


@admin.register(VideoInterview)
class VideoInterviewAdmin(ReadOnly):
    list_display = ("title", "status", "deadline", "created_by", "created_at")
    list_filter = ("status", "deadline")
    search_fields = ("title", "description", "created_by__username")
    inlines = [QuestionInline]


@admin.register(Invitation)
class InvitationAdmin(ReadOnly):
    list_display = ("email", "interview", "status", "created_at", "accepted_at", "completed_at")
    list_filter = ("status", "language")
    search_fields = ("email", "code", "interview__title", "candidate__email")


@admin.register(QuestionSetTemplate)
class QuestionSetTemplateAdmin(ReadOnly):
    list_display = ("name", "created_by", "created_at")
    search_fields = ("name",)


# --- the review (``video_interviews.review_services`` writes; here to look things up) ----------


class TakeInline(admin.TabularInline):
    model = Take
    extra = 0
    fields = ("number", "status", "offset", "length", "content_type", "recorded_ms",
              "interrupted", "started_at", "finished_at")  # fmt: skip
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AnswerRatingInline(admin.TabularInline):
    model = AnswerRating
    extra = 0
    fields = ("reviewer", "score", "feedback", "updated_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Answer)
class AnswerAdmin(ReadOnly):
    list_display = ("invitation", "question", "status", "size", "duration_ms", "updated_at")
    list_filter = ("status", "invitation__interview")
    search_fields = ("invitation__email", "invitation__interview__title", "error")
    inlines = [TakeInline, AnswerRatingInline]
    # The files have no public address (the storage refuses ``url``): their stored names,
    # and the video through the review's own view, which checks access.
    exclude = ("original", "file", "thumbnail")
    readonly_fields = ("stored_files",)

    @admin.display(description=_("files"))
    def stored_files(self, answer: Answer) -> str:
        names = [f.name for f in (answer.original, answer.file, answer.thumbnail) if f]
        if not names:
            return "—"
        link = ""
        if answer.file and answer.status == Answer.Status.READY:
            link = format_html(
                ' · <a href="{}">{}</a>', reverse("video_answer_media", args=[answer.pk]),
                _("play"),
            )  # fmt: skip
        return format_html("{}{}", ", ".join(names), link)


@admin.register(Take)
class TakeAdmin(ReadOnly):
    list_display = ("answer", "number", "status", "offset", "length", "interrupted", "started_at")
    list_filter = ("status", "interrupted")
    search_fields = ("answer__invitation__email", "answer__invitation__interview__title")


@admin.register(AnswerRating)
class AnswerRatingAdmin(ReadOnly):
    list_display = ("answer", "reviewer", "score", "updated_at")
    list_filter = ("score", "answer__invitation__interview")
    search_fields = ("answer__invitation__email", "reviewer__username", "reviewer__email",
                     "feedback")  # fmt: skip


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnly):
    list_display = ("invitation", "reviewer", "choice", "at")
    list_filter = ("choice", "invitation__interview")
    search_fields = ("invitation__email", "reviewer__username", "reviewer__email", "summary")


@admin.register(Question)
class VideoQuestionAdmin(ReadOnly):
    """The interviews' questions, by the bank topic (category) they came from (seed 004)."""

    list_display = ("text", "interview", "order", "bank_question")
    list_filter = ("bank_question__topic", "interview")
    search_fields = ("text", "interview__title")
