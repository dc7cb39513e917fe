"""Candidates: the card and its sessions, for the people allowed to see them; recruiters
create a card (``POST``, through ``candidates.services.candidate_create``; with its
``free_slots``, through ``scheduling.services.candidate_create_with_slots``) and change one
(``PATCH``, through ``candidate_update``); the card's history (``history/``) is for whoever
may see the candidate."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

import access
from api import availability
from api.common import valid
from api.errors import Refused
from api.filters import CandidateFilter
from api.interviews import AwareDateTimeField
from api.permissions import CANDIDATE_ROLES, Allows, HasAny, RolePermissionsMixin
from api.sessions import PersonRef
from candidates import services
from candidates.models import Candidate, CandidateEvent, Position, Vendor
from candidates.validators import validate_one_line
from scheduling import services as scheduling
from video_interviews import review_selectors as video_reviews

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


# A refusal of ``scheduling.services.slot_check`` names its form field; here they are these.
SLOT_FIELDS = {"starts": "start", "ends": "end", "zone": "zone"}


class FreeSlotIn(serializers.Serializer):
    """One stretch of a new candidate's free time, checked as ``POST /api/availability/slots/``
    checks one."""

    start = AwareDateTimeField(help_text="ISO 8601 with its offset")
    end = AwareDateTimeField(help_text="ISO 8601 with its offset, after start")
    zone = serializers.CharField(
        max_length=64,
        required=False,
        help_text="the candidate's IANA zone it was entered in (left out: the requester's)",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context.get("request")
        attrs["zone"] = attrs.get("zone") or scheduling.zone_of(getattr(request, "user", None))
        try:
            scheduling.slot_check(
                starts_at=attrs["start"], ends_at=attrs["end"], zone=attrs["zone"]
            )
        except scheduling.SchedulingRefused as refused:
            field = SLOT_FIELDS.get(refused.field or "", "non_field_errors")
            raise serializers.ValidationError(
                {field: [refused.message]}, code=refused.code
            ) from refused
        return attrs


class CandidateNew(CandidatePatch):
    """A new candidate's card: a name and an e-mail at least; the source is ``direct`` unless
    told (``vendor`` names the vendor exactly when the source is one); ``free_slots``, their
    free time, kept in the same transaction (all or nothing)."""

    full_name = serializers.CharField(max_length=200, validators=ONE_LINE)
    email = serializers.EmailField(validators=ONE_LINE)
    free_slots = FreeSlotIn(
        many=True,
        required=False,
        max_length=scheduling.MAX_SLOTS_AT_CREATION,
        help_text="the candidate's free time, as many as "
        f"{scheduling.MAX_SLOTS_AT_CREATION}: kept as POST /api/availability/slots/ keeps them",
    )


def _refused(refused: services.CandidateRefused) -> Refused:
    code = 409 if refused.code in STATE_REFUSALS else 400
    return Refused(refused.code, refused.message, code)


class CandidateEventOut(serializers.Serializer):
    """One line of the history. ``kind`` is stable (``created``, ``updated``, the lifecycle's
    moves, ``interview_created``, ``round_rated``, …); ``label`` says it in the reader's
    language. The other fields come with the events they are about (else null or empty)."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    at = serializers.DateTimeField()
    by = PersonRef(allow_null=True, help_text="null: Roundtable did it (or the person is gone)")
    source = serializers.CharField(allow_null=True, help_text="a move's status before")
    source_label = serializers.CharField(allow_null=True)
    target = serializers.CharField(allow_null=True, help_text="a move's status after")
    target_label = serializers.CharField(allow_null=True)
    fields = serializers.ListField(
        child=serializers.CharField(), help_text="the card's fields an update changed"
    )
    session = serializers.CharField(
        allow_null=True, help_text="a live session's code, when the reader may see it"
    )
    round = serializers.IntegerField(allow_null=True, help_text="the round's id")
    round_name = serializers.CharField(allow_blank=True)
    position = serializers.CharField(allow_blank=True, help_text="an interview's position")
    points = serializers.IntegerField(
        allow_null=True,
        help_text="a rated round's points (null unless the reader may read its ratings)",
    )
    expected = serializers.IntegerField(allow_null=True, help_text="…against these expected")
    outcome = serializers.CharField(
        allow_blank=True, help_text="selected / rejected (blank unless the reader may read it)"
    )
    video_invitation = serializers.IntegerField(
        allow_null=True, help_text="a video interview recommendation's invitation id"
    )
    video_interview = serializers.CharField(allow_blank=True, help_text="…its interview's title")
    video_url = serializers.CharField(
        allow_blank=True, help_text="…its review page (blank unless the reader may open it)"
    )
    choice = serializers.CharField(
        allow_blank=True,
        help_text="…strong_yes / yes / no / strong_no (blank unless the reader may read it)",
    )
    choice_label = serializers.CharField(allow_blank=True)
    summary = serializers.CharField(allow_blank=True, help_text="…as the choice")


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def history_rows(
    events: list[CandidateEvent],
    visible_codes: set[str],
    rated_shown: set[int],
    video_lens: video_reviews.HistoryLens | None = None,
) -> list[dict[str, object]]:
    """The events as the API shows them (as the candidate page reads them): a session's code
    only when the reader may see that session (``visible_codes``), a round's points and
    outcome only when they may read its ratings (``rated_shown``), a video recommendation's
    choice and summary only as ``video_lens`` lets them (none when not given)."""
    video_lens = video_lens or video_reviews.HistoryLens(frozenset(), frozenset())
    statuses = {value: str(label) for value, label in Candidate.Status.choices}
    rows = []
    for event in events:
        details = event.details if isinstance(event.details, dict) else {}
        source, target = _text(details.get("from")) or None, _text(details.get("to")) or None
        code = _text(details.get("session"))
        fields = details.get("fields")
        round_id = _number(details.get("round"))
        rated = round_id in rated_shown
        rows.append(
            {
                "id": event.pk,
                "kind": event.kind,
                "label": services.event_label(event.kind),
                "at": event.at,
                "by": event.by,
                "source": source,
                "source_label": statuses.get(source or "", source),
                "target": target,
                "target_label": statuses.get(target or "", target),
                "fields": [str(f) for f in fields] if isinstance(fields, list) else [],
                "session": code if code in visible_codes else None,
                "round": round_id,
                "round_name": _text(details.get("round_name")),
                "position": _text(details.get("position")),
                "points": _number(details.get("points")) if rated else None,
                "expected": _number(details.get("expected")) if rated else None,
                "outcome": _text(details.get("outcome")) if rated else "",
                **video_reviews.history_fields(details, video_lens),
            }
        )
    return rows


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
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {
        "list": HasAny(CANDIDATE_ROLES),
        "retrieve": HasAny(CANDIDATE_ROLES),
        "create": Allows(access.can_manage_candidates),
        "partial_update": Allows(access.can_manage_candidates),
        "history": HasAny(CANDIDATE_ROLES),
    }

    def get_queryset(self) -> QuerySet[Candidate]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Candidate.objects.none()
        user = self.request.user
        if self.action == "history":  # the card alone: its events are read on their own
            return access.visible_candidates(user=user)
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
            raise _refused(refused) from refused
        fresh = self.get_queryset().get(pk=candidate.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(request=CandidateNew, responses={201: CandidateOut})
    def create(self, request: Request) -> Response:
        """Create a candidate's card (recruiters), in ``created``, with its first history
        event: checked as on the pages (a source of ``vendor`` names an active vendor; no
        closed position). ``free_slots``: the candidate's free time, kept with the card or
        not at all; a bad one is a field error (``errors.free_slots["<index>"]``)."""
        serializer = CandidateNew(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        free = [
            scheduling.NewSlot(slot["start"], slot["end"], slot["zone"])
            for slot in data.pop("free_slots", [])
        ]
        pipeline = {name: data.pop(name) for name in list(data) if name in services.PIPELINE_FIELDS}
        try:
            candidate = scheduling.candidate_create_with_slots(
                by=request.user,
                slots=free,
                fields=data,
                source=pipeline.get("source", Candidate.Source.DIRECT),
                vendor=pipeline.get("vendor"),
                positions=pipeline.get("positions", ()),
                tags=pipeline.get("tags", ()),
            )
        except services.CandidateRefused as refused:
            raise _refused(refused) from refused
        except scheduling.SchedulingRefused as refused:  # past the checks above (a limit)
            raise availability.refused(refused) from refused
        fresh = self.get_queryset().get(pk=candidate.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: CandidateEventOut(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, pk: str) -> Response:
        """The candidate's history, newest first: every card change, status move (with from
        and to), interview, round and live session's results, with who and when. A session's
        code shows only to those who may see that session."""
        candidate = self.get_object()
        codes = set(
            access.visible_sessions(user=request.user)
            .filter(candidate=candidate)
            .values_list("code", flat=True)
        )
        events = candidate.events.select_related("by").order_by("-at", "-id")
        page = self.paginate_queryset(events)
        assert page is not None  # the API's lists are always paged
        shown = access.rounds_with_ratings_shown(request.user, candidate)
        lens = video_reviews.history_lens(user=request.user, candidate=candidate)
        rows = CandidateEventOut(history_rows(list(page), codes, shown, lens), many=True).data
        return self.get_paginated_response(rows)
