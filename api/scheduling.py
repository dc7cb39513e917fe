"""The scheduler through the same run and access rules as its pages (``scheduling.booking``,
``access.scheduling``):

* runs: recruiters start one (``access.can_run_scheduler``) — ``{"preview": true}`` books
  nothing — and recruiters and managers read them (``access.can_view_scheduler_runs``), each
  with what it booked (and why) and what it could not place (and why not);
* scheduled interviews: the rounds with a time that the reader may see
  (``access.visible_rounds``: an interviewer their own, recruiters and managers all), by
  interviewer, candidate and time.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

import access
from api.common import valid
from api.filters import IdFilter, UtcDateTimeFilter
from api.interviews import CandidateBrief, PositionRef
from api.permissions import Allows, RolePermissionsMixin
from api.sessions import PersonRef
from interviews.models import Round
from scheduling import booking, run_views
from scheduling.models import Booking, NoMatch, Run

ID_PATTERN = r"[0-9]{1,18}"


class WhyOut(serializers.Serializer):
    alternatives = serializers.IntegerField(help_text="other feasible (interviewer, time) choices")
    open_alternatives = serializers.IntegerField(
        required=False, help_text="of those, still free and under the caps once the plan is booked"
    )
    earliest_possible = serializers.DateTimeField(
        allow_null=True, help_text="the earliest feasible time of all"
    )
    cap = serializers.CharField(
        allow_null=True, help_text="day / week: the cap that closed an earlier choice, else null"
    )
    cap_interviewer = serializers.IntegerField(
        allow_null=True, required=False, help_text="whose cap (a user id)"
    )
    cap_start = serializers.DateTimeField(
        allow_null=True, required=False, help_text="the earlier time it closed"
    )
    load_before = serializers.IntegerField(
        help_text="the interviewer's interviews that week before this one (a panel: the busiest)"
    )
    load_week = serializers.IntegerField(
        required=False, help_text="the interviewer's interviews that week with the run booked"
    )
    refused = serializers.CharField(
        required=False,
        help_text="outcome refused: why (interviewer_busy, candidate_busy, round_taken, …)",
    )


class BookingOut(serializers.ModelSerializer):
    candidate = CandidateBrief(allow_null=True)
    round = serializers.IntegerField(source="round_id", allow_null=True)
    plan_round = serializers.IntegerField(source="plan_round_id", allow_null=True)
    interviewer = PersonRef(allow_null=True)
    people = serializers.ListField(child=serializers.IntegerField())
    why = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "outcome",
            "candidate",
            "round",
            "plan_round",
            "round_name",
            "round_order",
            "interviewer",
            "people",
            "starts_at",
            "why",
        ]

    @extend_schema_field(WhyOut)
    def get_why(self, row: Booking) -> dict[str, Any]:
        return dict(row.why or {})


class NoMatchDetail(serializers.Serializer):
    overlaps = serializers.IntegerField(help_text="(interviewer, time) choices everyone was free")
    candidate_free_hours = serializers.IntegerField(
        help_text="hourly starts the candidate is free in the window"
    )
    interviewers = serializers.ListField(
        child=serializers.IntegerField(), help_text="who may take the round (user ids)"
    )
    interviewers_known = serializers.ListField(
        child=serializers.IntegerField(), help_text="of those, active interviewers"
    )
    panel = serializers.BooleanField(help_text="all of them at once")
    position = serializers.CharField()


class NoMatchOut(serializers.ModelSerializer):
    candidate = CandidateBrief()
    round = serializers.IntegerField(source="round_id", allow_null=True)
    plan_round = serializers.IntegerField(source="plan_round_id", allow_null=True)
    reason_label = serializers.SerializerMethodField()
    detail = serializers.SerializerMethodField()

    class Meta:
        model = NoMatch
        fields = [
            "id",
            "candidate",
            "round",
            "plan_round",
            "round_name",
            "round_order",
            "reason",
            "reason_label",
            "detail",
            "notified_at",
        ]

    def get_reason_label(self, row: NoMatch) -> str:
        """The reason in the request's language."""
        return str(booking.REASONS.get(row.reason, row.get_reason_display()))

    @extend_schema_field(NoMatchDetail)
    def get_detail(self, row: NoMatch) -> dict[str, Any]:
        return dict(row.detail or {})


class RunOut(serializers.ModelSerializer):
    by = PersonRef(allow_null=True)

    class Meta:
        model = Run
        fields = [
            "id",
            "trigger",
            "preview",
            "by",
            "started_at",
            "finished_at",
            "window_start",
            "window_end",
            "booked",
            "unmatched",
            "skipped",
            "optimal",
            "gap",
            "error",
            "stats",
        ]


