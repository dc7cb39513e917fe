"""The recruiter's pages for the pipeline: positions and vendors, listed and kept through
``candidates.services``. Who may open each page is the access module's to say."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

import access
from access.decorators import allowed
from candidates import services
from candidates.models import Position, Vendor

LIST_LIMIT = 500
# A refusal of the service shown next to the field it is about.
REFUSAL_FIELDS = {
    "title_required": "title",
    "bad_openings": "openings",
    "bad_status": "status",
    "name_required": "name",
    "name_taken": "name",
}


class PositionForm(forms.ModelForm):
    class Meta:
        model = Position
        fields = ["title", "team", "description", "openings", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ["name", "contact_name", "contact_email", "phone", "terms", "active"]
        widgets = {"terms": forms.Textarea(attrs={"rows": 4})}

    def validate_unique(self) -> None:
        """The service says whether the name is taken (whatever the letter case)."""


def _refused(form: forms.ModelForm, refused: services.CandidateRefused) -> None:
    form.add_error(REFUSAL_FIELDS.get(refused.code), refused.message)


@allowed(access.can_view_positions)
@require_GET
def position_list(request: HttpRequest) -> HttpResponse:
    positions = Position.objects.order_by("status", "title", "id")[:LIST_LIMIT]
    return render(
        request,
        "portal/positions.html",
        {
            "positions": list(positions),
            "can_manage": access.can_manage_positions(request.user),
        },
    )


@allowed(access.can_manage_positions)
@require_http_methods(["GET", "POST"])
def position_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new position (no ``pk``) or a change to one, its status among the fields."""
    position = get_object_or_404(Position, pk=pk) if pk is not None else None
    form = PositionForm(request.POST or None, instance=position)
    if request.method == "POST" and form.is_valid():
        try:
            if position is None:
                services.position_create(by=request.user, fields=form.cleaned_data)
                messages.success(request, _("The position is created."))
            else:
                # The form wrote its values on the row while checking it: start afresh.
                services.position_update(
                    position=Position.objects.get(pk=position.pk), fields=form.cleaned_data
                )
                messages.success(request, _("The position is saved."))
        except services.CandidateRefused as refused:
            _refused(form, refused)
        else:
            return redirect("position_list")
    status = 400 if form.errors else 200
    return render(
        request,
        "portal/position_form.html",
        {"form": form, "position": position},
        status=status,
    )


@allowed(access.can_view_vendors)
@require_GET
def vendor_list(request: HttpRequest) -> HttpResponse:
    vendors = Vendor.objects.order_by("-active", "name", "id")[:LIST_LIMIT]
    return render(
        request,
        "portal/vendors.html",
        {"vendors": list(vendors), "can_manage": access.can_manage_vendors(request.user)},
    )


@allowed(access.can_manage_vendors)
@require_http_methods(["GET", "POST"])
def vendor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new vendor (no ``pk``) or a change to one."""
    vendor = get_object_or_404(Vendor, pk=pk) if pk is not None else None
    form = VendorForm(request.POST or None, instance=vendor)
    if request.method == "POST" and form.is_valid():
        try:
            if vendor is None:
                services.vendor_create(fields=form.cleaned_data)
                messages.success(request, _("The vendor is added."))
            else:
                services.vendor_update(
                    vendor=Vendor.objects.get(pk=vendor.pk), fields=form.cleaned_data
                )
                messages.success(request, _("The vendor is saved."))
        except services.CandidateRefused as refused:
            _refused(form, refused)
        else:
            return redirect("vendor_list")
    status = 400 if form.errors else 200
    return render(
        request, "portal/vendor_form.html", {"form": form, "vendor": vendor}, status=status
    )
