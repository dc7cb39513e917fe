from __future__ import annotations

from django.urls import path

from notify import views

urlpatterns = [
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/read/", views.notice_read_all, name="notice_read_all"),
    path("notices/<int:pk>/", views.notice_open, name="notice_open"),
]
