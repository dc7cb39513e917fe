"""The pipeline's positions and vendors: recruiters keep them; who sees them is the access
module's (``access.pipeline``); every write goes through ``candidates.services``."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

import access
from api.common import valid
from api.errors import Refused
from api.permissions import Allows, RolePermissionsMixin
from candidates import services
from candidates.models import Position, Vendor

# Refusals about the request's content (400); the rest are about the state (409).
INPUT_REFUSALS = {"title_required", "bad_openings", "bad_status", "name_required"}
OPENINGS_MAX = 10_000


def _refused(refused: services.CandidateRefused) -> Refused:
    code = 400 if refused.code in INPUT_REFUSALS else 409
    return Refused(refused.code, refused.message, code)


# --- positions --------------------------------------------------------------------------------


class PositionOut(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = [
            "id",
            "title",
            "team",
            "description",
            "openings",
            "status",
            "created_at",
            "updated_at",
        ]


class PositionPatch(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    team = serializers.CharField(max_length=200, allow_blank=True, required=False)
    description = serializers.CharField(max_length=10_000, allow_blank=True, required=False)
    openings = serializers.IntegerField(min_value=1, max_value=OPENINGS_MAX, required=False)
    status = serializers.ChoiceField(choices=Position.Status.choices, required=False)


class PositionIn(PositionPatch):
    title = serializers.CharField(max_length=200)


class PositionFilter(django_filters.FilterSet):
    class Meta:
        model = Position
        fields = ["status"]


class PositionViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PositionOut
    filterset_class = PositionFilter
    ordering_fields = ["title", "created_at", "updated_at", "status"]
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {
        "list": Allows(access.can_view_positions),
        "retrieve": Allows(access.can_view_positions),
        "create": Allows(access.can_manage_positions),
        "partial_update": Allows(access.can_manage_positions),
    }

    def get_queryset(self) -> QuerySet[Position]:
        return Position.objects.order_by("title", "id")

    @extend_schema(request=PositionIn, responses={201: PositionOut})
    def create(self, request: Request) -> Response:
        """Open a position (or create it on hold or closed)."""
        fields = valid(PositionIn, request.data)
        try:
            position = services.position_create(by=request.user, fields=fields)
        except services.CandidateRefused as refused:
            raise _refused(refused) from refused
        return Response(PositionOut(position).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PositionPatch, responses={200: PositionOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a position; ``status`` puts it on hold or closes it (a closed position
        takes no new candidates)."""
        position = self.get_object()
        fields = valid(PositionPatch, request.data)
        try:
            position = services.position_update(position=position, fields=fields)
        except services.CandidateRefused as refused:
            raise _refused(refused) from refused
        return Response(PositionOut(position).data)


# --- vendors ----------------------------------------------------------------------------------


class VendorOut(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = [
            "id",
            "name",
            "contact_name",
            "contact_email",
            "phone",
            "terms",
            "active",
            "created_at",
            "updated_at",
        ]


class VendorPatch(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    contact_name = serializers.CharField(max_length=200, allow_blank=True, required=False)
    contact_email = serializers.EmailField(max_length=254, allow_blank=True, required=False)
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False)
    terms = serializers.CharField(max_length=10_000, allow_blank=True, required=False)
    active = serializers.BooleanField(required=False)


class VendorIn(VendorPatch):
    name = serializers.CharField(max_length=200)


class VendorFilter(django_filters.FilterSet):
    class Meta:
        model = Vendor
        fields = ["active"]


class VendorViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = VendorOut
    filterset_class = VendorFilter
    ordering_fields = ["name", "created_at", "updated_at"]
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {
        "list": Allows(access.can_view_vendors),
        "retrieve": Allows(access.can_view_vendors),
        "create": Allows(access.can_manage_vendors),
        "partial_update": Allows(access.can_manage_vendors),
    }

    def get_queryset(self) -> QuerySet[Vendor]:
        return Vendor.objects.order_by("name", "id")

    @extend_schema(request=VendorIn, responses={201: VendorOut})
    def create(self, request: Request) -> Response:
        """Add a vendor (an agency that supplies candidates); names are unique whatever the
        letter case (409 ``name_taken``)."""
        fields: dict[str, Any] = valid(VendorIn, request.data)
        try:
            vendor = services.vendor_create(fields=fields)
        except services.CandidateRefused as refused:
            raise _refused(refused) from refused
        return Response(VendorOut(vendor).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VendorPatch, responses={200: VendorOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a vendor; ``active: false`` keeps its candidates but takes no new ones."""
        vendor = self.get_object()
        fields = valid(VendorPatch, request.data)
        try:
            vendor = services.vendor_update(vendor=vendor, fields=fields)
        except services.CandidateRefused as refused:
            raise _refused(refused) from refused
        return Response(VendorOut(vendor).data)
