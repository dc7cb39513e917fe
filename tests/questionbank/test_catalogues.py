"""The Russian catalogues of the bank, the search, the API and the candidates: complete (no
untranslated or fuzzy message), three plural forms, and ``msgfmt --check`` clean (which also
holds every ``%(name)s`` of a message in its translation)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / app / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    for app in ("questionbank", "search", "api", "candidates")
]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-5])
def test_the_catalogue_is_complete(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    assert catalogue.metadata["Plural-Forms"].startswith("nplurals=3;")
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    for entry in catalogue.translated_entries():
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        assert len(list(forms)) in (1, 3), entry.msgid
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == wanted, (entry.msgid, form)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-5])
def test_msgfmt_check_passes(path: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


MAKEMESSAGES = """
import os, sys
import django
django.setup()
import config.urls  # every module imported while the project is the working directory
os.chdir(sys.argv[1])  # then only the copy of the app is scanned
from django.core.management import call_command
call_command("makemessages", locale=["ru"], verbosity=0)
"""


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-5])
def test_the_catalogue_holds_every_string_of_the_app(path: Path, tmp_path: Path) -> None:
    """makemessages on a copy of the app (its own locale/, settings without LOCALE_PATHS, so
    nothing else is written) finds no message the committed catalogue lacks, and none that
    the code no longer has."""
    app = path.parts[-5]
    copy = tmp_path / "copy" / app
    shutil.copytree(ROOT / app, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()
    (tmp_path / "isolated_settings.py").write_text(
        "from config.settings import *  # noqa: F403\nLOCALE_PATHS = []\n"
    )
    root_catalogue = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    before = root_catalogue.read_bytes() if root_catalogue.exists() else None
    subprocess.run(
        [sys.executable, "-c", MAKEMESSAGES, str(copy)],
        cwd=ROOT,
        env={
            "DJANGO_SETTINGS_MODULE": "isolated_settings",
            "PYTHONPATH": f"{ROOT}:{tmp_path}",
            "PATH": "/usr/bin:/bin",
            **{key: value for key, value in os.environ.items() if key.endswith("_URL")},
        },
        check=True,
    )
    if before is not None:
        assert root_catalogue.read_bytes() == before, "makemessages wrote the root catalogue"

    def keys(catalogue: Path) -> set[tuple[str, str]]:
        return {(e.msgctxt or "", e.msgid) for e in polib.pofile(str(catalogue))}

    fresh = keys(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po")
    committed = keys(path)
    assert sorted(fresh - committed) == [], f"run makemessages -l ru in {app}/"
    assert sorted(committed - fresh) == [], f"obsolete messages in {app}'s catalogue"
