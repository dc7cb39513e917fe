"""WebSocket route of the cabinet: "your lists changed" for managers."""

from __future__ import annotations

from django.urls import re_path

from cabinet.consumers import CabinetConsumer

websocket_urlpatterns = [
    re_path(r"^ws/cabinet/$", CabinetConsumer.as_asgi()),
]
