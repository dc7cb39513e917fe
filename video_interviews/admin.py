"""The admin of the one-way interviews: to look things up (search and filters); the
recruiters' pages and the services make every change, so the rows are read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from video_interviews.models import (
    Answer,
    Invitation,
    Question,
    QuestionSetTemplate,
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


@admin.register(Answer)
class AnswerAdmin(ReadOnly):
    list_display = ("invitation", "question", "status", "size", "duration_ms", "updated_at")
    list_filter = ("status",)
    search_fields = ("invitation__email", "invitation__interview__title")
