"""The interviews app's pages. Each feature keeps its views in its own module
(``views`` plans/rounds/ratings, ``calendar``, ``drives``); their paths are listed here."""

from __future__ import annotations

from django.urls import path

from interviews import views

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
    path("people/<int:pk>/rounds/", views.interviewer_history, name="interviewer_history"),
]
