"""The recruiter's People page: everyone who uses Roundtable, onboarding a new person (who is
e-mailed a one-time link to set a password), their roles, deactivating and reactivating them
(never deleting). Who may do which is the access module's (``access.people``); the writes are
``accounts.services``'."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import access
from access.decorators import allowed
from accounts import services
from accounts.models import User
from accounts.roles import ROLE_LABELS

LIST_LIMIT = 500


def _role_choices(roles: Collection[str]) -> list[tuple[str, str]]:
    return [(role, str(label)) for role, label in ROLE_LABELS.items() if role in roles]


def _language_choices() -> list[tuple[str, str]]:
    languages = [
        (code, get_language_info(code)["name_local"].capitalize())
        for code, _name in settings.LANGUAGES
    ]
    return [("", gettext_lazy("As their browser says")), *languages]


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Only the roles you may grant are listed."),
    )

    def __init__(self, *args: Any, grantable: Collection[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = _role_choices(grantable)


class PersonForm(RolesForm):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        max_length=254,
        help_text=gettext_lazy("The link to set a password goes to this address."),
    )
    username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Blank: the e-mail address."),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=_language_choices,
        required=False,
        help_text=gettext_lazy("Of the e-mail and of the pages."),
    )

    field_order = ["first_name", "last_name", "email", "username", "language", "roles"]


def _people() -> Any:
    return User.objects.prefetch_related(Prefetch("groups")).order_by(
        "-is_active", "first_name", "last_name", "username", "id"
    )


def _row(viewer: User, person: User) -> dict[str, Any]:
    roles = {group.name for group in person.groups.all()}
    return {
        "person": person,
        "roles": services.role_names(roles),
        "administrator": person.is_superuser,
        "may_change": access.can_change_person(viewer, person),
    }


@allowed(access.can_manage_people)
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    people = list(_people()[:LIST_LIMIT])
    return render(
        request,
        "portal/people.html",
        {"rows": [_row(request.user, person) for person in people]},
    )


@allowed(access.can_manage_people)
@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponse:
    grantable = access.grantable_roles(request.user)
    form = PersonForm(request.POST or None, grantable=grantable)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not access.can_create_person(request.user, data["roles"]):
            raise PermissionDenied
        try:
            person = services.user_create(
                by=request.user,
                email=data["email"],
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                language=data["language"],
                roles=data["roles"],
            )
        except services.PersonRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(
                request,
                _("%(name)s is created; the link to set a password is on its way to %(email)s.")
                % {"name": person.display_name, "email": person.email},
            )
            return redirect("person_edit", pk=person.pk)
    return render(
        request,
        "portal/people_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@allowed(access.can_manage_people)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's card and roles; the roles form only for those who may change them."""
    person = get_object_or_404(_people(), pk=pk)
    may_change = access.can_change_person(request.user, person)
    grantable = access.grantable_roles(request.user)
    held = [group.name for group in person.groups.all()]
    form = RolesForm(request.POST or None, grantable=grantable, initial={"roles": held})
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            roles = form.cleaned_data["roles"]
            if not access.can_set_roles(request.user, person, roles):
                raise PermissionDenied
            try:
                services.user_update_roles(person=person, roles=roles)
            except services.PersonRefused as refused:
                form.add_error("roles", refused.message)
            else:
                messages.success(
                    request, _("The roles of %(name)s are saved.") % {"name": person.display_name}
                )
                return redirect("person_edit", pk=person.pk)
    return render(
        request,
        "portal/people_edit.html",
        {"form": form, **_row(request.user, person)},
        status=400 if form.errors else 200,
    )


@allowed(access.can_manage_people)
@require_POST
def person_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate (``active=1``) a person."""
    person = get_object_or_404(User, pk=pk)
    wanted = request.POST.get("active")
    if wanted not in ("0", "1"):
        messages.error(request, _("Say whether to deactivate or reactivate."))
        return redirect("person_edit", pk=person.pk)
    if not access.can_set_active(request.user, person):
        raise PermissionDenied
    try:
        services.user_set_active(person=person, active=wanted == "1", by=request.user)
    except services.PersonRefused as refused:
        messages.error(request, refused.message)
    else:
        text = (
            _("%(name)s is active again.")
            if person.is_active
            else _("%(name)s is deactivated: they cannot log in, and their open pages are closed.")
        )
        messages.success(request, text % {"name": person.display_name})
    return redirect("person_edit", pk=person.pk)


@allowed(access.can_manage_people)
@require_POST
def person_password_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A fresh set-password link by e-mail (the person lost theirs, or it ran out)."""
    person = get_object_or_404(User, pk=pk)
    if not access.can_change_person(request.user, person) or not person.is_active:
        raise PermissionDenied
    try:
        services.user_send_password_link(person=person, by=request.user)
    except services.PersonRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("A new link to set a password is on its way to %(email)s.") % {"email": person.email},
        )
    return redirect("person_edit", pk=person.pk)
