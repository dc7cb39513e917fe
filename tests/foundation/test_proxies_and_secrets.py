"""Hostile input at the edge: forged forwarded headers, a shared secret key, demo passwords on
the network, and TLS behind nginx (issue 12)."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from axes.models import AccessAttempt
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings

from config.client_ip import ClientAddressFilter, TrustedProxyMiddleware, client_address, client_ip
from sessions_live.management.commands.serve import daphne_command, exposure, is_loopback
from tests.e2e.servers import embedded_var as fill_embedded_var
from tests.e2e.servers import migrated_sqlite
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k3y-" + "".join(chr(97 + (i * 7) % 26) for i in range(60))


def _env(**overrides: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS", "SECRET"))
    }
    env.update(overrides)
    return env


def _manage(
    *args: str, env: dict[str, str], timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- 1. The client address ------------------------------------------------------------------

NETS = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.28.0.10/32", "::1/128")]


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        # No trusted proxy in the way: the header is the client's own writing.
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),
        ("203.0.113.5", None, "203.0.113.5"),
        # From our proxy: the rightmost address that is not ours.
        ("172.28.0.10", "198.51.100.1", "198.51.100.1"),
        ("172.28.0.10", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # 6.6.6.6: forged
        ("172.28.0.10", "6.6.6.6, 198.51.100.1, 10.1.2.3", "198.51.100.1"),  # two of ours
        ("172.28.0.10", "10.9.9.9", "10.9.9.9"),  # every hop ours: from inside
        ("172.28.0.10", "not-an-ip, 10.9.9.9", "10.9.9.9"),  # garbage: blame the last proxy
        ("172.28.0.10", "198.51.100.1:4321", "198.51.100.1"),
        ("::ffff:172.28.0.10", "[2001:db8::7]:443", "2001:db8::7"),
        ("::1", "2001:db8::8", "2001:db8::8"),
        (None, "1.2.3.4", None),
    ],
)
def test_the_client_address_is_the_rightmost_untrusted_hop_after_a_trusted_peer(
    peer: str | None, forwarded_for: str | None, expected: str | None
) -> None:
    assert client_address(peer, forwarded_for, NETS) == expected


def test_with_no_trusted_proxies_no_forwarded_header_counts() -> None:
    assert client_address("127.0.0.1", "203.0.113.7", []) == "127.0.0.1"
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "127.0.0.1"


def _fail_login(client: Client, username: str, **headers: str) -> int:
    return client.post(
        "/login/", {"username": username, "password": "wrong"}, **headers
    ).status_code


@pytest.mark.django_db
def test_forged_headers_do_not_spread_one_peers_failures_over_many_addresses(roles: None) -> None:
    UserFactory(username="carol", roles=["interviewer"])
    client = Client(REMOTE_ADDR="198.51.100.20")
    for n in range(5):
        _fail_login(client, "carol", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    locked = client.post(
        "/login/",
        {"username": "carol", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.20"}


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_the_rightmost_untrusted_address_is_counted(roles: None) -> None:
    UserFactory(username="carol", roles=["interviewer"])
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(5):
        # The client wrote 192.0.2.1 (a victim); nginx appended the real 198.51.100.4, and a
        # second proxy of ours 10.0.0.7.
        _fail_login(proxy, "carol", HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.4, 10.0.0.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.4"}
    # The same user from another client behind the same proxy is not locked out...
    fine = proxy.post(
        "/login/", {"username": "carol", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.1"
    )
    assert fine.status_code == 302
    # ...and a peer that is no proxy of ours gets no say about its address.
    Client(REMOTE_ADDR="198.51.100.77").post(
        "/login/", {"username": "carol", "password": "wrong"}, HTTP_X_FORWARDED_FOR="10.0.0.9"
    )
    assert AccessAttempt.objects.filter(ip_address="198.51.100.77").exists()


def test_x_forwarded_proto_is_dropped_unless_a_trusted_proxy_sent_it() -> None:
    seen: dict[str, object] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen.update(proto=request.META.get("HTTP_X_FORWARDED_PROTO"), ip=request.client_ip)  # type: ignore[attr-defined]
        return HttpResponse()

    middleware = TrustedProxyMiddleware(view)
    factory = RequestFactory()
    with override_settings(TRUSTED_PROXIES=["10.0.0.2"]):
        middleware(factory.get("/", REMOTE_ADDR="198.51.100.3", HTTP_X_FORWARDED_PROTO="https"))
        assert seen == {"proto": None, "ip": "198.51.100.3"}
        middleware(
            factory.get(
                "/",
                REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_PROTO="https",
                HTTP_X_FORWARDED_FOR="198.51.100.3",
            )
        )
        assert seen == {"proto": "https", "ip": "198.51.100.3"}


def test_log_lines_about_a_request_name_its_client_address() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden", (), None
    )
    record.request = request
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/8"]):
        ClientAddressFilter().filter(record)
    assert record.client == " client=198.51.100.9"
    bare = logging.LogRecord("x", logging.INFO, __file__, 1, "no request", (), None)
    ClientAddressFilter().filter(bare)
    assert bare.client == ""


def test_no_process_is_started_with_daphnes_proxy_headers() -> None:
    """daphne's --proxy-headers takes the leftmost X-Forwarded-For, which the client writes."""
    assert "--proxy-headers" not in daphne_command("127.0.0.1", 8000)
    for path in ("Dockerfile", "docker-compose.yml", "README.md", "docs/operations.md"):
        text = (ROOT / path).read_text()
        # A daphne command line (shell or exec form) with the flag; prose may name it.
        assert not re.search(r'daphne[", ]+-[^\n`]*--proxy-headers', text), path
        assert "PROXY_COUNT" not in text, path


