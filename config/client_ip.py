"""The client's address, and forwarded headers only from the proxies we run.

Anyone can write ``X-Forwarded-For`` and ``X-Forwarded-Proto``. Only a proxy listed in
``TRUSTED_PROXIES`` (addresses or networks) is believed, and only about the hops it added
itself: the header is walked from the right, past trusted proxies, and the first address that
is not one of ours is the client. With ``TRUSTED_PROXIES`` empty (the default) the direct peer
is the client and every forwarded header is ignored.

Used by django-axes (``AXES_CLIENT_IP_CALLABLE``), by the log filter below, and by
:class:`TrustedProxyMiddleware`, which drops ``X-Forwarded-Proto`` from anyone but a trusted
proxy so that ``SECURE_PROXY_SSL_HEADER`` cannot be forged.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(value: str) -> Address | None:
    """An address as a peer or a hop writes it: ``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80``."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        value = value.partition(":")[0]
    value = value.partition("%")[0]  # an IPv6 zone id
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(
    peer: str | None, forwarded_for: str | None, proxies: Sequence[Network]
) -> str | None:
    """The client's address given the direct peer and the ``X-Forwarded-For`` it sent."""
    peer_address = parse_address(peer) if peer else None
    if peer_address is None:
        return peer or None
    if not forwarded_for or not _trusted(peer_address, proxies):
        return str(peer_address)
    nearest = peer_address  # the nearest hop we believe so far
    for hop in reversed([part for part in forwarded_for.split(",") if part.strip()]):
        address = parse_address(hop)
        if address is None:
            # A trusted proxy passed on something that is no address: blame that proxy.
            return str(nearest)
        if not _trusted(address, proxies):
            return str(address)
        nearest = address
    return str(nearest)  # every hop is one of ours: the request came from inside


@functools.lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def trusted_proxies() -> tuple[Network, ...]:
    """``settings.TRUSTED_PROXIES`` as networks (read each time, so overrides take effect)."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def peer_is_trusted(request: HttpRequest) -> bool:
    peer = parse_address(request.META.get("REMOTE_ADDR") or "")
    return peer is not None and _trusted(peer, trusted_proxies())


def client_ip(request: HttpRequest) -> str | None:
    """The client address of a Django request (django-axes calls this with the request)."""
    return client_address(
        request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"), trusted_proxies()
    )


# Headers only a trusted proxy may set. Django reads X-Forwarded-Proto through
# SECURE_PROXY_SSL_HEADER; X-Forwarded-For is read only through client_ip() above.
_PROXY_ONLY_HEADERS = ("HTTP_X_FORWARDED_PROTO",)


class TrustedProxyMiddleware:
    """First in MIDDLEWARE: forget X-Forwarded-Proto unless a trusted proxy sent it, and note
    the client's address as ``request.client_ip``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not peer_is_trusted(request):
            for header in _PROXY_ONLY_HEADERS:
                request.META.pop(header, None)
        request.client_ip = client_ip(request)  # type: ignore[attr-defined]
        return self.get_response(request)


class ClientAddressFilter(logging.Filter):
    """Adds ``client`` (`` client=1.2.3.4`` or empty) to every record; Django's request and
    security loggers attach the request, and the address is computed as for axes."""

    def filter(self, record: logging.LogRecord) -> bool:
        request: Any = getattr(record, "request", None)
        address = None
        if isinstance(request, HttpRequest):
            address = getattr(request, "client_ip", None) or client_ip(request)
        record.client = f" client={address}" if address else ""
        return True
