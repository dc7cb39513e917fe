"""Lower apps import no higher one: the pieces moved for it still behave."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from questionbank import services
from questionbank.models import Topic
from tests.factories import TopicFactory

ROOT = Path(__file__).resolve().parents[2]


def _modules(path: Path) -> set[str]:
    """Every module ``path`` imports, in full (``access.bank``), anywhere in it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return names


def _imports(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _modules(path)}


LOWER_APPS = ("questionbank", "candidates", "notify")
HIGHER_THAN_LOWER = {"sessions_live", "cabinet", "portal", "api", "search"}


def test_accounts_imports_no_higher_app() -> None:
    higher = {"sessions_live", "cabinet", "questionbank", "portal", "access", "api", "search"}
    for path in (ROOT / "accounts").rglob("*.py"):
        assert not _imports(path) & higher, path


def test_the_live_session_imports_no_higher_app() -> None:
    """sessions_live tells the cabinet facts (sessions_live/events.py); it never imports it."""
    higher = {"cabinet", "portal", "api", "search"}
    for path in (ROOT / "sessions_live").rglob("*.py"):
        assert not _imports(path) & higher, path


@pytest.mark.parametrize("app", LOWER_APPS)
def test_a_lower_app_imports_no_higher_one(app: str) -> None:
    """The bank, the candidates and the outbox are told facts; they never reach upwards."""
    for path in (ROOT / app).rglob("*.py"):
        assert not _imports(path) & HIGHER_THAN_LOWER, path


@pytest.mark.parametrize("app", LOWER_APPS)
def test_a_lower_app_asks_only_the_leaf_of_the_access_module(app: str) -> None:
    """``access`` reads the live sessions; its leaf ``access.bank`` (and the page guard
    ``access.decorators``) import no app, so the bank's pages may ask them."""
    leaves = {"access.bank", "access.decorators"}
    for path in (ROOT / app).rglob("*.py"):
        asked = {name for name in _modules(path) if name.split(".")[0] == "access"}
        assert asked <= leaves, path
    for leaf in leaves:
        assert _imports(ROOT / (leaf.replace(".", "/") + ".py")) <= {
            "__future__",
            "collections",
            "functools",
            "typing",
            "django",
        }, leaf


def test_the_review_of_questions_typed_live_is_the_live_sessions() -> None:
    """The page stays at /questions/adhoc/; the bank only takes the accepted question in."""
    from django.urls import resolve

    from sessions_live import adhoc_views

    assert resolve("/questions/adhoc/").func is adhoc_views.adhoc_review
    assert resolve("/questions/adhoc/1/accept/").func is adhoc_views.adhoc_accept
    assert resolve("/questions/adhoc/1/dismiss/").func is adhoc_views.adhoc_dismiss


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
