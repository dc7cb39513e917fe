"""Interview plans, candidates' interviews, their rounds and ratings, through the same services
and access rules as the pages (``interviews.services``, ``access.interviews``).

* a position's plan: recruiters keep it (``access.can_manage_plans``); whoever may view plans
  reads it (``access.can_view_plans``);
* interviews and rounds: each person sees the rounds ``access.visible_rounds`` gives them (and
  the interviews those rounds belong to); a round one may not see is 404, as a candidate is;
* recruiters create interviews, assign and cancel rounds and send a one-way round's
  invitation by hand (``access.can_manage_interviews``, ``access.interviews.can_invite_round``);
  a one-to-one round is rated by its interviewer (``access.can_rate_round``), a panel round's
  live session is started by its interviewer (``access.can_start_round_session``); a round's
  ratings are shown only to those ``access.can_view_round_ratings`` allows.

A service's refusal (``InterviewRefused``) is 409 with its code; one about a field's value
(code ``invalid``) is 400 ``invalid`` with the field's error, as a validation failure is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

import access
from api.bank import TopicRef
from api.common import valid
from api.errors import Refused
from api.filters import IdFilter, UtcDateTimeFilter
from api.permissions import Allows, RolePermissionsMixin
from api.sessions import PersonRef
from candidates.models import Position
from interviews import selectors, services
from interviews.models import (
    MAX_ASPECTS,
    MAX_POINTS,
    Interview,
    PlanRound,
    Round,
    RoundAspect,
    RoundKind,
)
from questionbank.models import Topic
from video_interviews.models import VideoInterview

ID_PATTERN = r"[0-9]{1,18}"
# The times a round may be given: far enough either side for any real interview, and clear of
# the ends of Python's datetime (an offset near year 1 or 9999 would overflow).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def refused(refusal: services.InterviewRefused) -> exceptions.APIException:
    """A service's refusal in the API's error shape: a field's bad value is 400 ``invalid``
    with that field's error, anything else 409 with the refusal's code."""
    if refusal.code == "invalid":
        return exceptions.ValidationError({refusal.field or "non_field_errors": [refusal.message]})
    return Refused(refusal.code, refusal.message, status.HTTP_409_CONFLICT)


def _people() -> QuerySet[Any]:
    return get_user_model().objects.order_by("id")


# --- shapes shared by the outputs ---------------------------------------------------------


class PositionRef(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class CandidateBrief(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class VideoInterviewRef(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


# --- plans --------------------------------------------------------------------------------


class PlanAspectOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    expected_points = serializers.IntegerField()


class PlanRoundOut(serializers.ModelSerializer):
    position = serializers.IntegerField(source="position_id")
    default_interviewer = PersonRef(allow_null=True)
    assistants = PersonRef(many=True)
    pool = PersonRef(many=True)
    topics = TopicRef(many=True)
    aspects = PlanAspectOut(many=True)
    video_interview = VideoInterviewRef(allow_null=True)

    class Meta:
        model = PlanRound
        fields = [
            "id",
            "position",
            "order",
            "name",
            "kind",
            "video_interview",
            "duration_minutes",
            "default_interviewer",
            "assistants",
            "pool",
            "instructions",
            "topics",
            "aspects",
        ]


class AspectIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    expected_points = serializers.IntegerField(min_value=1, max_value=MAX_POINTS, default=5)


class PlanRoundPatch(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=RoundKind.choices, required=False)
    video_interview = serializers.PrimaryKeyRelatedField(
        queryset=VideoInterview.objects.order_by("id"),
        allow_null=True,
        required=False,
        help_text="a one-way round's video interview id (required for that kind, null for the "
        "others; made another kind without it given: dropped)",
    )
    duration_minutes = serializers.IntegerField(min_value=5, max_value=480, required=False)
    default_interviewer = serializers.PrimaryKeyRelatedField(
        queryset=_people(), allow_null=True, required=False, help_text="a user id (an interviewer)"
    )
    assistants = serializers.PrimaryKeyRelatedField(
        queryset=_people(), many=True, required=False, help_text="user ids: the whole set"
    )
    pool = serializers.PrimaryKeyRelatedField(
        queryset=_people(),
        many=True,
        required=False,
        help_text="user ids the scheduler may choose from (empty: the default interviewer)",
    )
    instructions = serializers.CharField(max_length=10_000, allow_blank=True, required=False)
    topics = serializers.PrimaryKeyRelatedField(
        queryset=Topic.objects.all(),
        many=True,
        required=False,
        help_text="the bank's topic ids (a panel round's session asks them): the whole set",
    )
    aspects = serializers.ListField(
        child=AspectIn(),
        max_length=MAX_ASPECTS,
        required=False,
        help_text="the aspects the round rates, in order: the whole list",
    )


class PlanRoundIn(PlanRoundPatch):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=RoundKind.choices, default=RoundKind.ONE_TO_ONE)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=480, default=60)


class MoveIn(serializers.Serializer):
    by = serializers.ChoiceField(
        choices=[(-1, "earlier"), (1, "later")], help_text="-1: one place earlier, 1: later"
    )


PLAN_OWN_FIELDS = (
    "name",
    "kind",
    "video_interview",
    "duration_minutes",
    "instructions",
    "default_interviewer",
)


def _plan_parts(data: dict[str, Any]) -> dict[str, Any]:
    """The service's keyword arguments from a validated plan round body."""
    parts: dict[str, Any] = {"fields": {k: data[k] for k in PLAN_OWN_FIELDS if k in data}}
    if "aspects" in data:
        parts["aspects"] = [
            services.AspectSpec(a["name"], a["expected_points"]) for a in data["aspects"]
        ]
    for name in ("assistants", "topics", "pool"):
        if name in data:
            parts[name] = list(data[name])
    return parts


