"""Candidates, read-only: the card and its sessions, for the people allowed to see them."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

import access
from api.filters import CandidateFilter
from api.permissions import CANDIDATE_ROLES, HasAny, RolePermissionsMixin
from candidates.models import Candidate


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
    action_permissions = {
        "list": HasAny(CANDIDATE_ROLES),
        "retrieve": HasAny(CANDIDATE_ROLES),
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
