"""One-way video interviews for staff: interviews with their ordered questions, invitations
(created in bulk, revoked, sent again, reminded), question-set templates. Recruiters only
(``access.video``); every write goes through ``video_interviews.services``, so the API keeps
the pages' rules: a fresh 6-digit code per invitation, one outbox e-mail each, nothing
written on a refusal. Candidates use no API (``accounts.fence`` refuses their tokens)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from access import video as video_access
from api.common import valid
from api.errors import Refused
from api.interviews import AwareDateTimeField
from api.permissions import Allows, RolePermissionsMixin
from candidates.models import Position
from questionbank.models import Question as BankQuestion
from video_interviews import rules, selectors, services
from video_interviews.models import Invitation, Question, QuestionSetTemplate, VideoInterview

# Refusals about what the request says (400); the others are about the state (409).
INPUT_REFUSALS = {
    "title_required",
    "title_too_long",
    "name_required",
    "name_too_long",
    "description_too_long",
    "control_character",
    "bad_deadline",
    "deadline_past",
    "deadline_too_far",
    "bad_status",
    "bad_language",
    "no_questions",
    "too_many_questions",
    "question_text_required",
    "question_text_too_long",
    "bad_thinking_seconds",
    "bad_answer_seconds",
    "bad_retakes",
    "invalid_addresses",
    "too_many_addresses",
    "bank_question_not_found",
    "position_not_found",
}
manages = Allows(video_access.can_manage_video_interviews)


def _refused(refusal: services.VideoRefused) -> Refused:
    return Refused(refusal.code, refusal.message, 400 if refusal.code in INPUT_REFUSALS else 409)


# --- shapes -----------------------------------------------------------------------------------


class VideoQuestionOut(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "order", "text", "thinking_seconds", "answer_seconds", "retakes",
                  "bank_question"]  # fmt: skip


class VideoQuestionIn(serializers.Serializer):
    text = serializers.CharField(max_length=rules.TEXT_MAX)
    thinking_seconds = serializers.IntegerField(
        min_value=0, max_value=rules.THINKING_MAX, default=rules.DEFAULT_THINKING
    )
    answer_seconds = serializers.IntegerField(
        min_value=rules.ANSWER_MIN, max_value=rules.ANSWER_MAX, default=rules.DEFAULT_ANSWER
    )
    retakes = serializers.IntegerField(
        min_value=0, max_value=rules.RETAKES_MAX, default=rules.DEFAULT_RETAKES
    )
    bank_question = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, allow_null=True, default=None,
        help_text="a bank question's id: its text is kept as given in `text`",
    )  # fmt: skip


def _specs(items: list[dict[str, Any]]) -> list[rules.QuestionSpec]:
    wanted = {item["bank_question"] for item in items if item.get("bank_question")}
    found = set(BankQuestion.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise _refused(services.missing("bank_question_not_found", sorted(wanted - found)[0]))
    return [
        rules.QuestionSpec(
            text=item["text"],
            thinking_seconds=item["thinking_seconds"],
            answer_seconds=item["answer_seconds"],
            retakes=item["retakes"],
            bank_question_id=item.get("bank_question"),
        )
        for item in items
    ]


class VideoPersonOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class QuestionSetQuestionOut(serializers.Serializer):
    text = serializers.CharField()
    thinking_seconds = serializers.IntegerField()
    answer_seconds = serializers.IntegerField()
    retakes = serializers.IntegerField()
    bank_question = serializers.IntegerField(allow_null=True)


class VideoCountsOut(serializers.Serializer):
    invited = serializers.IntegerField()
    opened = serializers.IntegerField(help_text="added to a dashboard with the code")
    started = serializers.IntegerField()
    completed = serializers.IntegerField()
    opened_percent = serializers.IntegerField(allow_null=True)
    started_percent = serializers.IntegerField(allow_null=True)
    completed_percent = serializers.IntegerField(allow_null=True)


def _counts(interview: Any) -> dict[str, Any]:
    rates = selectors.rates(interview)
    return {
        "invited": interview.invited_count,
        "opened": rates["opened"].count,
        "started": rates["started"].count,
        "completed": rates["completed"].count,
        "opened_percent": rates["opened"].percent,
        "started_percent": rates["started"].percent,
        "completed_percent": rates["completed"].percent,
    }


class VideoInterviewOut(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()
    questions = VideoQuestionOut(many=True, read_only=True)
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = VideoInterview
        fields = ["id", "title", "description", "status", "deadline", "position",
                  "created_by", "created_at", "updated_at", "counts", "questions"]  # fmt: skip

    @extend_schema_field(VideoCountsOut)
    def get_counts(self, interview: Any) -> dict[str, Any]:
        return _counts(interview)

    @extend_schema_field(VideoPersonOut)
    def get_created_by(self, interview: Any) -> dict[str, Any]:
        return {"id": interview.created_by_id, "name": interview.created_by.display_name}


class VideoInterviewPatch(serializers.Serializer):
    title = serializers.CharField(max_length=services.TITLE_MAX, required=False)
    description = serializers.CharField(
        max_length=services.DESCRIPTION_MAX, allow_blank=True, required=False
    )
    status = serializers.ChoiceField(choices=VideoInterview.Status.choices, required=False)
    deadline = AwareDateTimeField(required=False)


class VideoInterviewIn(serializers.Serializer):
    title = serializers.CharField(max_length=services.TITLE_MAX)
    description = serializers.CharField(
        max_length=services.DESCRIPTION_MAX, allow_blank=True, default=""
    )
    deadline = AwareDateTimeField()
    position = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, allow_null=True, default=None
    )
    questions = VideoQuestionIn(many=True, allow_empty=False, max_length=rules.QUESTIONS_MAX)
    emails = serializers.ListField(
        child=serializers.CharField(max_length=rules.ADDRESS_MAX, allow_blank=True),
        max_length=10_000,
        default=list,
    )
    language = serializers.CharField(
        max_length=8, allow_blank=True, default="",
        help_text="en or ru; empty: the site's language (400 bad_language otherwise)",
    )  # fmt: skip


class VideoDeliveryOut(serializers.Serializer):
    purpose = serializers.CharField(help_text="invite, resend, remind or auto_remind")
    status = serializers.CharField(help_text="the outbox row's: pending, sending, sent, failed")
    error = serializers.CharField(help_text="why the last try failed, or empty")
    at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


class VideoInvitationOut(serializers.ModelSerializer):
    language = serializers.CharField(help_text="of its e-mails: en or ru")
    status = serializers.SerializerMethodField()
    stored_status = serializers.CharField(source="status")
    candidate = serializers.SerializerMethodField()
    delivery = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "interview", "email", "code", "status", "stored_status", "language",
                  "candidate", "created_at", "accepted_at", "started_at", "completed_at",
                  "revoked_at", "expired_at", "reminded_at", "delivery"]  # fmt: skip

    @extend_schema_field(serializers.ChoiceField(choices=Invitation.Status.choices))
    def get_status(self, invitation: Any) -> str:
        return rules.current_status(
            invitation.status, invitation.interview.deadline, self.context["now"]
        )

    @extend_schema_field(VideoPersonOut(allow_null=True))
    def get_candidate(self, invitation: Any) -> dict[str, Any] | None:
        user = invitation.candidate
        return None if user is None else {"id": user.pk, "name": user.display_name}

    @extend_schema_field(VideoDeliveryOut(allow_null=True))
    def get_delivery(self, invitation: Any) -> dict[str, Any] | None:
        mails = list(invitation.mails.all())
        if not mails:
            return None
        newest = mails[0]
        row = newest.outbox
        return {
            "purpose": newest.purpose,
            "status": row.status,
            "error": row.last_error,
            "at": serializers.DateTimeField().to_representation(newest.created_at),
            "sent_at": serializers.DateTimeField().to_representation(row.sent_at)
            if row.sent_at
            else None,
        }


class VideoInvitationsIn(serializers.Serializer):
    emails = serializers.ListField(
        child=serializers.CharField(max_length=rules.ADDRESS_MAX, allow_blank=True),
        allow_empty=False,
        max_length=10_000,
    )
    language = serializers.CharField(
        max_length=8, allow_blank=True, default="",
        help_text="en or ru; empty: the site's language (400 bad_language otherwise)",
    )  # fmt: skip


class VideoInvitedOut(serializers.Serializer):
    created = VideoInvitationOut(many=True)
    duplicates = serializers.ListField(child=serializers.CharField())
    existing = serializers.ListField(child=serializers.CharField())


class VideoRemindedOut(serializers.Serializer):
    reminded = serializers.IntegerField()


class QuestionSetOut(serializers.ModelSerializer):
    questions = serializers.SerializerMethodField()

    class Meta:
        model = QuestionSetTemplate
        fields = ["id", "name", "questions", "created_by", "created_at"]

    @extend_schema_field(QuestionSetQuestionOut(many=True))
    def get_questions(self, template: Any) -> list[dict[str, Any]]:
        return [
            {"text": s.text, "thinking_seconds": s.thinking_seconds,
             "answer_seconds": s.answer_seconds, "retakes": s.retakes,
             "bank_question": s.bank_question_id}
            for s in template.specs()
        ]  # fmt: skip


class QuestionSetIn(serializers.Serializer):
    name = serializers.CharField(max_length=services.TITLE_MAX)
    questions = VideoQuestionIn(many=True, allow_empty=False, max_length=rules.QUESTIONS_MAX)


# --- views ------------------------------------------------------------------------------------


def _invitations(queryset: QuerySet[Invitation]) -> QuerySet[Invitation]:
    from django.db.models import Prefetch

    from video_interviews.models import InvitationMail

    return queryset.select_related("interview", "candidate").prefetch_related(
        Prefetch(
            "mails",
            queryset=InvitationMail.objects.select_related("outbox").order_by("-created_at", "-id"),
        )
    )


class VideoInterviewFilter(django_filters.FilterSet):
    class Meta:
        model = VideoInterview
        fields = ["status", "position"]


class VideoInterviewViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = VideoInterviewOut
    filterset_class = VideoInterviewFilter
    ordering_fields = ["created_at", "deadline", "title", "status"]
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {
        "list": manages,
        "retrieve": manages,
        "create": manages,
        "partial_update": manages,
        "questions": manages,
        "invitations": manages,
        "remind": manages,
    }

    def get_queryset(self) -> QuerySet[VideoInterview]:
        return (
            selectors.with_counts(video_access.visible_video_interviews(user=self.request.user))
            .select_related("created_by")
            .prefetch_related("questions")
            .order_by("-created_at", "-id")
        )

    def _fresh(self, interview: VideoInterview, code: int = 200) -> Response:
        return Response(
            VideoInterviewOut(self.get_queryset().get(pk=interview.pk)).data, status=code
        )

    @extend_schema(request=VideoInterviewIn, responses={201: VideoInterviewOut})
    def create(self, request: Request) -> Response:
        """A new active interview with its ordered questions, and its first invitations when
        ``emails`` are given (all or nothing)."""
        data = valid(VideoInterviewIn, request.data)
        position = None
        if data["position"] is not None:
            position = Position.objects.filter(pk=data["position"]).first()
            if position is None:
                raise _refused(services.missing("position_not_found", data["position"]))
        try:
            interview = services.interview_create(
                by=request.user,
                title=data["title"],
                description=data["description"],
                deadline=data["deadline"],
                position=position,
                questions=_specs(data["questions"]),
                emails=data["emails"],
                language=data["language"],
            )
        except services.VideoRefused as refusal:
            raise _refused(refusal) from refusal
        return self._fresh(interview, status.HTTP_201_CREATED)

    @extend_schema(request=VideoInterviewPatch, responses={200: VideoInterviewOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change the title, description, status or deadline."""
        interview = self.get_object()
        fields = valid(VideoInterviewPatch, request.data)
        try:
            services.interview_update(interview=interview, fields=fields)
        except services.VideoRefused as refusal:
            raise _refused(refusal) from refusal
        return self._fresh(interview)

    @extend_schema(responses={200: VideoQuestionOut(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def questions(self, request: Request, pk: str) -> Response:
        """The interview's questions in order."""
        interview = self.get_object()
        return Response(VideoQuestionOut(interview.questions.order_by("order"), many=True).data)

    @extend_schema(
        methods=["GET"], responses={200: VideoInvitationOut(many=True)}, request=None,
        description="The interview's invitations, oldest first, each with its e-mail's delivery.",
    )  # fmt: skip
    @extend_schema(
        methods=["POST"], request=VideoInvitationsIn, responses={201: VideoInvitedOut},
        description="Invite addresses in bulk: one invitation, code and e-mail each.",
    )  # fmt: skip
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def invitations(self, request: Request, pk: str) -> Response:
        interview = self.get_object()
        context = {"now": _now()}
        if request.method == "GET":
            rows = _invitations(interview.invitations.order_by("id"))
            return Response(VideoInvitationOut(rows, many=True, context=context).data)
        data = valid(VideoInvitationsIn, request.data)
        try:
            invited = services.invitations_create(
                interview=interview, by=request.user, emails=data["emails"],
                language=data["language"],
            )  # fmt: skip
        except services.VideoRefused as refusal:
            raise _refused(refusal) from refusal
        created = _invitations(Invitation.objects.filter(pk__in=[i.pk for i in invited.created]))
        body = {
            "created": VideoInvitationOut(created.order_by("id"), many=True, context=context).data,
            "duplicates": invited.duplicates,
            "existing": invited.existing,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: VideoRemindedOut})
    @action(detail=True, methods=["post"], filter_backends=[])
    def remind(self, request: Request, pk: str) -> Response:
        """Remind everyone invited who has not finished (one e-mail each)."""
        interview = self.get_object()
        try:
            count = services.invitations_remind(interview=interview, by=request.user)
        except services.VideoRefused as refusal:
            raise _refused(refusal) from refusal
        return Response({"reminded": count})


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


class VideoInvitationViewSet(RolePermissionsMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):  # fmt: skip
    serializer_class = VideoInvitationOut
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "head", "options"]
    action_permissions = {"retrieve": manages, "revoke": manages, "resend": manages}

    def get_queryset(self) -> QuerySet[Invitation]:
        return _invitations(
            Invitation.objects.filter(
                interview__in=video_access.visible_video_interviews(user=self.request.user)
            )
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": _now()}

    def _fresh(self, invitation: Invitation) -> Response:
        row = self.get_queryset().get(pk=invitation.pk)
        return Response(VideoInvitationOut(row, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: VideoInvitationOut})
    @action(detail=True, methods=["post"], filter_backends=[])
    def revoke(self, request: Request, pk: str) -> Response:
        """Revoke a pending or accepted invitation: its code adds nothing any more."""
        invitation = self.get_object()
        try:
            services.invitation_revoke(invitation=invitation)
        except services.VideoRefused as refusal:
            raise _refused(refusal) from refusal
        return self._fresh(invitation)

    @extend_schema(request=None, responses={200: VideoInvitationOut})
    @action(detail=True, methods=["post"], filter_backends=[])
    def resend(self, request: Request, pk: str) -> Response:
        """Send the invitation again (a new e-mail); a revoked or expired one is reopened with
        a new code."""
        invitation = self.get_object()
        try:
            services.invitation_resend(invitation=invitation, by=request.user)
        except services.VideoRefused as refusal:
            raise _refused(refusal) from refusal
        return self._fresh(invitation)


class QuestionSetViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = QuestionSetOut
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "head", "options"]
    action_permissions = {"list": manages, "retrieve": manages, "create": manages}
    ordering_fields = ["name", "created_at"]

    def get_queryset(self) -> QuerySet[QuestionSetTemplate]:
        if not video_access.can_manage_video_interviews(self.request.user):
            return QuestionSetTemplate.objects.none()
        return QuestionSetTemplate.objects.all()

    @extend_schema(request=QuestionSetIn, responses={201: QuestionSetOut})
    def create(self, request: Request) -> Response:
        """Save a named question set (the name unique whatever the case: 409
        ``template_name_taken``)."""
        data = valid(QuestionSetIn, request.data)
        try:
            template = services.template_save(
                by=request.user, name=data["name"], questions=_specs(data["questions"])
            )
        except services.VideoRefused as refusal:
            raise _refused(refusal) from refusal
        return Response(QuestionSetOut(template).data, status=status.HTTP_201_CREATED)
