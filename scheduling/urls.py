"""The availability pages: an interviewer's own (``/availability/…``) and a candidate's, kept by
the recruiters (``/candidates/<id>/availability/…``). Reads are GET, every write a POST."""

from __future__ import annotations

from django.urls import path

from scheduling import views

urlpatterns = [
    path("availability/", views.own_page, name="availability_page"),
    path("availability/slots/new/", views.own_slot_new, name="availability_slot_new"),
    path("availability/slots/<int:slot>/", views.own_slot_edit, name="availability_slot_edit"),
    path(
        "availability/slots/<int:slot>/delete/",
        views.own_slot_delete,
        name="availability_slot_delete",
    ),
    path("availability/hours/", views.hours_set, name="availability_hours"),
    path("availability/exceptions/new/", views.exception_new, name="availability_exception_new"),
    path(
        "availability/exceptions/<int:exception>/delete/",
        views.exception_delete,
        name="availability_exception_delete",
    ),
    path("availability/capacity/", views.capacity_set, name="availability_capacity"),
    path(
        "candidates/<int:pk>/availability/",
        views.candidate_page,
        name="candidate_availability_page",
    ),
    path(
        "candidates/<int:pk>/availability/slots/new/",
        views.candidate_slot_new,
        name="candidate_availability_slot_new",
    ),
    path(
        "candidates/<int:pk>/availability/slots/<int:slot>/",
        views.candidate_slot_edit,
        name="candidate_availability_slot_edit",
    ),
    path(
        "candidates/<int:pk>/availability/slots/<int:slot>/delete/",
        views.candidate_slot_delete,
        name="candidate_availability_slot_delete",
    ),
]
