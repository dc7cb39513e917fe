"""The one way the suite measures a list's queries: ``grow`` counts each page's SQL queries
with 1 row and again with ``ROWS`` (200), checks the page really shows the rows added, and
the two counts must be equal. ``copies`` makes the rows fast: unsaved copies of a row the
real services wrote, saved with ``bulk_create``, so a list of 200 costs a few inserts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

ROWS = 200  # the acceptance's "the same number of queries with 1 and 200 rows"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries_for(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured.captured_queries)


@dataclass(frozen=True)
class Page:
    """A list to measure: who asks (a test client), the URL, and how its rows are counted in
    the answer: an API page's ``results`` (a JSON list: its length), else the times the
    rarest of ``markers`` occurs in the body (each row carries each marker once). ``shows``
    is how many rows it must show once grown, when it shows fewer than all (a page of them)."""

    client: Any
    url: str
    markers: tuple[str, ...] = ()
    shows: int | None = None

    def rows(self, response: Any) -> int:
        if response["Content-Type"].startswith("application/json"):
            body = response.json()
            return len(body["results"] if isinstance(body, dict) else body)
        text = response.content.decode()
        return min(text.count(marker) for marker in self.markers)


def _count(name: str, page: Page) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = page.client.get(page.url)
    assert response.status_code == 200, (name, response.status_code, response.content[:300])
    return len(captured.captured_queries), page.rows(response)


def grow(
    add: Callable[[int], None], pages: Mapping[str, Page], *, rows: int = ROWS
) -> dict[str, tuple[int, int]]:
    """``add(1)``, count each page's queries; ``add(rows - 1)``, count again: the counts must
    be equal, and each page must show the rows (all ``rows`` of them, or its ``shows``), so a
    list that stopped listing cannot pass. Each page is asked once first, unmeasured: the
    first request of a test reads what later ones find cached (content types, the like)."""
    for page in pages.values():
        page.client.get(page.url)
    add(1)
    one = {name: _count(name, page) for name, page in pages.items()}
    add(rows - 1)
    many = {name: _count(name, page) for name, page in pages.items()}
    for name, page in pages.items():
        assert one[name][1] >= 1, f"{name}: the one row is not shown"
        wanted = rows if page.shows is None else page.shows
        assert many[name][1] >= wanted, f"{name}: {many[name][1]} rows shown, not {wanted}"
    counts = {name: (one[name][0], many[name][0]) for name in pages}
    unequal = {name: pair for name, pair in counts.items() if pair[0] != pair[1]}
    assert not unequal, f"queries with 1 row and with {rows} (name: (1, {rows})): {unequal}"
    return counts


def copies(row: Any, count: int, change: Callable[[int], Mapping[str, Any]]) -> list[Any]:
    """``count`` unsaved copies of ``row`` (every concrete field but its key), copy ``n``
    changed by ``change(n)``; ``bulk_create`` them (PostgreSQL gives their keys back)."""
    model = type(row)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = {f.attname: getattr(row, f.attname) for f in fields}
    return [model(**{**values, **change(n)}) for n in range(count)]


def through(relation: Any, pairs: Iterable[tuple[int, int]]) -> None:
    """Many-to-many rows in one insert: ``relation`` is e.g. ``Round.assistants``, each pair
    (the owner's key, the other side's key)."""
    field = relation.field
    model = relation.through
    source = f"{field.m2m_field_name()}_id"
    target = f"{field.m2m_reverse_field_name()}_id"
    model.objects.bulk_create([model(**{source: a, target: b}) for a, b in pairs])


def session_copies(template: Any, candidates: list[Any]) -> list[Any]:
    """A copy of the live session ``template`` (its members and topics too) for each of
    ``candidates``, in four inserts: the session lists' and the cards' rows."""
    from sessions_live.codes import new_code
    from sessions_live.models import LiveSession, Membership, SessionTopic

    sessions = LiveSession.objects.bulk_create(
        copies(
            template,
            len(candidates),
            lambda n: {"code": new_code(), "candidate_id": candidates[n].pk},
        )
    )
    members = list(Membership.objects.filter(session=template))
    Membership.objects.bulk_create(
        [
            copy
            for s in sessions
            for m in members
            for copy in copies(m, 1, lambda _n, s=s: {"session_id": s.pk})
        ]
    )
    topics = list(SessionTopic.objects.filter(session=template))
    SessionTopic.objects.bulk_create(
        [
            copy
            for s in sessions
            for t in topics
            for copy in copies(t, 1, lambda _n, s=s: {"session_id": s.pk})
        ]
    )
    return sessions
