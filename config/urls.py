"""Top-level URL map; each app owns its own patterns."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config.health import healthz

admin.site.site_header = "Roundtable"
admin.site.site_title = _("Roundtable admin")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    # The candidates' area (/signup, /candidates/dashboard, /candidate/…) before portal's
    # /candidates/<id>/ routes, so the dashboard never reaches a staff view.
    path("", include("video_interviews.candidate_urls")),
    path("", include("portal.urls")),  # home, candidates, /favicon.ico
    path("", include("interviews.urls")),  # plans, rounds, ratings, calendar, drives
    path("", include("sessions_live.urls")),
    path("", include("questionbank.urls")),
    path("", include("search.urls")),
    path("", include("notify.urls")),  # /notices/
    path("", include("reports.urls")),  # the pipeline's statistics and downloads
    path("", include("scheduling.urls")),  # availability: /availability/, a candidate's
    path("", include("scheduling.run_urls")),  # the scheduler's runs: /scheduling/
    path("", include("video_interviews.urls")),  # one-way interviews: /video-interviews/
    path("api/", include("api.urls")),
    path("", include("cabinet.urls")),
]
