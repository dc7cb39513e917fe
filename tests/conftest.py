"""Test set-up shared by every layer: the real services must answer, and a few named people."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db.backends.postgresql.operations import DatabaseOperations
from hypothesis import settings as hypothesis_settings

from accounts.roles import ensure_roles
from tests.factories import UserFactory

T = TypeVar("T")

# No property test has a time limit per example: Hypothesis' default deadline (200 ms) is a
# timed assertion, and on a loaded machine it failed examples that were right. Speed is the
# benchmarks' business (make bench).
hypothesis_settings.register_profile("roundtable", deadline=None, print_blob=True)
hypothesis_settings.load_profile("roundtable")


def _delete_flush(
    self: DatabaseOperations,
    style: Any,
    tables: list[str],
    *,
    reset_sequences: bool = False,
    allow_cascade: bool = False,
) -> list[str]:
    """Empty the tables between transactional tests with DELETE rather than TRUNCATE.

    Django's flush on PostgreSQL is one TRUNCATE of every table: new files for each of the
    seventy tables and their indexes, synced at commit, about 0.8 s on this machine, and it
    ran after every transactional test (a second and a half of each socket test's teardown).
    A DELETE of the few rows a test leaves takes about 0.03 s. Every foreign key Django makes
    is DEFERRABLE INITIALLY DEFERRED, so with the constraints deferred the order of the
    DELETEs does not matter; ``tests/foundation/test_flush.py`` holds both facts. A flush
    that must reset sequences keeps Django's TRUNCATE.
    """
    if reset_sequences or not tables:
        return _truncate_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    return ["SET CONSTRAINTS ALL DEFERRED;"] + [
        f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
        for table in tables
    ]


_truncate_flush = DatabaseOperations.sql_flush
DatabaseOperations.sql_flush = _delete_flush  # type: ignore[method-assign]


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    """Integration tests use the machine's PostgreSQL and Redis; say how to start them."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        url = f"postgres://{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
        if not _reachable(url, 5432):
            pytest.exit(
                f"PostgreSQL is not reachable at {url}. Start it "
                "(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) "
                "or point DATABASE_URL at one.",
                returncode=3,
            )
    if settings.REDIS_URL and not _reachable(settings.REDIS_URL, 6379):
        pytest.exit(
            f"Redis is not reachable at {settings.REDIS_URL}. Start it "
            "(redis-server --daemonize yes --bind 127.0.0.1 --port 6379) "
            "or point REDIS_URL at one.",
            returncode=3,
        )


# The longest files by `make test`'s --durations (over a minute each): started first of all.
# Only the order depends on this list; a file missing from it is still scheduled early.
LONGEST_FILES = [
    "tests/e2e/test_browser_flow.py",
    "tests/api/test_schemathesis.py",
    "tests/e2e/test_browser_video_record.py",
    "tests/e2e/test_pages_languages.py",
    "tests/e2e/test_browser_live.py",
    "tests/e2e/test_multiprocess.py",
]


def _long(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(name) for name in ("browser", "processes", "slow"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test`: two workers, ``--dist loadfile``) a test file goes to
    whichever worker is free, in the order collected. The long files (a browser, real
    processes, or marked ``slow``) come first, so neither worker is left running a long file
    at the end while the other waits. A stable sort: files stay whole, in their own order."""
    long_files = {item.nodeid.split("::", 1)[0] for item in items if _long(item)}

    def rank(item: pytest.Item) -> tuple[int, int]:
        path = item.nodeid.split("::", 1)[0]
        first = LONGEST_FILES.index(path) if path in LONGEST_FILES else len(LONGEST_FILES)
        return (path not in long_files, first)

    items.sort(key=rank)


def _roles_in_place() -> bool:
    """Whether the role groups hold exactly their permissions, as ``ensure_roles`` leaves them.

    They are there already in nearly every test: ``ensure_roles`` is a ``post_migrate``
    receiver, so the migrated test database and each flush after a transactional test make
    them. One query tells; ``ensure_roles`` itself is 24 (25 ms, in some 1400 tests)."""
    from django.contrib.auth.models import Group

    from accounts.roles import ROLE_PERMISSIONS

    wanted = {
        (role, *code.split(".")) for role, codes in ROLE_PERMISSIONS.items() for code in codes
    }
    held = Group.permissions.through.objects.filter(group__name__in=ROLE_PERMISSIONS)
    return wanted == set(
        held.values_list(
            "group__name", "permission__content_type__app_label", "permission__codename"
        )
    )


def _roles() -> None:
    if not _roles_in_place():
        ensure_roles()


@pytest.fixture
def roles(db):  # noqa: ANN001, ANN201 - pytest fixture
    _roles()


# The named people: a fixture each (below), or ``person(name)`` where one fixture makes a
# module's data once (``made_once``).
PEOPLE: dict[str, dict[str, Any]] = {
    "lead": {
        "username": "lena",
        "first_name": "Lena",
        "last_name": "Lead",
        "roles": ["interviewer"],
    },
    "ann": {"username": "ann", "first_name": "Ann", "last_name": "Panel", "roles": ["interviewer"]},
    "bob": {"username": "bob", "first_name": "Bob", "last_name": "Panel", "roles": ["interviewer"]},
    "manager": {"username": "maria", "first_name": "Maria", "roles": ["manager"]},
    "editor": {
        "username": "quentin",
        "first_name": "Quentin",
        "roles": ["question editor"],
        "is_staff": True,
    },
    "outsider": {"username": "oscar", "first_name": "Oscar", "roles": ["interviewer"]},
    "recruiter": {"username": "rita", "first_name": "Rita", "roles": ["recruiter"]},
    "nobody": {"username": "nora", "first_name": "Nora"},
}


def person(name: str) -> Any:
    """One of ``PEOPLE`` (made, or the one already there); the roles must exist."""
    return UserFactory(**{**PEOPLE[name], "roles": list(PEOPLE[name].get("roles", []))})


@pytest.fixture
def lead(roles):  # noqa: ANN001, ANN201
    return person("lead")


@pytest.fixture
def ann(roles):  # noqa: ANN001, ANN201
    return person("ann")


@pytest.fixture
def bob(roles):  # noqa: ANN001, ANN201
    return person("bob")


@pytest.fixture
def manager(roles):  # noqa: ANN001, ANN201
    return person("manager")


@pytest.fixture
def editor(roles):  # noqa: ANN001, ANN201
    return person("editor")


@pytest.fixture
def outsider(roles):  # noqa: ANN001, ANN201
    return person("outsider")


def made_once(django_db_blocker: Any, make: Callable[[], T]) -> Iterator[T]:
    """For a module-scoped fixture (``yield from made_once(django_db_blocker, make)``):
    ``make()`` runs once, in a transaction left open for the module and rolled back after it,
    as Django's ``TestCase.setUpTestData`` does for a class. Each test runs in a savepoint of
    its own (pytest-django's ``db``), rolled back after it as always, so every test starts
    from the same rows. Take a ``copy.deepcopy`` of what ``make`` returns for each test, so
    no test sees another's changes to the instances. Only for ``make``s that write rows:
    files or other outside state would outlive the rollback. The fixture must come after
    ``django_db_setup``; the tests use ``db``, not transactional databases."""
    from django.db import transaction
    from django.utils import translation

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # as TestCase marks its own: a durable block may open
        atomic.__enter__()
        try:
            _roles()
            with translation.override(settings.LANGUAGE_CODE):
                made = make()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    try:
        yield made
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def private_media(tmp_path, settings):  # noqa: ANN001, ANN201
    """Uploads of a test go to its own folder, never into the developer's var/."""
    from django.utils.functional import empty

    from candidates.models import private_storage

    settings.MEDIA_ROOT = tmp_path / "media"
    private_storage._wrapped = empty
    yield
    private_storage._wrapped = empty


@pytest.fixture(autouse=True)
def site_language():  # noqa: ANN201
    """Each test starts in the site's language: a request in Russian activates Russian for the
    thread (Django's LocaleMiddleware does not deactivate after the response in the test
    client), and the next test in the same worker must not inherit it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
