"""The WebSocket origin check: scheme, host and port of ``Origin`` must be this site's.

Channels' ``AllowedHostsOriginValidator`` compares only the host name with ``ALLOWED_HOSTS``,
so a page served from ``http://localhost:9999`` (another program on the same machine) or over
plain http could open a socket with the user's cookie. Here an origin is accepted when it is
exactly (scheme, host, port):

* the origin of the request itself: the ``Host`` header (which must pass ``ALLOWED_HOSTS``)
  with the scheme the browser used: ``wss`` means https; behind a proxy listed in
  ``TRUSTED_PROXIES``, its ``X-Forwarded-Proto`` says so (config/client_ip.py);
* or ``SITE_URL``, or one of ``CSRF_TRUSTED_ORIGINS`` (``https://*.example.com`` matches the
  subdomains, as for Django's CSRF check).

Anything else, a missing or ``null`` Origin included, is refused during the handshake
(HTTP 403), before the cookie is even read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from config.client_ip import parse_address, trusted_proxies

Origin = tuple[str, str, int]
DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


def parse_origin(value: str) -> Origin | None:
    """``(scheme, host, port)`` of an origin or URL, the port made explicit; None if it is
    not an http(s) origin."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def request_origin(scope: dict[str, Any]) -> Origin | None:
    """The origin the browser addressed: its scheme and the ``Host`` header, if allowed."""
    scheme = _SCHEMES.get(str(scope.get("scheme") or "ws").lower(), "http")
    client = scope.get("client")
    peer = parse_address(str(client[0])) if client else None
    if peer is not None and any(
        peer.version == net.version and peer in net for net in trusted_proxies()
    ):
        forwarded = (_header(scope, b"x-forwarded-proto") or "").split(",")[0].strip().lower()
        if forwarded in DEFAULT_PORTS:
            scheme = forwarded
    host = _header(scope, b"host")
    if not host:
        return None
    domain, port = split_domain_port(host.lower())
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    if port and not port.isdigit():
        return None
    return scheme, domain.strip("[]"), int(port) if port else DEFAULT_PORTS[scheme]


def configured_origins() -> list[str]:
    configured = list(getattr(settings, "CSRF_TRUSTED_ORIGINS", []) or [])
    site = getattr(settings, "SITE_URL", None)
    if site:
        configured.append(str(site))
    return configured


def _matches(origin: Origin, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        wildcard = "://*." in pattern
        expected = parse_origin(pattern.replace("://*.", "://", 1) if wildcard else pattern)
        if expected is None:
            continue
        scheme, host, port = expected
        if origin[0] != scheme or origin[2] != port:
            continue
        if origin[1] == host or (wildcard and origin[1].endswith("." + host)):
            return True
    return False


def origin_allowed(scope: dict[str, Any]) -> bool:
    raw = _header(scope, b"origin")
    origin = parse_origin(raw) if raw else None
    if origin is None:
        return False
    if origin == request_origin(scope):
        return True
    return _matches(origin, configured_origins())


class SameOriginValidator:
    """ASGI middleware: refuse a WebSocket handshake whose Origin is not this site's."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
