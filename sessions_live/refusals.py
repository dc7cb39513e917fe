"""Refusal messages in the member's language.

The arbiter is pure: it answers with a stable code, an English message, and that message's
template (a message id marked for ``makemessages`` with ``arbiter.i18n.gettext_noop``) and
parameters. This is where they meet ``gettext``. Text parameters are translated too when the
catalogue has them (the phase names are marked in ``arbiter.rules``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

Params = Iterable[tuple[str, str | int]]


def message(template: str, params: Params = (), fallback: str = "") -> str:
    """``template`` translated into the active language, with ``params`` filled in."""
    if not template:
        return fallback
    values = {name: gettext(value) if isinstance(value, str) else value for name, value in params}
    try:
        return gettext(template) % values if values else gettext(template)
    except (KeyError, TypeError, ValueError):  # a broken translation must not kill the reply
        return fallback or template


def language_of(scope: Mapping[str, Any]) -> str:
    """The language a socket's replies use: the language cookie, then Accept-Language, then
    the site's default (the same order as Django's LocaleMiddleware, without the URL)."""
    cookies = scope.get("cookies") or {}
    chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    for name, value in scope.get("headers") or ():
        if name == b"accept-language":
            header = value.decode("latin-1")[:500]
            for code, _quality in translation.trans_real.parse_accept_lang_header(header):
                if code == "*":
                    break
                try:
                    return translation.get_supported_language_variant(code)
                except LookupError:
                    continue
            break
    return settings.LANGUAGE_CODE
