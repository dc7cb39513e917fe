"""Topics and questions: read for interviewers (and everyone who may view the bank), written
by question editors. Writes go through ``questionbank.services``."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from access.bank import bank_may
from api.common import valid
from api.errors import Refused
from api.filters import QuestionFilter, TopicFilter
from api.permissions import Allows, RolePermissionsMixin
from questionbank import services
from questionbank.models import Question, Topic

TEXT_MAX = 10_000


# --- topics -----------------------------------------------------------------------------------


class TopicOut(serializers.ModelSerializer):
    questions = serializers.IntegerField(source="question_count", read_only=True)
    active_questions = serializers.IntegerField(source="active_count", read_only=True)

    class Meta:
        model = Topic
        fields = [
            "id",
            "name",
            "description",
            "default_minutes",
            "questions",
            "active_questions",
            "created_at",
            "updated_at",
        ]


class TopicIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=TEXT_MAX, allow_blank=True, default="")
    default_minutes = serializers.IntegerField(min_value=1, max_value=180, default=10)


class TopicPatch(TopicIn):
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(max_length=TEXT_MAX, allow_blank=True, required=False)
    default_minutes = serializers.IntegerField(min_value=1, max_value=180, required=False)


def _topics() -> QuerySet[Topic]:
    return Topic.objects.annotate(
        question_count=Count("questions"),
        active_count=Count("questions", filter=Q(questions__active=True)),
    )


class TopicViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TopicOut
    filterset_class = TopicFilter
    ordering_fields = ["name", "default_minutes", "created_at", "updated_at"]
    ordering = ["name"]
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    action_permissions = {
        "list": Allows(bank_may("view", "topic")),
        "retrieve": Allows(bank_may("view", "topic")),
        "create": Allows(bank_may("add", "topic")),
        "partial_update": Allows(bank_may("change", "topic")),
        "destroy": Allows(bank_may("delete", "topic")),
    }

    def get_queryset(self) -> QuerySet[Topic]:
        return _topics().order_by("name")

    def _out(self, topic: Topic, code: int = status.HTTP_200_OK) -> Response:
        return Response(TopicOut(self.get_queryset().get(pk=topic.pk)).data, status=code)

    @extend_schema(request=TopicIn, responses={201: TopicOut})
    def create(self, request: Request) -> Response:
        data = valid(TopicIn, request.data)
        try:
            topic = services.topic_create(**data)
        except services.BankRefused as refused:
            raise Refused(refused.code, refused.message) from refused
        return self._out(topic, status.HTTP_201_CREATED)

    @extend_schema(request=TopicPatch, responses={200: TopicOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        topic = self.get_object()
        data = valid(TopicPatch, request.data)
        try:
            services.topic_update(topic=topic, **data)
        except services.BankRefused as refused:
            raise Refused(refused.code, refused.message) from refused
        return self._out(topic)

    def destroy(self, request: Request, pk: str) -> Response:
        try:
            services.topic_delete(topic=self.get_object())
        except services.BankRefused as refused:
            raise Refused(refused.code, refused.message) from refused
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- questions --------------------------------------------------------------------------------


class TopicRef(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "name"]


class QuestionOut(serializers.ModelSerializer):
    topic = TopicRef()
    used = serializers.BooleanField(source="is_used")

    class Meta:
        model = Question
        fields = [
            "id",
            "topic",
            "text",
            "reference_answer",
            "difficulty",
            "max_points",
            "active",
            "used",
            "first_used_at",
            "retired_at",
            "created_at",
            "updated_at",
        ]


class QuestionIn(serializers.Serializer):
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.all())
    text = serializers.CharField(max_length=TEXT_MAX)
    reference_answer = serializers.CharField(max_length=TEXT_MAX, allow_blank=True, default="")
    difficulty = serializers.ChoiceField(
        choices=Question.Difficulty.choices, default=Question.Difficulty.MEDIUM
    )
    max_points = serializers.IntegerField(min_value=1, max_value=100, default=5)


class QuestionPatch(serializers.Serializer):
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.all(), required=False)
    text = serializers.CharField(max_length=TEXT_MAX, required=False)
    reference_answer = serializers.CharField(max_length=TEXT_MAX, allow_blank=True, required=False)
    difficulty = serializers.ChoiceField(choices=Question.Difficulty.choices, required=False)
    max_points = serializers.IntegerField(min_value=1, max_value=100, required=False)


class QuestionViewSet(
    RolePermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = QuestionOut
    filterset_class = QuestionFilter
    ordering_fields = ["id", "text", "difficulty", "max_points", "created_at", "updated_at"]
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    action_permissions = {
        "list": Allows(bank_may("view", "question")),
        "retrieve": Allows(bank_may("view", "question")),
        "create": Allows(bank_may("add", "question")),
        "partial_update": Allows(bank_may("change", "question")),
        "destroy": Allows(bank_may("delete", "question")),
        "retire": Allows(bank_may("retire", "question")),
    }

    def get_queryset(self) -> QuerySet[Question]:
        return Question.objects.select_related("topic").order_by("topic__name", "id")

    @extend_schema(request=QuestionIn, responses={201: QuestionOut})
    def create(self, request: Request) -> Response:
        question = services.question_create(**valid(QuestionIn, request.data))
        return Response(QuestionOut(question).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=QuestionPatch, responses={200: QuestionOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        question = self.get_object()
        try:
            services.question_update(question=question, **valid(QuestionPatch, request.data))
        except services.BankRefused as refused:
            raise Refused(refused.code, refused.message) from refused
        return Response(QuestionOut(question).data)

    def destroy(self, request: Request, pk: str) -> Response:
        try:
            services.question_delete(question=self.get_object())
        except services.BankRefused as refused:
            raise Refused(refused.code, refused.message) from refused
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: QuestionOut})
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str) -> Response:
        """Stop asking this question; it stays in the bank and in every interview's record."""
        question = self.get_object()
        services.questions_retire(questions=[question])
        return Response(QuestionOut(question).data)
