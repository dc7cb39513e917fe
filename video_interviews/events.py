"""Facts the one-way interviews tell whoever listens, sent after commit (DESIGN.md: apps talk
through facts, not upward imports).

* ``answer_processed``: an answer's processing ended, ``status`` ``ready`` or ``failed``; sent
  with ``answer_id``, ``invitation_id`` and ``status`` once that has committed. This app's own
  subscriber tells the reviewers when an interview handed in is ready to watch
  (``review_services.on_answer_processed``).
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

answer_processed = Signal()


def send_after_commit(signal: Signal, **kwargs: object) -> None:
    from video_interviews.models import Answer

    transaction.on_commit(lambda: signal.send(sender=Answer, **kwargs), robust=True)
