"""The session page: candidate card and resume, every interviewer's scores and feedback,
per-topic totals against max points with a chart, and flags where interviewers diverge."""

from __future__ import annotations

import json
import re

from django.test import Client

from cabinet import services
from notify.models import Outbox
from sessions_live.models import LiveSession
from tests.cabinet.helpers import ready_session, topics


def test_the_page_shows_the_card_scores_feedback_and_topic_totals_with_a_chart(
    client: Client, lead, ann, bob, manager
) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob, scores=((4, 3), (1,)), hr_email="hr@example.com")
    client.force_login(manager)
    body = client.get(f"/cabinet/s/{session.code}/").content.decode()
    assert "Carla Candidate" in body and "carla@example.com" in body and "hr@example.com" in body
    assert "No resume uploaded." in body
    assert "Ann thinks so" in body and "Bob thinks so" in body  # every interviewer's feedback
    assert body.count('class="asked"') == 3 and "note 4" in body  # every question with its note
    # Per topic: points against max points, in the table and in the chart.
    rows = re.findall(
        r'<tr data-topic="([^"]+)"><td>[^<]+</td><td>([^<]+)</td><td class="score">(\d+)</td><td class="max">(\d+)</td>',
        body,
    )
    assert [(owner, int(score), int(top)) for _t, owner, score, top in rows] == [
        ("Ann Panel", 7, 10),
        ("Bob Panel", 1, 5),
    ]
    # The chart's numbers go to Chart.js as JSON (json_script: no inline script), axis titled.
    data = json.loads(
        re.search(r'<script id="chart-topics-data" type="application/json">(.*?)</script>', body)[1]
    )
    assert data["horizontal"] is True and data["stacked"] is False
    assert data["title"] == "Expected vs actual points per topic"
    assert [(s["name"], s["values"]) for s in data["series"]] == [
        ("Expected (max points)", [10, 5]),
        ("Actual", [7, 1]),
    ]
    assert 'data-chart="chart-topics-data" data-x-title="Points" data-y-title="Topic"' in body
    assert "<svg" not in body and "vendor/chart.umd.min.js" in body
    assert 'id="grand-score">8<' in body and 'id="grand-max">15<' in body
    assert 'id="decision-form"' in body


def test_the_resume_link_is_there_when_a_resume_was_uploaded(
    client: Client, lead, ann, bob, manager
) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob)
    LiveSession.objects.get(pk=session.pk).candidate.__class__.objects.filter(
        pk=session.candidate_id
    ).update(resume="resumes/x.pdf")
    client.force_login(manager)
    assert (
        f"/s/{session.code}/resume/" in client.get(f"/cabinet/s/{session.code}/").content.decode()
    )


def test_topics_that_interviewers_scored_far_apart_are_flagged(
    client: Client, lead, ann, bob, manager
) -> None:  # noqa: ANN001
    shared = topics(2)
    # Round one: Ann gives Topic A 9 of 10; Bob gives Topic B 5 of 5.
    first = ready_session(lead, ann, bob, scores=((5, 4), (5,)), with_topics=shared)
    # Round two for the same candidate, roles swapped: Bob 2 of 10 on A, Ann 4 of 5 on B.
    second = ready_session(lead, bob, ann, scores=((1, 1), (4,)), with_topics=shared)
    LiveSession.objects.filter(pk=second.pk).update(candidate=first.candidate)
    client.force_login(manager)
    body = client.get(f"/cabinet/s/{second.code}/").content.decode()
    flagged = re.findall(r'<li class="divergence" data-topic="([^"]+)">', body)
    # A: 90% vs 20% is flagged; B: 100% vs 80% is ordinary disagreement.
    assert flagged == [shared[0].name]
    assert (
        "70 points of 100 apart" in body
        and "Ann Panel: 9 / 10 (90%)" in body
        and "Bob Panel: 2 / 10 (20%)" in body
    )


def test_each_notification_shows_status_attempts_and_last_error_with_retry_for_failed(
    client: Client, lead, ann, bob, manager, platform, no_broker
) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob, hr_email="hr@example.com", hr_chat="4242")
    services.decision_make(session=session, manager=manager, outcome="hire", team=platform)
    Outbox.objects.filter(channel="telegram").update(
        status="failed", attempts=1, last_error="Forbidden: bot was blocked by the user"
    )
    Outbox.objects.filter(channel="email").update(status="sent", attempts=2)
    client.force_login(manager)
    body = client.get(f"/cabinet/s/{session.code}/").content.decode()
    telegram = Outbox.objects.get(channel="telegram")
    assert "Forbidden: bot was blocked by the user" in body
    assert f'action="/cabinet/notifications/{telegram.pk}/retry/"' in body
    assert body.count("/retry/") == 1  # only the failed row has the button
    index = client.get("/cabinet/").content.decode()
    # Each status is a sign and a word, not a colour alone.
    text = re.sub(r"<[^>]+>", "", index)
    assert "✗Telegram: failed" in text and "✓e-mail: sent" in text

    response = client.post(f"/cabinet/notifications/{telegram.pk}/retry/")
    assert response.status_code == 302
    telegram.refresh_from_db()
    assert (telegram.status, telegram.attempts) == ("pending", 0)
    # A row that is not failed is not retried.
    email = Outbox.objects.get(channel="email")
    client.post(f"/cabinet/notifications/{email.pk}/retry/")
    email.refresh_from_db()
    assert email.status == "sent"
