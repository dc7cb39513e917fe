"""Facts the live session tells higher apps, sent after commit (DESIGN.md: apps talk through
facts, not upward imports). The cabinet subscribes in its ``AppConfig.ready``."""

from __future__ import annotations

from django.dispatch import Signal

# A finished session whose last feedback is in: it now waits for the manager.
# Sent with ``session_id`` once the transaction that marked it has committed.
session_ready_for_decision = Signal()
