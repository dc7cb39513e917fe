"""Logging in and out, and the language switcher (the home page is ``portal``'s)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The header's language form posts here (Django's i18n/setlang/, plus the account).
    path("i18n/setlang/", views.set_language, name="set_language"),
]
