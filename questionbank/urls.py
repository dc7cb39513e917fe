"""URLs of the question-bank pages (the bank itself is edited in the admin; the review of
questions typed live, /questions/adhoc/, is ``sessions_live``'s)."""

from __future__ import annotations

from django.urls import path, re_path

from questionbank import views

urlpatterns = [
    path("questions/import/", views.bank_import, name="bank_import"),
    re_path(r"^questions/export\.(?P<fmt>csv|json|xlsx)$", views.bank_export, name="bank_export"),
]
