"""Reminders through the outbox, one row per recipient, each exactly once: before an interview
(24 h and 1 h by default) to everyone on it, and of overdue feedback (a one-to-one round not
rated 24 h after its end, then daily, three times at most) to its interviewer; stopping once
the round is rated or cancelled. Time is frozen (time-machine) and walked across the window
in the beat's steps."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from interviews import reminders, services
from interviews.models import ReminderSent, Round
from interviews.tasks import reminders_due as reminders_task
from notify.models import Notice, Outbox
from tests.factories import UserFactory
from tests.interviews.helpers import candidate_on, three_round_position

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def rounds(recruiter, ann, lead, bob) -> list[Round]:  # noqa: ANN001
    """Carla's round 1 (one-to-one, Ann with Bob assisting) on Monday 09:00–10:00 UTC; round
    2 (panel, Lena) on Tuesday; round 3 not scheduled."""
    with time_machine.travel(MONDAY - timedelta(days=3), tick=False):
        position = three_round_position(recruiter, ann, lead, bob)
        carla = candidate_on(position, recruiter)
        interview = services.interview_create(candidate=carla, position=position, by=recruiter)
        first, second, _third = interview.rounds.order_by("order")
        services.round_assign(
            round_=first, by=recruiter, interviewer=ann, assistants=[bob], starts_at=MONDAY
        )
        services.round_assign(
            round_=second, by=recruiter, interviewer=lead, starts_at=MONDAY + timedelta(days=1)
        )
    Outbox.objects.all().delete()  # the assignment e-mails: not what is counted here
    Notice.objects.all().delete()
    return list(interview.rounds.order_by("order"))


def walk(start: datetime, end: datetime, step: timedelta = STEP) -> list[tuple[datetime, list]]:
    """Call the beat's job at every step from ``start`` to ``end``; what each call sent."""
    sent, now = [], start
    while now <= end:
        with time_machine.travel(now, tick=False):
            done = reminders.reminders_due(now=now)
        if done:
            sent.append((now, done))
        now += step
    return sent


def of(round_: Round, sent: list[tuple[datetime, list]]) -> list[tuple[datetime, str, str]]:
    """(when, kind, which) of what ``walk`` sent for ``round_`` alone."""
    return [
        (at, d.kind, d.slot.split("@")[0])
        for at, done in sent
        for d in done
        if d.round_id == round_.pk
    ]


def reminder_rows(**filters) -> list[Outbox]:  # noqa: ANN003
    return list(Outbox.objects.filter(kind="reminder", **filters).order_by("id"))


def test_before_an_interview_everyone_on_it_is_reminded_24_h_and_1_h_before_exactly_once(
    rounds,  # noqa: ANN001
) -> None:
    first, second, _third = rounds
    sent = walk(MONDAY - timedelta(days=2), MONDAY + timedelta(hours=2))
    firsts = [
        (at, [d.slot.split("@")[0] for d in done if d.round_id == first.pk]) for at, done in sent
    ]
    firsts = [(at, slots) for at, slots in firsts if slots]
    assert firsts == [
        (MONDAY - timedelta(hours=24), ["1440m"]),
        (MONDAY - timedelta(hours=1), ["60m"]),
    ]
    rows = reminder_rows(subject__contains="“Screening”")
    assert Counter(r.recipient for r in rows) == {"ann@example.com": 2, "bob@example.com": 2}
    assert all(r.subject.startswith("Reminder: Round 1 “Screening”") for r in rows)
    assert "Your interview is coming up." in rows[0].body_text
    # The panel round the day after had its 24 h reminder in this window, to Lena alone.
    panel = reminder_rows(subject__contains="Technical panel")
    assert [r.recipient for r in panel] == ["lena@example.com"]
    assert Notice.objects.filter(kind="reminder", recipient__username="ann").count() == 2
    # Asked again at the same moments: nothing more.
    assert reminders.reminders_due(now=MONDAY - timedelta(hours=1)) == []
    assert ReminderSent.objects.filter(round=first).count() == 2


def test_a_late_run_sends_only_the_nearest_reminder(rounds) -> None:  # noqa: ANN001
    first = rounds[0]
    done = reminders.reminders_due(now=MONDAY - timedelta(minutes=30))
    assert [(d.round_id, d.slot.split("@")[0]) for d in done] == [(first.pk, "60m")]
    assert of(first, walk(MONDAY - timedelta(minutes=25), MONDAY + timedelta(minutes=30))) == []
    assert len(reminder_rows(subject__contains="“Screening”")) == 2  # Ann and Bob, once


