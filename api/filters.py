"""Filtering and ordering of API lists (django-filter), one FilterSet per list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django_filters.fields import IsoDateTimeField
from rest_framework.filters import OrderingFilter

from candidates.models import Candidate
from questionbank.models import Question, Topic
from sessions_live.models import LiveSession


class Ordering(OrderingFilter):
    """``?ordering=name,-created_at`` over the fields a view lists in ``ordering_fields``;
    unknown fields are ignored, and the primary key breaks ties so pages are stable."""

    def filter_queryset(self, request: Any, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        ordering = self.get_ordering(request, queryset, view)
        if ordering:
            return queryset.order_by(*ordering, "pk")
        return queryset


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number in the database's range, or a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, turned to UTC here: PostgreSQL refuses offsets beyond ±15:59."""

    def to_python(self, value: Any) -> datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError as error:
            raise forms.ValidationError(_("This moment is out of range.")) from error


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


def _words(value: str) -> list[str]:
    return [word for word in value.split() if word][:8]


class TopicFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="name or description contains")

    class Meta:
        model = Topic
        fields = ["name"]

    def search(self, queryset: QuerySet[Topic], name: str, value: str) -> QuerySet[Topic]:
        for word in _words(value):
            queryset = queryset.filter(Q(name__icontains=word) | Q(description__icontains=word))
        return queryset


class QuestionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="text or reference answer contains")
    topic = IdFilter(field_name="topic_id")
    used = django_filters.BooleanFilter(
        field_name="first_used_at", lookup_expr="isnull", exclude=True, label="asked in a session"
    )

    class Meta:
        model = Question
        fields = ["topic", "difficulty", "active"]

    def search(self, queryset: QuerySet[Question], name: str, value: str) -> QuerySet[Question]:
        for word in _words(value):
            queryset = queryset.filter(
                Q(text__icontains=word) | Q(reference_answer__icontains=word)
            )
        return queryset


class CandidateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="name or e-mail contains")
    position = IdFilter(field_name="positions", label="one of the candidate's positions")

    class Meta:
        model = Candidate
        fields = ["status", "source", "position"]

    def search(self, queryset: QuerySet[Candidate], name: str, value: str) -> QuerySet[Candidate]:
        for word in _words(value):
            queryset = queryset.filter(Q(full_name__icontains=word) | Q(email__icontains=word))
        return queryset


class SessionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="code or candidate name contains")
    candidate = IdFilter(field_name="candidate_id")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = LiveSession
        fields = ["phase", "ready_for_decision", "candidate"]

    def search(
        self, queryset: QuerySet[LiveSession], name: str, value: str
    ) -> QuerySet[LiveSession]:
        for word in _words(value):
            queryset = queryset.filter(
                Q(code__icontains=word) | Q(candidate__full_name__icontains=word)
            )
        return queryset
