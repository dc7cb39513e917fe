"""A signed-in person's own language and time zone, for every request.

Language: Django's ``LocaleMiddleware`` takes it from the language cookie or the browser's
``Accept-Language``; a person who chose one (the header's switcher or the profile) gets it
here instead, on every device, and their browser gets the cookie that says so (the first page
after login sets it). Time zone: the person's stored zone is activated, so templates, forms
and ``|when`` show times in it; without one, the site's ``TIME_ZONE`` (UTC). The API always
answers in UTC."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from accounts.zones import is_zone, language_codes

# The API answers in UTC whoever asks (ISO 8601, "…Z"): a machine reader should not get
# another zone per token. Its human messages still follow the person's language.
API_PREFIX = "/api/"


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class PersonalLocaleMiddleware:
    """After ``AuthenticationMiddleware``: activates the person's language and zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = zone = ""
        if user is not None and user.is_authenticated:
            language = user.language if user.language in language_codes() else ""
            zone = user.time_zone if is_zone(user.time_zone) else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if zone and not request.path.startswith(API_PREFIX):
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        response = self.get_response(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response