def test_a_rescheduled_round_is_reminded_again_for_its_new_time(
    rounds, recruiter, ann, bob
) -> None:  # noqa: ANN001
    first = rounds[0]
    walk(MONDAY - timedelta(hours=25), MONDAY - timedelta(hours=23))
    assert len(reminder_rows()) == 2
    later = MONDAY + timedelta(days=2)
    with time_machine.travel(MONDAY - timedelta(hours=22), tick=False):
        services.round_assign(
            round_=first, by=recruiter, interviewer=ann, assistants=[bob], starts_at=later
        )
    Outbox.objects.filter(kind="assignment").delete()
    old_time = walk(MONDAY - timedelta(hours=22), MONDAY + timedelta(hours=1))
    assert of(first, old_time) == []
    sent = walk(later - timedelta(hours=25), later - timedelta(hours=23))
    assert of(first, sent) == [(later - timedelta(hours=24), "before", "1440m")]


def test_a_cancelled_or_rated_round_gets_no_reminder(rounds, recruiter, ann) -> None:  # noqa: ANN001
    first, second, _third = rounds
    services.round_cancel(round_=second, by=recruiter)
    rate(first, ann)
    Outbox.objects.all().delete()
    assert (
        walk(MONDAY - timedelta(days=2), MONDAY + timedelta(days=5), step=timedelta(minutes=15))
        == []
    )
    assert not ReminderSent.objects.exists()


def rate(round_: Round, by) -> Round:  # noqa: ANN001
    return services.round_rate(
        round_=round_, by=by,
        ratings={a.pk: services.Rating(3) for a in round_.aspects.all()},
        feedback="Solid.", recommendation="yes", outcome="selected",
    )  # fmt: skip


def test_overdue_feedback_reminds_the_interviewer_daily_three_times(rounds) -> None:  # noqa: ANN001
    first = rounds[0]
    end = MONDAY + timedelta(hours=1)
    sent = walk(end, end + timedelta(days=5), step=timedelta(minutes=15))
    feedback = [
        (at, d.slot.split("@")[0]) for at, done in sent for d in done if d.kind == "feedback"
    ]
    assert feedback == [
        (end + timedelta(hours=24), "1"),
        (end + timedelta(hours=48), "2"),
        (end + timedelta(hours=72), "3"),
    ]
    rows = reminder_rows(subject__startswith="Feedback overdue")
    assert [r.recipient for r in rows] == ["ann@example.com"] * 3  # not Bob, who assists
    assert all("Round 1 “Screening”" in r.subject for r in rows)
    assert "ended more than 24 hours ago and is not rated yet" in rows[0].body_text
    assert f"/rounds/{first.pk}/" in rows[0].body_text
    # The panel round (rated in its live session) is never chased for feedback.
    assert not ReminderSent.objects.filter(round=rounds[1], kind="feedback").exists()


def test_rating_stops_the_feedback_reminders(rounds, ann) -> None:  # noqa: ANN001
    first = rounds[0]
    end = MONDAY + timedelta(hours=1)
    walk(end + timedelta(hours=23), end + timedelta(hours=25))
    assert len(reminder_rows(subject__startswith="Feedback overdue")) == 1
    with time_machine.travel(end + timedelta(hours=30), tick=False):
        rate(first, ann)
    assert (
        walk(end + timedelta(hours=30), end + timedelta(days=5), step=timedelta(minutes=15)) == []
    )
    assert len(reminder_rows(subject__startswith="Feedback overdue")) == 1


def test_the_offsets_and_the_overdue_rule_follow_the_settings(rounds, settings) -> None:  # noqa: ANN001
    settings.REMINDER_BEFORE_MINUTES = [30]
    settings.REMINDER_FEEDBACK_AFTER_HOURS = 2
    settings.REMINDER_FEEDBACK_REPEATS = 1
    first = rounds[0]
    sent = walk(MONDAY - timedelta(days=1), MONDAY + timedelta(days=2), step=timedelta(minutes=15))
    mine = [
        (at, d.kind, d.slot.split("@")[0])
        for at, done in sent
        for d in done
        if d.round_id == first.pk
    ]
    assert mine == [
        (MONDAY - timedelta(minutes=30), "before", "30m"),
        (MONDAY + timedelta(hours=3), "feedback", "1"),
    ]


def test_the_beat_runs_the_job_every_few_minutes() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["interviews-reminders"]
    assert entry["task"] == "interviews.reminders_due" == reminders_task.name
    assert 60 <= entry["schedule"] <= 15 * 60
    from config.celery import app

    assert "interviews.reminders_due" in app.tasks


def test_the_task_sends_what_is_due_now(rounds) -> None:  # noqa: ANN001
    with time_machine.travel(MONDAY - timedelta(minutes=40), tick=False):
        assert reminders_task() == 1  # round 1's 1 h reminder (to Ann and Bob)
        assert reminders_task() == 0
    assert len(reminder_rows()) == 2


@pytest.fixture
def no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("notify.services.queue_delivery", lambda outbox_id, countdown=None: None)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(no_broker, rounds) -> None:  # noqa: ANN001
    now = MONDAY - timedelta(minutes=40)
    barrier = threading.Barrier(4)
    results: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(len(reminders.reminders_due(now=now)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [0, 0, 0, 1]
    assert Counter(r.recipient for r in reminder_rows()) == {
        "ann@example.com": 1, "bob@example.com": 1,
    }  # fmt: skip
