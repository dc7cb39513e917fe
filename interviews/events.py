"""Facts the interviews app tells others, sent once the transaction that made them has
committed (DESIGN.md: apps talk through facts). Each is sent with ``round_id``.

* ``round_assigned``: a round got (or changed) its interviewer, assistants or time; also sent
  with ``previous`` = the user ids who were on it before, so they can be told it moved away,
  ``moved`` (its time or length changed) and ``had_time`` (it had a time before).
* ``round_cancelled``: a round will not take place (cancelled, or its interview closed).
* ``round_rated``: a one-to-one round was rated, or a panel round's session results came back.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

round_assigned = Signal()
round_cancelled = Signal()
round_rated = Signal()


def send_after_commit(signal: Signal, **kwargs: object) -> None:
    from interviews.models import Round

    transaction.on_commit(lambda: signal.send(sender=Round, **kwargs), robust=True)
