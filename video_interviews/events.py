"""Facts the one-way interviews tell whoever listens, sent after commit (DESIGN.md: apps talk
through facts, not upward imports).

* ``answer_processed``: an answer's processing ended, ``status`` ``ready`` or ``failed``; sent
  with ``answer_id``, ``invitation_id`` and ``status`` once that has committed. This app's own
  subscriber tells the reviewers when an interview handed in is ready to watch
  (``review_services.on_answer_processed``).
* ``recommendation_given``: a reviewer's overall recommendation on an invitation was given or
  changed (``review_services.recommendation_give``), or an invitation already reviewed was
  linked to a pipeline round; sent with ``invitation_id``, ``round_id`` (the pipeline's
  one-way round it is for, or ``None``) and, when a reviewer gave it, ``reviewer_id`` and
  ``choice``. The interviews app decides the round from the invitation's recommendations
  (``interviews.services.round_review``).
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

answer_processed = Signal()
recommendation_given = Signal()


def send_after_commit(signal: Signal, **kwargs: object) -> None:
    from video_interviews.models import Answer

    transaction.on_commit(lambda: signal.send(sender=Answer, **kwargs), robust=True)
