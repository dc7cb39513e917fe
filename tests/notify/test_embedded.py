"""The embedded default (SQLite, no Redis) delivers too: the broker is a SQLite file through
kombu's SQLAlchemy transport, so a decision made while no worker runs waits on disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.e2e.servers import manage_shell, migrated_sqlite
from tests.notify.peers import (
    TOKEN,
    SmtpPeer,
    TelegramPeer,
    child_env,
    start_worker,
    wait_for,
)

pytestmark = pytest.mark.processes

DECIDE = """
from django.contrib.auth.models import Group
from accounts.models import User
from cabinet import services as cabinet
from cabinet.models import Team
from candidates.models import Candidate
from questionbank.models import Question, Topic
from sessions_live import services as live
from sessions_live.models import LiveSession

lead = User.objects.create_user("lena", first_name="Lena")
maria = User.objects.create_user("maria", first_name="Maria")
maria.groups.add(Group.objects.get(name="manager"))
topic = Topic.objects.create(name="Python")
Question.objects.create(topic=topic, text="What is a generator?", max_points=5)
session = live.session_create(
    lead=lead,
    candidate_fields={"full_name": "Carla Candidate", "email": "carla@example.com",
                      "hr_email": "hr@example.com", "hr_telegram_chat_id": "4242"},
    resume=None, topics=[live.TopicChoice(topic=topic, seconds=600)], shuffle=False,
    intro_text="", closing_text="",
)
# Skip the interview itself: what matters here is the road from decision to HR. (A real
# interview's start moves the candidate to interviewing; the shortcut does it by hand.)
LiveSession.objects.filter(pk=session.pk).update(ready_for_decision=True)
Candidate.objects.filter(pk=session.candidate_id).update(status=Candidate.Status.INTERVIEWING)
session.refresh_from_db()
cabinet.decision_make(session=session, manager=User.objects.get(username="maria"),
                      outcome="hire", team=Team.objects.create(name="Platform"))
print("decided")
"""


def test_the_embedded_default_delivers_without_redis(tmp_path: Path) -> None:
    smtp, telegram = SmtpPeer(), TelegramPeer()
    smtp.start()
    telegram.start()
    env = child_env(
        ROUNDTABLE_VAR_DIR=str(tmp_path / "var"),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
    )
    worker = None
    try:
        # The database as `migrate` leaves a fresh file (its template is made so once for this
        # code), then the decision.
        migrated_sqlite(tmp_path / "var" / "roundtable.sqlite3")
        done = manage_shell(env, DECIDE, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "decided" in done.stdout
        broker = tmp_path / "var" / "celery-broker.sqlite3"
        assert broker.exists()  # the tasks wait on disk: no Redis, no worker yet, nothing lost

        worker = start_worker(env, tmp_path, queue="celery")
        database = tmp_path / "var" / "roundtable.sqlite3"

        def statuses() -> list[tuple[str, str, int]]:
            with sqlite3.connect(database) as db:
                return db.execute(
                    "SELECT channel, status, attempts FROM notify_outbox ORDER BY channel"
                ).fetchall()

        wait_for(
            lambda: [s for _c, s, _a in statuses()] == ["sent", "sent"],
            timeout=30,
            what="both rows to be sent",
        )
    finally:
        if worker is not None:
            worker.stop()
        smtp.stop()
        telegram.stop()
    assert statuses() == [("email", "sent", 1), ("telegram", "sent", 1)]
    assert smtp.recipients == [["hr@example.com"]]
    assert (
        len(telegram.delivered) == 1 and "Carla Candidate" in telegram.delivered[0].fields["text"]
    )
