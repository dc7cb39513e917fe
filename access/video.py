"""Who may do what with one-way video interviews: part of the one access module.

Staff side:

* recruiters (``accounts.manage_candidates``; a superuser holds every permission) build
  interviews, invite, revoke, resend and remind, keep question-set templates, and see every
  interview with its invitations and their delivery;
* to pick questions from the bank for an interview they read the bank's question texts (not
  the reference answers) on the wizard's page, though their role has no bank permission;
* nobody else opens these pages or their API.

Candidate side (``accounts.User.kind == "candidate"``; no predicate above lets one in,
``access.bank.signed_in`` refuses them):

* a candidate uses their own area (dashboard, adding an interview by its code, their
  interviews' pages) and sees only the invitations they added themselves, never a revoked
  one;
* staff accounts do not use the candidates' area.

Review (``video_interviews.review_views``, the media views, ``api.video_reviews``):

* managers (``accounts.decide_candidates``) review every interview: they watch, rate each
  answer and recommend;
* an interviewer reviews the interviews they are named a reviewer of
  (``VideoInterview.reviewers``, which recruiters set on the interview's page); an
  interviewer not named gets 404 for its invitations, answers and media;
* recruiters watch every interview's answers and see who has rated and recommended (the
  completion), but rate nothing and read no score, feedback or recommendation: as a live
  session's results, the scores are the reviewers' and the managers' (``access``'s rule
  "recruiters see every candidate, session and decision, not the scores and feedback");
* blind scoring, as a panel's (``sees_others_results``): a reviewer reads the others'
  ratings of an answer only once their own rating of that answer is in, and the others'
  recommendations on an invitation only once their own is in; managers read everything at
  any time. The candidate card's history and the cabinet show a recommendation's choice and
  summary by the same rule (``video_recommendations_shown``);
* candidates never: every predicate below refuses them (``access.bank.signed_in``) and the
  fence answers 404 to them on every staff URL.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

# ``access`` imports nothing from here while it loads: names are read at call time.
import access
from access.bank import has_all


def can_manage_video_interviews(user: Any) -> bool:
    return has_all(user, [access.RECRUIT])


def can_view_video_interview(user: Any, interview: Any) -> bool:
    return can_manage_video_interviews(user)


def can_pick_bank_questions(user: Any) -> bool:
    """The wizard's bank picker: question texts by topic, no reference answers."""
    return can_manage_video_interviews(user)


def visible_video_interviews(*, user: Any) -> QuerySet[Any]:
    from video_interviews.models import VideoInterview

    interviews = VideoInterview.objects.all()
    return interviews if can_manage_video_interviews(user) else interviews.none()


def is_candidate(user: Any) -> bool:
    """An active candidate's account, signed in."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "kind", "") == "candidate"
    )


def can_use_candidate_area(user: Any) -> bool:
    return is_candidate(user)


def own_invitations(*, user: Any) -> QuerySet[Any]:
    """The invitations a candidate added to their dashboard (revoked ones leave it)."""
    from video_interviews.models import Invitation

    if not is_candidate(user):
        return Invitation.objects.none()
    return Invitation.objects.filter(candidate=user).exclude(status=Invitation.Status.REVOKED)


def can_open_invitation(user: Any, invitation: Any) -> bool:
    return own_invitations(user=user).filter(pk=invitation.pk).exists()


# --- review -----------------------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    from access.bank import signed_in

    return signed_in(user)


def can_set_video_reviewers(user: Any) -> bool:
    """Name an interview's reviewers (on the interview's page)."""
    return can_manage_video_interviews(user)


def reviews_every_video_interview(user: Any) -> bool:
    return access.can_decide(user)


def is_video_reviewer(user: Any, interview: Any) -> bool:
    """Named a reviewer of ``interview`` and still an interviewer."""
    return access.can_run_interviews(user) and interview.reviewers.filter(pk=user.pk).exists()


def can_review_video_interview(user: Any, interview: Any) -> bool:
    """Rate its answers and recommend on its invitations."""
    return reviews_every_video_interview(user) or is_video_reviewer(user, interview)


def can_watch_video_interview(user: Any, interview: Any) -> bool:
    """Open its invitations' review pages and play their answers."""
    return can_manage_video_interviews(user) or can_review_video_interview(user, interview)


