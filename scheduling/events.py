"""Facts the scheduler tells others, sent once the run's transaction has committed (DESIGN.md:
apps talk through facts).

* ``interview_scheduled``: the scheduler booked a round — sent with ``round_id``,
  ``candidate_id``, ``run_id`` and ``starts_at`` (an aware UTC datetime). The round's own
  ``round_assigned`` fact (``interviews.events``) has told the people on it and the candidate
  already; this one is for whoever follows the scheduler's work.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

interview_scheduled = Signal()


def send_after_commit(signal: Signal, **kwargs: object) -> None:
    from scheduling.models import Run

    transaction.on_commit(lambda: signal.send(sender=Run, **kwargs), robust=True)
