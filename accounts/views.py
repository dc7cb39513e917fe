"""Home page: each person sees what their roles let them do."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import ROLE_LABELS


@login_required
def home(request: HttpRequest) -> HttpResponse:
    groups = set(request.user.groups.values_list("name", flat=True))
    role_names = [str(label) for role, label in ROLE_LABELS.items() if role in groups]
    from sessions_live.selectors import sessions_of

    return render(
        request,
        "accounts/home.html",
        {"role_names": role_names, "my_sessions": sessions_of(request.user)},
    )
