"""A candidate's account reaches its own area only. Every URL pattern of the site is walked
(the URLconf resolved, its ids filled with real objects: a candidate card, a position and
its plan, an interview and its round, a live session and its decision's outbox row, a video
interview and the candidate's own invitation, the candidate's own notice and user row) as a
signed-in candidate, by GET and by POST: each answers 403 or 404 — never 200, never a
redirect into a staff page — except the candidates' own pages. Every WebSocket route refuses
them, and their API token is refused like a wrong one. Without the fence the same walk finds
pages a candidate could open (so the walk can fail)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from accounts.fence import CLOSE_CANDIDATE
from accounts.models import User
from notify.models import Notice, Outbox
from tests.factories import UserFactory
from tests.video_interviews import helpers

CANDIDATE_AREA = {
    "candidate_signup",
    "candidate_dashboard",
    "candidate_login",
    "candidate_logout",
    "candidate_confirm",
    "candidate_confirm_again",
    "candidate_interview_add",
    "candidate_interview",
    # The recording's JSON calls and its tus upload (tests/video_interviews/test_recording.py
    # shows each refuses everybody but the invitation's own candidate).
    "candidate_recording_state",
    "candidate_take_start",
    "candidate_take_keep",
    "candidate_take_stop",
    "candidate_uploads",
    "candidate_upload",
    # Outside the area, open to candidates: the language switch, logging out.
    "set_language",
    "logout",
}


@dataclass
class Route:
    route: str
    name: str | None


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield Route(prefix + str(pattern.pattern), pattern.name)


def _value(route: str, name: str, world: dict[str, Any]) -> str:
    """A real object's id (or code) for the parameter ``name`` of ``route``."""
    path = route.removeprefix("api/").lstrip("^")
    by_prefix = [
        ("admin/accounts/user/", world["candidate"].pk),
        ("admin/notify/outbox/", world["outbox"].pk),
        ("admin/video_interviews/videointerview/", world["video"].pk),
        ("admin/video_interviews/invitation/", world["invitation"].pk),
        ("candidates/", world["card"].pk),
        ("people/", world["rita"].pk),
        ("positions/", world["position"].pk),
        ("plan-rounds/", world["plan_round"].pk),
        ("rounds/", world["round"].pk),
        ("interviews/", world["interview"].pk),
        ("topics/", world["topic"].pk),
        ("questions/", world["question"].pk),
        ("users/", world["candidate"].pk),
        ("notices/", world["notice"].pk),
        ("video-interviews/invitations/", world["invitation"].pk),
        ("video-interviews/", world["video"].pk),
        ("candidate/interviews/", world["invitation"].pk),
        ("cabinet/notifications/", world["outbox"].pk),
        ("cabinet/candidates/", world["card"].pk),
        ("decisions/candidates/", world["card"].pk),
    ]
    if name in ("code",):
        return world["session"].code
    if name == "round_pk":
        return str(world["plan_round"].pk)
    if name == "version_id":
        return "1"
    if name == "kind":
        return "feedback"
    if name == "uidb64":
        return urlsafe_base64_encode(force_bytes(world["candidate"].pk))
    if name == "token":
        if route.startswith("set-password"):
            return default_token_generator.make_token(world["candidate"])
        return "x" * 20
    if name == "fmt":
        return "csv"
    if name == "app_label":
        return "accounts"
    if name in ("url",):
        return "accounts/user/"
    for prefix, pk in by_prefix:
        if path.startswith(prefix):
            return str(pk)
    return "1"


_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


def concrete(route: str, world: dict[str, Any]) -> str:
    path = _GROUP.sub(lambda m: _value(route, m.group("name"), world), route)
    path = _PARAM.sub(lambda m: _value(route, m.group("name"), world), path)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".")
    path = path.replace("[\\s\\S]*", "no-such-thing/")
    return "/" + path


@pytest.fixture
def world(rita, lead, manager, no_broker) -> dict[str, Any]:  # noqa: ANN001
    from interviews import services as interviews
    from tests.cabinet.helpers import new_session
    from tests.interviews.helpers import candidate_on, three_round_position

    position = three_round_position(rita, lead, lead, lead)
    card = candidate_on(position, rita)
    interview = interviews.interview_create(candidate=card, position=position, by=rita)
    session = new_session(lead, [])
    video = helpers.interview(rita, ("anna@example.com",))
    candidate = helpers.candidate("anna@example.com")
    from video_interviews import services

    invitation = services.invitation_accept(
        candidate=candidate, code=helpers.invitation(video).code
    )
    notice = Notice.objects.create(recipient=candidate, kind="reminder", title="Yours")
    topic = position.plan_rounds.get(kind="panel").topics.first()
    return {
        "rita": rita,
        "position": position,
        "plan_round": position.plan_rounds.first(),
        "card": card,
        "interview": interview,
        "round": interview.rounds.first(),
        "session": session,
        "topic": topic,
        "question": topic.questions.first(),
        "video": video,
        "candidate": candidate,
        "invitation": invitation,
        "notice": notice,
        "outbox": Outbox.objects.first(),
    }


