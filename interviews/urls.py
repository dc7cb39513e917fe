"""The interviews app's pages. Each feature keeps its views in its own module
(``views`` plans/rounds/ratings, ``calendar``, ``drives``); their paths are listed here."""

from __future__ import annotations

from django.urls import path  # noqa: F401

urlpatterns: list = []
