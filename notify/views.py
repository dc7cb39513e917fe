"""The notices page: a person's own notices, newest first, and marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from notify import selectors, services
from notify.models import Notice

PER_PAGE = 25


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    # Only the reader's own rows are ever read: there is no one else's notice to leak.
    pages = Paginator(selectors.notices_of(user_id=request.user.pk), PER_PAGE)
    page = pages.get_page(request.GET.get("page"))
    return render(
        request,
        "notify/notices.html",
        {
            "page": page,
            "notices": list(page.object_list),
            "unread": selectors.unread_count(user_id=request.user.pk),
        },
    )


@login_required
@require_POST
def notice_read_all(request: HttpRequest) -> HttpResponse:
    services.notice_mark_read(user=request.user, all=True)
    return redirect("notice_list")


@login_required
@require_GET
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notice's link, marking it read; someone else's notice is not found."""
    notice = get_object_or_404(
        Notice.objects.only("id", "link", "read_at"), pk=pk, recipient_id=request.user.pk
    )
    if notice.read_at is None:
        services.notice_mark_read(user=request.user, notice_ids=[notice.pk])
    # The link was checked to be a path on this site when the notice was made; checked again.
    link = notice.link
    if not link or not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        link = reverse("notice_list")
    return HttpResponseRedirect(link)
