"""Candidates: the card and its sessions, for the people allowed to see them; recruiters
change a card (``PATCH``) through ``candidates.services.candidate_update``."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

import access
from api.common import valid
from api.errors import Refused
from api.filters import CandidateFilter
from api.permissions import CANDIDATE_ROLES, Allows, HasAny, RolePermissionsMixin
from candidates import services
from candidates.models import Candidate, Position, Vendor
from candidates.validators import validate_one_line

ONE_LINE = [validate_one_line]  # these end up in e-mail headers: no line breaks
# Refusals about the state of other rows (409); the rest are about the request (400).
STATE_REFUSALS = {"vendor_inactive", "position_closed"}


class CandidateOut(serializers.ModelSerializer):
    has_resume = serializers.SerializerMethodField()
    sessions = serializers.SerializerMethodField()
    vendor = serializers.SerializerMethodField()
    positions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), source="tag_list", read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "full_name",
            "email",
            "phone",
            "status",
            "video_room_url",
            "hr_email",
            "hr_telegram_chat_id",
            "hr_language",
            "source",
            "vendor",
            "positions",
            "tags",
            "has_resume",
            "sessions",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_has_resume(self, candidate: Candidate) -> bool:
        return bool(candidate.resume)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_vendor(self, candidate: Candidate) -> int | None:
        """The vendor's id, for those who may see vendors (else null)."""
        request = self.context.get("request")
        if request is None or not access.can_view_vendors(request.user):
            return None
        return candidate.vendor_id

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_sessions(self, candidate: Candidate) -> list[str]:
        """Codes of the candidate's sessions the asking person may see, newest first."""
        return [session.code for session in candidate.visible_sessions]


class CandidatePatch(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, required=False, validators=ONE_LINE)
    email = serializers.EmailField(required=False, validators=ONE_LINE)
    phone = serializers.CharField(
        max_length=40, allow_blank=True, required=False, validators=ONE_LINE
    )
    video_room_url = serializers.URLField(
        allow_blank=True, required=False, max_length=200, validators=ONE_LINE
    )
    hr_email = serializers.EmailField(allow_blank=True, required=False, validators=ONE_LINE)
    hr_telegram_chat_id = serializers.RegexField(
        r"^-?\d{1,20}$|^@[A-Za-z0-9_]{5,32}$",
        allow_blank=True,
        required=False,
        max_length=64,
        validators=ONE_LINE,
    )
    hr_language = serializers.ChoiceField(
        choices=[("", ""), *settings.LANGUAGES], allow_blank=True, required=False
    )
    source = serializers.ChoiceField(choices=Candidate.Source.choices, required=False)
    vendor = serializers.PrimaryKeyRelatedField(
        queryset=Vendor.objects.all(), allow_null=True, required=False
    )
    positions = serializers.PrimaryKeyRelatedField(
        queryset=Position.objects.all(), many=True, required=False
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=services.TAGS_MAX, validators=ONE_LINE),
        max_length=100,
        required=False,
    )


class CandidateViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CandidateOut
    filterset_class = CandidateFilter
    ordering_fields = ["full_name", "created_at", "updated_at", "status"]
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "patch", "head", "options"]
    action_permissions = {
        "list": HasAny(CANDIDATE_ROLES),
        "retrieve": HasAny(CANDIDATE_ROLES),
        "partial_update": Allows(access.can_manage_candidates),
    }

    def get_queryset(self) -> QuerySet[Candidate]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Candidate.objects.none()
        user = self.request.user
        sessions = access.visible_sessions(user=user).only("id", "code", "candidate_id")
        return (
            access.visible_candidates(user=user)
            .prefetch_related(
                "positions",
                Prefetch(
                    "sessions",
                    queryset=sessions.order_by("-created_at"),
                    to_attr="visible_sessions",
                ),
            )
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=CandidatePatch, responses={200: CandidateOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a candidate's card (recruiters): the fields given, checked as on creation
        (a source of ``vendor`` names an active vendor; no closed position is added). One
        ``updated`` event in the history names the changed fields. The status moves by the
        lifecycle only."""
        candidate = self.get_object()
        fields = valid(CandidatePatch, request.data)
        try:
            services.candidate_update(candidate=candidate, by=request.user, fields=fields)
        except services.CandidateRefused as refused:
            code = 409 if refused.code in STATE_REFUSALS else 400
            raise Refused(refused.code, refused.message, code) from refused
        fresh = self.get_queryset().get(pk=candidate.pk)
        return Response(self.get_serializer(fresh).data)
