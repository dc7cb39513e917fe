"""Workers die and race: a worker killed with kill -9 mid-send is replaced and the message
still arrives; two workers handed the same row send it once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cabinet import services
from cabinet.models import Decision, Team
from notify.models import Outbox
from notify.services import queue_delivery
from tests.cabinet.helpers import ready_session
from tests.notify.conftest import worker_env
from tests.notify.peers import start_worker, wait_for

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]


def decide(lead, ann, bob, manager, *, email: str = "", chat: str = "") -> Decision:  # noqa: ANN001
    session = ready_session(lead, ann, bob, hr_email=email, hr_chat=chat)
    team, _ = Team.objects.get_or_create(name="Platform")
    return services.decision_make(session=session, manager=manager, outcome="hire", team=team)


def test_a_worker_killed_mid_send_is_restarted_and_the_message_arrives(
    broker_url, peers, queue_name, publish_to, tmp_path: Path, lead, ann, bob, manager
) -> None:  # noqa: ANN001
    smtp, telegram = peers
    # A short lease: a dead worker's row is taken over after 4 s.
    env = worker_env(
        smtp,
        telegram,
        queue_name,
        broker_url,
        NOTIFY_LEASE_SECONDS="4",
        EMAIL_TIMEOUT="2",
        TELEGRAM_TIMEOUT="1",
    )
    smtp.slow_seconds = 60  # the server takes its time to say 250 …
    first = start_worker(env, tmp_path, queue=queue_name)
    try:
        decide(lead, ann, bob, manager, email="hr@example.com")
        wait_for(smtp.data_started.is_set, what="the worker to be in the middle of a send")
        assert Outbox.objects.get().status == "sending"
    finally:
        first.kill()  # … and the machine dies meanwhile
    assert first.process.returncode == -9
    smtp.slow_seconds = 0
    assert smtp.messages == []  # never acknowledged, so never delivered

    second = start_worker(env, tmp_path, queue=queue_name)
    try:
        sent = wait_for(
            lambda: Outbox.objects.filter(status="sent").first(),
            timeout=30,
            what="the message to be sent after the restart",
        )
    finally:
        second.stop()
    assert len(smtp.messages) == 1 and smtp.recipients == [["hr@example.com"]]
    assert sent.attempts == 2  # the killed try and the successful one


def test_two_workers_given_the_same_row_send_it_once(
    broker_url, peers, queue_name, publish_to, tmp_path: Path, lead, ann, bob, manager
) -> None:  # noqa: ANN001
    smtp, telegram = peers
    telegram.delay = 1.0  # a slow Bot API keeps the first sender busy while the others try
    env = worker_env(smtp, telegram, queue_name, broker_url)
    workers = [start_worker(env, tmp_path, queue=queue_name, beat=False) for _ in range(2)]
    try:
        decide(lead, ann, bob, manager, chat="4242")
        row = Outbox.objects.get()
        for _ in range(3):  # as a beat re-queue and a broker redelivery would
            queue_delivery(row.pk)

        def finished() -> int:
            logs = "".join(worker.output() for worker in workers)
            return len(re.findall(r"Task notify\.outbox_deliver\[[^]]+\] succeeded", logs)) >= 4

        wait_for(finished, timeout=30, what="all four tasks to finish")
        outputs = [worker.output() for worker in workers]
    finally:
        for worker in workers:
            worker.stop()
    # Both workers took tasks for the row; only the one that won the claim sent it.
    assert all(re.search(r"Task notify\.outbox_deliver\[[^]]+\] received", out) for out in outputs)
    assert len(telegram.calls) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert "".join(outputs).count("'Sent'") == 1
    assert "".join(outputs).count("'NotMine'") == 3
