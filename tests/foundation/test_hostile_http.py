"""Hostile HTTP: bodies too big to read, bodies nested too deep, floods, pages that must carry
their security headers. Each refusal is checked to change nothing already saved."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from http.cookies import SimpleCookie
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from config.asgi import application

MiB = 1024 * 1024


class Exchange:
    """One HTTP request driven straight through the ASGI app daphne serves."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.body = b""
        self.chunks_read = 0


def asgi_request(
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    chunks: Iterator[bytes] | None = None,
) -> Exchange:
    """Send ``chunks`` as the body (each its own ``http.request`` message), count how many the
    app pulled, and collect the response. After the body the client just stays connected."""
    exchange = Exchange()
    raw_headers = [(b"host", b"testserver")] + [
        (name.lower().encode(), value.encode()) for name, value in (headers or {}).items()
    ]
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def run() -> None:
        pending = iter(chunks or ())
        next_chunk = next(pending, b"")  # a request without a body still sends one message
        idle = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal next_chunk
            if next_chunk is None:
                await idle.wait()  # the client stays connected and sends nothing more
            chunk, next_chunk = next_chunk, next(pending, None)
            exchange.chunks_read += 1
            return {"type": "http.request", "body": chunk, "more_body": next_chunk is not None}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
            elif message["type"] == "http.response.body":
                exchange.body += message.get("body", b"")

        await asyncio.wait_for(application(scope, receive, send), timeout=30)

    async_to_sync(run)()
    return exchange


def endless(chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """Far more than any limit (200 chunks, 12.5 MiB): an app that reads it all is caught."""
    for _ in range(200):
        yield b"x" * chunk_size


# --- 1. request body cap -------------------------------------------------------------------


def test_a_declared_body_over_the_limit_is_413_before_anything_is_read(monkeypatch) -> None:  # noqa: ANN001
    import django.core.handlers.asgi as django_asgi

    called = []
    real_read_body = django_asgi.ASGIHandler.read_body

    async def read_body(*args: Any) -> Any:
        called.append(args)
        return await real_read_body(*args)

    monkeypatch.setattr(django_asgi.ASGIHandler, "read_body", read_body)
    exchange = asgi_request(
        "POST",
        "/login/",
        headers={"content-length": str(300 * MiB), "content-type": "text/plain"},
        chunks=endless(),
    )
    assert exchange.status == 413
    assert json.loads(exchange.body) == {
        "status": 413,
        "code": "too_large",
        "message": "The request body is larger than this address takes (1048576 bytes).",
        "limit": MiB,
    }
    assert exchange.headers["content-type"] == "application/json"
    assert exchange.chunks_read == 0  # not one byte of the body was read
    assert called == []  # Django never started on the request


def test_a_chunked_body_is_cut_off_once_it_passes_the_limit() -> None:
    exchange = asgi_request(
        "POST", "/login/", headers={"content-type": "text/plain"}, chunks=endless()
    )
    assert exchange.status == 413
    assert json.loads(exchange.body)["code"] == "too_large"
    # 1 MiB in 64 KiB chunks: the 17th chunk passes the limit and nothing more is read.
    assert exchange.chunks_read == 17


@pytest.mark.django_db  # the import page's request reaches Django (and may touch the database)
def test_the_bank_import_takes_a_bigger_body_than_other_pages() -> None:
    over_default = str(2 * MiB)
    refused = asgi_request("POST", "/login/", headers={"content-length": over_default})
    assert refused.status == 413
    import_page = asgi_request(
        "POST", "/questions/import/", headers={"content-length": over_default}
    )
    assert import_page.status != 413  # reached Django (which wants a login first)
    too_big_even_there = asgi_request(
        "POST", "/questions/import/", headers={"content-length": str(6 * MiB)}
    )
    assert too_big_even_there.status == 413
    assert json.loads(too_big_even_there.body)["limit"] == 5 * MiB + 256 * 1024


def _cookies(exchange: Exchange) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in exchange.headers.items():
        if name == "set-cookie":
            jar.load(value)
    return {key: morsel.value for key, morsel in jar.items()}


@pytest.mark.django_db(transaction=True)
def test_a_normal_login_still_works_through_the_capped_app(lead) -> None:  # noqa: ANN001
    lead.set_password("a-long-test-password")
    lead.save()
    page = asgi_request("GET", "/login/")
    assert page.status == 200
    token = _cookies(page)["csrftoken"]
    form = f"username=lena&password=a-long-test-password&csrfmiddlewaretoken={token}".encode()
    exchange = asgi_request(
        "POST",
        "/login/",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "content-length": str(len(form)),
            "cookie": f"csrftoken={token}",
        },
        chunks=iter([form[:10], form[10:]]),
    )
    assert exchange.status == 302, exchange.body
    assert "sessionid" in _cookies(exchange)


def test_uploads_stream_to_a_file_under_var_not_to_memory(settings) -> None:  # noqa: ANN001
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 256 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.MAX_BODY_BYTES
    assert settings.FILE_UPLOAD_TEMP_DIR == settings.VAR_DIR / "tmp"


# --- 2. JSON nested too deep -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_bank_json_nested_100000_deep_is_refused_on_the_page_and_imports_nothing(
    client,  # noqa: ANN001
    editor,  # noqa: ANN001
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from questionbank.models import Question, Topic

    client.force_login(editor)
    body = ("[" * 100_000 + "]" * 100_000).encode()
    upload = SimpleUploadedFile("bank.json", body, content_type="application/json")
    response = client.post("/questions/import/", {"file": upload, "mode": "import"})
    assert response.status_code == 400
    assert "The JSON is nested too deeply: each row must be a flat object." in (
        response.content.decode()
    )
    assert Topic.objects.count() == 0 and Question.objects.count() == 0


