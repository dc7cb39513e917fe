"""API fixtures: the named people plus a recruiter and someone with no role, a small world
(a session led by Lena with Ann on the panel, a used and an unused question), and clients."""

from __future__ import annotations

import copy
import itertools
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

import arbiter
from cabinet import services as cabinet
from cabinet.models import RejectionReason, Team
from candidates.models import Position, Vendor
from sessions_live import services as live
from sessions_live.models import LiveSession
from tests.conftest import made_once, person
from tests.factories import QuestionFactory, TopicFactory, UserFactory
from tests.sessions_live.aim import aimed
from tests.sessions_live.conftest import make_session

_ids = itertools.count()


def send(session: LiveSession, actor: Any, kind: str, **fields: Any) -> None:
    frame = aimed(session.pk, {"type": kind, "id": f"api-{next(_ids)}", **fields})
    outcome = live.session_command(
        session_id=session.pk, command=arbiter.command_from_frame(actor.pk, frame)
    )
    assert not isinstance(outcome, arbiter.Refused), outcome


def ready_session(lead: Any, member: Any, name: str) -> LiveSession:
    """A session run to the end by the real services: ``member`` asks one question of the
    one topic, the lead finishes, the member's feedback is in: ready for a decision."""
    topic = TopicFactory(name=f"{name} topic")
    QuestionFactory(topic=topic, text=f"{name} question?")
    session = live.session_create(
        lead=lead,
        candidate_fields={"full_name": f"{name} Candidate", "email": "c@example.com"},
        resume=None,
        topics=[live.TopicChoice(topic=topic, seconds=600)],
        shuffle=False,
        intro_text="Hi",
        closing_text="Bye",
    )
    live.session_join(session=session, user=member)
    send(session, member, "claim.set", topic_id=topic.pk, claimed=True)
    send(session, lead, "session.start")
    send(session, lead, "blocks.begin")
    send(session, member, "question.next", score=4, note="fine")
    send(session, member, "block.yield")
    send(session, lead, "session.finish")
    send(session, member, "feedback.submit", summary="Solid", items={})
    session.refresh_from_db()
    assert session.ready_for_decision
    return session


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return person("recruiter")


@pytest.fixture
def nobody(roles):  # noqa: ANN001, ANN201
    return person("nobody")


@pytest.fixture
def admin_user(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="root", is_staff=True, is_superuser=True)


WORLD_PEOPLE = ("lead", "ann", "outsider", "manager", "editor", "recruiter", "nobody")


def make_world(lead, ann, outsider, manager, editor, recruiter, nobody):  # noqa: ANN001, ANN201, PLR0913
    """A session led by Lena with Ann on the panel, a used and an unused question, an empty
    topic, a team, a rejection reason, a decided session and one ready for a decision, a
    position and a vendor, and the people by role."""
    session = make_session(lead, [ann])
    spare = TopicFactory(name="Spare topic", description="Nobody asked it yet")
    unused = QuestionFactory(topic=spare, text="An unused question?")
    used = QuestionFactory(topic=spare, text="A used question?", first_used_at=timezone.now())
    team = Team.objects.create(name="Platform")
    reason = RejectionReason.objects.create(name="Weak SQL")
    decided = cabinet.decision_make(
        session=ready_session(lead, ann, "Decided"), manager=manager, outcome="hire", team=team
    )
    position = Position.objects.create(title="Backend engineer", team="Platform")
    vendor = Vendor.objects.create(name="Talent Bridge", contact_email="hi@example.com")
    return {
        "position": position.pk,
        "vendor": vendor.pk,
        "user": nobody.pk,  # someone a superuser may change (roles, deactivation)
        "session": session,
        "code": session.code,
        "candidate": session.candidate_id,
        "topic": spare.pk,
        "empty_topic": TopicFactory(name="Empty topic").pk,
        "unused": unused.pk,
        "used": used.pk,
        "team": team.pk,
        "reason": reason.pk,
        "ready": ready_session(lead, ann, "Ready").code,
        "decision": decided.pk,
        "people": {
            "member": ann,
            "outsider": outsider,
            "manager": manager,
            "editor": editor,
            "recruiter": recruiter,
            "nobody": nobody,
            "anonymous": None,
        },
    }


@pytest.fixture
def world(lead, ann, outsider, manager, editor, recruiter, nobody):  # noqa: ANN001, ANN201
    return make_world(lead, ann, outsider, manager, editor, recruiter, nobody)


@pytest.fixture(scope="module")
def world_once(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    """``make_world()`` once for a module whose tests only read it or change it in their
    own transaction (see ``made_once``); its tests take ``world_copy`` as ``world``."""
    yield from made_once(django_db_blocker, lambda: make_world(*map(person, WORLD_PEOPLE)))


@pytest.fixture
def world_copy(world_once, db):  # noqa: ANN001, ANN201
    return copy.deepcopy(world_once)


@pytest.fixture(autouse=True)
def fresh_rate_counts(settings):  # noqa: ANN001, ANN201
    """Each test counts API requests from zero: its own key prefix in the shared cache."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    }


@pytest.fixture
def api() -> Callable[[Any], APIClient]:
    """A client for a person: session login, or their token with ``token=True``."""

    def _client(user: Any, *, token: bool = False) -> APIClient:
        client = APIClient()
        if user is not None:
            if token:
                key = Token.objects.get_or_create(user=user)[0].key
                client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            else:
                client.force_login(user)
        return client

    return _client
