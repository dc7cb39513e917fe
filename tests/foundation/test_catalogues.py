"""Every translation catalogue is complete, valid and up to date with the code.

Catalogues are kept per app (``<app>/locale/``) and at the root (``locale/``: templates/,
config/, accounts/, portal/, access/ and the arbiter's refusal messages), so each is one
owner's file. Django's ``makemessages`` run from the project root puts a file's strings into
the nearest app ``locale/`` above it, else into the root one; this test runs it the same way,
on a copy of the sources, and holds each catalogue to what it extracts:

* no untranslated and no fuzzy entry, in either domain (``django``, ``djangojs``);
* ``msgfmt --check`` passes (format specifiers, plural forms, header);
* the Russian header has three plural forms;
* every message the code has for that catalogue is in it (not stale).

Each check is parametrized by catalogue and domain, so a failure names the catalogue.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

# The project's catalogues by owner: apps with a locale/ of their own, and the root one.
# A catalogue found on disk but not listed here is checked as well.
DECLARED = (
    "locale",
    "sessions_live/locale",
    "cabinet/locale",
    "notify/locale",
    "questionbank/locale",
    "search/locale",
    "api/locale",
    "candidates/locale",
    "interviews/locale",
    "scheduling/locale",
    "video_interviews/locale",
)
DOMAINS = ("django", "djangojs")
# Never sources of interface strings (the test suite writes English on purpose).
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "node_modules",
    "var",
    "tests",
    "bench",
    "docs",
    "deploy",
    "vendor",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "htmlcov",
}
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".js"}
RUSSIAN_PLURALS = re.compile(r"nplurals\s*=\s*3\s*;")


def _languages() -> list[str]:
    """The languages that need a catalogue: every one but English, the source language."""
    return [code for code, _name in settings.LANGUAGES if code != "en"]


def _on_disk() -> set[str]:
    found = set()
    for dirpath, dirnames, _files in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS]
        if Path(dirpath).name == "locale":
            found.add(Path(dirpath).relative_to(ROOT).as_posix())
            dirnames[:] = []
    return found


CATALOGUES = sorted(set(DECLARED) | _on_disk())
CASES = [
    pytest.param(catalogue, language, domain, id=f"{catalogue}:{language}:{domain}")
    for catalogue in CATALOGUES
    for language in _languages()
    for domain in DOMAINS
]


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def _copy_sources(target: Path) -> None:
    """The files makemessages reads (and the catalogue folders, without their .po files)."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        here = Path(directory)
        skipped = set()
        for name in names:
            path = here / name
            if path.is_dir():
                if name in SKIPPED_DIRS:
                    skipped.add(name)
            elif path.suffix not in SOURCE_SUFFIXES and name != "manage.py":
                skipped.add(name)
        return skipped

    shutil.copytree(ROOT, target, ignore=ignore)
    for catalogue in DECLARED:
        (target / catalogue).mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], set]:
    """(catalogue, language, domain) → the message keys makemessages extracts for it."""
    copy = tmp_path_factory.mktemp("messages") / "src"
    _copy_sources(copy)
    env = {**os.environ, "ROUNDTABLE_VAR_DIR": str(copy / "var")}
    ignores = [f"--ignore={name}" for name in sorted(SKIPPED_DIRS)]
    for domain in DOMAINS:
        command = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--domain", domain]
        command += [f"--locale={language}" for language in _languages()]
        done = subprocess.run(
            command + ignores, cwd=copy, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    keys: dict[tuple[str, str, str], set] = {}
    for catalogue in CATALOGUES:
        for language in _languages():
            for domain in DOMAINS:
                po = copy / catalogue / language / "LC_MESSAGES" / f"{domain}.po"
                entries = polib.pofile(str(po)) if po.exists() else []
                keys[(catalogue, language, domain)] = {_key(e) for e in entries if not e.obsolete}
    return keys


def _po(catalogue: str, language: str, domain: str) -> Path:
    return ROOT / catalogue / language / "LC_MESSAGES" / f"{domain}.po"


@pytest.mark.parametrize(("catalogue", "language", "domain"), CASES)
def test_catalogue_is_complete_and_valid(
    catalogue: str, language: str, domain: str, extracted: dict[tuple[str, str, str], set]
) -> None:
    path = _po(catalogue, language, domain)
    if not path.exists():
        wanted = extracted[(catalogue, language, domain)]
        assert not wanted, (
            f"{path.relative_to(ROOT)} is missing: the code has {len(wanted)} messages for it"
        )
        return
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{catalogue} ({domain}): untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{catalogue} ({domain}): fuzzy: {fuzzy[:20]}"
    if language == "ru":
        assert RUSSIAN_PLURALS.search(po.metadata.get("Plural-Forms", "")), (
            f"{catalogue} ({domain}): Russian needs nplurals=3, "
            f"not {po.metadata.get('Plural-Forms')!r}"
        )
    checked = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, f"msgfmt --check {path.relative_to(ROOT)}:\n{checked.stderr}"


@pytest.mark.parametrize(("catalogue", "language", "domain"), CASES)
def test_catalogue_has_every_message_of_the_code(
    catalogue: str, language: str, domain: str, extracted: dict[tuple[str, str, str], set]
) -> None:
    wanted = extracted[(catalogue, language, domain)]
    path = _po(catalogue, language, domain)
    present = (
        {_key(e) for e in polib.pofile(str(path)) if not e.obsolete} if path.exists() else set()
    )
    missing = sorted(wanted - present, key=lambda key: (key[0] or "", key[1]))
    assert not missing, (
        f"{path.relative_to(ROOT)} lacks {len(missing)} messages of the code "
        f"(run makemessages, see docs/operations.md): {[m for _c, m in missing[:20]]}"
    )


def test_the_project_compiles_every_catalogue_at_set_up() -> None:
    """`make run` and `make test` compile the messages; the .mo files are not committed."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "compilemessages" in makefile
    for target in ("run:", "pytest:"):
        recipe = makefile.split(f"\n{target}", 1)[1].split("\n\n", 1)[0]
        assert "$(COMPILEMESSAGES)" in recipe, target
    assert "msgfmt" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
    tracked = subprocess.run(
        ["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked == [], f"compiled catalogues are committed: {tracked}"
