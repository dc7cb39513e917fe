"""The global search: candidates, people, positions, vendors, topics, questions and sessions
the searching person may see, grouped by kind, each hit with a link to the page that shows it.
Who sees which kind, and where its link goes, is the access module's to say: positions for
those who may see them (their plan, or their edit page for recruiters), vendors for those who
may see vendors, people for everyone signed in (active colleagues, an e-mail link), and for
those who keep people every account, deactivated ones too, opening its People page. Each kind
costs a fixed number of queries, however many hits it has.

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
from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.lookups import Contains
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

import access
from accounts.models import User
from candidates.models import Position, Vendor
from questionbank.models import Question, Topic
from search.casefold import Casefold

PER_KIND = 10
MAX_WORDS = 8
WORD = re.compile(r"\w+", re.UNICODE)

KINDS = {
    "candidates": _("Candidates"),
    "people": _("People"),
    "positions": _("Positions"),
    "vendors": _("Vendors"),
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
        ("positions", _positions),
        ("vendors", _vendors),
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


def _candidates(user: User, words: list[str]) -> list[Hit]:
    sessions = access.with_membership(access.visible_sessions(user=user), user)
    candidates = _matching(
        access.visible_candidates(user=user), ["full_name", "email", "phone"], words
    ).prefetch_related(
        Prefetch("sessions", queryset=sessions.order_by("-created_at"), to_attr="seen_sessions")
    )
    hits = []
    for candidate in candidates[:PER_KIND]:
        latest = candidate.seen_sessions[0] if candidate.seen_sessions else None
        # A member or manager goes straight to the latest session; others to the card.
        url = (
            access.session_link(user, latest, member=latest.is_member)
            if latest is not None and (latest.is_member or access.can_decide(user))
            else reverse("candidate_detail", args=[candidate.pk])
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
    keeper = access.can_manage_people(user)
    # Colleagues see active people; those who keep people see every account.
    people = _matching(
        User.objects.all() if keeper else User.objects.filter(is_active=True),
        ["username", "first_name", "last_name", "email"],
        words,
    )
    hits = []
    for person in people[:PER_KIND]:
        detail = person.email or person.username
        if keeper:
            url = reverse("person_edit", args=[person.pk])
            if not person.is_active:
                detail = detail + " · " + str(_("deactivated"))
        else:
            url = f"mailto:{person.email}" if person.email else ""
        hits.append(Hit(title=person.display_name, detail=detail, url=url))
    return hits


def _positions(user: User, words: list[str]) -> list[Hit]:
    if not access.can_view_positions(user):
        return []
    manager = access.can_manage_positions(user)
    plans = access.can_view_plans(user)
    hits = []
    for position in _matching(Position.objects.all(), ["title", "team"], words)[:PER_KIND]:
        if manager:
            url = reverse("position_edit", args=[position.pk])
        elif plans:
            url = reverse("position_plan", args=[position.pk])
        else:
            url = reverse("position_list")
        parts = [position.team, str(position.get_status_display())]
        hits.append(Hit(title=position.title, detail=" · ".join(p for p in parts if p), url=url))
    return hits


def _vendors(user: User, words: list[str]) -> list[Hit]:
    if not access.can_view_vendors(user):
        return []
    manager = access.can_manage_vendors(user)
    vendors = _matching(Vendor.objects.all(), ["name", "contact_name", "contact_email"], words)
    hits = []
    for vendor in vendors[:PER_KIND]:
        url = reverse("vendor_edit", args=[vendor.pk]) if manager else reverse("vendor_list")
        parts = [vendor.contact_name, vendor.contact_email]
        if not vendor.active:
            parts.append(str(_("inactive")))
        hits.append(Hit(title=vendor.name, detail=" · ".join(p for p in parts if p), url=url))
    return hits


def _topics(user: User, words: list[str]) -> list[Hit]:
    if not access.can_view_bank(user):
        return []
    editor = access.can_edit_bank(user)
    hits = []
    for topic in _matching(Topic.objects.all(), ["name", "description"], words)[:PER_KIND]:
        url = (
            reverse("admin:questionbank_question_changelist") + f"?topic__id__exact={topic.pk}"
            if editor
            else reverse("topic_detail", args=[topic.pk])
        )
        hits.append(Hit(title=topic.name, detail=topic.description[:120], url=url))
    return hits


def _questions(user: User, words: list[str]) -> list[Hit]:
    if not access.can_view_bank(user):
        return []
    editor = access.can_edit_bank(user)
    questions = _matching(
        Question.objects.select_related("topic"), ["text", "reference_answer"], words
    )
    hits = []
    for question in questions[:PER_KIND]:
        url = (
            reverse("admin:questionbank_question_change", args=[question.pk])
            if editor
            else reverse("topic_detail", args=[question.topic_id]) + f"#q{question.pk}"
        )
        retired = "" if question.active else " · " + str(_("retired"))
        hits.append(Hit(title=str(question), detail=f"{question.topic.name}{retired}", url=url))
    return hits


def _sessions(user: User, words: list[str]) -> list[Hit]:
    sessions = _matching(
        access.with_membership(access.visible_sessions(user=user), user).select_related(
            "candidate"
        ),
        ["code", "candidate__full_name"],
        words,
    )
    return [
        Hit(
            title=session.code,
            detail=f"{session.candidate.full_name} · {session.get_phase_display()}",
            url=access.session_link(user, session, member=session.is_member),
        )
        for session in sessions[:PER_KIND]
    ]
