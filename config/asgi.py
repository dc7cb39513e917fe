"""ASGI entry point for daphne: Django's HTTP app and the live-session WebSocket router."""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    from django.core.asgi import get_asgi_application

    # Django first: it sets up the app registry that the consumers' imports need.
    django_asgi_app = get_asgi_application()
except ImproperlyConfigured as error:
    sys.exit(f"roundtable: configuration error: {error}")

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from accounts.fence import CandidateSocketFence  # noqa: E402
from config import eager_writes, gc_tuning  # noqa: E402
from config.body_limit import BodyLimit  # noqa: E402
from config.origin import SameOriginValidator  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402

if settings.LIVE_EAGER_WRITES:
    eager_writes.install()  # daphne's sockets send at once (see config/eager_writes.py)

if settings.GC_TUNING:
    gc_tuning.tune()  # no long pauses of the garbage collector (see config/gc_tuning.py)

application = ProtocolTypeRouter(
    {
        # Over-long bodies are refused before Django reads them (config/body_limit.py).
        "http": BodyLimit(django_asgi_app),
        # Origin must be this site's scheme, host and port (config/origin.py).
        "websocket": SameOriginValidator(
            # A candidate's account gets no socket at all (accounts/fence.py).
            AuthMiddlewareStack(CandidateSocketFence(URLRouter(websocket_urlpatterns)))
        ),
    }
)
