"""WebSocket route of the personal channel: every signed-in page's notices."""

from __future__ import annotations

from django.urls import re_path

from notify.consumers import NoticeConsumer

websocket_urlpatterns = [
    re_path(r"^ws/me/$", NoticeConsumer.as_asgi()),
]
