"""Live sessions: create (as the pages do, through ``session_create``), list, detail, and
the results. Who sees what is the pages' rule: members, managers, recruiters see a session;
its results are for members (once finished) and managers, as on the results page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

import access
import arbiter
from api.common import valid
from api.errors import Refused
from api.filters import SessionFilter
from api.permissions import Allows, RolePermissionsMixin
from candidates.validators import validate_one_line
from questionbank.models import Topic
from sessions_live import selectors as live_selectors
from sessions_live import services
from sessions_live.forms import DEFAULT_CLOSING, DEFAULT_INTRO, validate_multiline
from sessions_live.models import LiveSession, Membership, SessionTopic

CODE_PATTERN = r"[A-Za-z0-9-]{1,40}"


class PersonRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class CandidateRef(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()


class SessionTopicOut(serializers.Serializer):
    id = serializers.IntegerField(source="topic_id")
    name = serializers.CharField(source="topic.name")
    position = serializers.IntegerField()
    seconds = serializers.IntegerField()


class SessionOut(serializers.ModelSerializer):
    candidate = CandidateRef()
    lead = PersonRef()
    topics = SessionTopicOut(many=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = LiveSession
        fields = [
            "code",
            "candidate",
            "lead",
            "phase",
            "version",
            "ready_for_decision",
            "topics",
            "members",
            "created_at",
            "started_at",
            "finished_at",
            "ready_at",
        ]

    @extend_schema_field(PersonRef(many=True))
    def get_members(self, session: LiveSession) -> list[dict[str, Any]]:
        return [PersonRef(m.user).data for m in session.memberships.all()]


ONE_LINE = [validate_one_line]  # these end up in e-mail headers: no line breaks


class CandidateIn(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, validators=ONE_LINE)
    email = serializers.EmailField(validators=ONE_LINE)
    phone = serializers.CharField(max_length=40, allow_blank=True, default="", validators=ONE_LINE)
    video_room_url = serializers.URLField(
        allow_blank=True, default="", max_length=200, validators=ONE_LINE
    )
    hr_email = serializers.EmailField(allow_blank=True, default="", validators=ONE_LINE)
    hr_telegram_chat_id = serializers.RegexField(
        r"^-?\d{1,20}$|^@[A-Za-z0-9_]{5,32}$",
        allow_blank=True,
        default="",
        max_length=64,
        validators=ONE_LINE,
    )

    hr_language = serializers.ChoiceField(
        choices=[("", ""), *settings.LANGUAGES], allow_blank=True, default=""
    )


class TopicChoiceIn(serializers.Serializer):
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.all())
    seconds = serializers.IntegerField(
        min_value=3, max_value=180 * 60, help_text="the block's length (the page's 0.05–180 min)"
    )


class SessionCommon(serializers.Serializer):
    topics = serializers.ListField(
        child=TopicChoiceIn(), min_length=1, max_length=50, help_text="in the order of blocks"
    )
    shuffle = serializers.BooleanField(default=False)
    intro_text = serializers.CharField(
        max_length=5000, default=DEFAULT_INTRO, validators=[validate_multiline]
    )
    closing_text = serializers.CharField(
        max_length=5000, default=DEFAULT_CLOSING, validators=[validate_multiline]
    )

    def validate_topics(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [choice["topic"].pk for choice in value]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError(_("Each topic may be chosen once."))
        return value


class SessionForNew(SessionCommon):
    """A session for a new candidate (created through ``candidate_create``)."""

    candidate = CandidateIn()


class SessionForExisting(SessionCommon):
    """A session for an existing candidate the requester may see."""

    candidate_id = serializers.IntegerField(min_value=1)


# The schema: exactly one of the two shapes.
SESSION_IN_SCHEMA = PolymorphicProxySerializer(
    component_name="SessionIn",
    serializers=[SessionForNew, SessionForExisting],
    resource_type_field_name=None,
)


class SessionIn(SessionCommon):
    """What ``create`` reads: ``candidate`` or ``candidate_id``, exactly one."""

    candidate = CandidateIn(required=False)
    candidate_id = serializers.IntegerField(required=False, min_value=1)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if ("candidate" in data) == ("candidate_id" in data):
            raise serializers.ValidationError(
                _("Give either a new candidate or the id of an existing one, not both.")
            )
        return data


class ResultsOut(serializers.Serializer):
    """The arbiter's results with member names (as on the results page)."""

    version = serializers.IntegerField()
    phase = serializers.CharField()
    finished = serializers.BooleanField()
    lead = serializers.IntegerField()
    members = serializers.ListField(child=serializers.DictField())
    blocks = serializers.ListField(child=serializers.DictField())
    totals = serializers.DictField(
        child=serializers.IntegerField(), allow_null=True, help_text="null while blind"
    )
    feedback = serializers.ListField(child=serializers.DictField())
    names = serializers.DictField(child=serializers.CharField())
    blind = serializers.BooleanField(
        help_text="others' scores, notes and feedback are withheld until yours is in"
    )


class SessionViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SessionOut
    filterset_class = SessionFilter
    ordering_fields = ["created_at", "started_at", "finished_at", "ready_at"]
    lookup_field = "code"
    lookup_value_regex = CODE_PATTERN
    http_method_names = ["get", "post", "head", "options"]
    action_permissions = {
        "list": Allows(access.works_with_candidates),
        "retrieve": Allows(access.works_with_candidates),
        "create": Allows(access.can_run_interviews),
        # The results page's own check follows (member or manager; finished for members).
        "results": Allows(access.works_with_candidates),
    }

    def get_queryset(self) -> QuerySet[LiveSession]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return LiveSession.objects.none()
        return (
            access.visible_sessions(user=self.request.user)
            .select_related("candidate", "lead")
            .prefetch_related(
                Prefetch(
                    "topics",
                    queryset=SessionTopic.objects.select_related("topic").order_by("position"),
                ),
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.select_related("user").order_by("joined_at", "id"),
                ),
            )
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=SESSION_IN_SCHEMA, responses={201: SessionOut})
    def create(self, request: Request) -> Response:
        data = valid(SessionIn, request.data)
        existing = None
        if "candidate_id" in data:
            # Only a candidate the lead may see; any other id reads as one that is not there.
            existing = (
                access.visible_candidates(user=request.user).filter(pk=data["candidate_id"]).first()
            )
            if existing is None:
                raise Refused(
                    "candidate_not_found",
                    _("There is no such candidate, or you may not see them."),
                    400,
                )
        session = services.session_create(
            lead=request.user,
            candidate=existing,
            candidate_fields=data.get("candidate"),
            resume=None,
            topics=[
                services.TopicChoice(topic=choice["topic"], seconds=choice["seconds"])
                for choice in data["topics"]
            ],
            shuffle=data["shuffle"],
            intro_text=str(data["intro_text"]),  # the defaults are lazy translations
            closing_text=str(data["closing_text"]),
        )
        return Response(
            SessionOut(self.get_queryset().get(pk=session.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={200: ResultsOut})
    @action(detail=True, methods=["get"])
    def results(self, request: Request, code: str) -> Response:
        session = get_object_or_404(LiveSession.objects.select_related("candidate"), code=code)
        if not access.can_view_results(request.user, session):
            raise Refused("forbidden", _("You may not see this session's results."), 403)
        state = arbiter.SessionState.from_json(session.state)
        if not access.results_open(request.user, state):
            # Interviewers do not see each other's scores before the end.
            raise Refused("not_finished", _("The results are shown once the interview ends."), 403)
        # Blind scoring, as on the results page: others' work only once one's own is in.
        return Response(
            live_selectors.results_for_viewer(session=session, state=state, user=request.user)
        )
