"""URLs of live-session pages (filled in by the live-session feature)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
