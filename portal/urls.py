from __future__ import annotations

from django.urls import path

from portal import people, pipeline, views

urlpatterns = [
    path("", views.home, name="home"),
    path("candidates/", pipeline.candidate_list, name="candidate_list"),
    path("candidates/new/", pipeline.candidate_new, name="candidate_new"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/edit/", pipeline.candidate_edit, name="candidate_edit"),
    path("candidates/<int:pk>/move/", pipeline.candidate_move, name="candidate_move"),
    path("candidates/<int:pk>/resume/", views.resume_upload, name="resume_upload"),
    path(
        "candidates/<int:pk>/resume/<int:version_id>/",
        views.resume_download,
        name="resume_download",
    ),
    path("people/", people.people_list, name="people_list"),
    path("people/new/", people.person_new, name="person_new"),
    path("people/<int:pk>/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/active/", people.person_active, name="person_active"),
    path(
        "people/<int:pk>/password-link/",
        people.person_password_link,
        name="person_password_link",
    ),
    path("positions/", pipeline.position_list, name="position_list"),
    path("positions/new/", pipeline.position_edit, name="position_new"),
    path("positions/<int:pk>/", pipeline.position_edit, name="position_edit"),
    path("vendors/", pipeline.vendor_list, name="vendor_list"),
    path("vendors/new/", pipeline.vendor_edit, name="vendor_new"),
    path("vendors/<int:pk>/", pipeline.vendor_edit, name="vendor_edit"),
    path("topics/<int:pk>/", views.topic_detail, name="topic_detail"),
    path("profile/", views.profile, name="profile"),
    path("favicon.ico", views.favicon, name="favicon"),
]
