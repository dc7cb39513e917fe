"""Admin for what managers' choices are made from: teams and rejection reasons. Decisions are
shown read-only; they change only through the cabinet, which keeps the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cabinet.models import Decision, DecisionAudit, RejectionReason, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "active")
    list_filter = ("active",)
    search_fields = ("name",)


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ("name", "active")
    list_filter = ("active",)
    search_fields = ("name",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = (
        "candidate",
        "session",
        "outcome",
        "team",
        "decided_by",
        "decided_at",
        "reopened_at",
    )
    list_filter = ("outcome", "team")


@admin.register(DecisionAudit)
class DecisionAuditAdmin(ReadOnlyAdmin):
    list_display = ("candidate", "session", "kind", "by", "at")
    list_filter = ("kind",)
