"""URLs of the manager's cabinet."""

from __future__ import annotations

from django.urls import path

from cabinet import views

urlpatterns = [
    path("cabinet/", views.cabinet_index, name="cabinet_index"),
    path("cabinet/s/<str:code>/", views.cabinet_session, name="cabinet_session"),
    path("cabinet/s/<str:code>/decide/", views.cabinet_decide, name="cabinet_decide"),
    path("cabinet/s/<str:code>/reopen/", views.cabinet_reopen, name="cabinet_reopen"),
    # A candidate with no session to decide on (their one-to-one rounds selected them).
    path(
        "cabinet/candidates/<int:pk>/decide/",
        views.cabinet_candidate_decide,
        name="cabinet_candidate_decide",
    ),
    path(
        "cabinet/candidates/<int:pk>/reopen/",
        views.cabinet_candidate_reopen,
        name="cabinet_candidate_reopen",
    ),
    path(
        "cabinet/notifications/<int:outbox_id>/retry/",
        views.cabinet_notification_retry,
        name="cabinet_notification_retry",
    ),
    # The read-only decision page HR's messages link to (recruiters and the panel open it too).
    path(
        "decisions/candidates/<int:pk>/",
        views.decision_summary_candidate,
        name="decision_summary_candidate",
    ),
    path("decisions/<str:code>/", views.decision_summary, name="decision_summary"),
    path("cabinet/stats/", views.cabinet_stats, name="cabinet_stats"),
    path("cabinet/stats.csv", views.cabinet_stats_csv, name="cabinet_stats_csv"),
    path("cabinet/stats.xlsx", views.cabinet_stats_xlsx, name="cabinet_stats_xlsx"),
]
