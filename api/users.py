"""People, for those who keep them (recruiters): list, create (the new person is e-mailed a
one-time link to set a password), change roles, deactivate and reactivate. Which roles one
may grant and whom one may change is ``access.people``'s; the writes are
``accounts.services``'. Nobody is deleted."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

import access
from accounts import services
from accounts.models import User
from accounts.roles import ROLE_PERMISSIONS
from api.common import valid
from api.errors import Refused
from api.permissions import Allows, RolePermissionsMixin

# Refusals about the state of other rows (409); the rest are about the request (400).
STATE_REFUSALS = {"email_taken", "username_taken"}
ROLE_CHOICES = sorted(ROLE_PERMISSIONS)


def _refused(refused: services.PersonRefused) -> Refused:
    code = 409 if refused.code in STATE_REFUSALS else 400
    return Refused(refused.code, refused.message, code)


def _not_grantable() -> exceptions.PermissionDenied:
    return exceptions.PermissionDenied(
        _("You may not grant these roles or change this person."), code="not_grantable"
    )


class UserOut(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    display_name = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True, help_text="Blank: the browser's.")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "display_name",
            "roles",
            "is_active",
            "is_superuser",
            "language",
            "last_login",
            "date_joined",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(ROLE_CHOICES)))
    def get_roles(self, person: User) -> list[str]:
        """The person's roles (names of ``accounts.roles``), sorted."""
        return sorted(group.name for group in person.groups.all())


class UserIn(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    username = serializers.CharField(max_length=150, allow_blank=True, required=False)
    first_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    last_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    # Blank or left out: the person's browser decides. (A string checked by the service, not
    # an enum: the candidate's ``hr_language`` names the same choices already.)
    language = serializers.CharField(
        max_length=8,
        allow_blank=True,
        required=False,
        help_text="A language code of the site (en, ru); blank: the browser's.",
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(ROLE_CHOICES), max_length=len(ROLE_CHOICES), required=False
    )


class UserPatch(serializers.Serializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(ROLE_CHOICES), max_length=len(ROLE_CHOICES), required=False
    )
    is_active = serializers.BooleanField(required=False)


class UserFilter(django_filters.FilterSet):
    class Meta:
        model = User
        fields = ["is_active"]


class UserViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = UserOut
    filterset_class = UserFilter
    ordering_fields = ["username", "last_name", "date_joined", "last_login"]
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {
        "list": Allows(access.can_manage_people),
        "retrieve": Allows(access.can_manage_people),
        "create": Allows(access.can_manage_people),
        "partial_update": Allows(access.can_manage_people),
    }

    def get_queryset(self) -> QuerySet[User]:
        return User.objects.prefetch_related("groups").order_by("username", "id")

    @extend_schema(request=UserIn, responses={201: UserOut})
    def create(self, request: Request) -> Response:
        """Create a person holding ``roles`` (those the requester may grant, else 403
        ``not_grantable``). They have no password yet: an e-mail with a one-time link to set
        it goes out through the outbox. The username is the e-mail address unless given; an
        e-mail address or username someone has already is 409 ``email_taken`` /
        ``username_taken``."""
        data: dict[str, Any] = valid(UserIn, request.data)
        roles = data.pop("roles", [])
        if not access.can_create_person(request.user, roles):
            raise _not_grantable()
        try:
            person = services.user_create(by=request.user, roles=roles, **data)
        except services.PersonRefused as refused:
            raise _refused(refused) from refused
        fresh = self.get_queryset().get(pk=person.pk)
        return Response(UserOut(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserPatch, responses={200: UserOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Set a person's roles (the whole set) and/or deactivate (``is_active: false``) or
        reactivate them. Nobody changes themselves, a superuser (unless one is), or someone
        holding a role they may not grant: 403 ``not_grantable``. Deactivating closes the
        person's open sockets; their sessions and tokens let them in no more."""
        person = self.get_object()
        data = valid(UserPatch, request.data)
        if not access.can_change_person(request.user, person):
            raise _not_grantable()
        if "roles" in data and not access.can_set_roles(request.user, person, data["roles"]):
            raise _not_grantable()
        try:
            with transaction.atomic():
                if "roles" in data:
                    services.user_update_roles(person=person, roles=data["roles"])
                if "is_active" in data:
                    services.user_set_active(
                        person=person, active=data["is_active"], by=request.user
                    )
        except services.PersonRefused as refused:
            raise _refused(refused) from refused
        return Response(UserOut(self.get_queryset().get(pk=person.pk)).data)
