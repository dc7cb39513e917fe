"""Defect 10: refusals and missing pages are styled pages of the site in English and Russian,
an expected 403 leaves one warning line in the log and no traceback, and /favicon.ico exists."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tests.sessions_live.conftest import make_session

pytestmark = pytest.mark.django_db


def test_a_403_is_the_sites_page_and_logs_no_traceback(
    client: Client, lead, outsider, caplog: pytest.LogCaptureFixture
) -> None:  # noqa: ANN001
    session = make_session(lead, [])
    client.force_login(outsider)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/s/{session.code}/results/")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="error-403"' in page and 'class="topbar"' in page  # base.html, with the nav
    assert "You may not open this page" in page
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "Traceback" not in caplog.text and "PermissionDenied" not in caplog.text


def test_a_500_keeps_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        with caplog.at_level(logging.ERROR, logger="django.request"):
            logger.error("Internal Server Error", exc_info=error, extra={"status_code": 500})
    assert caplog.records[-1].exc_info is not None


def test_a_404_is_the_sites_page(client: Client, lead) -> None:  # noqa: ANN001
    client.force_login(lead)
    response = client.get("/s/NOP-NOP-NOP/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'id="error-404"' in page and "There is no such page" in page and 'class="topbar"' in page


def test_the_error_pages_speak_russian(client: Client, lead, outsider) -> None:  # noqa: ANN001
    session = make_session(lead, [])
    client.force_login(outsider)
    forbidden = client.get(f"/s/{session.code}/results/", HTTP_ACCEPT_LANGUAGE="ru")
    assert "Эта страница вам недоступна" in forbidden.content.decode()
    missing = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ru")
    assert missing.status_code == 404 and "Такой страницы нет" in missing.content.decode()


def test_the_favicon_is_served(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    from django.contrib.staticfiles import finders

    assert finders.find("favicon.svg")  # the icon the redirect points at is a static file
