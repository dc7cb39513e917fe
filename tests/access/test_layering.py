"""Lower apps import no higher one, and no app but ``candidates`` writes a candidate's rows:
the pieces moved for it still behave."""

from __future__ import annotations

import ast
import re
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


# The hiring loop's apps: they build on the lower apps and the live session.
PIPELINE_APPS = {"interviews", "reports", "scheduling", "video_interviews"}
LOWER_APPS = ("questionbank", "candidates", "notify")
HIGHER_THAN_LOWER = {"sessions_live", "cabinet", "portal", "api", "search"} | PIPELINE_APPS


def test_accounts_imports_no_higher_app() -> None:
    higher = {"sessions_live", "cabinet", "questionbank", "portal", "access", "api", "search",
              "candidates"} | PIPELINE_APPS  # fmt: skip
    for path in (ROOT / "accounts").rglob("*.py"):
        assert not _imports(path) & higher, path


def test_the_live_session_imports_no_higher_app() -> None:
    """sessions_live tells the cabinet and the interviews facts (sessions_live/events.py); a
    panel round starts a live session, never the other way round."""
    higher = {"cabinet", "portal", "api", "search"} | PIPELINE_APPS
    for path in (ROOT / "sessions_live").rglob("*.py"):
        assert not _imports(path) & higher, path


# Each pipeline app and the apps above it: the scheduler books the interviews' rounds, the
# reports read everything, pages and the API sit on top. (interviews and video_interviews
# subscribe to each other's facts: neither is above the other.)
ABOVE = {
    "interviews": {"scheduling", "reports", "cabinet", "portal", "api", "search"},
    "video_interviews": {"scheduling", "reports", "cabinet", "portal", "api", "search"},
    "scheduling": {"reports", "cabinet", "portal", "api", "search"},
    "reports": {"cabinet", "portal", "api", "search"},
}


@pytest.mark.parametrize("app", sorted(ABOVE))
def test_a_pipeline_app_imports_no_app_above_it(app: str) -> None:
    for path in (ROOT / app).rglob("*.py"):
        assert not _imports(path) & ABOVE[app], path


# Every package of the project's code: the Django apps, the access module, the arbiter, config.
APPS = sorted(
    {path.parent.name for path in ROOT.glob("*/apps.py")} | {"access", "arbiter", "config"}
)


def _code(apps: list[str]) -> list[Path]:
    return [path for app in apps for path in (ROOT / app).rglob("*.py")
            if "migrations" not in path.parts]  # fmt: skip


def test_no_app_imports_the_reports() -> None:
    """The reports read the pipeline; nothing reads them (the URLconf includes them by name)."""
    for path in _code([app for app in APPS if app != "reports"]):
        assert "reports" not in _imports(path), path


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


# --- only candidates writes a candidate's rows ---------------------------------------------------
#
# The candidate's card, history and resumes (``Candidate``, ``CandidateEvent``,
# ``ResumeVersion``) are written by ``candidates.services`` alone; the other apps call it
# (``candidate_create``, ``candidate_move``, ``candidate_record``, ``resume_add``, …). What this
# parse of the code catches, outside ``candidates/`` and the migrations:
#   * a write method (create, bulk_create, update, bulk_update, get_or_create,
#     update_or_create, delete) at the end of any chain that starts at one of the three
#     models: ``Candidate.objects.create(…)``, ``Candidate.objects.filter(…).update(…)``,
#     ``Candidate.positions.through.objects.bulk_create(…)``;
#   * ``.save()`` / ``.delete()`` on a name or attribute called ``candidate`` or ``…_candidate``
#     (``candidate.save()``, ``round_.candidate.save()``), and ``.add/.set/.remove/.clear/
#     .create`` on its ``positions``, ``events`` or ``resume_versions``, and on any
#     ``….candidates`` (a position's or a vendor's: ``position.candidates.add(…)``);
#   * SQL text that inserts into, updates or deletes from their tables.
# What it cannot see: a candidate held under another name (``row.save()``), a queryset that
# came from a function (``visible_candidates(…).update(…)``), ``setattr``. Those are left to
# review; the services' tests show what the services write.

CANDIDATE_MODELS = {"Candidate", "CandidateEvent", "ResumeVersion"}
QUERYSET_WRITES = {"create", "bulk_create", "update", "bulk_update", "get_or_create",
                   "update_or_create", "delete"}  # fmt: skip
RELATED_WRITES = {"add", "set", "remove", "clear", "create"}
CANDIDATE_NAME = re.compile(r"(^|_)candidate$")
CANDIDATE_SQL = re.compile(
    r"\b(insert\s+into|update|delete\s+from)\s+[\"`]?candidates_(candidate|candidateevent|resumeversion)\b",
    re.IGNORECASE,
)


def _starts_at_a_candidate_model(node: ast.AST) -> bool:
    while isinstance(node, ast.Call | ast.Attribute):
        node = node.func if isinstance(node, ast.Call) else node.value
    return isinstance(node, ast.Name) and node.id in CANDIDATE_MODELS


def _named_candidate(node: ast.AST) -> bool:
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return bool(CANDIDATE_NAME.search(name))


def candidate_writes(source: str) -> list[str]:
    """The lines of ``source`` that write a candidate's rows (see above for what is seen)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, node.func.value
            if (
                (method in QUERYSET_WRITES and _starts_at_a_candidate_model(receiver))
                or (method in {"save", "delete"} and _named_candidate(receiver))
                or (
                    method in RELATED_WRITES
                    and isinstance(receiver, ast.Attribute)
                    and (
                        receiver.attr == "candidates"
                        or receiver.attr in {"positions", "events", "resume_versions"}
                        and _named_candidate(receiver.value)
                    )
                )
            ):
                found.append(f"{node.lineno}: {ast.unparse(node)[:100]}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if CANDIDATE_SQL.search(node.value):
                found.append(f"{node.lineno}: {node.value[:100]!r}")
    return found


def test_the_check_sees_the_writes_it_names() -> None:
    writes = """
Candidate.objects.create(full_name="x")
Candidate.objects.select_for_update().filter(pk=1).update(status="hired")
CandidateEvent.objects.bulk_create([])
Candidate.positions.through.objects.bulk_create([])
candidate.save(update_fields=["status"])
round_.candidate.save()
old_candidate.delete()
candidate.positions.add(position)
position.candidates.remove(carla)
cursor.execute("UPDATE candidates_candidate SET status = 'hired'")
"""
    reads = """
Candidate.objects.filter(pk=1).exists()
Candidate.objects.get(pk=1).full_name
session.save()
candidate_form.save()
Candidate.objects.raw("SELECT * FROM candidates_candidate")
candidates.create_something()
candidates.candidate_move(candidate=candidate, move="hire", by=user)
cursor.execute("SELECT id FROM candidates_candidate")
"""
    assert len(candidate_writes(writes)) == len(writes.strip().splitlines())
    assert candidate_writes(reads) == []


def test_no_app_but_candidates_writes_a_candidates_rows() -> None:
    offences = {
        str(path.relative_to(ROOT)): found
        for path in _code([app for app in APPS if app != "candidates"])
        if (found := candidate_writes(path.read_text(encoding="utf-8")))
    }
    assert offences == {}
