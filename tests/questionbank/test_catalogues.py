"""The Russian catalogues of the bank, the search, the API and the candidates: complete (no
untranslated or fuzzy message), three plural forms, and ``msgfmt --check`` clean (which also
holds every ``%(name)s`` of a message in its translation)."""

from __future__ import annotations

import re
import shutil
import subprocess
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
