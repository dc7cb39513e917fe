"""Pages of the live session: create with the candidate card, join by code, results, resume."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import arbiter
from candidates.models import Candidate
from sessions_live import services
from sessions_live.codes import ALPHABET, normalise_code
from sessions_live.models import LiveSession, Membership
from tests.factories import QuestionFactory, TopicFactory
from tests.sessions_live.aim import aimed
from tests.sessions_live.conftest import make_session

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _form(topics, **extra):  # noqa: ANN001, ANN003, ANN202
    data = {
        "full_name": "Carla Candidate",
        "email": "carla@example.com",
        "shuffle": "0",
        "intro_text": "Welcome",
        "closing_text": "Thanks",
    }
    for position, (topic, minutes) in enumerate(topics, start=1):
        data[f"topic_{topic.pk}_on"] = "on"
        data[f"topic_{topic.pk}_position"] = str(position)
        data[f"topic_{topic.pk}_minutes"] = str(minutes)
    data.update(extra)
    return data


def test_an_interviewer_creates_a_session_and_becomes_its_lead(client: Client, lead) -> None:  # noqa: ANN001
    python, django = TopicFactory(name="Python"), TopicFactory(name="Django")
    QuestionFactory(topic=python)
    client.force_login(lead)
    assert client.get("/sessions/new/").status_code == 200
    # Django listed second on the page but ordered first by the lead.
    data = _form([(django, 15), (python, 0.5)], resume=SimpleUploadedFile("cv.pdf", PDF))
    response = client.post("/sessions/new/", data)
    session = LiveSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/s/{session.code}/"
    assert re.fullmatch(rf"[{ALPHABET}]{{3}}-[{ALPHABET}]{{3}}-[{ALPHABET}]{{3}}", session.code)
    assert session.lead == lead
    assert Membership.objects.filter(session=session, user=lead).exists()
    state = arbiter.SessionState.from_json(session.state)
    assert [(t.name, t.seconds) for t in state.topics] == [("Django", 900), ("Python", 30)]
    candidate = session.candidate
    assert candidate.email == "carla@example.com"
    assert candidate.resume.read() == PDF
    assert candidate.events.filter(kind="created").exists()
    page = client.get(f"/s/{session.code}/")
    assert session.code in page.content.decode()
    assert f"/s/{session.code}/join/" in page.content.decode()  # the shareable link


def test_the_code_has_at_least_40_random_bits_and_is_forgiving_to_type() -> None:
    assert 9 * __import__("math").log2(len(ALPHABET)) >= 40
    assert normalise_code("k7m pq4 xr9") == "K7M-PQ4-XR9"
    assert normalise_code("K7M-PQ4-XR") is None
    assert normalise_code("O0O-111-III") is None  # letters a panel would mishear are not used


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (SimpleUploadedFile("cv.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100), "not a PDF"),
        (
            SimpleUploadedFile("cv.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"%%EOF"),
            "the limit is",
        ),
    ],
)
def test_a_wrong_resume_is_refused_with_a_reason_and_nothing_is_saved(
    client: Client, lead, upload, reason
) -> None:  # noqa: ANN001
    topic = TopicFactory()
    client.force_login(lead)
    response = client.post("/sessions/new/", _form([(topic, 10)], resume=upload))
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not Candidate.objects.exists()
    assert not LiveSession.objects.exists()


def test_the_form_requires_an_email_and_a_topic(client: Client, lead) -> None:  # noqa: ANN001
    client.force_login(lead)
    response = client.post(
        "/sessions/new/", {"full_name": "X", "shuffle": "0", "intro_text": "a", "closing_text": "b"}
    )
    assert response.status_code == 200
    assert "Pick at least one topic." in response.content.decode()
    assert response.context["form"].errors["email"]
    assert not LiveSession.objects.exists()


def test_only_interviewers_create_or_join(client: Client, manager) -> None:  # noqa: ANN001
    client.force_login(manager)
    assert client.get("/sessions/new/").status_code == 403
    assert client.get("/sessions/join/").status_code == 403


def test_joining_by_a_typed_code_makes_a_member(client: Client, lead, ann) -> None:  # noqa: ANN001
    session = make_session(lead, [])
    client.force_login(ann)
    typed = session.code.lower().replace("-", " ")
    response = client.post("/sessions/join/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/s/{session.code}/"
    assert Membership.objects.filter(session=session, user=ann).exists()
    state = arbiter.SessionState.from_json(LiveSession.objects.get(pk=session.pk).state)
    assert ann.pk in {m.id for m in state.members}


def test_an_unknown_code_says_so(client: Client, ann) -> None:  # noqa: ANN001
    client.force_login(ann)
    response = client.post("/sessions/join/", {"code": "ZZZ-ZZZ-ZZZ"})
    assert "No session has this code" in response.content.decode()
    bad = client.post("/sessions/join/", {"code": "hello"})
    assert "That is not a session code" in bad.content.decode()


def test_the_join_link_asks_before_joining(client: Client, lead, ann) -> None:  # noqa: ANN001
    session = make_session(lead, [])
    client.force_login(ann)
    page = client.get(f"/s/{session.code}/join/")
    assert page.status_code == 200
    assert "Join this session" in page.content.decode()
    assert not Membership.objects.filter(session=session, user=ann).exists()  # GET changes nothing
    assert client.post(f"/s/{session.code}/join/").status_code == 302
    assert Membership.objects.filter(session=session, user=ann).exists()
    assert client.get(f"/s/{session.code}/join/")["Location"] == f"/s/{session.code}/"


def test_a_non_member_is_sent_to_the_join_page(client: Client, lead, outsider) -> None:  # noqa: ANN001
    session = make_session(lead, [])
    client.force_login(outsider)
    assert client.get(f"/s/{session.code}/")["Location"] == f"/s/{session.code}/join/"


def _run_to_finish(session, lead, ann, bob):  # noqa: ANN001, ANN202
    """Drive a session through the services, as the socket would."""
    state = arbiter.SessionState.from_json(LiveSession.objects.get(pk=session.pk).state)
    first, second = (t.id for t in state.topics)
    n = iter(range(1000))

    def do(command_type, actor, **args):  # noqa: ANN001, ANN003, ANN202
        frame = aimed(session.pk, {"type": command_type, "id": f"c{next(n)}", **args})
        outcome = services.session_command(
            session_id=session.pk, command=arbiter.command_from_frame(actor.pk, frame)
        )
        assert not isinstance(outcome, arbiter.Refused), outcome
        return outcome

    do("claim.set", ann, topic_id=first, claimed=True)
    do("claim.set", bob, topic_id=second, claimed=True)
    do("session.start", lead)
    do("blocks.begin", lead)
    do("question.next", ann, score=4, note="solid")
    do("question.skip", ann)
    do("block.yield", ann)
    do("question.next", bob, score=2, note="")
    do("block.yield", bob)
    do("feedback.submit", ann, summary="Good on topic 1", items={})
    do("session.finish", lead)
    return do


def test_results_open_to_members_after_the_end_and_to_managers_always(
    client: Client, lead, ann, bob, manager, outsider
) -> None:  # noqa: ANN001
    session = make_session(lead, [ann, bob])
    client.force_login(manager)
    assert client.get(f"/s/{session.code}/results/").status_code == 200
    client.force_login(ann)
    assert client.get(f"/s/{session.code}/results/").status_code == 403  # not finished yet

    do = _run_to_finish(session, lead, ann, bob)
    do("feedback.submit", bob, summary="Weak on topic 2", items={})
    page = client.get(f"/s/{session.code}/results/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "4 / 5" in body and "2 / 5" in body and "skipped" in body
    assert "Good on topic 1" in body and "Weak on topic 2" in body
    row = LiveSession.objects.get(pk=session.pk)
    assert row.ready_for_decision is True
    assert row.asked.filter(score=4, note="solid").exists()  # the report rows were written
    assert row.feedback.count() == 2
    assert row.candidate.status == Candidate.Status.INTERVIEWING
    client.force_login(outsider)
    assert client.get(f"/s/{session.code}/results/").status_code == 403


def test_the_resume_is_served_only_to_members_and_managers(
    client: Client, lead, ann, manager, outsider
) -> None:  # noqa: ANN001
    topic = TopicFactory()
    client.force_login(lead)
    client.post("/sessions/new/", _form([(topic, 10)], resume=SimpleUploadedFile("my cv.pdf", PDF)))
    session = LiveSession.objects.get()
    url = f"/s/{session.code}/resume/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"]
    client.force_login(manager)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    with pytest.raises(ValueError):
        session.candidate.resume.url  # noqa: B018 - there is no public URL at all
    client.logout()
    assert client.get(url).status_code == 302


def test_a_session_nobody_watched_catches_up_when_someone_connects(lead, ann, bob, clock) -> None:  # noqa: ANN001
    session = make_session(lead, [ann, bob], seconds=(1, 1))
    began = clock.now()
    state = arbiter.SessionState.from_json(session.state)
    first, second = (t.id for t in state.topics)
    for actor, frame in [
        (ann, {"type": "claim.set", "id": "1", "topic_id": first, "claimed": True}),
        (bob, {"type": "claim.set", "id": "2", "topic_id": second, "claimed": True}),
        (lead, {"type": "session.start", "id": "3"}),
        (lead, {"type": "blocks.begin", "id": "4"}),
    ]:
        services.session_command(
            session_id=session.pk, command=arbiter.command_from_frame(actor.pk, frame)
        )
    clock.move(1.9)  # the first deadline passes with no process awake
    assert LiveSession.objects.get(pk=session.pk).phase == "blocks"
    clock.move(0.2)  # and the second
    assert LiveSession.objects.get(pk=session.pk).phase == "blocks"
    snapshot = services.session_snapshot(session_id=session.pk)
    assert snapshot["phase"] == "closing"
    assert LiveSession.objects.get(pk=session.pk).phase == "closing"
    # Each block ended at its deadline, not when someone looked.
    caught_up = arbiter.SessionState.from_json(snapshot)
    assert [b.ended_at for b in caught_up.blocks] == [began + 1, began + 2]
    assert caught_up.closing_at == began + 2


def test_questions_taken_into_a_session_become_used(lead, ann) -> None:  # noqa: ANN001
    session = make_session(lead, [ann], seconds=(60,))
    state = arbiter.SessionState.from_json(session.state)
    services.session_command(
        session_id=session.pk,
        command=arbiter.command_from_frame(
            ann.pk,
            {"type": "claim.set", "id": "1", "topic_id": state.topics[0].id, "claimed": True},
        ),
    )
    from questionbank.models import Question

    assert not Question.objects.filter(first_used_at__isnull=False).exists()
    services.session_command(
        session_id=session.pk,
        command=arbiter.command_from_frame(lead.pk, {"type": "session.start", "id": "2"}),
    )
    assert (
        Question.objects.filter(topic_id=state.topics[0].id, first_used_at__isnull=True).count()
        == 0
    )
