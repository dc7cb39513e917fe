"""The candidates' area (``video_interviews.candidate_views``). Included in ``config.urls``
before portal's ``/candidates/<id>/`` routes, so ``/candidates/dashboard`` resolves here and
never reaches a staff view (portal's routes take only numbers there anyway)."""

from __future__ import annotations

from django.urls import path

from video_interviews import candidate_views as views
from video_interviews import recording_views, uploads

urlpatterns = [
    path("signup", views.signup, name="candidate_signup"),
    path("candidates/dashboard", views.dashboard, name="candidate_dashboard"),
    path("candidate/login/", views.candidate_login, name="candidate_login"),
    path("candidate/logout/", views.candidate_logout, name="candidate_logout"),
    path("candidate/confirm/again/", views.confirm_again, name="candidate_confirm_again"),
    path("candidate/confirm/<str:token>/", views.confirm, name="candidate_confirm"),
    path("candidate/interviews/add/", views.interview_add, name="candidate_interview_add"),
    path("candidate/interviews/<int:pk>/", views.interview_page, name="candidate_interview"),
    # Recording (docs/protocol.md, "Recording an answer").
    path(
        "candidate/interviews/<int:pk>/state/",
        recording_views.state,
        name="candidate_recording_state",
    ),
    path(
        "candidate/interviews/<int:pk>/takes/",
        recording_views.take_start,
        name="candidate_take_start",
    ),
    path(
        "candidate/interviews/<int:pk>/takes/<str:take_id>/keep/",
        recording_views.take_keep,
        name="candidate_take_keep",
    ),
    path(
        "candidate/interviews/<int:pk>/takes/<str:take_id>/stop/",
        recording_views.take_stop,
        name="candidate_take_stop",
    ),
    path("candidate/uploads/", uploads.collection, name="candidate_uploads"),
    path("candidate/uploads/<str:take_id>", uploads.resource, name="candidate_upload"),
]
