"""Admin for question editors: search and filters; used questions are retired, not deleted."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from access.bank import can_retire_questions  # the leaf of the one access module
from questionbank.models import Question, Topic
from questionbank.services import questions_retire


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["text", "difficulty", "max_points", "active"]
    extra = 0
    show_change_link = True

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deletion goes through the question's own page, which checks use


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "default_minutes", "active_questions", "updated_at"]
    search_fields = ["name", "description"]
    inlines = [QuestionInline]

    @admin.display(description=_("active questions"))
    def active_questions(self, obj: Topic) -> int:
        return obj.questions.filter(active=True).count()


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["short_text", "topic", "difficulty", "max_points", "active", "first_used_at"]
    list_filter = ["topic", "difficulty", "active", ("first_used_at", admin.EmptyFieldListFilter)]
    search_fields = ["text", "reference_answer", "topic__name"]
    list_select_related = ["topic"]
    readonly_fields = ["first_used_at", "retired_at", "created_at", "updated_at"]
    actions = ["retire_selected", "delete_unused"]
    change_form_template = "admin/questionbank/question/change_form.html"

    @admin.display(description=_("question"))
    def short_text(self, obj: Question) -> str:
        return obj.text if len(obj.text) <= 90 else obj.text[:89] + "…"

    def has_delete_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        if obj is not None and obj.is_used:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # The stock bulk delete would hit used questions (PROTECT errors or lost history).
        actions.pop("delete_selected", None)
        if not can_retire_questions(request.user):
            actions.pop("retire_selected", None)
        return actions

    @admin.action(description=_("Retire selected questions"))
    def retire_selected(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        count = questions_retire(questions=queryset)
        self.message_user(
            request,
            ngettext("Retired %(n)d question.", "Retired %(n)d questions.", count) % {"n": count},
        )

    @admin.action(
        description=_("Delete selected questions never used in an interview"),
        permissions=["delete"],
    )
    def delete_unused(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        used = queryset.filter(first_used_at__isnull=False).count()
        deleted, _details = queryset.filter(first_used_at__isnull=True).delete()
        self.message_user(
            request,
            ngettext("Deleted %(n)d question.", "Deleted %(n)d questions.", deleted)
            % {"n": deleted},
        )
        if used:
            self.message_user(
                request,
                ngettext(
                    "%(n)d question was used in an interview and was kept; retire it instead.",
                    "%(n)d questions were used in an interview and were kept; retire them instead.",
                    used,
                )
                % {"n": used},
                messages.WARNING,
            )

    def get_urls(self) -> list[Any]:
        retire = path(
            "<path:object_id>/retire/",
            self.admin_site.admin_view(self.retire_view),
            name="questionbank_question_retire",
        )
        return [retire, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The Retire button (change_form.html) shows for whoever the access module lets retire.
        context = {**(extra_context or {}), "can_retire": can_retire_questions(request.user)}
        return super().change_view(request, object_id, form_url, context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        question = self.get_object(request, object_id)
        if question is not None and question.is_used:
            # Refuse, and offer what the editor most likely wants: stop asking it.
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "question": question,
                "title": _("This question cannot be deleted"),
                "can_retire": can_retire_questions(request.user),
            }
            return TemplateResponse(
                request, "admin/questionbank/question/refuse_delete.html", context, status=409
            )
        return super().delete_view(request, object_id, extra_context)

    def retire_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        question = get_object_or_404(Question, pk=object_id)
        if not can_retire_questions(request.user):
            return HttpResponse(status=403)
        if request.method != "POST":
            return HttpResponse(status=405)
        questions_retire(questions=[question])
        self.message_user(request, _("The question is retired and will not be asked again."))
        return HttpResponseRedirect(
            reverse("admin:questionbank_question_change", args=[question.pk])
        )
