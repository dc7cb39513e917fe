"""What the API answers: pages, filters, ordering, error bodies, sessions and their results,
and the schema with its docs served from the installed package."""

from __future__ import annotations

import itertools
import re

import pytest
from django.contrib.staticfiles import finders

import arbiter
from candidates.models import Candidate
from questionbank.models import Question
from sessions_live import services as live
from sessions_live.models import LiveSession
from tests.factories import QuestionFactory, TopicFactory
from tests.sessions_live.aim import aimed

pytestmark = pytest.mark.django_db
_ids = itertools.count()


def send(session, actor, kind: str, **fields) -> None:  # noqa: ANN001
    frame = aimed(session.pk, {"type": kind, "id": f"api-{next(_ids)}", **fields})
    outcome = live.session_command(
        session_id=session.pk, command=arbiter.command_from_frame(actor.pk, frame)
    )
    assert not isinstance(outcome, arbiter.Refused), outcome


def test_lists_are_paged(api, editor) -> None:  # noqa: ANN001
    topic = TopicFactory()
    for n in range(60):
        QuestionFactory(topic=topic, text=f"Q{n:02d}?")
    first = api(editor).get("/api/questions/").json()
    assert first["count"] == 60 and len(first["results"]) == 50 and first["previous"] is None
    assert "page=2" in first["next"]
    small = api(editor).get("/api/questions/?page_size=7&page=2").json()
    assert [q["text"] for q in small["results"]] == [f"Q{n:02d}?" for n in range(7, 14)]
    assert api(editor).get("/api/questions/?page=99").json()["code"] == "not_found"


def test_questions_filter_and_order(api, editor) -> None:  # noqa: ANN001
    sql, go = TopicFactory(name="SQL"), TopicFactory(name="Go")
    QuestionFactory(topic=sql, text="Joins?", difficulty="easy", max_points=3)
    QuestionFactory(topic=sql, text="Indexes?", difficulty="hard", max_points=9)
    retired = QuestionFactory(topic=go, text="Channels?", difficulty="hard")
    retired.retire()
    client = api(editor)

    def texts(query: str) -> list[str]:
        return [q["text"] for q in client.get(f"/api/questions/?{query}").json()["results"]]

    assert texts(f"topic={sql.pk}&ordering=-max_points") == ["Indexes?", "Joins?"]
    assert texts("difficulty=hard&active=true") == ["Indexes?"]
    assert texts("active=false") == ["Channels?"]
    assert texts("q=join") == ["Joins?"]
    assert texts("used=false&ordering=text") == ["Channels?", "Indexes?", "Joins?"]
    assert client.get("/api/questions/?difficulty=brutal").json()["errors"]["difficulty"]


def test_errors_share_one_body(api, editor) -> None:  # noqa: ANN001
    client = api(editor)
    invalid = client.post("/api/topics/", {"name": "", "default_minutes": 999}, format="json")
    assert invalid.status_code == 400
    body = invalid.json()
    assert (body["status"], body["code"]) == (400, "invalid")
    assert set(body["errors"]) == {"name", "default_minutes"}
    missing = client.get("/api/no-such-thing/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert client.get("/api/topics/abc/").json()["status"] == 404


def test_used_questions_are_retired_not_deleted_or_rewritten(api, editor) -> None:  # noqa: ANN001
    from django.utils import timezone

    used = QuestionFactory(first_used_at=timezone.now())
    client = api(editor)
    refused = client.delete(f"/api/questions/{used.pk}/")
    assert refused.status_code == 409 and refused.json()["code"] == "used"
    assert (
        client.patch(f"/api/questions/{used.pk}/", {"text": "New"}, format="json").status_code
        == 409
    )
    assert (
        client.patch(f"/api/questions/{used.pk}/", {"max_points": 9}, format="json").status_code
        == 200
    )
    retired = client.post(f"/api/questions/{used.pk}/retire/").json()
    assert retired["active"] is False and retired["retired_at"]
    assert Question.objects.filter(pk=used.pk).exists()


def test_a_topic_in_use_is_kept(api, editor) -> None:  # noqa: ANN001
    topic = QuestionFactory().topic
    response = api(editor).delete(f"/api/topics/{topic.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "in_use"
    duplicate = api(editor).post("/api/topics/", {"name": topic.name}, format="json")
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate"


def test_an_interviewer_creates_a_session_as_the_page_does(api, lead) -> None:  # noqa: ANN001
    sql, go = TopicFactory(name="SQL"), TopicFactory(name="Go")
    body = {
        "candidate": {
            "full_name": "Dana Doe",
            "email": "dana@example.com",
            "hr_telegram_chat_id": "-100123",
        },
        "topics": [{"topic": go.pk, "seconds": 450}, {"topic": sql.pk, "seconds": 600}],
        "shuffle": True,
    }
    response = api(lead, token=True).post("/api/sessions/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}-[A-Z0-9]{3}", created["code"])
    assert created["lead"] == {"id": lead.pk, "name": "Lena Lead"}
    assert [(t["name"], t["seconds"]) for t in created["topics"]] == [("Go", 450), ("SQL", 600)]
    assert created["members"] == [{"id": lead.pk, "name": "Lena Lead"}]
    session = LiveSession.objects.get(code=created["code"])
    assert session.lead == lead and session.state["shuffle"] is True
    assert Candidate.objects.get(pk=session.candidate_id).created_by == lead

    twice = {**body, "topics": [{"topic": go.pk, "seconds": 300}] * 2}
    assert api(lead).post("/api/sessions/", twice, format="json").json()["errors"]["topics"]


def test_results_follow_the_results_page(api, lead, ann, manager) -> None:  # noqa: ANN001
    from tests.sessions_live.conftest import make_session

    session = make_session(lead, [ann], seconds=(600,))
    url = f"/api/sessions/{session.code}/results/"
    early = api(ann).get(url)
    assert early.status_code == 403 and early.json()["code"] == "not_finished"
    assert api(manager).get(url).status_code == 200

    topic_id = session.state["topics"][0]["id"]
    send(session, ann, "claim.set", topic_id=topic_id, claimed=True)
    send(session, lead, "session.start")
    send(session, lead, "blocks.begin")
    send(session, ann, "question.next", score=4, note="solid")
    send(session, ann, "block.yield")
    send(session, lead, "session.finish")
    results = api(ann).get(url).json()
    assert results["finished"] is True
    assert results["blocks"][0]["questions"][0]["score"] == 4
    assert results["names"][str(ann.pk)] == "Ann Panel"


def test_the_schema_and_its_docs_are_served_without_a_cdn(api, editor) -> None:  # noqa: ANN001
    client = api(editor)
    schema = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/topics/", "/api/questions/", "/api/sessions/{code}/results/"} <= set(
        document["paths"]
    )
    assert "Error" in str(document["components"]["schemas"])
    docs = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert any("swagger-ui-dist/swagger-ui-bundle.js" in url for url in assets)
    for url in assets:
        assert url.startswith("/"), url  # nothing from another host
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    assert "cdn" not in docs.lower()
    assert api(None).get("/api/schema/").status_code == 401
