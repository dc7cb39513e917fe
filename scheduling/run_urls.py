"""The scheduler's pages (``scheduling.run_views``): its runs, a preview, a run now."""

from __future__ import annotations

from django.urls import path

from scheduling import run_views

urlpatterns = [
    path("scheduling/", run_views.scheduler_page, name="scheduler"),
    path("scheduling/run/", run_views.scheduler_start, name="scheduler_start"),
    path("scheduling/runs/<int:pk>/", run_views.scheduler_run_detail, name="scheduler_run_detail"),
]
