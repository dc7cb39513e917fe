"""The global search: candidates, people, topics, questions and sessions the searching person
may see, grouped by kind, each hit with a link to the page that shows it.

PostgreSQL runs a full-text query (``simple`` configuration, so names and codes in any
language match; every word is a prefix, so "carl" finds "Carla"). Other databases (the
embedded SQLite) fall back to a substring match of the casefolded fields (``search.casefold``:
SQLite's own ``LIKE`` folds ASCII only): every word must appear. Both ignore case in every
script: "АННА", "Анна" and "анна" find one candidate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.lookups import Contains
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from api.selectors import visible_candidates, visible_sessions
from questionbank.models import Question, Topic
from search.casefold import Casefold
from sessions_live.models import LiveSession, Membership

PER_KIND = 10
MAX_WORDS = 8
WORD = re.compile(r"\w+", re.UNICODE)

KINDS = {
    "candidates": _("Candidates"),
    "people": _("People"),
    "topics": _("Topics"),
    "questions": _("Questions"),
    "sessions": _("Sessions"),
}


@dataclass(frozen=True)
class Hit:
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class Group:
    kind: str
    label: str
    hits: list[Hit]


def words_of(query: str) -> list[str]:
    return [word.lower()[:50] for word in WORD.findall(query.replace("_", " "))][:MAX_WORDS]


def search_everything(*, user: User, query: str) -> list[Group]:
    """Every kind the person may see that has hits, in a fixed order; empty without words."""
    words = words_of(query)
    if not words:
        return []
    finders: list[tuple[str, Callable[[User, list[str]], list[Hit]]]] = [
        ("candidates", _candidates),
        ("people", _people),
        ("topics", _topics),
        ("questions", _questions),
        ("sessions", _sessions),
    ]
    groups = []
    for kind, find in finders:
        hits = find(user, words)
        if hits:
            groups.append(Group(kind=kind, label=str(KINDS[kind]), hits=hits))
    return groups


def _full_text(queryset: QuerySet[Any]) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def _matching(queryset: QuerySet[Any], fields: Sequence[str], words: list[str]) -> QuerySet[Any]:
    if _full_text(queryset):
        vector = SearchVector(*fields, config="simple")
        # Words are \w+ only, so they are safe to join into a raw tsquery.
        query = SearchQuery(
            " & ".join(f"{word}:*" for word in words), search_type="raw", config="simple"
        )
        return (
            queryset.annotate(found=vector)
            .filter(found=query)
            .annotate(rank=SearchRank(vector, query))
            .order_by("-rank", "pk")
        )
    for word in words:
        condition = Q()
        for name in fields:
            condition |= Q(Contains(Casefold(F(name)), word.casefold()))
        queryset = queryset.filter(condition)
    return queryset.order_by("pk")


def _session_url(user: User, session: LiveSession, is_member: bool) -> str:
    if is_member and session.phase != LiveSession.Phase.FINISHED:
        return reverse("session_live", args=[session.code])
    if is_member or user.has_perm("accounts.decide_candidates"):
        return reverse("session_results", args=[session.code])
    return reverse("api-session-detail", args=[session.code])  # recruiters: the session's data


def _with_membership(sessions: QuerySet[LiveSession], user: User) -> QuerySet[LiveSession]:
    return sessions.annotate(
        is_member=Exists(Membership.objects.filter(session=OuterRef("pk"), user=user))
    )


def _candidates(user: User, words: list[str]) -> list[Hit]:
    sessions = _with_membership(visible_sessions(user=user), user).order_by("-created_at")
    candidates = _matching(
        visible_candidates(user=user), ["full_name", "email", "phone"], words
    ).prefetch_related(Prefetch("sessions", queryset=sessions, to_attr="seen_sessions"))
    hits = []
    for candidate in candidates[:PER_KIND]:
        latest = candidate.seen_sessions[0] if candidate.seen_sessions else None
        url = (
            _session_url(user, latest, latest.is_member)
            if latest is not None
            else reverse("api-candidate-detail", args=[candidate.pk])
        )
        hits.append(
            Hit(
                title=candidate.full_name,
                detail=f"{candidate.email} · {candidate.get_status_display()}",
                url=url,
            )
        )
    return hits


def _people(user: User, words: list[str]) -> list[Hit]:
    people = _matching(
        User.objects.filter(is_active=True),
        ["username", "first_name", "last_name", "email"],
        words,
    )
    return [
        Hit(
            title=person.display_name,
            detail=person.email or person.username,
            url=f"mailto:{person.email}" if person.email else "",
        )
        for person in people[:PER_KIND]
    ]


def _topics(user: User, words: list[str]) -> list[Hit]:
    if not user.has_perm("questionbank.view_topic"):
        return []
    editor = user.has_perm("questionbank.change_question") and user.is_staff
    hits = []
    for topic in _matching(Topic.objects.all(), ["name", "description"], words)[:PER_KIND]:
        url = (
            reverse("admin:questionbank_question_changelist") + f"?topic__id__exact={topic.pk}"
            if editor
            else reverse("api-question-list") + f"?topic={topic.pk}"
        )
        hits.append(Hit(title=topic.name, detail=topic.description[:120], url=url))
    return hits


def _questions(user: User, words: list[str]) -> list[Hit]:
    if not user.has_perm("questionbank.view_question"):
        return []
    editor = user.has_perm("questionbank.change_question") and user.is_staff
    questions = _matching(
        Question.objects.select_related("topic"), ["text", "reference_answer"], words
    )
    hits = []
    for question in questions[:PER_KIND]:
        url = (
            reverse("admin:questionbank_question_change", args=[question.pk])
            if editor
            else reverse("api-question-detail", args=[question.pk])
        )
        retired = "" if question.active else f" · {_('retired')}"
        hits.append(Hit(title=str(question), detail=f"{question.topic.name}{retired}", url=url))
    return hits


def _sessions(user: User, words: list[str]) -> list[Hit]:
    sessions = _matching(
        _with_membership(visible_sessions(user=user), user).select_related("candidate"),
        ["code", "candidate__full_name"],
        words,
    )
    return [
        Hit(
            title=session.code,
            detail=f"{session.candidate.full_name} · {session.get_phase_display()}",
            url=_session_url(user, session, session.is_member),
        )
        for session in sessions[:PER_KIND]
    ]
