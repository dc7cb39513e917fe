"""Logging in (remembering the browser's time zone), setting one's password from the
one-time link a new person is e-mailed (``accounts.services.password_link``), and switching
the language."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
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


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Django's reset-confirm page: the link's token is valid once, until a password is set
    (or the person logs in) and for ``PASSWORD_RESET_TIMEOUT``; a deactivated person's link
    is dead."""

    template_name = "registration/password_set.html"
    success_url = reverse_lazy("password_set_done")
    post_reset_login = False

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None


class PasswordSetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_set_done.html"


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
