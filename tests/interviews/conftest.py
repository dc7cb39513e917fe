"""The notification tests' real peers (SMTP on loopback, a Celery worker on its own Redis
database and queue), for the tests that follow an assignment e-mail to the wire."""

from tests.notify.conftest import (  # noqa: F401 - fixtures, found by name
    broker_url,
    peers,
    publish_to,
    queue_name,
    smtp,
    telegram,
    worker,
)
