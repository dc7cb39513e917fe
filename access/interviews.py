"""Who may see or do what with interview plans, interviews and rounds: part of the one access
module (``access`` re-exports it).

* recruiters keep plans, create candidates' interviews, assign and cancel rounds;
* managers and recruiters see every round; an interviewer sees the rounds they are on (as the
  interviewer or an assistant) and those rounds' candidates;
* a one-to-one round is rated by its interviewer only; a panel round's live session is
  started (led) by its interviewer only;
* a round's ratings and feedback: managers, recruiters and the round's own interviewers;
  a panel round's are its session's results, so ``can_view_results``'s rule holds for them;
* a one-way round (a video interview) has nobody on it: managers and recruiters see it, as
  every round; its recommendation, outcome and feedback are its reviewers' recommendations,
  so ``access.video``'s rule holds for them (managers; a reviewer once their own is in; not
  recruiters). Its answers are watched on the invitation's review page, by those
  ``access.video.can_open_review_page`` lets in; recruiters ask for its invitation by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

import access
from access.bank import has_all, has_any
from access.bank import signed_in as _signed_in

if TYPE_CHECKING:
    from interviews.models import Round


def can_manage_plans(user: Any) -> bool:
    return has_all(user, [access.RECRUIT])


def can_manage_interviews(user: Any) -> bool:
    """Create a candidate's interview, assign, reschedule and cancel its rounds."""
    return has_all(user, [access.RECRUIT])


def can_view_plans(user: Any) -> bool:
    return has_any(user, [access.RECRUIT, access.DECIDE, access.INTERVIEW])


def is_on_round(user: Any, round_: Round) -> bool:
    if not _signed_in(user):
        return False
    if round_.interviewer_id == user.pk:
        return True
    # Through ``all()``: a list of rounds that prefetched its assistants asks no query per
    # round (``filter`` would); a round on its own reads its few assistants once.
    return any(person.pk == user.pk for person in round_.assistants.all())


def can_view_round(user: Any, round_: Round) -> bool:
    return access.sees_all_candidates(user) or is_on_round(user, round_)


def can_rate_round(user: Any, round_: Round) -> bool:
    from interviews.models import RoundKind

    return (
        round_.kind == RoundKind.ONE_TO_ONE
        and _signed_in(user)
        and round_.interviewer_id == user.pk
        and access.can_run_interviews(user)
        and round_.status in ("planned", "scheduled")
    )


def can_start_round_session(user: Any, round_: Round) -> bool:
    from interviews.models import RoundKind

    return (
        round_.kind == RoundKind.PANEL
        and _signed_in(user)
        and round_.interviewer_id == user.pk
        and access.can_run_interviews(user)
        and round_.session_id is None
        and round_.status in ("planned", "scheduled")
    )


def can_view_round_ratings(user: Any, round_: Round) -> bool:
    from interviews.models import RoundKind

    if round_.session_id is not None:
        return access.can_view_results(user, round_.session)
    if round_.kind == RoundKind.ONE_WAY:
        from access import video

        invitation = round_invitation(round_)
        if invitation is None:
            return video.reviews_every_video_interview(user)
        return video.sees_others_recommendations(user, invitation)
    return has_any(user, [access.DECIDE, access.RECRUIT]) or is_on_round(user, round_)


def round_invitation(round_: Round) -> Any:
    """A one-way round's video invitation, or None (not invited yet, or another kind)."""
    return getattr(round_, "video_invitation", None)


def can_invite_round(user: Any, round_: Round) -> bool:
    """Ask for a one-way round's invitation by hand: recruiters, while the round is open and
    has none."""
    from interviews.models import RoundKind

    return (
        round_.kind == RoundKind.ONE_WAY
        and can_manage_interviews(user)
        and round_.status in ("planned", "scheduled")
        and round_invitation(round_) is None
    )


def can_open_round_review(user: Any, round_: Round) -> bool:
    """The link from a one-way round to its invitation's review page (its answers)."""
    from access import video

    invitation = round_invitation(round_)
    return invitation is not None and video.can_open_review_page(user, invitation)


def rounds_with_ratings_shown(user: Any, candidate: Any) -> set[int]:
    """Ids of ``candidate``'s rounds whose points and outcome ``user`` may read
    (``can_view_round_ratings``): the card's and the API's history show a round's points
    only for these, so no panel member reads another's scores there before their own."""
    from interviews.models import Round

    rounds = (
        Round.objects.filter(candidate=candidate)
        .select_related("session", "video_invitation__interview")
        .prefetch_related("assistants")
    )
    return {r.pk for r in rounds if can_view_round_ratings(user, r)}


def can_view_interviewer_history(user: Any, person: Any) -> bool:
    """An interviewer's rounds and load: the person themselves, managers and recruiters."""
    if not _signed_in(user):
        return False
    return user.pk == person.pk or access.sees_all_candidates(user)


def on_rounds_filter(user: Any, prefix: str = "") -> Q:
    """Rows whose round (``prefix`` leading to it) has ``user`` on it."""
    return Q(**{f"{prefix}interviewer": user}) | Q(**{f"{prefix}assistants": user})


def rounds_on(user: Any) -> QuerySet[Round]:
    """The rounds ``user`` is on, as interviewer or assistant (an EXISTS, not a join: no
    duplicate rows, no DISTINCT over a large table)."""
    from interviews.models import Round

    if not _signed_in(user):
        return Round.objects.none()
    assisted = Round.assistants.through.objects.filter(round=OuterRef("pk"), user=user)
    return Round.objects.filter(Q(interviewer=user) | Exists(assisted))


def visible_rounds(*, user: Any) -> QuerySet[Round]:
    from interviews.models import Round

    rounds = Round.objects.all()
    if access.sees_all_candidates(user):
        return rounds
    if not _signed_in(user):
        return rounds.none()
    assisted = Round.assistants.through.objects.filter(round=OuterRef("pk"), user=user)
    return rounds.filter(Q(interviewer=user) | Exists(assisted))


def rounds_of_candidate_filter(user: Any) -> Q:
    """``Candidate`` rows with a round ``user`` is on (for ``visible_candidates``)."""
    from interviews.models import Round

    assisted = Round.assistants.through.objects.filter(round__candidate=OuterRef("pk"), user=user)
    return Q(Exists(Round.objects.filter(candidate=OuterRef("pk"), interviewer=user))) | Q(
        Exists(assisted)
    )


def interviewers() -> QuerySet[Any]:
    """Active people who may be put on a round: holders of the interviewing permission
    through a group or of their own, and superusers."""
    from django.contrib.auth import get_user_model

    app, codename = access.INTERVIEW.split(".")
    perm = Q(permissions__content_type__app_label=app, permissions__codename=codename)
    from django.contrib.auth.models import Group

    groups = Group.objects.filter(perm)
    users = get_user_model().objects.filter(is_active=True)
    return (
        users.filter(
            Q(is_superuser=True)
            | Q(groups__in=groups)
            | Q(
                user_permissions__content_type__app_label=app,
                user_permissions__codename=codename,
            )
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
