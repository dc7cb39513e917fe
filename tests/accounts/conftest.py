"""The live-session fixtures the deactivation test opens sockets with."""

from __future__ import annotations

from tests.sessions_live.conftest import panel_session  # noqa: F401 - a fixture
from tests.sessions_live.test_abuse import open_socket  # noqa: F401 - a fixture
