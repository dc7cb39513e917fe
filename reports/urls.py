"""The pipeline's statistics page and its downloads (managers and recruiters)."""

from __future__ import annotations

from django.urls import path

from reports import views

urlpatterns = [
    path("reports/", views.report_page, name="reports"),
    path("reports/export.xlsx", views.report_xlsx, name="reports_xlsx"),
    path("reports/export.csv", views.report_csv, name="reports_csv"),
]
