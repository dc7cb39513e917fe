"""The outbox, read-only: rows change only through notify.services (claims, retries)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from notify.models import Outbox


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "recipient", "status", "attempts", "sent_at", "created_at")
    list_filter = ("channel", "status")
    search_fields = ("recipient",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
