"""Reading notices: one person's, never anyone else's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from notify.models import Notice


def notices_of(*, user_id: int) -> QuerySet[Notice]:
    """The person's notices, newest first (the list page slices it; one query per page)."""
    return Notice.objects.filter(recipient_id=user_id).order_by("-created_at", "-id")


def unread_count(*, user_id: int) -> int:
    return Notice.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def newest_id(*, user_id: int) -> int:
    """The id of the person's newest notice, 0 without any."""
    return (
        Notice.objects.filter(recipient_id=user_id).order_by("-id").values_list("id", flat=True)
    ).first() or 0


def notice_frame(notice: Notice) -> dict[str, Any]:
    """The notice as the personal socket sends it (docs/protocol.md)."""
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "link": notice.link,
        "created_at": notice.created_at.isoformat(),
    }
