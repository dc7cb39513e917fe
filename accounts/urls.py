"""Logging in and out, setting one's password from the e-mailed link, and the language
switcher (the home page is ``portal``'s)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The one-time link a new person gets by e-mail (accounts.services.password_link).
    path("set-password/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_set"),
    path("set-password/done/", views.PasswordSetDoneView.as_view(), name="password_set_done"),
    # The header's language form posts here (Django's i18n/setlang/, plus the account).
    path("i18n/setlang/", views.set_language, name="set_language"),
]
