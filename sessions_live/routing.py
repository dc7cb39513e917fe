"""WebSocket routes of the live session: one socket per member per open live page."""

from __future__ import annotations

from django.urls import re_path

from sessions_live.consumers import SessionConsumer

websocket_urlpatterns = [
    re_path(r"^ws/sessions/(?P<code>[A-Z0-9-]{1,32})/$", SessionConsumer.as_asgi()),
]
