"""Lower apps import no higher one: the pieces moved for it still behave."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from questionbank import services
from questionbank.models import Topic
from tests.factories import TopicFactory

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
    return names


def test_accounts_imports_no_higher_app() -> None:
    higher = {"sessions_live", "cabinet", "questionbank", "portal", "access", "api", "search"}
    for path in (ROOT / "accounts").rglob("*.py"):
        assert not _imports(path) & higher, path


def test_the_live_session_imports_no_higher_app() -> None:
    """sessions_live tells the cabinet facts (sessions_live/events.py); it never imports it."""
    higher = {"cabinet", "portal", "api", "search"}
    for path in (ROOT / "sessions_live").rglob("*.py"):
        assert not _imports(path) & higher, path


@pytest.mark.django_db
def test_a_topic_a_session_used_is_kept_though_the_bank_does_not_look_upwards(lead) -> None:  # noqa: ANN001
    from sessions_live import services as live

    topic = TopicFactory(name="Unasked")
    live.session_create(
        lead=lead,
        candidate_fields={"full_name": "Carla Candidate", "email": "carla@example.com"},
        resume=None,
        topics=[live.TopicChoice(topic=topic, seconds=600)],
        shuffle=False,
        intro_text="",
        closing_text="",
    )
    with pytest.raises(services.BankRefused) as refused:
        services.topic_delete(topic=topic)
    assert refused.value.code == "in_use" and Topic.objects.filter(pk=topic.pk).exists()
    free = TopicFactory(name="Free")
    services.topic_delete(topic=free)
    assert not Topic.objects.filter(pk=free.pk).exists()
