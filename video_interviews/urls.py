"""The recruiters' pages of the one-way interviews (``video_interviews.views``)."""

from __future__ import annotations

from django.urls import path

from video_interviews import review_views, views

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
    # The review (``video_interviews.review_views``).
    path("video-interviews/reviews/", review_views.review_queue, name="video_review_queue"),
    path(
        "video-interviews/<int:pk>/reviewers/",
        review_views.interview_reviewers,
        name="video_interview_reviewers",
    ),
    path(
        "video-interviews/invitations/<int:pk>/review/",
        review_views.review_invitation,
        name="video_review",
    ),
    path(
        "video-interviews/invitations/<int:pk>/recommendation/",
        review_views.invitation_recommend,
        name="video_recommend",
    ),
    path(
        "video-interviews/answers/<int:pk>/rating/",
        review_views.answer_rate,
        name="video_answer_rate",
    ),
    path(
        "video-interviews/answers/<int:pk>/video/",
        review_views.answer_media,
        name="video_answer_media",
    ),
    path(
        "video-interviews/answers/<int:pk>/thumbnail/",
        review_views.answer_thumbnail,
        name="video_answer_thumbnail",
    ),
]
