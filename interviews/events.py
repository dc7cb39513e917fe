"""Facts the interviews app tells others, sent once the transaction that made them has
committed (DESIGN.md: apps talk through facts). Each is sent with ``round_id``.

* ``round_assigned``: a round got (or changed) its interviewer, assistants or time; also sent
  with ``previous`` = the user ids who were on it before, so they can be told it moved away,
  ``moved`` (its time or length changed) and ``had_time`` (it had a time before).
* ``round_cancelled``: a round will not take place (cancelled, or its interview closed): one
  that had a time, or a one-way round (``kind`` says which; ``video_interview_id`` names a
  one-way round's video interview, so its invitation can be withdrawn).
* ``round_rated``: a one-to-one round was rated, a panel round's session results came back, or
  a one-way round's reviewers decided it.
* ``round_reached``: the candidate's interview reached this round: it is the first of the open
  interview not done or cancelled (the interview was created, or the round before it was
  held), or a recruiter asked for its invitation by hand. Sent with ``kind``,
  ``candidate_id``, ``video_interview_id`` (a one-way round's, else ``None``) and
  ``inviter_id`` (the recruiter who asked, else the one who created the interview, or
  ``None``). ``video_interviews`` invites the candidate into a one-way round's video interview
  on it (once per round however often it is told).
* ``round_not_invited``: the one fact told the other way, *to* this app, about a round: the
  video interviews could not invite the candidate of a one-way round it reached (sent by
  ``video_interviews.subscribers`` with ``round_id``, ``code`` — their refusal's:
  ``email_required``, ``email_invalid``, ``interview_not_active``, ``deadline_passed`` — and
  ``message``, its text as refused). ``interviews.notices`` tells the recruiters, once per
  round.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

round_assigned = Signal()
round_cancelled = Signal()
round_rated = Signal()
round_reached = Signal()
round_not_invited = Signal()


def send_after_commit(signal: Signal, **kwargs: object) -> None:
    from interviews.models import Round

    transaction.on_commit(lambda: signal.send(sender=Round, **kwargs), robust=True)