def _plan_rounds() -> QuerySet[PlanRound]:
    return PlanRound.objects.select_related(
        "default_interviewer", "video_interview"
    ).prefetch_related(
        "aspects",
        Prefetch("assistants", queryset=_people()),
        Prefetch("pool", queryset=_people()),
        Prefetch("topics", queryset=Topic.objects.order_by("name", "id")),
    )


class PositionPlan(generics.ListAPIView):
    """A position's interview plan: its rounds in order, with their aspects."""

    serializer_class = PlanRoundOut
    filter_backends: list[Any] = []
    queryset = Position.objects.none()  # names the model of ``{id}`` for the schema

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [Allows(access.can_manage_plans)]
        return [Allows(access.can_view_plans)]

    def _position(self) -> Position:
        return get_object_or_404(Position, pk=self.kwargs["pk"])

    def get_queryset(self) -> QuerySet[PlanRound]:
        if getattr(self, "swagger_fake_view", False):
            return PlanRound.objects.none()
        return _plan_rounds().filter(position=self._position()).order_by("order", "id")

    @extend_schema(request=PlanRoundIn, responses={201: PlanRoundOut})
    def post(self, request: Request, pk: str) -> Response:
        """Append a round to the plan (recruiters). Interviews already created keep their
        copy of the plan."""
        position = self._position()
        data = valid(PlanRoundIn, request.data)
        try:
            plan_round = services.plan_round_create(position=position, **_plan_parts(data))
        except services.InterviewRefused as refusal:
            raise refused(refusal) from refusal
        return Response(
            PlanRoundOut(_plan_rounds().get(pk=plan_round.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class PlanRoundViewSet(
    RolePermissionsMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PlanRoundOut
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    action_permissions = {
        "retrieve": Allows(access.can_view_plans),
        "partial_update": Allows(access.can_manage_plans),
        "destroy": Allows(access.can_manage_plans),
        "move": Allows(access.can_manage_plans),
    }

    def get_queryset(self) -> QuerySet[PlanRound]:
        return _plan_rounds()

    @extend_schema(request=PlanRoundPatch, responses={200: PlanRoundOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a plan round: the fields given; ``aspects``, ``assistants`` and ``topics``
        replace the whole list when given."""
        plan_round = self.get_object()
        data = valid(PlanRoundPatch, request.data)
        try:
            services.plan_round_update(plan_round=plan_round, **_plan_parts(data))
        except services.InterviewRefused as refusal:
            raise refused(refusal) from refusal
        return Response(PlanRoundOut(self.get_queryset().get(pk=plan_round.pk)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        """Remove a round from the plan; the later ones move up."""
        services.plan_round_delete(plan_round=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MoveIn, responses={200: PlanRoundOut})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        """Move a round one place earlier (``by: -1``) or later (``1``); at either end of the
        plan it stays."""
        plan_round = self.get_object()
        data = valid(MoveIn, request.data)
        services.plan_round_move(plan_round=plan_round, by=int(data["by"]))
        return Response(PlanRoundOut(self.get_queryset().get(pk=plan_round.pk)).data)


# --- rounds -------------------------------------------------------------------------------


class RoundAspectOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    expected_points = serializers.IntegerField()


class RatedAspectOut(RoundAspectOut):
    points = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)


class RatingsOut(serializers.Serializer):
    """A rated round's sheet: each aspect's points against the expected, with comments."""

    aspects = RatedAspectOut(many=True)
    points = serializers.IntegerField()
    expected = serializers.IntegerField()
    feedback = serializers.CharField(allow_blank=True, source="round.feedback")
    recommendation = serializers.CharField(allow_blank=True, source="round.recommendation")
    outcome = serializers.CharField(allow_blank=True, source="round.outcome")
    rated_by = PersonRef(allow_null=True, source="round.rated_by")
    rated_at = serializers.DateTimeField(allow_null=True, source="round.rated_at")


class RoundVideoInvitationOut(serializers.Serializer):
    """A one-way round's invitation into its video interview."""

    id = serializers.IntegerField()
    email = serializers.EmailField()
    status = serializers.ChoiceField(
        choices=["pending", "accepted", "completed", "expired", "revoked"],
        help_text="as of now (a live one past the deadline is expired)",
    )
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    review_url = serializers.CharField(
        allow_blank=True, help_text="its review page (the answers), for those who may open it"
    )


class RoundOut(serializers.ModelSerializer):
    interview = serializers.IntegerField(source="interview_id")
    candidate = CandidateBrief()
    position = PositionRef()
    interviewer = PersonRef(allow_null=True)
    assistants = PersonRef(many=True)
    topics = TopicRef(many=True)
    aspects = RoundAspectOut(many=True)
    ends_at = serializers.DateTimeField(allow_null=True, read_only=True)
    session = serializers.SerializerMethodField()
    video_interview = VideoInterviewRef(allow_null=True)
    video_invitation = serializers.SerializerMethodField()

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
            "video_interview",
            "video_invitation",
            "status",
            "duration_minutes",
            "starts_at",
            "ends_at",
            "interviewer",
            "assistants",
            "instructions",
            "topics",
            "aspects",
            "session",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_session(self, round_: Round) -> str | None:
        """A panel round's live session (its code) once started."""
        return round_.session.code if round_.session_id else None

    @extend_schema_field(RoundVideoInvitationOut(allow_null=True))
    def get_video_invitation(self, round_: Round) -> dict[str, Any] | None:
        """A one-way round's invitation once sent (else null)."""
        invitation = access.interviews.round_invitation(round_)
        if invitation is None:
            return None
        request = self.context.get("request")
        user = request.user if request is not None else None
        review = access.interviews.can_open_round_review(user, round_)
        return RoundVideoInvitationOut(
            {
                "id": invitation.pk,
                "email": invitation.email,
                "status": invitation.current_status(),
                "created_at": invitation.created_at,
                "completed_at": invitation.completed_at,
                "review_url": reverse("video_review", args=[invitation.pk]) if review else "",
            }
        ).data


class RoundDetailOut(RoundOut):
    ratings = serializers.SerializerMethodField()

    class Meta(RoundOut.Meta):
        fields = [*RoundOut.Meta.fields, "ratings"]

    @extend_schema_field(RatingsOut(allow_null=True))
    def get_ratings(self, round_: Round) -> dict[str, Any] | None:
        """The round's sheet once rated, for those who may see its ratings (else null)."""
        request = self.context.get("request")
        if request is None:
            return None
        sheets = selectors.rating_sheets([round_], request.user)
        return RatingsOut(sheets[0]).data if sheets else None


def _round_parts(rounds: QuerySet[Round]) -> QuerySet[Round]:
    return rounds.select_related(
        "interviewer",
        "candidate",
        "position",
        "session",
        "rated_by",
        "video_interview",
        "video_invitation__interview",
    ).prefetch_related(
        Prefetch("aspects", queryset=RoundAspect.objects.order_by("order", "id")),
        Prefetch("assistants", queryset=_people()),
        Prefetch("topics", queryset=Topic.objects.order_by("name", "id")),
    )


class RoundFilter(django_filters.FilterSet):
    interviewer = IdFilter(
        method="on_round", label="a user id: rounds they are on (interviewer or assistant)"
    )
    candidate = IdFilter(field_name="candidate_id")
    position = IdFilter(field_name="position_id")
    interview = IdFilter(field_name="interview_id")
    status = django_filters.ChoiceFilter(choices=Round.Status.choices)
    kind = django_filters.ChoiceFilter(choices=RoundKind.choices)

    class Meta:
        model = Round
        fields = ["interviewer", "candidate", "position", "interview", "status", "kind"]

    def on_round(self, queryset: QuerySet[Round], name: str, value: int) -> QuerySet[Round]:
        assisted = Round.assistants.through.objects.filter(round=OuterRef("pk"), user_id=value)
        return queryset.filter(Q(interviewer_id=value) | Exists(assisted))


# ``from`` is a Python keyword: these two are added by name.
RoundFilter.base_filters["from"] = UtcDateTimeFilter(
    field_name="starts_at", lookup_expr="gte", label="starting at or after (ISO 8601)"
)
RoundFilter.base_filters["to"] = UtcDateTimeFilter(
    field_name="starts_at", lookup_expr="lt", label="starting before (ISO 8601)"
)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 moment with its offset (``Z`` or ``+03:00``), turned to UTC; a time without
    an offset says no moment and is refused, as is one outside the years a round may take."""

    default_error_messages = {
        "naive": gettext_lazy(
            "Give the time with its offset from UTC, e.g. 2026-03-29T10:00:00+03:00."
        ),
        "range": gettext_lazy("Choose a time between the years %(first)d and %(last)d."),
    }

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # the base class says why it is no time
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        moment = super().to_internal_value(value)
        if moment.tzinfo is None:  # a datetime object handed in directly
            self.fail("naive")
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            moment = None
        if moment is None or not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise serializers.ValidationError(
                self.error_messages["range"] % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
                code="range",
            )
        return moment


class AssignIn(serializers.Serializer):
    interviewer = serializers.PrimaryKeyRelatedField(
        queryset=_people(), allow_null=True, help_text="a user id (an interviewer), or null"
    )
    assistants = serializers.PrimaryKeyRelatedField(
        queryset=_people(), many=True, default=list, help_text="user ids: the whole set"
    )
    instructions = serializers.CharField(
        max_length=10_000, allow_blank=True, required=False, help_text="left out: kept as is"
    )
    starts_at = AwareDateTimeField(
        allow_null=True,
        default=None,
        help_text="ISO 8601 with its offset (a time without one is refused); null: no time yet",
    )
    duration_minutes = serializers.IntegerField(
        min_value=5, max_value=480, required=False, help_text="left out: kept as is"
    )


class RatingIn(serializers.Serializer):
    aspect_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    points = serializers.IntegerField(min_value=0, max_value=MAX_POINTS)
    comment = serializers.CharField(max_length=5000, allow_blank=True, default="")


class RateIn(serializers.Serializer):
    ratings = serializers.ListField(
        child=RatingIn(),
        max_length=MAX_ASPECTS,
        help_text="one per aspect of the round, each from 0 to its expected points",
    )
    feedback = serializers.CharField(max_length=20_000)
    recommendation = serializers.ChoiceField(choices=Round.Recommendation.choices)
    outcome = serializers.ChoiceField(choices=Round.Outcome.choices)

    def validate_ratings(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [rating["aspect_id"] for rating in value]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError(_("Rate each aspect once."))
        return value


class SessionStarted(serializers.Serializer):
    round = serializers.IntegerField()
    code = serializers.CharField(help_text="the live session's code")
    url = serializers.URLField(help_text="the live session's page")


class RoundViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RoundOut
    filterset_class = RoundFilter
    ordering_fields = ["starts_at", "created_at", "updated_at", "status", "order"]
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "head", "options"]
    action_permissions = {
        "list": Allows(access.works_with_candidates),
        "retrieve": Allows(access.works_with_candidates),
        "assign": Allows(access.can_manage_interviews),
        "cancel": Allows(access.can_manage_interviews),
        "invite": Allows(access.can_manage_interviews),
        # Whether this person rates or leads this round is asked of the round itself.
        "rating": Allows(access.can_run_interviews),
        "session": Allows(access.can_run_interviews),
    }

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return RoundOut if self.action == "list" else RoundDetailOut

    def get_queryset(self) -> QuerySet[Round]:
        if getattr(self, "swagger_fake_view", False):
            return Round.objects.none()
        return _round_parts(access.visible_rounds(user=self.request.user)).order_by(
            F("starts_at").asc(nulls_last=True), "id"
        )

    def _fresh(self, round_: Round) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=round_.pk)).data)

    @extend_schema(request=AssignIn, responses={200: RoundDetailOut})
    @action(detail=True, methods=["post"], filter_backends=[])
    def assign(self, request: Request, pk: str) -> Response:
        """Give the round its interviewer, assistants, instructions and time (recruiters).
        A time schedules the candidate; a clash with another of the interviewer's rounds is
        409 ``interviewer_busy``, a round already held or cancelled 409 ``round_closed``."""
        round_ = self.get_object()
        data = valid(AssignIn, request.data)
        try:
            services.round_assign(
                round_=round_,
                by=request.user,
                interviewer=data["interviewer"],
                assistants=list(data["assistants"]),
                instructions=data.get("instructions"),
                starts_at=data["starts_at"],
                duration_minutes=data.get("duration_minutes"),
            )
        except services.InterviewRefused as refusal:
            raise refused(refusal) from refusal
        return self._fresh(round_)

    @extend_schema(request=None, responses={200: RoundDetailOut})
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel a round not yet held (recruiters); its calendar event is withdrawn."""
        round_ = self.get_object()
        try:
            services.round_cancel(round_=round_, by=request.user)
        except services.InterviewRefused as refusal:
            raise refused(refusal) from refusal
        return self._fresh(round_)

    @extend_schema(request=None, responses={200: RoundDetailOut})
    @action(detail=True, methods=["post"], filter_backends=[])
    def invite(self, request: Request, pk: str) -> Response:
        """Send a one-way round's invitation into its video interview by hand (recruiters):
        when the automatic one could not go, or before the interview reaches the round. Once
        per round: a round invited already keeps its invitation. 409 ``not_one_way``,
        ``round_closed``, ``video_interview_not_active``, ``video_interview_deadline_passed``,
        ``candidate_no_email``, ``already_invited``."""
        round_ = self.get_object()
        if round_.kind == RoundKind.ONE_WAY and access.interviews.round_invitation(round_):
            raise Refused(
                "already_invited",
                _("This round's candidate is invited already."),
                status.HTTP_409_CONFLICT,
            )
        try:
            services.round_invite(round_=round_, by=request.user)
        except services.InterviewRefused as refusal:
            raise refused(refusal) from refusal
        return self._fresh(round_)

    @extend_schema(request=RateIn, responses={200: RoundDetailOut})
    @action(detail=True, methods=["post"], filter_backends=[])
    def rating(self, request: Request, pk: str) -> Response:
        """Rate a one-to-one round (its interviewer, while it is open): points for every
        aspect, feedback, an overall recommendation and selected or rejected. The
        candidate's status follows by the lifecycle."""
        round_ = self.get_object()
        if not access.can_rate_round(request.user, round_):
            raise exceptions.PermissionDenied(
                _("Only the round's interviewer rates a one-to-one round, while it is open."),
                code="not_rateable",
            )
        data = valid(RateIn, request.data)
        ratings = {
            r["aspect_id"]: services.Rating(r["points"], r["comment"]) for r in data["ratings"]
        }
        try:
            services.round_rate(
                round_=round_,
                by=request.user,
                ratings=ratings,
                feedback=data["feedback"],
                recommendation=data["recommendation"],
                outcome=data["outcome"],
            )
        except services.InterviewRefused as refusal:
            raise refused(refusal) from refusal
        return self._fresh(round_)

    @extend_schema(request=None, responses={201: SessionStarted})
    @action(detail=True, methods=["post"], filter_backends=[])
    def session(self, request: Request, pk: str) -> Response:
        """Start a panel round's live session (its interviewer, who leads it), prefilled from
        the round: the candidate, its topics, its instructions as the intro; the assistants
        are on the panel."""
        round_ = self.get_object()
        if not access.can_start_round_session(request.user, round_):
            raise exceptions.PermissionDenied(
                _("Only the round's interviewer starts a panel round's session, once."),
                code="not_startable",
            )
        try:
            row = services.round_start_session(round_=round_, by=request.user)
        except services.InterviewRefused as refusal:
            raise refused(refusal) from refusal
        assert row.session is not None
        code = row.session.code
        body = {
            "round": row.pk,
            "code": code,
            "url": request.build_absolute_uri(reverse("session_live", args=[code])),
        }
        return Response(SessionStarted(body).data, status=status.HTTP_201_CREATED)


# --- interviews ---------------------------------------------------------------------------


class InterviewOut(serializers.ModelSerializer):
    candidate = CandidateBrief()
    position = PositionRef()
    created_by = PersonRef(allow_null=True)
    rounds = RoundOut(many=True, source="shown")

    class Meta:
        model = Interview
        fields = [
            "id",
            "candidate",
            "position",
            "status",
            "created_by",
            "created_at",
            "closed_at",
            "rounds",
        ]


class InterviewIn(serializers.Serializer):
    candidate_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    position_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    replace_open = serializers.BooleanField(
        default=False,
        help_text="the candidate's open interview is closed first (its rounds not held "
        "cancelled); false: such an interview is 409 open_interview",
    )


class InterviewFilter(django_filters.FilterSet):
    candidate = IdFilter(field_name="candidate_id")
    position = IdFilter(field_name="position_id")

    class Meta:
        model = Interview
        fields = ["candidate", "position", "status"]


class InterviewViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InterviewOut
    filterset_class = InterviewFilter
    ordering_fields = ["created_at", "closed_at"]
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "head", "options"]
    action_permissions = {
        "list": Allows(access.works_with_candidates),
        "retrieve": Allows(access.works_with_candidates),
        "create": Allows(access.can_manage_interviews),
    }

    def get_queryset(self) -> QuerySet[Interview]:
        if getattr(self, "swagger_fake_view", False):
            return Interview.objects.none()
        # An interview shows with the rounds of it the person may see, and only with some.
        rounds = access.visible_rounds(user=self.request.user)
        return (
            Interview.objects.filter(Exists(rounds.filter(interview=OuterRef("pk"))))
            .select_related("candidate", "position", "created_by")
            .prefetch_related(
                Prefetch("rounds", queryset=_round_parts(rounds).order_by("order"), to_attr="shown")
            )
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=InterviewIn, responses={201: InterviewOut})
    def create(self, request: Request) -> Response:
        """Start a candidate's interview on one of their positions (recruiters): its rounds
        are the position's plan. A candidate whose interview is still open is asked about
        first: 409 ``open_interview`` unless ``replace_open`` is true."""
        data = valid(InterviewIn, request.data)
        candidate = (
            access.visible_candidates(user=request.user).filter(pk=data["candidate_id"]).first()
        )
        if candidate is None:
            raise Refused(
                "candidate_not_found",
                _("There is no such candidate, or you may not see them."),
                status.HTTP_400_BAD_REQUEST,
            )
        position = Position.objects.filter(pk=data["position_id"]).first()
        if position is None:
            raise Refused(
                "position_not_found", _("There is no such position."), status.HTTP_400_BAD_REQUEST
            )
        try:
            interview = services.interview_create(
                candidate=candidate,
                position=position,
                by=request.user,
                replace_open=data["replace_open"],
            )
        except services.InterviewRefused as refusal:
            raise refused(refusal) from refusal
        return Response(
            InterviewOut(self.get_queryset().get(pk=interview.pk)).data,
            status=status.HTTP_201_CREATED,
        )