def _walk(
    client: Client, world: dict[str, Any], methods: tuple[str, ...] = ("get", "post")
) -> tuple[list[str], int]:
    """Every route by ``methods``: (what a candidate could open, routes walked)."""
    offences, walked = [], 0
    for route in _routes(get_resolver().url_patterns):
        if route.name in CANDIDATE_AREA:
            continue
        path = concrete(route.route, world)
        match = resolve(path.split("?")[0])
        assert match.route == route.route or route.name is None or match.url_name == route.name, (
            route, path, match.route,
        )  # fmt: skip
        walked += 1
        for method in methods:
            response = getattr(client, method)(path)
            status = response.status_code
            if status in (403, 404, 405):
                continue
            if status in (301, 302, 303, 307, 308):
                location = response["Location"].split("?")[0]
                if location.startswith(settings.STATIC_URL):
                    continue  # a static file, no page
                if resolve(location).url_name in CANDIDATE_AREA:
                    continue
            offences.append(f"{method.upper()} {path} → {status}")
    return offences, walked


@pytest.mark.django_db
def test_a_candidate_opens_no_staff_url_of_the_whole_urlconf(world) -> None:  # noqa: ANN001
    client = helpers.signed_in(world["candidate"])
    offences, walked = _walk(client, world)
    assert walked > 250  # every pattern of the site, not a sample
    assert offences == []


@pytest.mark.django_db
def test_without_the_fence_the_walk_finds_pages_open_to_a_candidate(world, settings) -> None:  # noqa: ANN001
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "accounts.fence.CandidateFenceMiddleware"
    ]
    offences, _walked = _walk(helpers.signed_in(world["candidate"]), world, ("get",))
    # Pages that ask only "signed in?" (the profile, the notices, search) would let them in.
    assert any(o.startswith("GET /profile/ →") for o in offences), offences
    assert any("/notices/" in o for o in offences), offences


@pytest.mark.django_db
def test_the_candidates_own_pages_answer_them(world) -> None:  # noqa: ANN001
    client = helpers.signed_in(world["candidate"])
    assert client.get("/candidates/dashboard").status_code == 200
    assert client.get(f"/candidate/interviews/{world['invitation'].pk}/").status_code == 200
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/candidates/dashboard"
    assert client.get("/api/candidates/").json() == {
        "status": 404,
        "code": "not_found",
        "message": "Not found.",
    }


@pytest.mark.django_db
def test_the_candidates_pages_refuse_staff(world) -> None:  # noqa: ANN001
    client = helpers.signed_in(world["rita"])
    assert client.get("/candidates/dashboard").status_code == 403
    assert client.get(f"/candidate/interviews/{world['invitation'].pk}/").status_code == 403
    assert client.post("/candidate/interviews/add/", {"code": "123456"}).status_code == 403
    assert client.get("/signup").status_code == 403
    # And the dashboard's path is never a staff candidate's page.
    assert resolve("/candidates/dashboard").url_name == "candidate_dashboard"
    assert resolve(f"/candidates/{world['card'].pk}/").url_name == "candidate_detail"


@pytest.mark.django_db
def test_a_candidates_api_token_is_refused_like_a_wrong_one(world) -> None:  # noqa: ANN001
    token = Token.objects.create(user=world["candidate"])
    refused = Client().get("/api/candidates/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"
    staff = Token.objects.create(user=world["rita"])
    allowed = Client().get("/api/candidates/", HTTP_AUTHORIZATION=f"Token {staff.key}")
    assert allowed.status_code == 200


def test_the_database_refuses_a_candidate_who_is_staff(db) -> None:  # noqa: ANN001
    from django.db import IntegrityError, transaction

    for flags in ({"is_staff": True}, {"is_superuser": True}):
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create(username=f"c{len(flags)}", kind="candidate", **flags)
    UserFactory(username="staffer", is_staff=True)  # staff may be staff


# --- sockets --------------------------------------------------------------------------------

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _socket_paths(world: dict[str, Any]) -> list[str]:
    from config.routing import websocket_urlpatterns

    paths = []
    for pattern in websocket_urlpatterns:
        route = str(pattern.pattern)
        paths.append(concrete(route, world))
    return paths


@pytest.mark.django_db(transaction=True)
async def test_every_socket_route_closes_a_candidates_socket(world) -> None:  # noqa: ANN001
    from config.asgi import application

    def cookie_of(user: Any) -> bytes:
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        return f"{name}={client.cookies[name].value}".encode()

    cookie = await database_sync_to_async(cookie_of)(world["candidate"])
    paths = await database_sync_to_async(_socket_paths)(world)
    assert {"/ws/me/", "/ws/cabinet/", f"/ws/sessions/{world['session'].code}/"} <= set(paths)
    for path in paths:
        socket = WebsocketCommunicator(application, path, headers=[ORIGIN, (b"cookie", cookie)])
        connected, _subprotocol = await socket.connect(timeout=5)
        assert connected, path
        closed = await socket.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": CLOSE_CANDIDATE}, path
        await socket.disconnect()
    # A staff member's socket on the same routes is served (the fence lets them through).
    staff_cookie = await database_sync_to_async(cookie_of)(world["rita"])
    socket = WebsocketCommunicator(
        application, "/ws/me/", headers=[ORIGIN, (b"cookie", staff_cookie)]
    )
    connected, _subprotocol = await socket.connect(timeout=5)
    assert connected
    hello = await socket.receive_json_from(timeout=5)
    assert hello["type"] == "hello"
    await socket.disconnect()
