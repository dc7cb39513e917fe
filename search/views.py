"""The search page behind the navigation bar's search box."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from search.selectors import search_everything


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200].replace("\x00", "")
    groups = search_everything(user=request.user, query=query)
    total = sum(len(group.hits) for group in groups)
    return render(
        request, "search/results.html", {"query": query, "groups": groups, "total": total}
    )
