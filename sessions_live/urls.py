"""URLs of the live-session pages."""

from __future__ import annotations

from django.urls import path

from sessions_live import adhoc_views, views

urlpatterns = [
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/join/", views.session_join, name="session_join"),
    path("s/<str:code>/", views.session_live, name="session_live"),
    path("s/<str:code>/join/", views.session_join_confirm, name="session_join_confirm"),
    path("s/<str:code>/results/", views.session_results, name="session_results"),
    path(
        "s/<str:code>/results/edit/<str:kind>/",
        views.session_results_edit,
        name="session_results_edit",
    ),
    path("s/<str:code>/resume/", views.session_resume, name="session_resume"),
    # The review of questions typed live, for question editors (the bank never reads sessions).
    path("questions/adhoc/", adhoc_views.adhoc_review, name="bank_adhoc"),
    path(
        "questions/adhoc/<int:asked_id>/accept/",
        adhoc_views.adhoc_accept,
        name="bank_adhoc_accept",
    ),
    path(
        "questions/adhoc/<int:asked_id>/dismiss/",
        adhoc_views.adhoc_dismiss,
        name="bank_adhoc_dismiss",
    ),
]
