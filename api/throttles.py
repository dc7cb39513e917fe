"""How fast one person (or one address, when anonymous) may call the API.

The rates are read from settings on every request (``API_RATE_USER``, ``API_RATE_ANON``), not
frozen at import as DRF's own classes do, so they can be changed by the environment and in
tests. The counts live in the default cache: Redis wherever Redis is configured, so every
process counts against the same limit. A refusal is 429 with ``Retry-After`` (seconds).

An anonymous caller is counted by the address ``config/client_ip.py`` computes: a forwarded
address is believed only from ``TRUSTED_PROXIES`` (DRF's own would believe any client's
``X-Forwarded-For``, and one could dodge the limit by writing a new one each time)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from config.client_ip import client_ip


def _address(request: Any) -> str:
    return client_ip(request) or request.META.get("REMOTE_ADDR") or "unknown"


class PerUser(UserRateThrottle):
    def get_rate(self) -> str:
        return str(settings.API_RATE_USER)

    def get_ident(self, request: Any) -> str:
        return _address(request)


class PerAddress(AnonRateThrottle):
    def get_rate(self) -> str:
        return str(settings.API_RATE_ANON)

    def get_ident(self, request: Any) -> str:
        return _address(request)
