"""The live session's pages in Russian and English, and what makes them usable without a
mouse or without sight: sessions_live's own catalogue (complete, three plural forms, current
with the sources), the live page's script strings, labels and errors tied to their fields."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

from sessions_live import views
from tests.factories import TopicFactory
from tests.sessions_live.conftest import make_session

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "sessions_live"
CATALOGUE = APP / "locale" / "ru" / "LC_MESSAGES" / "django.po"
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    """Set-up compiles the catalogues; this module compiles its own in case it ran alone."""
    mo = CATALOGUE.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < CATALOGUE.stat().st_mtime:
        subprocess.run(["msgfmt", "--check", "-o", str(mo), str(CATALOGUE)], check=True)
        trans_real._translations.clear()  # a process that loaded Russian before reloads it


def test_the_catalogue_is_complete_checked_and_has_three_plural_forms() -> None:
    po = polib.pofile(str(CATALOGUE))
    assert po.metadata["Language"] == "ru"
    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1, 2], entry.msgid
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(CATALOGUE)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


def test_the_catalogue_holds_every_string_of_the_app(tmp_path: Path) -> None:
    """makemessages run on a copy of the app finds no message the committed catalogue lacks.
    The copy has its own locale/ and the settings no LOCALE_PATHS, so nothing else is written."""
    copy = tmp_path / "sessions_live"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()
    (tmp_path / "isolated_settings.py").write_text(
        "from config.settings import *  # noqa: F403\nLOCALE_PATHS = []\n"
    )
    root_catalogue = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    before = root_catalogue.read_bytes() if root_catalogue.exists() else None
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "ru", "-v", "0"],
        cwd=copy,
        env={
            "DJANGO_SETTINGS_MODULE": "isolated_settings",
            "PYTHONPATH": f"{tmp_path}:{ROOT}",
            "PATH": "/usr/bin:/bin",
        },
        check=True,
    )
    if before is not None:
        assert root_catalogue.read_bytes() == before, "makemessages wrote the root catalogue"
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/ru/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(CATALOGUE))}
    assert sorted(fresh - committed) == [], "run makemessages in sessions_live/"
    assert sorted(committed - fresh) == [], "obsolete messages in the catalogue"


def test_every_string_of_the_live_script_is_russian_with_its_plurals() -> None:
    with translation.override("ru"):
        strings = views._live_strings()
    for key, value in strings.items():
        for text in value.values() if isinstance(value, dict) else [value]:
            assert CYRILLIC.search(str(text)), (key, text)
    # Intl.PluralRules("ru") says one / few / many (and other for fractions).
    assert strings["minutes"]["one"] == "%(n)s минута"
    assert strings["minutes"]["few"] == "%(n)s минуты"
    assert strings["minutes"]["many"] == "%(n)s минут"
    with translation.override("en"):
        english = views._live_strings()
    assert english["minutes"]["one"] == "%(n)s minute"
    assert english["minutes"]["other"] == "%(n)s minutes"
    assert english["notConnected"] == "Not connected; try again in a moment."


def test_the_scripts_hold_no_interface_text() -> None:
    """live.js and socket.js show only what the page gave them: no English sentence inside."""
    for name in ("live.js", "socket.js"):
        source = (ROOT / "frontend_static" / "js" / name).read_text("utf-8")
        code = re.sub(r"//[^\n]*|/\*.*?\*/", "", source, flags=re.S)
        sentences = re.findall(r"""["'`]([A-Z][a-z]+(?: [a-z]+){2,}[^"'`]*)["'`]""", code)
        assert sentences == [], (name, sentences)


@pytest.mark.django_db
def test_the_live_page_in_russian(client: Client, lead, ann) -> None:  # noqa: ANN001
    session = make_session(lead, [ann])
    client.force_login(ann)
    page = client.get(f"/s/{session.code}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="ru"' in page
    assert "Перейти к текущему вопросу" in page  # the skip link
    assert 'role="timer"' in page and 'aria-live="polite"' in page
    assert '<dialog id="shortcuts"' in page and "Сочетания клавиш" in page
    for key in ('aria-keyshortcuts="n"', 'aria-keyshortcuts="s"', 'aria-keyshortcuts="e"'):
        assert key in page
    assert "Оценить и к следующему вопросу" in page and "+2 минуты" in page
    config = json.loads(re.search(r'id="live-config"[^>]*>(.*?)</script>', page).group(1))  # type: ignore[union-attr]
    assert config["language"] == "ru"
    assert config["timeZone"]
    assert config["i18n"]["notConnected"] == "Нет соединения; повторите через мгновение."


@pytest.mark.django_db
def test_a_wrong_code_is_an_error_tied_to_its_field(client: Client, ann) -> None:  # noqa: ANN001
    client.force_login(ann)
    page = client.post("/sessions/join/", {"code": "nope"}, HTTP_ACCEPT_LANGUAGE="ru")
    html = page.content.decode()
    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", html)
    assert field, html
    assert 'aria-invalid="true"' in field.group(0)
    assert re.search(r'aria-describedby="[^"]*id_code_error', field.group(0))
    assert 'id="id_code_helptext"' in html
    assert re.search(r'<ul class="errorlist" id="id_code_error"><li>Это не код', html), html
    assert '<label for="id_code">Код собеседования</label>' in html


@pytest.mark.django_db
def test_the_topic_rows_of_the_new_session_form_are_labelled(client: Client, lead) -> None:  # noqa: ANN001
    topic = TopicFactory(name="SQL")
    client.force_login(lead)
    html = client.get("/sessions/new/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert f'name="topic_{topic.pk}_position"' in html
    assert 'aria-label="Порядок темы «SQL»"' in html
    assert 'aria-label="Минут на тему «SQL»"' in html
    assert f'<label for="id_topic_{topic.pk}_on">SQL</label>' in html
    # An invalid form says so first, and each error sits by its field.
    refused = client.post("/sessions/new/", {"full_name": ""}, HTTP_ACCEPT_LANGUAGE="ru")
    text = refused.content.decode()
    assert 'role="alert"' in text and "Исправьте отмеченные ниже поля." in text
    assert re.search(r'<input[^>]*name="email"[^>]*aria-invalid="true"', text)
