"""Logging in (remembering the browser's time zone) and switching the language."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.views.i18n import set_language as django_set_language

from accounts.forms import LoginForm
from accounts.zones import language_codes


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        user = form.get_user()
        zone = form.browser_zone()
        if zone and user.time_zone_from_browser and user.time_zone != zone:
            user.time_zone = zone
            user.save(update_fields=["time_zone"])
        return response


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (cookie, redirect to ``next``), and the signed-in person's
    choice is kept on their account so every device follows it."""
    response = django_set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    user = request.user
    if language in language_codes() and user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
