"""The interviews app's pages. Each feature keeps its views in its own module
(``views`` plans/rounds/ratings, ``calendar``, ``drives``); their paths are listed here."""

from __future__ import annotations

from django.urls import path, re_path

from interviews import calendar, drive_views, views

urlpatterns = [
    path("positions/<int:pk>/plan/", views.plan, name="position_plan"),
    path("positions/<int:pk>/plan/new/", views.plan_round_edit, name="plan_round_new"),
    path(
        "positions/<int:pk>/plan/<int:round_pk>/",
        views.plan_round_edit,
        name="plan_round_edit",
    ),
    path(
        "positions/<int:pk>/plan/<int:round_pk>/move/",
        views.plan_round_move,
        name="plan_round_move",
    ),
    path(
        "positions/<int:pk>/plan/<int:round_pk>/delete/",
        views.plan_round_delete,
        name="plan_round_delete",
    ),
    path("candidates/<int:pk>/interviews/new/", views.interview_new, name="interview_new"),
    path("candidates/<int:pk>/ratings/", views.candidate_ratings, name="candidate_ratings"),
    path("rounds/", views.my_rounds, name="my_rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/assign/", views.round_assign, name="round_assign"),
    path("rounds/<int:pk>/rate/", views.round_rate, name="round_rate"),
    path("rounds/<int:pk>/cancel/", views.round_cancel, name="round_cancel"),
    path("rounds/<int:pk>/session/", views.round_session, name="round_session"),
    path("rounds/<int:pk>/invite/", views.round_invite, name="round_invite"),
    path("people/<int:pk>/rounds/", views.interviewer_history, name="interviewer_history"),
    # Drives: the position's page starts one; the uploads sit under /drives/ (one body limit).
    path("positions/<int:pk>/drives/new/", drive_views.drive_new, name="drive_new"),
    path("drives/new/<int:pk>/", drive_views.drive_upload, name="drive_upload"),
    re_path(
        r"^drives/template\.(?P<fmt>csv|xlsx)$", drive_views.drive_template, name="drive_template"
    ),
    path("drives/<int:pk>/", drive_views.drive_detail, name="drive_detail"),
    path("drives/<int:pk>/resumes/", drive_views.drive_resumes, name="drive_resumes"),
    path("drives/<int:pk>/sheet/", drive_views.drive_sheet, name="drive_sheet"),
    path("drives/<int:pk>/import/", drive_views.drive_import, name="drive_import"),
    path("drives/<int:pk>/discard/", drive_views.drive_discard, name="drive_discard"),
    path("drives/<int:pk>/progress/", drive_views.drive_progress, name="drive_progress"),
    # The calendar (month / week) and the personal feed (read without signing in: the token).
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/feed/new/", calendar.calendar_feed_new, name="calendar_feed_new"),
    path("calendar/feed/revoke/", calendar.calendar_feed_revoke, name="calendar_feed_revoke"),
    re_path(
        r"^calendar/feed/(?P<token>[A-Za-z0-9_-]{1,100})\.ics$",
        calendar.calendar_feed,
        name="calendar_feed",
    ),
]
