"""Writes of the review of one-way interviews: an interview's reviewers, a reviewer's rating of
an answer, their overall recommendation on an invitation, and the link from an invitation to
the pipeline's candidate card (whose history the recommendations join).

Each function checks everything first and raises ``ReviewRefused`` (a ``VideoRefused``: a
stable ``code``, a translated ``message``, the ``field``) with nothing written; who may do
what is ``access.video``'s to say, asked here again so no caller can forget it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

import access
from access import video as video_access
from video_interviews.models import (
    Answer,
    AnswerRating,
    Invitation,
    Recommendation,
    VideoInterview,
)
from video_interviews.services import VideoRefused

if TYPE_CHECKING:
    from accounts.models import User
    from candidates.models import Candidate

SCORE_MIN, SCORE_MAX = 1, 5
# The scores as the rating form names them.
SCORE_CHOICES = [
    (1, pgettext_lazy("video answer score", "poor")),
    (2, pgettext_lazy("video answer score", "weak")),
    (3, pgettext_lazy("video answer score", "fair")),
    (4, pgettext_lazy("video answer score", "good")),
    (5, pgettext_lazy("video answer score", "excellent")),
]
FEEDBACK_MAX = 5000
SUMMARY_MAX = 5000
REVIEWERS_MAX = 50
# The candidate card's history fact of a recommendation (``candidates.services.EVENT_LABELS``).
EVENT_RECOMMENDED = "video_recommended"


class ReviewRefused(VideoRefused):
    """A review write refused; nothing was written."""


def _check_text(value: Any, field: str, limit: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ReviewRefused(f"bad_{field}", _("This must be text."), field)
    if "\x00" in value:
        raise ReviewRefused("control_character", _("The text has a NUL character."), field)
    text = value.strip()
    if len(text) > limit:
        raise ReviewRefused(
            f"{field}_too_long", _("At most %(max)d characters.") % {"max": limit}, field
        )
    return text


def _check_score(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not (SCORE_MIN <= value <= SCORE_MAX)
    ):
        raise ReviewRefused(
            "bad_score",
            _("Choose a score from %(min)d to %(max)d.") % {"min": SCORE_MIN, "max": SCORE_MAX},
            "score",
        )
    return value


def _check_choice(value: Any) -> str:
    if not isinstance(value, str) or value not in Recommendation.Choice.values:
        raise ReviewRefused(
            "bad_choice",
            _("Choose one of: strong yes, yes, no, strong no."),
            "choice",
        )
    return value


def _not_reviewer() -> ReviewRefused:
    return ReviewRefused("not_reviewer", _("You are not a reviewer of this interview."))


# --- reviewers -------------------------------------------------------------------------------


def reviewers_set(*, interview: VideoInterview, by: User, reviewers: Iterable[Any]) -> list[User]:
    """The interview's reviewers become exactly ``reviewers`` (users or ids): each must be an
    active interviewer (``access.interviewers``), else ``reviewer_not_interviewer`` and
    nothing changes. Returns them, by name."""
    if not video_access.can_set_video_reviewers(by):
        raise ReviewRefused("not_allowed", _("You may not choose this interview's reviewers."))
    wanted: list[int] = []
    for item in reviewers:
        pk = getattr(item, "pk", item)
        if isinstance(pk, str) and pk.strip().isdigit():
            pk = int(pk.strip())
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise ReviewRefused(
                "reviewer_not_interviewer", _("Choose reviewers among the interviewers."),
                "reviewers",
            )  # fmt: skip
        if pk not in wanted:
            wanted.append(pk)
    if len(wanted) > REVIEWERS_MAX:
        raise ReviewRefused(
            "too_many_reviewers",
            _("At most %(max)d reviewers.") % {"max": REVIEWERS_MAX},
            "reviewers",
        )
    found = list(access.interviewers().filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ReviewRefused(
            "reviewer_not_interviewer", _("Choose reviewers among the interviewers."), "reviewers"
        )
    with transaction.atomic():
        VideoInterview.objects.select_for_update().filter(pk=interview.pk).first()
        interview.reviewers.set(found)
    return found


# --- the pipeline's card ---------------------------------------------------------------------


def link_person(invitation: Invitation) -> Candidate | None:
    """Link ``invitation`` to the pipeline's candidate card of its address (case-insensitive),
    if it has none yet: the only card of that address, or among several the only one on the
    interview's position. Ambiguous or none: left unlinked. The invite service may call this
    as it invites; a recommendation calls it too. Returns the card (or None)."""
    from candidates.models import Candidate

    if invitation.person_id is not None:
        return invitation.person
    cards = list(Candidate.objects.filter(email__iexact=invitation.email.strip()).order_by("pk"))
    if len(cards) > 1:
        position_id = (
            VideoInterview.objects.filter(pk=invitation.interview_id)
            .values_list("position_id", flat=True)
            .first()
        )
        cards = [c for c in cards if position_id and c.positions.filter(pk=position_id).exists()]
    if len(cards) != 1:
        return None
    updated = Invitation.objects.filter(pk=invitation.pk, person__isnull=True).update(
        person=cards[0]
    )
    if updated:
        invitation.person = cards[0]
        return cards[0]
    invitation.refresh_from_db(fields=["person"])
    return invitation.person


def link_people(invitations: Iterable[Invitation]) -> int:
    """``link_person`` for a batch just invited, with one query for the cards of all their
    addresses (an address with several cards is settled one by one). How many were linked."""
    from django.db.models.functions import Lower

    from candidates.models import Candidate

    rows = [i for i in invitations if i.person_id is None]
    addresses = {i.email.strip().lower() for i in rows}
    if not addresses:
        return 0
    cards: dict[str, list[int]] = {}
    for pk, address in (
        Candidate.objects.annotate(address=Lower("email"))
        .filter(address__in=addresses)
        .values_list("pk", "address")
    ):
        cards.setdefault(address, []).append(pk)
    linked = 0
    for invitation in rows:
        found = cards.get(invitation.email.strip().lower(), [])
        if len(found) == 1:
            linked += Invitation.objects.filter(pk=invitation.pk, person__isnull=True).update(
                person_id=found[0]
            )
            invitation.person_id = found[0]
        elif found:
            linked += link_person(invitation) is not None
    return linked


# --- rating an answer ------------------------------------------------------------------------


def rating_give(*, answer: Answer, reviewer: User, score: Any, feedback: Any = "") -> AnswerRating:
    """``reviewer``'s rating of ``answer`` (1–5) and feedback, new or changed. Refused:
    ``not_reviewer``, ``answer_not_ready`` (nothing to watch yet), ``bad_score``,
    ``feedback_too_long``, ``control_character``."""
    interview = answer.invitation.interview
    if not video_access.can_review_video_interview(reviewer, interview):
        raise _not_reviewer()
    score = _check_score(score)
    feedback = _check_text(feedback, "feedback", FEEDBACK_MAX)
    now = timezone.now()
    with transaction.atomic():
        locked = Answer.objects.select_for_update().get(pk=answer.pk)
        if locked.status != Answer.Status.READY:
            raise ReviewRefused(
                "answer_not_ready", _("This answer is not ready to be watched yet.")
            )
        rating, created = AnswerRating.objects.select_for_update().get_or_create(
            answer=locked,
            reviewer=reviewer,
            defaults={"score": score, "feedback": feedback, "created_at": now, "updated_at": now},
        )
        if not created and (rating.score, rating.feedback) != (score, feedback):
            rating.score, rating.feedback, rating.updated_at = score, feedback, now
            rating.save(update_fields=["score", "feedback", "updated_at"])
    return rating


# --- the recommendation ----------------------------------------------------------------------


def recommendation_give(
    *, invitation: Invitation, reviewer: User, choice: Any, summary: Any = ""
) -> Recommendation:
    """``reviewer``'s overall recommendation on ``invitation`` (strong yes … strong no) and
    summary, new or changed. The invitation is linked to its candidate card if it can be
    (``link_person``) and each new or changed recommendation is a line of that card's
    history. Refused: ``not_reviewer``, ``nothing_to_review`` (no answer is ready yet),
    ``bad_choice``, ``summary_too_long``, ``control_character``."""
    from candidates import services as candidates

    interview = invitation.interview
    if not video_access.can_review_video_interview(reviewer, interview):
        raise _not_reviewer()
    choice = _check_choice(choice)
    summary = _check_text(summary, "summary", SUMMARY_MAX)
    if not invitation.answers.filter(status=Answer.Status.READY).exists():
        raise ReviewRefused(
            "nothing_to_review", _("No answer of this candidate is ready to be watched yet.")
        )
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        person = link_person(invitation)
        try:
            with transaction.atomic():
                row, created = Recommendation.objects.select_for_update().get_or_create(
                    invitation=invitation,
                    reviewer=reviewer,
                    defaults={"choice": choice, "summary": summary, "at": now},
                )
        except IntegrityError:  # pragma: no cover - the row lock above orders the writers
            row, created = (
                Recommendation.objects.get(invitation=invitation, reviewer=reviewer),
                False,
            )
        changed = created or (row.choice, row.summary) != (choice, summary)
        if not created and changed:
            row.choice, row.summary, row.at = choice, summary, now
            row.save(update_fields=["choice", "summary", "at"])
        if changed:
            from video_interviews import events

            # The pipeline's one-way round this invitation is for decides from it (after
            # commit: ``interviews.subscribers``).
            linked = Invitation.objects.filter(pk=invitation.pk).values_list("round_id", flat=True)
            round_id = linked.first()
            events.send_after_commit(
                events.recommendation_given,
                invitation_id=invitation.pk,
                round_id=round_id,
                reviewer_id=reviewer.pk,
                choice=choice,
            )
        if changed and person is not None:
            candidates.candidate_record(
                candidate=person,
                kind=EVENT_RECOMMENDED,
                by=reviewer,
                details={
                    "video_invitation": invitation.pk,
                    "video_interview": interview.title[:200],
                    "choice": choice,
                    "summary": summary,
                },
            )
    return row


# --- telling the reviewers -------------------------------------------------------------------

REVIEW_NOTICE = "video_review"


def on_answer_processed(sender: Any, *, invitation_id: int, **kwargs: Any) -> None:
    """``events.answer_processed``: once every answer of a handed-in interview is processed
    (ready, or failed with its reason), its reviewers are told, once each, with a link to
    the review page (``access.video.told_of_ready_answers``)."""
    from django.urls import reverse
    from django.utils.text import format_lazy

    from notify import services as notify
    from notify.models import Notice

    with transaction.atomic():
        # Locked: two answers finishing at once in two workers tell nobody twice.
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("interview", "candidate")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.status != Invitation.Status.COMPLETED:
            return
        statuses = list(invitation.answers.values_list("status", flat=True))
        done = (Answer.Status.READY, Answer.Status.FAILED)
        if not statuses or any(status not in done for status in statuses):
            return
        link = reverse("video_review", args=[invitation.pk])
        who = invitation.candidate.display_name if invitation.candidate else invitation.email
        told = set(
            Notice.objects.filter(kind=REVIEW_NOTICE, link=link).values_list(
                "recipient_id", flat=True
            )
        )
        for person in video_access.told_of_ready_answers(invitation.interview):
            if person.pk in told:
                continue
            notify.notice_send(
                user=person,
                kind=REVIEW_NOTICE,
                title=format_lazy(gettext_lazy("Answers to review: {who}"), who=who),
                body=invitation.interview.title,
                link=link,
            )