def can_use_review_queue(user: Any) -> bool:
    """The reviewer's queue page: managers and interviewers (each sees their own rows)."""
    return reviews_every_video_interview(user) or access.can_run_interviews(user)


def works_on_video_reviews(user: Any) -> bool:
    """The review's API: managers, interviewers and recruiters (each opens the invitations
    and answers ``watchable_invitations`` gives them)."""
    return can_use_review_queue(user) or can_manage_video_interviews(user)


def reviewable_interviews(*, user: Any) -> QuerySet[Any]:
    from video_interviews.models import VideoInterview

    interviews = VideoInterview.objects.all()
    if reviews_every_video_interview(user):
        return interviews
    if not access.can_run_interviews(user):
        return interviews.none()
    return interviews.filter(reviewers=user)


def watchable_interviews(*, user: Any) -> QuerySet[Any]:
    from video_interviews.models import VideoInterview

    if can_manage_video_interviews(user) or reviews_every_video_interview(user):
        return VideoInterview.objects.all()
    return reviewable_interviews(user=user)


def watchable_invitations(*, user: Any) -> QuerySet[Any]:
    """The invitations whose review page and answers ``user`` may open."""
    from video_interviews.models import Invitation

    return Invitation.objects.filter(interview__in=watchable_interviews(user=user))


def reviewable_invitations(*, user: Any) -> QuerySet[Any]:
    from video_interviews.models import Invitation

    return Invitation.objects.filter(interview__in=reviewable_interviews(user=user))


def watchable_answers(*, user: Any) -> QuerySet[Any]:
    """The answers (and their media) ``user`` may play."""
    from video_interviews.models import Answer

    return Answer.objects.filter(invitation__interview__in=watchable_interviews(user=user))


def sees_others_ratings(user: Any, answer: Any, *, own: bool | None = None) -> bool:
    """Blind scoring of an answer: managers always; a reviewer once their own rating of it is
    in (``own``: whether it is, when the caller knows); recruiters never."""
    if reviews_every_video_interview(user):
        return True
    if not can_review_video_interview(user, answer.invitation.interview):
        return False
    if own is None:
        own = answer.ratings.filter(reviewer=user).exists()
    return own


def sees_others_recommendations(user: Any, invitation: Any, *, own: bool | None = None) -> bool:
    """Blind recommendations: managers always; a reviewer once their own recommendation on
    the invitation is in; recruiters never."""
    if reviews_every_video_interview(user):
        return True
    if not can_review_video_interview(user, invitation.interview):
        return False
    if own is None:
        own = invitation.recommendations.filter(reviewer=user).exists()
    return own


def video_recommendations_shown(user: Any, candidate: Any) -> set[int]:
    """Ids of the invitations linked to ``candidate``'s card whose recommendations (choice
    and summary) ``user`` may read: the card's and the API's history and the cabinet show
    them only for these (``sees_others_recommendations``)."""
    from video_interviews.models import Invitation, Recommendation

    if not _signed_in(user):
        return set()
    invitations = Invitation.objects.filter(person=candidate)
    if reviews_every_video_interview(user):
        return set(invitations.values_list("pk", flat=True))
    own = Recommendation.objects.filter(
        reviewer=user,
        invitation__in=invitations.filter(interview__in=reviewable_interviews(user=user)),
    )
    return set(own.values_list("invitation_id", flat=True))


def can_open_review_page(user: Any, invitation: Any) -> bool:
    return can_watch_video_interview(user, invitation.interview)


def can_upload_take(user: Any, take: Any) -> bool:
    """A take's tus upload: only the candidate whose invitation it is, while it is theirs."""
    return own_invitations(user=user).filter(pk=take.answer.invitation_id).exists()


def told_of_ready_answers(interview: Any) -> QuerySet[Any]:
    """Who is told that an interview's invitation is ready to review: its named reviewers
    who still interview, or, with none named, the managers (who review every interview)."""
    from access.scheduling import holders

    named = holders(access.INTERVIEW).filter(pk__in=interview.reviewers.values("pk"))
    return named if named.exists() else holders(access.DECIDE)

