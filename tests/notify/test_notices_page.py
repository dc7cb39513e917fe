"""The notices page lists the reader's own notices, newest first, at a cost that does not grow
with their number; opening one marks it read; "mark all read" marks the reader's, no one
else's. Every signed-in page carries the link, the toast region and the script."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notify import services
from notify.models import Notice
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def send(user, title: str, link: str = "") -> Notice:  # noqa: ANN001
    with transaction.atomic():
        return services.notice_send(user=user, kind="reminder", title=title, link=link)


def signed_in(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def listed(page: str) -> list[str]:
    return re.findall(r'<li class="notice[^"]*" data-notice="(\d+)"', page)


def test_the_page_lists_only_the_readers_notices_newest_first() -> None:
    ivan, olga = UserFactory(username="ivan"), UserFactory(username="olga")
    first = send(ivan, "First for Ivan")
    second = send(ivan, "Second for Ivan")
    secret = send(olga, "Olga's secret round")
    Notice.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=1))
    page = signed_in(ivan).get("/notices/").content.decode()
    assert listed(page) == [str(second.pk), str(first.pk)]
    assert "Olga&#x27;s secret round" not in page and "Olga's secret round" not in page
    assert str(secret.pk) not in listed(page)
    assert "2 unread notices" in page


def test_unread_notices_are_marked_and_read_ones_are_not() -> None:
    ivan = UserFactory(username="ivan")
    read, unread = send(ivan, "Read one"), send(ivan, "Unread one")
    services.notice_mark_read(user=ivan, notice_ids=[read.pk])
    page = signed_in(ivan).get("/notices/").content.decode()
    assert f'<li class="notice unread" data-notice="{unread.pk}">' in page
    assert f'<li class="notice" data-notice="{read.pk}">' in page
    assert "1 unread notice" in page


def test_the_page_costs_the_same_queries_for_1_and_50_notices() -> None:
    ivan = UserFactory(username="ivan")
    client = signed_in(ivan)
    send(ivan, "Only one")
    client.get("/notices/")  # warm: the session, content types
    with CaptureQueriesContext(connection) as one:
        assert client.get("/notices/").status_code == 200
    for n in range(49):
        send(ivan, f"Notice {n}")
    with CaptureQueriesContext(connection) as fifty:
        page = client.get("/notices/").content.decode()
    assert len(listed(page)) == 25  # a page of them
    assert len(fifty) == len(one), [q["sql"] for q in fifty.captured_queries]
    second = client.get("/notices/?page=2").content.decode()
    assert len(listed(second)) == 25 and not set(listed(second)) & set(listed(page))
    assert "Page 2 of 2" in second


def test_opening_a_notice_marks_it_read_and_goes_to_its_link() -> None:
    ivan = UserFactory(username="ivan")
    notice = send(ivan, "Round 1", link="/rounds/7/")
    response = signed_in(ivan).get(f"/notices/{notice.pk}/")
    assert response.status_code == 302 and response["Location"] == "/rounds/7/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    bare = send(ivan, "No link")
    assert signed_in(ivan).get(f"/notices/{bare.pk}/")["Location"] == "/notices/"


def test_someone_elses_notice_cannot_be_opened_or_marked() -> None:
    ivan, olga = UserFactory(username="ivan"), UserFactory(username="olga")
    hers = send(olga, "Olga's", link="/rounds/9/")
    assert signed_in(ivan).get(f"/notices/{hers.pk}/").status_code == 404
    assert signed_in(ivan).post("/notices/read/").status_code == 302
    hers.refresh_from_db()
    assert hers.read_at is None


def test_mark_all_read_marks_the_readers_notices() -> None:
    ivan, olga = UserFactory(username="ivan"), UserFactory(username="olga")
    mine = [send(ivan, f"Mine {n}") for n in range(3)]
    hers = send(olga, "Hers")
    client = signed_in(ivan)
    assert client.get("/notices/read/").status_code == 405  # a write needs POST
    response = client.post("/notices/read/")
    assert response.status_code == 302 and response["Location"] == "/notices/"
    assert all(Notice.objects.get(pk=n.pk).read_at for n in mine)
    assert Notice.objects.get(pk=hers.pk).read_at is None
    page = client.get("/notices/").content.decode()
    assert "0 unread notices" in page and "Mark all read" not in page


def test_mark_all_read_needs_the_csrf_token() -> None:
    ivan = UserFactory(username="ivan")
    notice = send(ivan, "Mine")
    client = Client(enforce_csrf_checks=True)
    client.force_login(ivan)
    assert client.post("/notices/read/").status_code == 403
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_pages_need_a_login() -> None:
    client = Client()
    for url in ("/notices/", "/notices/1/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post("/notices/read/")["Location"].startswith("/login/")


def test_every_signed_in_page_has_the_link_the_region_and_the_script() -> None:
    ivan = UserFactory(username="ivan")
    page = signed_in(ivan).get("/notices/").content.decode()
    assert '<a id="nav-notices" href="/notices/">Notices' in page
    assert 'id="notices-badge" hidden' in page
    region = re.search(r'<div id="notices-toasts"[^>]*>', page)[0]
    assert 'role="status"' in region and 'aria-live="polite"' in region
    assert 'data-socket="/ws/me/"' in region and 'data-open-url="/notices/0/"' in region
    assert '<script type="module" src="/static/js/notices.js"></script>' in page
    login = Client().get("/login/").content.decode()
    assert "notices.js" not in login and "notices-toasts" not in login


def test_the_page_in_russian() -> None:
    ivan = UserFactory(username="ivan", language="ru")
    for n in range(2):
        send(ivan, f"Этап {n}")
    page = signed_in(ivan).get("/notices/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "<h1>Уведомления</h1>" in page
    assert "2 непрочитанных уведомления" in page
    assert "Отметить все прочитанными" in page
    assert 'data-dismiss="Скрыть это уведомление"' in page