@pytest.fixture(scope="module")
def embedded_var(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A migrated embedded app with the demo data, as `make run` leaves it."""
    var = tmp_path_factory.mktemp("embedded") / "var"
    fill_embedded_var(_env(ROUNDTABLE_VAR_DIR=str(var)))  # a copy of the migrated, seeded template
    yield var


def _login_over_http(base: str, username: str, password: str, forwarded_for: str) -> int:
    with httpx.Client(base_url=base, timeout=10) as http:
        page = http.get("/login/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        response = http.post(
            "/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
            headers={"X-Forwarded-For": forwarded_for, "Referer": f"{base}/login/"},
        )
        return response.status_code


@pytest.mark.processes
def test_through_daphne_as_served_a_forged_header_neither_dodges_nor_aims_a_lockout(
    embedded_var: Path, tmp_path: Path
) -> None:
    port = _free_port()
    env = _env(ROUNDTABLE_VAR_DIR=str(embedded_var))
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "serve",
            "--no-worker",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        # An attacker guesses ivan's password, writing a new X-Forwarded-For each time.
        for n in range(5):
            _login_over_http(base, "ivan", "guess", f"203.0.113.{n}")
        assert _login_over_http(base, "ivan", "roundtable-demo", "192.0.2.200") == 429
        # And tries to lock olga out at a victim's address: the attempts count against the
        # attacker's own address only.
        for _ in range(5):
            _login_over_http(base, "olga", "guess", "192.0.2.66")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    code = (
        "import json; from axes.models import AccessAttempt as A;"
        "print(json.dumps(sorted({a.username + '@' + a.ip_address for a in A.objects.all()})))"
    )
    result = _manage("shell", "-v", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["ivan@127.0.0.1", "olga@127.0.0.1"]


# --- 2. The secret key and demo passwords ----------------------------------------------------

_SHOW_KEY = (
    "from django.conf import settings as s; print(s.SECRET_KEY); print(s.SECRET_KEY_FALLBACKS)"
)


def test_without_secret_key_a_random_key_is_made_once_in_var_and_kept(tmp_path: Path) -> None:
    env = _env(ROUNDTABLE_VAR_DIR=str(tmp_path))
    first = _manage("shell", "-v", "0", "-c", _SHOW_KEY, env=env)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = first.stdout.splitlines()[0]
    assert key == key_file.read_text().strip()
    assert len(key) >= 50 and "not-secret" not in key
    second = _manage("shell", "-v", "0", "-c", _SHOW_KEY, env=env)
    assert second.stdout.splitlines()[0] == key  # reused, not made again
    other = tmp_path / "other"
    third = _manage("shell", "-v", "0", "-c", _SHOW_KEY, env=_env(ROUNDTABLE_VAR_DIR=str(other)))
    assert third.stdout.splitlines()[0] != key  # each installation has its own


def test_secret_key_fallbacks_are_read_for_rotation(tmp_path: Path) -> None:
    old_a, old_b = "a" + GOOD_SECRET, "b" + GOOD_SECRET
    env = _env(
        ROUNDTABLE_VAR_DIR=str(tmp_path),
        SECRET_KEY=GOOD_SECRET,
        SECRET_KEY_FALLBACKS=f"{old_a}, {old_b}",
    )
    result = _manage("shell", "-v", "0", "-c", _SHOW_KEY, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [GOOD_SECRET, repr([old_a, old_b])]
    assert not (tmp_path / "secret_key").exists()  # a key from the environment wins
    short = _manage("check", env={**env, "SECRET_KEY_FALLBACKS": "short"})
    assert short.returncode != 0
    assert "SECRET_KEY_FALLBACKS: every key must be at least 50 random characters" in short.stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("127.0.1.1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("roundtable.lan", False),
    ],
)
def test_which_hosts_only_this_machine_can_reach(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serving_the_published_demo_passwords_to_the_network_is_refused_unless_allowed() -> None:
    assert exposure("127.0.0.1", demo_users=["admin"], debug=True, allow_demo=False) == (None, [])
    refusal, warnings = exposure(
        "0.0.0.0", demo_users=["admin", "lena"], debug=False, allow_demo=False
    )
    assert refusal is not None
    assert "admin, lena" in refusal and "roundtable-demo" in refusal
    assert "ROUNDTABLE_ALLOW_DEMO_PASSWORDS" in refusal
    assert any("plain HTTP" in line for line in warnings)
    refusal, warnings = exposure("0.0.0.0", demo_users=["admin"], debug=True, allow_demo=True)
    assert refusal is None
    assert any("roundtable-demo" in line for line in warnings)
    assert any("DEBUG" in line for line in warnings)
    refusal, warnings = exposure("0.0.0.0", demo_users=[], debug=False, allow_demo=False)
    assert refusal is None and len(warnings) == 1  # own passwords: only the plain-HTTP note


@pytest.mark.processes
def test_serve_on_every_interface_with_demo_passwords_stops_before_starting(
    embedded_var: Path,
) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "serve",
            "--no-worker",
            "--host",
            "0.0.0.0",
            "--port",
            str(_free_port()),
        ],
        cwd=ROOT,
        env=_env(ROUNDTABLE_VAR_DIR=str(embedded_var)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("serve started on 0.0.0.0 with the published demo passwords")
    assert process.returncode != 0
    assert "Refusing to serve on 0.0.0.0" in err and "roundtable-demo" in err
    assert "starting at" not in out


# --- 3. Behind nginx with TLS ----------------------------------------------------------------

_BEHIND_PROXY = """
import json
from django.test import Client, override_settings
from django.conf import settings
out = {"header": settings.SECURE_PROXY_SSL_HEADER, "redirect": settings.SECURE_SSL_REDIRECT,
       "hsts": [settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
                settings.SECURE_HSTS_PRELOAD],
       "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE]}
plain = {"STORAGES": {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}}
with override_settings(**plain):
    host = "roundtable.example.com"
    proxy = Client(REMOTE_ADDR="172.28.0.10", HTTP_HOST=host, enforce_csrf_checks=True)
    page = proxy.get("/login/", HTTP_X_FORWARDED_PROTO="https",
                     HTTP_X_FORWARDED_FOR="198.51.100.8")
    out["via_proxy"] = page.status_code
    out["hsts_header"] = page.headers.get("Strict-Transport-Security")
    out["plain_via_proxy"] = proxy.get("/login/").status_code
    forged = Client(REMOTE_ADDR="198.51.100.8", HTTP_HOST=host)
    out["forged"] = forged.get("/login/", HTTP_X_FORWARDED_PROTO="https").status_code
    token = proxy.cookies["csrftoken"].value
    login = proxy.post("/login/", {"username": "nobody", "password": "x",
                                   "csrfmiddlewaretoken": token},
                       HTTP_X_FORWARDED_PROTO="https", HTTP_ORIGIN="https://" + host,
                       HTTP_X_FORWARDED_FOR="198.51.100.8")
    out["login_post"] = login.status_code
print(json.dumps(out))
"""


def _production(tmp_path: Path, **overrides: str) -> dict[str, str]:
    values = {
        "ROUNDTABLE_MODE": "production",
        "SECRET_KEY": GOOD_SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "roundtable.example.com",
        "EMAIL_URL": "smtp://mail.example.com:587",
        "ROUNDTABLE_VAR_DIR": str(tmp_path / "var"),
        "TRUSTED_PROXIES": "172.28.0.10",
    }
    return _env(**{**values, **overrides})


def test_behind_the_tls_proxy_https_is_believed_from_it_alone_and_nothing_loops(
    tmp_path: Path,
) -> None:
    env = _production(tmp_path)
    migrated_sqlite(tmp_path / "db.sqlite3")  # what `migrate` makes, from its template
    result = _manage("shell", "-v", "0", "-c", _BEHIND_PROXY, env=env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert out["redirect"] is True
    assert out["cookies"] == [True, True]
    assert out["hsts"] == [31536000, False, False]  # subdomains and preload only when asked
    assert out["via_proxy"] == 200  # https from nginx: served, not redirected again
    assert out["hsts_header"] == "max-age=31536000"
    assert out["plain_via_proxy"] == 301  # http reached the app: to https
    assert out["forged"] == 301  # a client's own X-Forwarded-Proto is ignored
    assert out["login_post"] == 200  # the form again (bad password), not a CSRF 403


def test_hsts_subdomains_and_preload_are_turned_on_by_their_variables(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SILENCED_SYSTEM_CHECKS)"
    )
    env = _production(
        tmp_path,
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
    )
    result = _manage("shell", "-v", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["600", "True", "True", "[]"]


def test_a_bad_trusted_proxy_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = _manage("check", env=_production(tmp_path, TRUSTED_PROXIES="10.0.0.1, nginx"))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "roundtable: configuration error: TRUSTED_PROXIES: expected IP addresses or networks "
        "(CIDR), got 'nginx'"
    ]


NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def test_nginx_terminates_tls_redirects_http_and_forwards_what_django_reads() -> None:
    from django.conf import settings

    conf = NGINX_CONF.read_text()
    lines = [line.split("#", 1)[0].strip() for line in conf.splitlines()]
    directives = [line for line in lines if line]
    assert "listen 443 ssl;" in directives
    assert "listen 80;" in directives
    assert "return 301 https://$host$request_uri;" in directives
    assert "ssl_certificate /etc/nginx/tls/fullchain.pem;" in [
        " ".join(d.split()) for d in directives
    ]
    assert directives.count("proxy_set_header X-Forwarded-Proto https;") >= 1
    assert "$scheme" not in "\n".join(directives)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in [
        " ".join(d.split()) for d in directives
    ]
    ws = conf.split("location /ws/", 1)[1].split("}", 1)[0]
    assert "proxy_set_header Upgrade $http_upgrade;" in ws
    assert "proxy_set_header Connection $connection_upgrade;" in ws
    assert "X-Forwarded-Proto https" in ws and "$proxy_add_x_forwarded_for" in ws
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size
    largest = max([settings.RESUME_MAX_BYTES, *getattr(settings, "BODY_LIMITS", {}).values()])
    assert largest <= int(size[1]) * 1024 * 1024 <= largest + 1024 * 1024
    # docker-compose trusts exactly the proxy's pinned address.
    compose = (ROOT / "docker-compose.yml").read_text()
    address = re.search(r"ipv4_address: ([\d.]+)", compose)
    assert address and f"TRUSTED_PROXIES: {address[1]}" in compose


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    # `make test` installs Debian's nginx (the `browser` rule); never skipped, so a broken
    # configuration cannot hide behind a missing binary.
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is needed for this test: `make browser` installs it"
    tls = tmp_path / "tls"
    tls.mkdir()
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(tls / "privkey.pem"),
         "-out", str(tls / "fullchain.pem")],
        capture_output=True, timeout=60,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    site = NGINX_CONF.read_text().replace("/etc/nginx/tls", str(tls))
    site = site.replace("web1:8000", "127.0.0.1:1").replace("web2:8000", "127.0.0.1:2")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\nevents {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body;\n"
        f"include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
