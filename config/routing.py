"""Every app's WebSocket routes, put together here at the top so no app imports a higher one."""

from __future__ import annotations

from cabinet.routing import websocket_urlpatterns as cabinet_routes
from notify.routing import websocket_urlpatterns as notice_routes
from sessions_live.routing import websocket_urlpatterns as live_routes

websocket_urlpatterns = [*live_routes, *cabinet_routes, *notice_routes]