class RunDetailOut(RunOut):
    bookings = serializers.SerializerMethodField()
    no_matches = serializers.SerializerMethodField()

    class Meta(RunOut.Meta):
        fields = [*RunOut.Meta.fields, "bookings", "no_matches"]

    @extend_schema_field(BookingOut(many=True))
    def get_bookings(self, run: Run) -> list[dict[str, Any]]:
        return list(BookingOut(self._parts(run)["bookings"], many=True).data)

    @extend_schema_field(NoMatchOut(many=True))
    def get_no_matches(self, run: Run) -> list[dict[str, Any]]:
        return list(NoMatchOut(self._parts(run)["no_matches"], many=True).data)

    def _parts(self, run: Run) -> dict[str, Any]:
        cache = self.context.setdefault("run_parts", {})
        if run.pk not in cache:
            cache[run.pk] = run_views.run_parts(run)
        return cache[run.pk]


class RunIn(serializers.Serializer):
    preview = serializers.BooleanField(
        default=False, help_text="true: store what would be booked, book nothing, tell nobody"
    )


class RunFilter(django_filters.FilterSet):
    preview = django_filters.BooleanFilter()
    trigger = django_filters.ChoiceFilter(choices=Run.Trigger.choices)

    class Meta:
        model = Run
        fields = ["preview", "trigger"]


class RunViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The scheduler's runs, newest first."""

    filterset_class = RunFilter
    ordering_fields = ["started_at", "booked", "unmatched"]
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "head", "options"]
    action_permissions = {
        "list": Allows(access.can_view_scheduler_runs),
        "retrieve": Allows(access.can_view_scheduler_runs),
        "create": Allows(access.can_run_scheduler),
    }

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return RunOut if self.action == "list" else RunDetailOut

    def get_queryset(self) -> QuerySet[Run]:
        return Run.objects.select_related("by").order_by("-started_at", "-pk")

    @extend_schema(request=RunIn, responses={201: RunDetailOut})
    def create(self, request: Request) -> Response:
        """Run the scheduler now: book (and tell the recruiters what cannot be placed), or with
        ``preview`` only show what would be booked. Answers the run with its bookings and
        no-matches; a booking taken meanwhile by someone else is in it as ``refused``."""
        data = valid(RunIn, request.data)
        run = booking.scheduler_run(by=request.user, preview=data["preview"])
        return Response(
            RunDetailOut(self.get_queryset().get(pk=run.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ScheduledOut(serializers.ModelSerializer):
    candidate = CandidateBrief()
    position = PositionRef()
    interviewer = PersonRef(allow_null=True)
    assistants = PersonRef(many=True)
    ends_at = serializers.DateTimeField(read_only=True)
    booked_by_run = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id",
            "interview",
            "candidate",
            "position",
            "order",
            "name",
            "kind",
            "status",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "interviewer",
            "assistants",
            "booked_by_run",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_booked_by_run(self, row: Round) -> int | None:
        """The scheduler's run that booked this time (null: a recruiter set it)."""
        return getattr(row, "booked_by_run", None)


class ScheduledFilter(django_filters.FilterSet):
    interviewer = IdFilter(
        method="on_round", label="a user id: rounds they are on (interviewer or assistant)"
    )
    candidate = IdFilter(field_name="candidate_id")

    class Meta:
        model = Round
        fields = ["interviewer", "candidate"]

    def on_round(self, queryset: QuerySet[Round], name: str, value: int) -> QuerySet[Round]:
        assisted = Round.assistants.through.objects.filter(round=OuterRef("pk"), user_id=value)
        return queryset.filter(Q(interviewer_id=value) | Exists(assisted))


ScheduledFilter.base_filters["from"] = UtcDateTimeFilter(
    field_name="starts_at", lookup_expr="gte", label="starting at or after (ISO 8601)"
)
ScheduledFilter.base_filters["to"] = UtcDateTimeFilter(
    field_name="starts_at", lookup_expr="lt", label="starting before (ISO 8601)"
)


class ScheduledViewSet(RolePermissionsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Scheduled interviews: the rounds with a time that are scheduled or running, those the
    reader may see, by time."""

    serializer_class = ScheduledOut
    filterset_class = ScheduledFilter
    ordering_fields = ["starts_at"]
    action_permissions = {"list": Allows(access.works_with_candidates)}

    def get_queryset(self) -> QuerySet[Round]:
        if getattr(self, "swagger_fake_view", False):
            return Round.objects.none()
        from django.contrib.auth import get_user_model

        last_booking = (
            Booking.objects.filter(round=OuterRef("pk"), outcome=Booking.Outcome.BOOKED)
            .order_by("-pk")
            .values("run_id")[:1]
        )
        return (
            access.visible_rounds(user=self.request.user)
            .filter(
                status__in=[Round.Status.SCHEDULED, Round.Status.RUNNING],
                starts_at__isnull=False,
            )
            .select_related("candidate", "position", "interviewer")
            .prefetch_related(
                Prefetch("assistants", queryset=get_user_model().objects.order_by("id"))
            )
            .annotate(booked_by_run=Subquery(last_booking))
            .order_by(F("starts_at").asc(), "id")
        )
