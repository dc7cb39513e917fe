"""The recruiters' pages of the one-way interviews (``video_interviews.views``)."""

from __future__ import annotations

from django.urls import path

from video_interviews import views

urlpatterns = [
    path("video-interviews/", views.interview_list, name="video_interview_list"),
    path("video-interviews/new/", views.new_step1, name="video_interview_new"),
    path("video-interviews/new/invite/", views.new_step2, name="video_interview_new_invite"),
    path("video-interviews/new/review/", views.new_step3, name="video_interview_new_review"),
    path("video-interviews/<int:pk>/", views.interview_detail, name="video_interview_detail"),
    path(
        "video-interviews/<int:pk>/invite/", views.interview_invite, name="video_interview_invite"
    ),
    path(
        "video-interviews/<int:pk>/remind/", views.interview_remind, name="video_interview_remind"
    ),
    path(
        "video-interviews/<int:pk>/settings/",
        views.interview_settings,
        name="video_interview_settings",
    ),
    path(
        "video-interviews/<int:pk>/template/",
        views.interview_template,
        name="video_interview_template",
    ),
    path(
        "video-interviews/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="video_invitation_revoke",
    ),
    path(
        "video-interviews/invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="video_invitation_resend",
    ),
]
