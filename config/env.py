"""Typed readers of environment variables that fail at start-up with a one-line reason."""

from __future__ import annotations

import ipaddress
import os
import secrets
import stat
import string
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

_MISSING: Any = object()


class ConfigError(ImproperlyConfigured):
    """A variable is missing or malformed; the message names it and says what was expected."""


class Settings:
    """Reads one variable at a time; an empty string counts as unset."""

    def __init__(self, source: Mapping[str, str]) -> None:
        self._source = source

    def has(self, name: str) -> bool:
        return bool(self._source.get(name, "").strip())

    def _raw(self, name: str, default: Any) -> Any:
        value = self._source.get(name, "").strip()
        if value:
            return value
        if default is _MISSING:
            raise ConfigError(f"{name}: required but not set")
        return default

    def str(self, name: str, default: Any = _MISSING) -> Any:
        return self._raw(name, default)

    def secret(self, name: str) -> str:
        value: str = self._raw(name, _MISSING)
        if len(value) < 50 or len(set(value)) < 5:
            raise ConfigError(f"{name}: must be at least 50 random characters")
        return value

    def bool(self, name: str, default: Any = _MISSING) -> Any:
        value = self._raw(name, default)
        if not isinstance(value, str):
            return value
        lowered = value.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name}: expected true or false, got {value!r}")

    def int(self, name: str, default: Any = _MISSING) -> Any:
        return self._convert(name, default, int, "a whole number")

    def number(self, name: str, default: Any = _MISSING) -> Any:
        return self._convert(name, default, float, "a number")

    def _convert(self, name: str, default: Any, kind: Callable[[str], Any], what: str) -> Any:
        value = self._raw(name, default)
        if not isinstance(value, str):
            return value
        try:
            return kind(value)
        except ValueError:
            raise ConfigError(f"{name}: expected {what}, got {value!r}") from None

    def choice(self, name: str, choices: Sequence[str], default: Any = _MISSING) -> Any:
        value = self._raw(name, default)
        if value not in choices:
            raise ConfigError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
        return value

    def list(self, name: str, default: Any = _MISSING) -> Any:
        value = self._raw(name, default)
        if not isinstance(value, str):
            return value
        return [item.strip() for item in value.split(",") if item.strip()]

    def networks(self, name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """A comma-separated list of addresses and CIDR networks; empty when unset."""
        networks = []
        for item in self.list(name, default=[]):
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ConfigError(
                    f"{name}: expected IP addresses or networks (CIDR), got {item!r}"
                ) from None
        return networks

    def path(self, name: str, default: Any = _MISSING) -> Any:
        value = self._raw(name, default)
        return Path(value).resolve() if isinstance(value, str) else value

    def url(self, name: str, default: Any = _MISSING) -> Any:
        value = self._raw(name, default)
        if isinstance(value, str):
            parsed = urlparse(value)
            if parsed.scheme not in {"http", "https"} or not parsed.netloc:
                raise ConfigError(f"{name}: expected an http(s) URL, got {value!r}")
        return value

    def redis_url(self, name: str, default: Any = _MISSING) -> Any:
        value = self._raw(name, default)
        if isinstance(value, str):
            parsed = urlparse(value)
            if parsed.scheme not in {"redis", "rediss", "unix"}:
                raise ConfigError(f"{name}: expected a redis:// URL, got {value!r}")
        return value

    def database(self, name: str, default: Any = _MISSING) -> dict[str, Any]:
        value = self._raw(name, default)
        try:
            config: dict[str, Any] = environ.Env.db_url_config(value)
        except Exception as error:  # django-environ raises several kinds for a bad URL
            raise ConfigError(f"{name}: not a database URL ({error})") from None
        if config.get("ENGINE") not in {
            "django.db.backends.postgresql",
            "django.db.backends.sqlite3",
        }:
            raise ConfigError(f"{name}: expected postgres:// or sqlite:///, got {value!r}")
        if config["ENGINE"] == "django.db.backends.sqlite3":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        return config

    def email(self, name: str) -> dict[str, Any]:
        value = self._raw(name, _MISSING)
        try:
            config: dict[str, Any] = environ.Env.email_url_config(value)
        except Exception as error:
            raise ConfigError(f"{name}: not an e-mail URL ({error})") from None
        return config


_KEY_ALPHABET = string.ascii_letters + string.digits + "!#$%&()*+-./:;<=>?@[]^_{|}~"


def secret_key_file(path: Path) -> str:
    """The key kept in ``path``, created on first use: random, mode 0600, never rewritten.

    The file is written under a temporary name and linked into place, so processes starting
    together (daphne and the Celery worker of ``manage.py serve``) agree on one key and none
    reads a half-written file.
    """
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = "".join(secrets.choice(_KEY_ALPHABET) for _ in range(64))
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(handle, "w", encoding="ascii") as file:
                os.fchmod(file.fileno(), stat.S_IRUSR | stat.S_IWUSR)  # mkstemp's, made sure
                file.write(key + "\n")
                file.flush()
                os.fsync(file.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:  # another process was first: use its key
                key = path.read_text(encoding="ascii").strip()
        finally:
            os.unlink(temporary)
    if len(key) < 50 or len(set(key)) < 5:
        raise ConfigError(f"SECRET_KEY: {path} must hold at least 50 random characters")
    return key
