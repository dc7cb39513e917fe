"""Facts the candidates app tells higher apps, sent after commit (DESIGN.md: apps talk
through facts, not upward imports).

* ``candidate_moved``: a status move was made; sent with ``candidate_id``, ``move``,
  ``source`` and ``target`` once the transaction that made it has committed.
"""

from __future__ import annotations

from django.dispatch import Signal

candidate_moved = Signal()
