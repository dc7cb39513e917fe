"""Availability through the same services and access rules as the pages
(``scheduling.services``, ``access.scheduling``).

* slots: an interviewer's own (``access.can_edit_own_availability``), or a candidate's with
  ``?candidate=<id>`` (``access.can_manage_candidate_availability``: recruiters); a slot one
  may not see (``access.scheduling.visible_slots``) is 404;
* weekly hours, exceptions (days off, extra hours) and capacity: the interviewer's own;
* free time: the computed result the scheduler reads, for oneself or a candidate.

A service's refusal (``SchedulingRefused``) about a value is 400 with its code, one about the
state of things (``holds_interview``, ``too_many_slots``, ``too_many_exceptions``,
``duplicate``) 409; nothing is written. Times are ISO 8601 with their offset, answered in UTC.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

import access
from access.scheduling import visible_slots
from api.common import valid
from api.errors import Refused
from api.interviews import AwareDateTimeField
from api.permissions import Allows
from scheduling import services
from scheduling.models import Capacity, DayException, Slot, WeeklyHours

STATE_REFUSALS = frozenset(
    {"holds_interview", "too_many_slots", "too_many_exceptions", "duplicate"}
)
CANDIDATE = OpenApiParameter(
    "candidate",
    int,
    description="a candidate's id: their slots (recruiters); left out: the requester's own",
)
CONFIRM = OpenApiParameter(
    "confirm",
    bool,
    description="true: go ahead though the time holds a scheduled interview (the recruiters "
    "are told); else that is 409 holds_interview",
)


def refused(refusal: services.SchedulingRefused) -> exceptions.APIException:
    code = (
        status.HTTP_409_CONFLICT if refusal.code in STATE_REFUSALS else status.HTTP_400_BAD_REQUEST
    )
    return Refused(refusal.code, refusal.message, code)


class SignedIn:
    """A view any signed-in person may call; whose rows they reach is the access rules'
    (``_owner``, ``visible_slots``)."""

    def get_permissions(self) -> list[Any]:
        return [Allows(access.bank.signed_in)]


class OwnAvailability:
    """A view of the requester's own availability: interviewers."""

    def get_permissions(self) -> list[Any]:
        return [Allows(access.can_edit_own_availability)]


def _yes(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


class OwnerQuery(serializers.Serializer):
    candidate = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


def _owner(request: Request) -> dict[str, Any]:
    """Whose slots: ``{"user": requester}`` or ``{"candidate": …}``, after the access rules
    (a candidate the requester may not see is 404, one they may not keep 403)."""
    query = valid(OwnerQuery, request.query_params)
    if "candidate" not in query:
        if not access.can_edit_own_availability(request.user):
            raise exceptions.PermissionDenied()
        return {"user": request.user}
    candidate = get_object_or_404(
        access.visible_candidates(user=request.user), pk=query["candidate"]
    )
    if not access.can_manage_candidate_availability(request.user, candidate):
        raise exceptions.PermissionDenied()
    return {"candidate": candidate}


def _zone(request: Request, given: str | None) -> str:
    return given or services.zone_of(request.user)


# --- slots ---------------------------------------------------------------------------------


class SlotOut(serializers.ModelSerializer):
    user = serializers.IntegerField(
        source="user_id", allow_null=True, help_text="the interviewer's id, or null"
    )
    candidate = serializers.IntegerField(
        source="candidate_id", allow_null=True, help_text="the candidate's id, or null"
    )
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)

    class Meta:
        model = Slot
        fields = [
            "id",
            "user",
            "candidate",
            "starts_at",
            "ends_at",
            "zone",
            "created_by",
            "created_at",
        ]


class SlotIn(serializers.Serializer):
    starts_at = AwareDateTimeField(help_text="ISO 8601 with its offset")
    ends_at = AwareDateTimeField(help_text="ISO 8601 with its offset, after starts_at")
    zone = serializers.CharField(
        max_length=64,
        required=False,
        help_text="the IANA zone it was entered in (left out: the requester's own zone)",
    )


class SlotPatch(serializers.Serializer):
    starts_at = AwareDateTimeField(required=False, help_text="ISO 8601 with its offset")
    ends_at = AwareDateTimeField(required=False, help_text="ISO 8601 with its offset")
    zone = serializers.CharField(max_length=64, required=False)
    confirm = serializers.BooleanField(
        default=False, help_text="go ahead though the time holds a scheduled interview"
    )


class RangeQuery(OwnerQuery):
    from_ = AwareDateTimeField(required=False)
    to = AwareDateTimeField(required=False)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # a keyword in Python, a parameter here
        return fields


RANGE = [
    CANDIDATE,
    OpenApiParameter("from", str, description="slots ending after this moment (ISO 8601)"),
    OpenApiParameter("to", str, description="slots starting before this moment (ISO 8601)"),
]


