"""URLs of the question-bank pages (the bank itself is edited in the admin)."""

from __future__ import annotations

from django.urls import path, re_path

from questionbank import views

urlpatterns = [
    path("questions/import/", views.bank_import, name="bank_import"),
    re_path(r"^questions/export\.(?P<fmt>csv|json|xlsx)$", views.bank_export, name="bank_export"),
    path("questions/adhoc/", views.adhoc_review, name="bank_adhoc"),
    path("questions/adhoc/<int:asked_id>/accept/", views.adhoc_accept, name="bank_adhoc_accept"),
    path("questions/adhoc/<int:asked_id>/dismiss/", views.adhoc_dismiss, name="bank_adhoc_dismiss"),
]
