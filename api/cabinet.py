"""Decisions and statistics for managers, through the cabinet's own services and selectors
(the decision rules, the outbox to HR and the weekly figures all live there)."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.common import valid
from api.errors import Refused
from api.filters import IdFilter, UtcDateTimeFilter
from api.permissions import DECIDE, HasAll, RolePermissionsMixin
from api.sessions import CODE_PATTERN, PersonRef
from cabinet import selectors, services
from cabinet.forms import StatsRangeForm
from cabinet.models import Decision, RejectionReason, Team
from candidates.models import Candidate
from sessions_live.models import LiveSession

MANAGERS = HasAll([DECIDE])
# Refusals that are about the request's content (400); the rest are about the state (409).
INPUT_REFUSALS = {
    "team_required",
    "reason_required",
    "comment_required",
    "bad_outcome",
    "bad_language",
}


class TeamOut(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "description", "active"]


class ReasonOut(serializers.ModelSerializer):
    class Meta:
        model = RejectionReason
        fields = ["id", "name", "active"]


class _ManagerList(RolePermissionsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    action_permissions = {"list": MANAGERS}
    pagination_class = None  # a handful of rows an admin keeps


class TeamViewSet(_ManagerList):
    serializer_class = TeamOut
    queryset = Team.objects.order_by("name")
    filterset_fields = ["active"]


class ReasonViewSet(_ManagerList):
    serializer_class = ReasonOut
    queryset = RejectionReason.objects.order_by("name")
    filterset_fields = ["active"]


# --- decisions --------------------------------------------------------------------------------


class DecisionOut(serializers.ModelSerializer):
    session = serializers.CharField(
        source="session.code",
        allow_null=True,
        help_text="the session's code; null for a decision on the candidate with no session",
    )
    candidate = serializers.CharField(source="candidate.full_name")
    candidate_id = serializers.IntegerField()
    team = TeamOut(allow_null=True)
    reasons = ReasonOut(many=True)
    decided_by = PersonRef()
    reopened_by = PersonRef(allow_null=True)
    current = serializers.BooleanField(source="is_current")

    class Meta:
        model = Decision
        fields = [
            "id",
            "session",
            "candidate",
            "candidate_id",
            "outcome",
            "team",
            "reasons",
            "comment",
            "hr_language",
            "decided_by",
            "decided_at",
            "current",
            "reopened_by",
            "reopened_at",
        ]


class DecisionIn(serializers.Serializer):
    session = serializers.RegexField(
        rf"^{CODE_PATTERN}$",
        required=False,
        help_text="the session's code: a decision on that session (and so on its candidate)",
    )
    candidate = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        help_text="a candidate's id: a decision on them with no session (their rounds left "
        "them selected, or every round held and rated); exactly one of session and candidate",
    )
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(active=True), allow_null=True, required=False, default=None
    )
    reasons = serializers.PrimaryKeyRelatedField(
        queryset=RejectionReason.objects.filter(active=True), many=True, required=False
    )
    comment = serializers.CharField(max_length=5000, allow_blank=True, default="")
    hr_language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="the language of HR's messages; left out: the HR contact's, else HR_LANGUAGE",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if ("session" in data) == ("candidate" in data):
            raise serializers.ValidationError(
                _("Name the session or the candidate to decide on, not both.")
            )
        return data


class ReopenIn(serializers.Serializer):
    note = serializers.CharField(max_length=2000, allow_blank=True, default="")


class DecisionFilter(django_filters.FilterSet):
    session = django_filters.CharFilter(field_name="session__code")
    candidate = IdFilter(field_name="candidate_id")
    team = IdFilter(field_name="team_id")
    current = django_filters.BooleanFilter(field_name="reopened_at", lookup_expr="isnull")
    decided_after = UtcDateTimeFilter(field_name="decided_at", lookup_expr="gte")
    decided_before = UtcDateTimeFilter(field_name="decided_at", lookup_expr="lt")

    class Meta:
        model = Decision
        fields = ["outcome"]


class DecisionViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DecisionOut
    filterset_class = DecisionFilter
    ordering_fields = ["decided_at", "reopened_at"]
    lookup_value_regex = r"[0-9]{1,18}"
    action_permissions = {
        "list": MANAGERS,
        "retrieve": MANAGERS,
        "create": MANAGERS,
        "reopen": MANAGERS,
    }

    def get_queryset(self) -> QuerySet[Decision]:
        return (
            Decision.objects.select_related(
                "candidate", "session", "team", "decided_by", "reopened_by"
            )
            .prefetch_related("reasons")
            .order_by("-decided_at", "-id")
        )

    def _out(self, decision: Decision, code: int = status.HTTP_200_OK) -> Response:
        return Response(DecisionOut(self.get_queryset().get(pk=decision.pk)).data, status=code)

    @extend_schema(request=DecisionIn, responses={201: DecisionOut})
    def create(self, request: Request) -> Response:
        """Decide on a session whose feedback is all in (``session``), or on a candidate with
        no session whose rounds left them to a manager (``candidate``): hire into a team, or
        reject with reasons and a comment for HR. HR is told by e-mail and Telegram."""
        data = valid(DecisionIn, request.data)
        if "session" in data:
            subject: dict[str, Any] = {
                "session": get_object_or_404(LiveSession, code=data["session"])
            }
        else:
            subject = {"candidate": get_object_or_404(Candidate, pk=data["candidate"])}
        try:
            decision = services.decision_make(
                **subject,
                manager=request.user,
                outcome=data["outcome"],
                team=data["team"],
                reasons=data.get("reasons", []),
                comment=data["comment"],
                hr_language=data.get("hr_language"),
            )
        except services.DecisionRefused as refused:
            code = 400 if refused.code in INPUT_REFUSALS else 409
            raise Refused(refused.code, refused.message, code) from refused
        return self._out(decision, status.HTTP_201_CREATED)

    @extend_schema(request=ReopenIn, responses={200: DecisionOut})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        """Withdraw this (current) decision so a new one can be made."""
        decision = self.get_object()
        note = valid(ReopenIn, request.data)["note"]
        if not decision.is_current:
            raise Refused("not_current", _("This decision was reopened already."))
        try:
            reopened = services.decision_reopen(
                session=decision.session,
                candidate=decision.candidate,
                manager=request.user,
                note=note,
            )
        except services.DecisionRefused as refused:
            raise Refused(refused.code, refused.message) from refused
        return self._out(reopened)


# --- statistics -------------------------------------------------------------------------------


class RangeIn(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        for name, day in data.items():
            if not date(1970, 1, 1) <= day <= date(9000, 12, 31):
                raise serializers.ValidationError({name: _("Choose a date from 1970 to 9000.")})
        return data


class WeekOut(serializers.Serializer):
    week = serializers.CharField(help_text="ISO week, e.g. 2026-W07")
    monday = serializers.DateField()
    sessions = serializers.IntegerField(help_text="sessions finished")
    hired = serializers.IntegerField()
    rejected = serializers.IntegerField()
    hires = serializers.DictField(child=serializers.IntegerField(), help_text="per team")
    rejections = serializers.DictField(child=serializers.IntegerField(), help_text="per reason")


class StatisticsOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    teams = serializers.ListField(child=serializers.CharField())
    reasons = serializers.ListField(child=serializers.CharField())
    weeks = WeekOut(many=True)
    totals = WeekOut()


class WeeklyStatistics(APIView):
    """Per ISO week: sessions held, hires per team, rejections per reason (current decisions),
    as on the cabinet's statistics page. Without dates: the last twelve weeks."""

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated(), MANAGERS]

    @extend_schema(parameters=[RangeIn], responses={200: StatisticsOut})
    def get(self, request: Request) -> Response:
        chosen = valid(RangeIn, request.query_params)
        form = StatsRangeForm({name: day.isoformat() for name, day in chosen.items()})
        start, end = form.range()
        stats = selectors.weekly_stats(start=start, end=end)
        totals = stats.totals
        totals.week = "total"
        return Response(
            StatisticsOut(
                {
                    "start": stats.start,
                    "end": stats.end,
                    "teams": stats.teams,
                    "reasons": stats.reasons,
                    "weeks": stats.weeks,
                    "totals": totals,
                }
            ).data
        )
