"""The Django admin for the pipeline's positions and vendors (the recruiters' own pages are
in ``portal.pipeline``; the admin is for administrators)."""

from __future__ import annotations

from django.contrib import admin

from candidates.models import Position, Vendor


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "openings", "status", "created_at"]
    list_filter = ["status", "team"]
    search_fields = ["title", "team", "description"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    ordering = ["title", "id"]


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_name", "contact_email", "phone", "active"]
    list_filter = ["active"]
    search_fields = ["name", "contact_name", "contact_email", "phone"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["name", "id"]