class SlotList(SignedIn, generics.ListAPIView):
    """The requester's free slots, or with ``?candidate=`` a candidate's (recruiters),
    earliest first."""

    serializer_class = SlotOut
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Slot]:
        if getattr(self, "swagger_fake_view", False):
            return Slot.objects.none()
        owner = _owner(self.request)
        query = valid(RangeQuery, self.request.query_params)
        slots = Slot.objects.filter(**owner).order_by("starts_at", "pk")
        if query.get("from"):
            slots = slots.filter(ends_at__gt=query["from"])
        if query.get("to"):
            slots = slots.filter(starts_at__lt=query["to"])
        return slots

    @extend_schema(parameters=RANGE)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(parameters=[CANDIDATE], request=SlotIn, responses={201: SlotOut})
    def post(self, request: Request) -> Response:
        """Add a free slot (merged with the owner's slots it overlaps or touches: the answer
        is the slot that holds it)."""
        owner = _owner(request)
        data = valid(SlotIn, request.data)
        try:
            slot = services.slot_add(
                by=request.user,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                zone=_zone(request, data.get("zone")),
                **owner,
            )
        except services.SchedulingRefused as refusal:
            raise refused(refusal) from refusal
        return Response(SlotOut(slot).data, status=status.HTTP_201_CREATED)


class SlotDetail(SignedIn, APIView):
    """One slot the requester may see (their own, or a candidate's they keep)."""

    serializer_class = SlotOut
    queryset = Slot.objects.none()  # names the model of ``{id}`` for the schema

    def _slot(self, request: Request, pk: int) -> Slot:
        return get_object_or_404(visible_slots(user=request.user), pk=pk)

    @extend_schema(responses={200: SlotOut})
    def get(self, request: Request, pk: int) -> Response:
        return Response(SlotOut(self._slot(request, pk)).data)

    @extend_schema(request=SlotPatch, responses={200: SlotOut})
    def patch(self, request: Request, pk: int) -> Response:
        """Move or stretch a slot: the times given (the other stays), merged with the
        owner's slots it now meets."""
        slot = self._slot(request, pk)
        data = valid(SlotPatch, request.data)
        try:
            moved = services.slot_move(
                by=request.user,
                slot=slot,
                starts_at=data.get("starts_at", slot.starts_at),
                ends_at=data.get("ends_at", slot.ends_at),
                zone=data.get("zone"),
                confirm=data["confirm"],
            )
        except services.SchedulingRefused as refusal:
            raise refused(refusal) from refusal
        return Response(SlotOut(moved).data)

    @extend_schema(parameters=[CONFIRM], responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        slot = self._slot(request, pk)
        try:
            services.slot_delete(
                by=request.user, slot=slot, confirm=_yes(request.query_params.get("confirm"))
            )
        except services.SchedulingRefused as refusal:
            raise refused(refusal) from refusal
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- weekly hours -------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "09:00"})
class WallTime(serializers.TimeField):
    """A wall-clock time of day, ``HH:MM`` (no date, no zone: the row's zone says where)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class HoursRow(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 Monday … 6 Sunday")
    starts = WallTime(help_text="wall-clock, HH:MM")
    ends = WallTime(help_text="wall-clock, HH:MM, after starts")


class WeeklyHoursOut(serializers.Serializer):
    zone = serializers.CharField(help_text="the zone of the hours (the first row's; blank: none)")
    hours = HoursRow(many=True)


class WeeklyHoursIn(serializers.Serializer):
    zone = serializers.CharField(
        max_length=64, required=False, help_text="left out: the requester's own zone"
    )
    hours = HoursRow(many=True, max_length=7 * services.MAX_HOURS_A_DAY)
    confirm = serializers.BooleanField(default=False)


def _weekly(user: Any) -> dict[str, Any]:
    rows = list(WeeklyHours.objects.filter(user=user))
    return {"zone": rows[0].zone if rows else "", "hours": rows}


class WeeklyHoursView(OwnAvailability, APIView):
    """The requester's weekly working hours (wall-clock times in their zone, the same every
    week whatever the clocks do)."""

    @extend_schema(responses={200: WeeklyHoursOut})
    def get(self, request: Request) -> Response:
        return Response(WeeklyHoursOut(_weekly(request.user)).data)

    @extend_schema(request=WeeklyHoursIn, responses={200: WeeklyHoursOut})
    def put(self, request: Request) -> Response:
        """Replace the whole week (an empty list: no weekly hours)."""
        data = valid(WeeklyHoursIn, request.data)
        try:
            services.weekly_hours_set(
                by=request.user,
                user=request.user,
                hours=[services.Hours(h["weekday"], h["starts"], h["ends"]) for h in data["hours"]],
                zone=_zone(request, data.get("zone")),
                confirm=data["confirm"],
            )
        except services.SchedulingRefused as refusal:
            raise refused(refusal) from refusal
        return Response(WeeklyHoursOut(_weekly(request.user)).data)


# --- exceptions --------------------------------------------------------------------------------


class ExceptionOut(serializers.ModelSerializer):
    starts = WallTime(allow_null=True)
    ends = WallTime(allow_null=True)

    class Meta:
        model = DayException
        fields = ["id", "day", "available", "starts", "ends", "zone"]


class ExceptionIn(serializers.Serializer):
    day = serializers.DateField(help_text="YYYY-MM-DD, a date in the zone")
    starts = WallTime(
        required=False, allow_null=True, help_text="extra hours from (HH:MM); left out: a day off"
    )
    ends = WallTime(required=False, allow_null=True, help_text="extra hours to (HH:MM)")
    zone = serializers.CharField(max_length=64, required=False)
    confirm = serializers.BooleanField(default=False)


class ExceptionList(OwnAvailability, generics.ListAPIView):
    """The requester's days off and extra hours from yesterday on, by date."""

    serializer_class = ExceptionOut
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[DayException]:
        if getattr(self, "swagger_fake_view", False):
            return DayException.objects.none()
        from django.utils import timezone

        yesterday = timezone.now().date() - timedelta(days=1)
        return DayException.objects.filter(user=self.request.user, day__gte=yesterday).order_by(
            "day", "starts", "pk"
        )

    @extend_schema(request=ExceptionIn, responses={201: ExceptionOut})
    def post(self, request: Request) -> Response:
        """A day off (no times) or extra hours (``starts`` and ``ends``) on a date."""
        data = valid(ExceptionIn, request.data)
        try:
            row = services.exception_add(
                by=request.user,
                user=request.user,
                day=data["day"],
                starts=data.get("starts"),
                ends=data.get("ends"),
                zone=_zone(request, data.get("zone")),
                confirm=data["confirm"],
            )
        except services.SchedulingRefused as refusal:
            raise refused(refusal) from refusal
        return Response(ExceptionOut(row).data, status=status.HTTP_201_CREATED)