# --- 3. join by code, throttled per person -----------------------------------------------------


@pytest.fixture
def fresh_rate_counts(settings):  # noqa: ANN001, ANN201
    import uuid

    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    }


def _wrong_codes() -> Iterator[str]:
    from sessions_live.codes import ALPHABET

    for letter in ALPHABET:
        yield f"{letter * 3}-{letter * 3}-{letter * 3}"


@pytest.mark.django_db
def test_ten_wrong_codes_in_a_minute_lock_joining_even_with_the_right_code(
    client,  # noqa: ANN001
    lead,  # noqa: ANN001
    ann,  # noqa: ANN001
    bob,  # noqa: ANN001
    fresh_rate_counts,  # noqa: ANN001
) -> None:
    from sessions_live.models import Membership
    from tests.sessions_live.conftest import make_session

    session = make_session(lead, [])
    client.force_login(ann)
    wrong = _wrong_codes()
    for _ in range(10):
        miss = client.post("/sessions/join/", {"code": next(wrong)})
        assert miss.status_code == 200
        assert "No session has this code" in miss.content.decode()
    refused = client.post("/sessions/join/", {"code": session.code})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Too many wrong codes. Wait a minute" in refused.content.decode()
    assert not Membership.objects.filter(session=session, user=ann).exists()
    # The code in the join link's address is refused the same way.
    assert client.get(f"/s/{session.code}/join/").status_code == 429
    # Per person: Bob joins at once.
    client.force_login(bob)
    assert client.post("/sessions/join/", {"code": session.code}).status_code == 302
    assert Membership.objects.filter(session=session, user=bob).exists()


@pytest.mark.django_db
def test_wrong_codes_in_the_join_links_address_count_too(
    client,  # noqa: ANN001
    ann,  # noqa: ANN001
    fresh_rate_counts,  # noqa: ANN001
) -> None:
    client.force_login(ann)
    wrong = _wrong_codes()
    assert [client.get(f"/s/{next(wrong)}/join/").status_code for _ in range(10)] == [404] * 10
    assert client.get(f"/s/{next(wrong)}/join/").status_code == 429
    assert client.post("/sessions/join/", {"code": next(wrong)}).status_code == 429


@pytest.mark.django_db
def test_the_wrong_code_count_is_forgotten_after_the_minute(
    client,  # noqa: ANN001
    lead,  # noqa: ANN001
    ann,  # noqa: ANN001
    fresh_rate_counts,  # noqa: ANN001
) -> None:
    from django.core.cache import cache

    from tests.sessions_live.conftest import make_session

    session = make_session(lead, [])
    client.force_login(ann)
    wrong = _wrong_codes()
    for _ in range(10):
        client.post("/sessions/join/", {"code": next(wrong)})
    assert client.post("/sessions/join/", {"code": session.code}).status_code == 429
    cache.delete(f"join-miss:{ann.pk}")  # what the minute's expiry does
    assert client.post("/sessions/join/", {"code": session.code}).status_code == 302


# --- 4. Content-Security-Policy and Permissions-Policy -----------------------------------------

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'"
)


def _directives(header: str) -> dict[str, str]:
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1]
        for part in (piece.strip() for piece in header.split(";"))
        if part
    }


@pytest.mark.django_db
def test_every_main_page_carries_the_csp_and_the_permissions_policy(
    client,  # noqa: ANN001
    lead,  # noqa: ANN001
    ann,  # noqa: ANN001
    manager,  # noqa: ANN001
    editor,  # noqa: ANN001
) -> None:
    from django.urls import reverse

    from tests.sessions_live.conftest import make_session

    session = make_session(lead, [ann])
    pages = [
        (None, "/login/"),
        (ann, "/"),
        (ann, f"/s/{session.code}/"),
        (ann, "/sessions/join/"),
        (manager, f"/s/{session.code}/results/"),
        (editor, "/questions/import/"),
        (manager, reverse("cabinet_index")),
        (manager, "/api/docs/"),
        (manager, "/api/docs/?script="),
        (ann, "/no-such-page/"),
    ]
    for person, url in pages:
        if person is None:
            client.logout()
        else:
            client.force_login(person)
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert _directives(response["Content-Security-Policy"]) == _directives(CSP), url
        policy = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()"):
            assert feature in policy, (url, policy)


@pytest.mark.django_db
def test_the_api_docs_page_has_no_inline_script_or_style_and_its_script_is_served(
    client,  # noqa: ANN001
    manager,  # noqa: ANN001
) -> None:
    client.force_login(manager)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style" not in html and "style=" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts), scripts
    assert 'src="/api/docs/?script="' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


INLINE = re.compile(
    r"<style\b|\sstyle\s*=|<script\b(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.I
)


def test_no_template_has_inline_script_style_or_handlers() -> None:
    """Under style-src/script-src 'self' any of these is blocked by the browser. E-mails are not
    pages (no CSP applies, and mail clients want inline styles): they are left out."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    templates = [
        path
        for path in root.glob("**/templates/**/*.html")
        if not {".venv", "node_modules", "var"} & set(path.relative_to(root).parts)
        and "notify" not in path.relative_to(root).parts
    ]
    assert len(templates) > 20
    offenders = {
        str(path.relative_to(root)): INLINE.findall(path.read_text())
        for path in templates
        if INLINE.search(path.read_text())
    }
    assert offenders == {}
