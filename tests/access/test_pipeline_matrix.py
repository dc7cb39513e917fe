"""The role × object × action matrix of the pipeline: for each new object (position and its
plan, vendor, candidate and its history, interview, round, rating, rating sheet, interviewer
history, drive, report, people, notices) and each action on it, what each kind of person gets
from the pages, the API and the sockets. A row is one URL (or socket) and method; a column one
person. Whatever is refused changes nothing (checked where the action writes).

People: anonymous; ``nobody`` (signed in, no role); ``cand`` (a candidate's account, one-way
video interviews' kind: ``accounts.fence`` answers 404 outside their own area, 4403 on
sockets); ``on`` (an interviewer on the round); ``off`` (an interviewer on none of this
candidate's rounds); ``rec`` (recruiter); ``mgr`` (manager).

Sections: ``PAGES`` (reads; a few writes whose refusal is all there is to see), ``WRITES``
(each refused person leaves the object as it was, each allowed one changes it), and the
personal socket (``/ws/me/``: who connects, and a round's notice reaching only the people on
the round).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from candidates import services as candidates
from candidates.models import Candidate, Position, ResumeVersion, Vendor
from config.asgi import application
from interviews import drives, services
from interviews.models import CalendarFeed, Drive, Round
from notify import services as notify
from notify.models import Notice
from tests.factories import UserFactory
from tests.interviews.drive_files import pdf, sheet_upload, xlsx
from tests.interviews.drive_files import people as drive_people
from tests.interviews.helpers import candidate_on, three_round_position
from tests.video_interviews import helpers as video_helpers

pytestmark = pytest.mark.django_db

PEOPLE = ("anon", "nobody", "cand", "on", "off", "rec", "mgr")
LOGIN = "login"  # a redirect to the login page


@pytest.fixture
def world(roles, lead, bob) -> dict[str, Any]:  # noqa: ANN001
    rec = UserFactory(username="rita", roles=["recruiter"])
    mgr = UserFactory(username="mona", roles=["manager"])
    on = UserFactory(username="oona", roles=["interviewer"])
    off = UserFactory(username="otto", roles=["interviewer"])
    nobody = UserFactory(username="nemo")
    position = three_round_position(rec, on, lead, bob)
    vendor = candidates.vendor_create(fields={"name": "Talent Bridge"})
    carla = candidate_on(position, rec)
    interview = services.interview_create(candidate=carla, position=position, by=rec)
    first = interview.rounds.get(order=0)
    services.round_assign(
        round_=first, by=rec, interviewer=on, starts_at=datetime(2026, 12, 7, 9, tzinfo=UTC)
    )
    plan_round = position.plan_rounds.get(order=0)
    drive = drives.drive_start(
        position=position, by=rec, sheet=sheet_upload(xlsx(drive_people(2, resumes=False)))
    )
    resume = candidates.resume_add(
        candidate=carla,
        upload=SimpleUploadedFile("cv.pdf", pdf("carla"), content_type="application/pdf"),
        by=rec,
    )
    notice = notify.notice_send(
        user=on, kind="round_assigned", title="Round 1 is yours", link=f"/rounds/{first.pk}/"
    )
    return {
        "people": {
            "anon": None,
            "nobody": nobody,
            "cand": video_helpers.candidate("anna@example.com"),
            "on": on,
            "off": off,
            "rec": rec,
            "mgr": mgr,
        },
        "position": position,
        "plan_round": plan_round,
        "vendor": vendor,
        "candidate": carla,
        "interview": interview,
        "round": first,
        "drive": drive,
        "resume": resume,
        "notice": notice,
    }


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _outcome(response: Any) -> int | str:
    if response.status_code == 302 and "/login/" in response.get("Location", ""):
        return LOGIN
    return response.status_code


# (method, URL template, expected for anon, nobody, cand, on, off, rec, mgr)
PAGES = [
    ("get", "/positions/{position}/plan/", (LOGIN, 403, 404, 200, 200, 200, 200)),
    ("get", "/positions/{position}/plan/new/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/positions/{position}/plan/{plan_round}/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/positions/{position}/drives/new/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/candidates/", (LOGIN, 403, 404, 200, 200, 200, 200)),
    ("get", "/candidates/new/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/candidates/{candidate}/", (LOGIN, 403, 404, 200, 403, 200, 200)),
    ("get", "/candidates/{candidate}/ratings/", (LOGIN, 403, 404, 200, 403, 200, 200)),
    ("get", "/candidates/{candidate}/interviews/new/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/rounds/", (LOGIN, 403, 404, 200, 200, 403, 403)),
    ("get", "/rounds/{round}/", (LOGIN, 403, 404, 200, 403, 200, 200)),
    ("get", "/rounds/{round}/assign/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/rounds/{round}/rate/", (LOGIN, 403, 404, 200, 403, 403, 403)),
    ("get", "/people/{on}/rounds/", (LOGIN, 404, 404, 200, 404, 200, 200)),
    ("get", "/reports/", (LOGIN, 403, 404, 403, 403, 200, 200)),
    ("get", "/reports/export.xlsx", (LOGIN, 403, 404, 403, 403, 200, 200)),
    ("get", "/people/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/vendors/", (LOGIN, 403, 404, 403, 403, 200, 200)),
    ("get", "/vendors/{vendor}/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/notices/", (LOGIN, 200, 404, 200, 200, 200, 200)),
    # Availability: interviewers keep their own; recruiters keep candidates'.
    ("get", "/availability/", (LOGIN, 403, 404, 200, 200, 403, 403)),
    ("get", "/candidates/{candidate}/availability/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/api/availability/slots/", (401, 403, 404, 200, 200, 403, 403)),
    ("get", "/api/availability/slots/?candidate={candidate}", (401, 404, 404, 403, 404, 200, 403)),
    ("get", "/api/availability/weekly-hours/", (401, 403, 404, 200, 200, 403, 403)),
    # The scheduler: recruiters run it, recruiters and managers read its runs.
    ("get", "/scheduling/", (LOGIN, 403, 404, 403, 403, 200, 200)),
    ("post", "/scheduling/run/", (LOGIN, 403, 404, 403, 403, 302, 403)),
    ("get", "/api/scheduling/runs/", (401, 403, 404, 403, 403, 200, 200)),
    ("get", "/api/scheduling/interviews/", (401, 403, 404, 200, 200, 200, 200)),
    # Positions and vendors: recruiters keep them; interviewers and managers see positions.
    ("get", "/positions/", (LOGIN, 403, 404, 200, 200, 200, 200)),
    ("get", "/positions/new/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/positions/{position}/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/vendors/new/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/candidates/{candidate}/edit/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    # The calendar: whoever may see plans (each their own rounds, or all).
    ("get", "/calendar/", (LOGIN, 403, 404, 200, 200, 200, 200)),
    # Drives: recruiters only.
    ("get", "/drives/{drive}/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    ("get", "/drives/{drive}/progress/", (LOGIN, 403, 404, 403, 403, 200, 403)),
    # Reports: recruiters and managers.
    ("get", "/reports/export.csv", (LOGIN, 403, 404, 403, 403, 200, 200)),
    # Resumes: downloaded by whoever sees the candidate; listed by the API the same way.
    ("get", "/candidates/{candidate}/resume/{resume}/", (LOGIN, 403, 404, 200, 403, 200, 200)),
    ("get", "/api/candidates/{candidate}/resumes/", (401, 403, 404, 200, 404, 200, 200)),
    ("get", "/api/candidates/{candidate}/", (401, 403, 404, 200, 404, 200, 200)),
]


def _url(template: str, world: dict[str, Any]) -> str:
    ids = {
        "position": world["position"].pk,
        "plan_round": world["plan_round"].pk,
        "vendor": world["vendor"].pk,
        "candidate": world["candidate"].pk,
        "interview": world["interview"].pk,
        "round": world["round"].pk,
        "on": world["people"]["on"].pk,
        "drive": world["drive"].pk,
        "resume": world["resume"].pk,
        "notice": world["notice"].pk,
    }
    return template.format(**ids)


@pytest.mark.parametrize(("method", "template", "expected"), PAGES, ids=[p[1] for p in PAGES])
def test_pages(world, method: str, template: str, expected: tuple) -> None:  # noqa: ANN001
    url = _url(template, world)
    got = tuple(_outcome(getattr(_client(world["people"][who]), method)(url)) for who in PEOPLE)
    assert got == expected, dict(zip(PEOPLE, got, strict=True))


# Writes: each refused person leaves the object as it was; the allowed one changes it.
def test_writes_refused_change_nothing(world) -> None:  # noqa: ANN001
    round_ = world["round"]
    people = world["people"]
    aspects = list(round_.aspects.all())
    rating = {f"points_{a.pk}": "3" for a in aspects} | {
        "feedback": "ok", "recommendation": "yes", "outcome": "selected"
    }  # fmt: skip
    for who in ("anon", "nobody", "off", "rec", "mgr"):
        client = _client(people[who])
        client.post(f"/rounds/{round_.pk}/rate/", rating)
        client.post(f"/rounds/{round_.pk}/cancel/") if who != "rec" else None
        client.post(
            f"/positions/{world['position'].pk}/plan/{world['plan_round'].pk}/delete/"
        ) if who != "rec" else None
        client.post(
            f"/candidates/{world['candidate'].pk}/move/", {"move": "withdraw"}
        ) if who not in ("rec", "mgr") else None
        assert Round.objects.get(pk=round_.pk).status == "scheduled", who
        assert world["position"].plan_rounds.count() == 3, who
        world["candidate"].refresh_from_db()
        assert world["candidate"].status == "scheduled", who
    _client(people["on"]).post(f"/rounds/{round_.pk}/rate/", rating)
    assert Round.objects.get(pk=round_.pk).status == "done"


def test_availability_writes_refused_change_nothing(world) -> None:  # noqa: ANN001
    """Only the slot's owner (an interviewer's own) or a recruiter (a candidate's) changes a
    slot; anyone else's post leaves it as it was."""
    from scheduling import services as scheduling
    from scheduling.models import Slot

    people, carla = world["people"], world["candidate"]
    start = datetime(2026, 12, 8, 9, tzinfo=UTC)
    own = scheduling.slot_add(
        by=people["on"],
        user=people["on"],
        starts_at=start,
        ends_at=start.replace(hour=10),
        zone="UTC",
    )
    kept = scheduling.slot_add(
        by=people["rec"],
        candidate=carla,
        starts_at=start,
        ends_at=start.replace(hour=10),
        zone="UTC",
    )
    own_urls = [f"/availability/slots/{own.pk}/delete/"]
    kept_urls = [f"/candidates/{carla.pk}/availability/slots/{kept.pk}/delete/"]
    for who in ("anon", "nobody", "off", "rec", "mgr"):
        for url in own_urls:
            _client(people[who]).post(url, {"confirm": "1"})
    for who in ("anon", "nobody", "on", "off", "mgr"):
        for url in kept_urls:
            _client(people[who]).post(url, {"confirm": "1"})
        _client(people[who]).post(
            f"/candidates/{carla.pk}/availability/slots/new/",
            {"date": "2026-12-09", "starts": "09:00", "ends": "10:00"},
        )
    assert Slot.objects.filter(pk__in=[own.pk, kept.pk]).count() == 2
    assert Slot.objects.count() == 2
    _client(people["on"]).post(own_urls[0])
    _client(people["rec"]).post(kept_urls[0])
    assert not Slot.objects.exists()


# --- writes: refused ones change nothing, allowed ones change their object ----------------------


@dataclass(frozen=True)
class Write:
    """A write (a GET that marks something, too): what each person gets (``expected``, in
    ``PEOPLE``'s order) and ``state``, what it would change. The refused people go first and
    leave ``state`` as it was; then each allowed one changes it (``effect(before, after,
    user)`` says how, when more than "it changed" is to be checked)."""

    method: str
    url: str
    expected: tuple
    state: Callable[[dict[str, Any]], Any]
    body: Callable[[dict[str, Any]], dict[str, Any]] = lambda world: {}
    setup: Callable[[dict[str, Any]], None] = lambda world: None
    effect: Callable[[Any, Any, Any], bool] | None = None


def _feeds(world: dict[str, Any]) -> dict[int, str]:
    return dict(CalendarFeed.objects.values_list("user_id", "token_hash"))


def _only_their_own(before: dict[int, str], after: dict[int, str], user: Any) -> bool:
    changed = {pk for pk in before.keys() | after.keys() if before.get(pk) != after.get(pk)}
    return changed == {user.pk}


def _every_feed(world: dict[str, Any]) -> None:
    from interviews import feeds

    for user in world["people"].values():
        if user is not None and user.groups.exists():
            feeds.feed_create(user=user)


def _a_pdf(world: dict[str, Any]) -> dict[str, Any]:
    return {"resume": SimpleUploadedFile("new.pdf", pdf("new"), content_type="application/pdf")}


def _candidate_card(world: dict[str, Any]) -> Any:
    return Candidate.objects.filter(pk=world["candidate"].pk).values_list(
        "full_name", "email", "phone"
    )[0]


WRITES = {
    "new position": Write(
        "post", "/positions/new/", (LOGIN, 403, 404, 403, 403, 302, 403),
        lambda w: sorted(Position.objects.values_list("title", flat=True)),
        lambda w: {"title": "Data engineer", "openings": "1", "status": "open"},
    ),
    "position edit": Write(
        "post", "/positions/{position}/", (LOGIN, 403, 404, 403, 403, 302, 403),
        lambda w: Position.objects.filter(pk=w["position"].pk).values_list("title", "status")[0],
        lambda w: {"title": "Renamed", "openings": "2", "status": "on_hold"},
    ),
    "new vendor": Write(
        "post", "/vendors/new/", (LOGIN, 403, 404, 403, 403, 302, 403),
        lambda w: sorted(Vendor.objects.values_list("name", flat=True)),
        lambda w: {"name": "Another agency", "active": "on"},
    ),
    "vendor edit": Write(
        "post", "/vendors/{vendor}/", (LOGIN, 403, 404, 403, 403, 302, 403),
        lambda w: Vendor.objects.filter(pk=w["vendor"].pk).values_list("name", "active")[0],
        lambda w: {"name": "Renamed agency", "contact_name": "Vera"},
    ),
    "candidate edit (page)": Write(
        "post", "/candidates/{candidate}/edit/", (LOGIN, 403, 404, 403, 403, 302, 403),
        _candidate_card,
        lambda w: {"full_name": "Carla Renamed", "email": "carla@example.com",
                   "source": "direct", "positions": [w["position"].pk]},
    ),
    "candidate edit (API)": Write(
        "patch", "/api/candidates/{candidate}/", (401, 403, 404, 403, 403, 200, 403),
        _candidate_card, lambda w: {"full_name": "Carla Renamed", "phone": "+7 900 1"},
    ),
    "plan move": Write(
        "post", "/positions/{position}/plan/{plan_round}/move/",
        (LOGIN, 403, 404, 403, 403, 302, 403),
        lambda w: list(w["position"].plan_rounds.order_by("order").values_list("pk", flat=True)),
        lambda w: {"by": "1"},
    ),
    "calendar feed create": Write(
        "post", "/calendar/feed/new/", (LOGIN, 403, 404, 302, 302, 302, 302), _feeds,
        effect=_only_their_own,
    ),
    "calendar feed revoke": Write(
        "post", "/calendar/feed/revoke/", (LOGIN, 403, 404, 302, 302, 302, 302), _feeds,
        setup=_every_feed, effect=_only_their_own,
    ),
    "drive import": Write(
        "post", "/drives/{drive}/import/", (LOGIN, 403, 404, 403, 403, 302, 403),
        lambda w: (Drive.objects.get(pk=w["drive"].pk).status, Candidate.objects.count()),
    ),
    "drive discard": Write(
        "post", "/drives/{drive}/discard/", (LOGIN, 403, 404, 403, 403, 302, 403),
        lambda w: list(Drive.objects.values_list("pk", "status", "files")),
    ),
    # Opening a notice marks it read: someone else's is not found, and stays unread.
    "someone else's notice": Write(
        "get", "/notices/{notice}/", (LOGIN, 404, 404, 302, 404, 404, 404),
        lambda w: Notice.objects.get(pk=w["notice"].pk).read_at,
    ),
    "resume upload (page)": Write(
        "post", "/candidates/{candidate}/resume/", (LOGIN, 403, 404, 403, 403, 302, 403),
        lambda w: ResumeVersion.objects.filter(candidate=w["candidate"]).count(), _a_pdf,
    ),
    "resume upload (API)": Write(
        "post", "/api/candidates/{candidate}/resume/", (401, 403, 404, 403, 403, 201, 403),
        lambda w: ResumeVersion.objects.filter(candidate=w["candidate"]).count(),
        lambda w: {"file": _a_pdf(w)["resume"]},
    ),
}  # fmt: skip


def _send(client: Client, write: Write, url: str, world: dict[str, Any]) -> Any:
    body = write.body(world)
    if write.method == "patch":
        return client.patch(url, json.dumps(body), content_type="application/json")
    return getattr(client, write.method)(url, body)


@pytest.mark.parametrize("name", list(WRITES))
def test_writes(world, name: str) -> None:  # noqa: ANN001
    write = WRITES[name]
    write.setup(world)
    url = _url(write.url, world)
    allowed = {who for who, want in zip(PEOPLE, write.expected, strict=True)
               if isinstance(want, int) and want < 400}  # fmt: skip
    got: dict[str, Any] = {}
    for who in sorted(PEOPLE, key=lambda person: person in allowed):
        user = world["people"][who]
        before = write.state(world)
        got[who] = _outcome(_send(_client(user), write, url, world))
        after = write.state(world)
        if who not in allowed:
            assert after == before, (name, who, "changed what it may not")
        elif write.effect is not None:
            assert write.effect(before, after, user), (name, who, before, after)
        else:
            assert after != before, (name, who, "the allowed write changed nothing")
    assert tuple(got[who] for who in PEOPLE) == write.expected, got


# --- the personal socket (/ws/me/) --------------------------------------------------------------

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _cookie(user: Any) -> bytes:
    client = _client(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


async def _open_me(user: Any) -> WebsocketCommunicator:
    headers = [ORIGIN]
    if user is not None:
        headers.append((b"cookie", await database_sync_to_async(_cookie)(user)))
    communicator = WebsocketCommunicator(application, "/ws/me/", headers=headers)
    connected, _code = await communicator.connect(timeout=5)
    assert connected  # accepted, so that a close code reaches the browser
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_the_personal_socket_who_connects(world) -> None:  # noqa: ANN001
    """docs/protocol.md, "The personal socket": anonymous is closed with 4401, a candidate's
    account with 4403 (the fence); everyone signed in on the staff side, a person with no
    role too, is accepted and greeted."""
    got = {}
    for who in PEOPLE:
        me = await _open_me(world["people"][who])
        try:
            frame = await me.receive_output(timeout=3)
            got[who] = (
                frame["code"]
                if frame["type"] == "websocket.close"
                else (json.loads(frame["text"])["type"])
            )
        finally:
            await me.disconnect()
    assert got == {"anon": 4401, "nobody": "hello", "cand": 4403, "on": "hello",
                   "off": "hello", "rec": "hello", "mgr": "hello"}  # fmt: skip


@pytest.mark.django_db(transaction=True)
async def test_a_round_notice_reaches_only_the_people_on_the_round(
    world,
    lead,
    monkeypatch,  # noqa: ANN001
) -> None:
    """The final round is assigned to ``on`` with Lena assisting, after commit: their open
    pages get the notice; nobody else's (the interviewer off it, the recruiter who assigned
    it, the manager, the person with no role) gets anything."""
    monkeypatch.setattr("notify.services.queue_delivery", lambda outbox_id, countdown=None: None)
    people = {**world["people"], "assistant": lead}
    listening = {who: people[who] for who in ("nobody", "on", "assistant", "off", "rec", "mgr")}
    pages = {who: await _open_me(user) for who, user in listening.items()}
    try:
        for page in pages.values():
            assert json.loads((await page.receive_output(timeout=3))["text"])["type"] == "hello"
        final = await database_sync_to_async(world["interview"].rounds.get)(order=2)
        await database_sync_to_async(services.round_assign)(
            round_=final,
            by=people["rec"],
            interviewer=people["on"],
            assistants=[lead],
            starts_at=datetime(2026, 12, 9, 9, tzinfo=UTC),
        )
        for who in ("on", "assistant"):
            frame = json.loads(await pages[who].receive_from(timeout=5))
            assert frame["type"] == "notice", who
            assert frame["notice"]["kind"] == "round_assigned"
            assert frame["notice"]["link"] == f"/rounds/{final.pk}/"
        for who in ("nobody", "off", "rec", "mgr"):
            assert await pages[who].receive_nothing(timeout=0.5), who
    finally:
        for page in pages.values():
            await page.disconnect()