class ExceptionDetail(OwnAvailability, APIView):
    """One of the requester's days off or extra hours."""

    queryset = DayException.objects.none()

    @extend_schema(parameters=[CONFIRM], responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        row = get_object_or_404(DayException, pk=pk, user=request.user)
        try:
            services.exception_delete(
                by=request.user, exception=row, confirm=_yes(request.query_params.get("confirm"))
            )
        except services.SchedulingRefused as refusal:
            raise refused(refusal) from refusal
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- capacity ---------------------------------------------------------------------------------


class CapacityIO(serializers.Serializer):
    per_day = serializers.IntegerField(
        min_value=0, max_value=services.MAX_PER_DAY, allow_null=True, help_text="null: the default"
    )
    per_week = serializers.IntegerField(
        min_value=0, max_value=services.MAX_PER_WEEK, allow_null=True, help_text="null: the default"
    )


class CapacityView(OwnAvailability, APIView):
    """How many interviews the requester takes a day and a week at most."""

    @extend_schema(responses={200: CapacityIO})
    def get(self, request: Request) -> Response:
        row = Capacity.objects.filter(user=request.user).first()
        return Response(CapacityIO(row or {"per_day": None, "per_week": None}).data)

    @extend_schema(request=CapacityIO, responses={200: CapacityIO})
    def put(self, request: Request) -> Response:
        data = valid(CapacityIO, request.data)
        try:
            row = services.capacity_set(
                user=request.user, per_day=data["per_day"], per_week=data["per_week"]
            )
        except services.SchedulingRefused as refusal:
            raise refused(refusal) from refusal
        return Response(CapacityIO(row).data)


# --- free time ---------------------------------------------------------------------------------


class Interval(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class FreeTimeOut(serializers.Serializer):
    intervals = Interval(many=True)


class FreeTimeQuery(OwnerQuery):
    from_ = AwareDateTimeField()
    to = AwareDateTimeField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class FreeTimeView(SignedIn, APIView):
    """The free time the scheduler reads: for an interviewer their slots ∪ weekly hours −
    days off + extra hours, for a candidate their slots; UTC, merged, clipped to
    ``[from, to)`` (at most 62 days)."""

    @extend_schema(
        parameters=[
            CANDIDATE,
            OpenApiParameter("from", str, required=True, description="ISO 8601 with its offset"),
            OpenApiParameter("to", str, required=True, description="ISO 8601 with its offset"),
        ],
        responses={200: FreeTimeOut},
    )
    def get(self, request: Request) -> Response:
        owner = _owner(request)
        query = valid(FreeTimeQuery, request.query_params)
        try:
            services.check_range(start=query["from"], end=query["to"])
        except services.SchedulingRefused as refusal:
            raise refused(refusal) from refusal
        intervals = services.free_time(start=query["from"], end=query["to"], **owner)
        return Response(
            FreeTimeOut({"intervals": [{"starts_at": s, "ends_at": e} for s, e in intervals]}).data
        )
