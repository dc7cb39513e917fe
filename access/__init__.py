"""Who may see or do what: the project's one access module.

Every page, API view, consumer, search and template asks these predicates; no other module
keeps a copy of a visibility rule. Roles are Django groups with permissions
(``accounts.roles``); a superuser has every permission, so passes every role check.

* managers decide, and see every candidate, session, result and decision;
* recruiters see every candidate, session and decision (they are HR's readers), not the
  scores and feedback of a session;
* any other person sees the sessions they are a member of, those sessions' candidates, the
  results (blind until their own feedback is in) and the decision.

The module sits above ``accounts``, ``candidates`` and ``sessions_live``'s models; the lower
apps (``candidates``, ``questionbank``, ``notify``) never import it, except that the bank's
pages ask ``access.bank``, a leaf that imports no app. Nothing outside ``access/`` calls
``has_perm`` or names a permission (``tests/access/test_single_source.py``): pages use
``access.decorators.allowed``, the API ``api.permissions.Allows``, the navigation bar
``access.context_processors``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

if TYPE_CHECKING:
    import arbiter
    from accounts.models import User
    from candidates.models import Candidate
    from sessions_live.models import LiveSession

from access.bank import (
    can_edit_bank,
    can_keep_bank,
    can_retire_questions,
    can_view_bank,
    has_all,
    has_any,
)
from access.bank import signed_in as _signed_in
from access.interviews import (
    can_manage_interviews,
    can_manage_plans,
    can_rate_round,
    can_start_round_session,
    can_view_interviewer_history,
    can_view_plans,
    can_view_round,
    can_view_round_ratings,
    interviewers,
    is_on_round,
    rounds_with_ratings_shown,
    visible_rounds,
)
from access.people import (
    can_change_person,
    can_create_person,
    can_manage_people,
    can_set_active,
    can_set_roles,
    grantable_roles,
)
from access.pipeline import (
    can_manage_positions,
    can_manage_vendors,
    can_view_positions,
    can_view_vendors,
)
from access.reports import can_view_reports
from access.resumes import can_download_resume, can_upload_resume
from access.scheduling import (
    can_edit_own_availability,
    can_manage_candidate_availability,
    can_run_scheduler,
    can_view_availability,
    can_view_scheduler_runs,
)

DECIDE = "accounts.decide_candidates"
RECRUIT = "accounts.manage_candidates"
INTERVIEW = "accounts.run_interviews"
SEE_ALL = (DECIDE, RECRUIT)
# People who work with candidates: each of them sees some candidates and sessions.
CANDIDATE_ROLES = (INTERVIEW, DECIDE, RECRUIT)

__all__ = [
    "CANDIDATE_ROLES",
    "DECIDE",
    "INTERVIEW",
    "RECRUIT",
    "SEE_ALL",
    "can_change_person",
    "can_create_person",
    "can_decide",
    "can_edit_own_availability",
    "can_manage_candidate_availability",
    "can_run_scheduler",
    "can_view_availability",
    "can_view_scheduler_runs",
    "can_download_resume",
    "can_edit_bank",
    "can_keep_bank",
    "can_manage_candidates",
    "can_manage_interviews",
    "can_manage_people",
    "can_manage_plans",
    "can_rate_round",
    "can_start_round_session",
    "can_view_interviewer_history",
    "can_view_plans",
    "can_view_round",
    "can_view_round_ratings",
    "interviewers",
    "is_on_round",
    "rounds_with_ratings_shown",
    "visible_rounds",
    "can_manage_positions",
    "can_manage_vendors",
    "can_retire_questions",
    "can_run_interviews",
    "can_set_active",
    "can_set_roles",
    "can_upload_resume",
    "can_view_bank",
    "can_view_candidate",
    "can_view_candidate_decision",
    "can_view_decision",
    "can_view_positions",
    "can_view_reports",
    "can_view_results",
    "can_view_session",
    "can_view_vendors",
    "grantable_roles",
    "has_all",
    "has_any",
    "is_member",
    "is_member_of",
    "results_open",
    "sees_all_candidates",
    "sees_others_results",
    "session_link",
    "visible_candidates",
    "visible_sessions",
    "with_membership",
    "works_with_candidates",
]


def can_decide(user: User) -> bool:
    """The manager's cabinet: decide, reopen, retry a delivery, statistics."""
    return has_all(user, [DECIDE])


def can_run_interviews(user: User) -> bool:
    """Lead a new session, join one by its code."""
    return has_all(user, [INTERVIEW])


def can_manage_candidates(user: User) -> bool:
    """The recruiter's work: candidates, positions, schedules."""
    return has_all(user, [RECRUIT])


def works_with_candidates(user: User) -> bool:
    """Interviewers, managers and recruiters: the API's candidate and session lists (each sees
    the rows ``visible_candidates`` / ``visible_sessions`` give them)."""
    return has_any(user, CANDIDATE_ROLES)


def sees_all_candidates(user: User) -> bool:
    """Managers and recruiters see every candidate and session."""
    return has_any(user, SEE_ALL)


def is_member(user: User, session: LiveSession) -> bool:
    return is_member_of(user, session.pk)


def is_member_of(user: User, session_id: int) -> bool:
    """``is_member`` by the session's id (the live socket knows no more when it connects)."""
    from sessions_live.models import Membership

    if not _signed_in(user):
        return False
    return Membership.objects.filter(session_id=session_id, user=user).exists()


def _member(user: User, session: LiveSession, member: bool | None) -> bool:
    """``member`` is a membership the caller already knows (an annotation), else asked."""
    return is_member(user, session) if member is None else member


def can_view_session(user: User, session: LiveSession, *, member: bool | None = None) -> bool:
    return sees_all_candidates(user) or _member(user, session, member)


def can_view_results(user: User, session: LiveSession, *, member: bool | None = None) -> bool:
    """Scores and feedback of a session: its members and managers (recruiters do not)."""
    return can_decide(user) or _member(user, session, member)


def results_open(user: User, state: arbiter.SessionState) -> bool:
    """Members see the results once the interview is finished; managers at any time."""
    return state.phase == "finished" or can_decide(user)


def sees_others_results(user: User, session: LiveSession, state: arbiter.SessionState) -> bool:
    """Blind scoring: a member sees others' scores, notes and feedback only once nobody's
    judgement can lean on them any more for this member: their own feedback is in, or (for a
    member who owes none, owning no block) every owner's feedback is in. Managers see all."""
    if can_decide(user):
        return True
    return state.feedback_of(user.pk) is not None or state.ready_for_decision


def can_view_decision(user: User, session: LiveSession, *, member: bool | None = None) -> bool:
    """The read-only decision summary HR's messages link to: managers, recruiters, and the
    members of the panel."""
    return sees_all_candidates(user) or _member(user, session, member)


def can_view_candidate(user: User, candidate: Candidate) -> bool:
    return visible_candidates(user=user).filter(pk=candidate.pk).exists()


def can_view_candidate_decision(user: User, candidate: Candidate) -> bool:
    """The read-only summary of a decision on a candidate with no session (HR's messages link
    to it), as ``can_view_decision`` for a session's: managers, recruiters, and whoever works
    on the candidate's rounds or sessions (what each sees of the ratings is
    ``can_view_round_ratings``'s)."""
    return can_view_candidate(user, candidate)


def session_link(user: User, session: LiveSession, *, member: bool | None = None) -> str:
    """The page about ``session`` that ``user`` may open: the live page for a member while it
    runs, the results for those who may see them, else the read-only decision summary; ""
    when none."""
    from django.urls import reverse

    member = _member(user, session, member)
    if member and session.phase != "finished":
        return reverse("session_live", args=[session.code])
    if can_view_results(user, session, member=member):
        return reverse("session_results", args=[session.code])
    if can_view_decision(user, session, member=member):
        return reverse("decision_summary", args=[session.code])
    return ""


def visible_sessions(*, user: User) -> QuerySet[LiveSession]:
    from sessions_live.models import LiveSession, Membership

    sessions = LiveSession.objects.all()
    if sees_all_candidates(user):
        return sessions
    if not _signed_in(user):
        return sessions.none()
    return sessions.filter(Exists(Membership.objects.filter(session=OuterRef("pk"), user=user)))


def with_membership(sessions: QuerySet[LiveSession], user: User) -> QuerySet[LiveSession]:
    """``sessions`` annotated with ``is_member`` (pass it on as ``member=``): one query for a
    list instead of one per row."""
    from sessions_live.models import Membership

    return sessions.annotate(
        is_member=Exists(Membership.objects.filter(session=OuterRef("pk"), user=user))
    )


def visible_candidates(*, user: User) -> QuerySet[Candidate]:
    from candidates.models import Candidate
    from sessions_live.models import Membership

    candidates = Candidate.objects.all()
    if sees_all_candidates(user):
        return candidates
    if not _signed_in(user):
        return candidates.none()
    from access.interviews import rounds_of_candidate_filter

    # Interviewers see the candidates of their sessions and of the rounds they are on.
    return candidates.filter(
        Q(Exists(Membership.objects.filter(session__candidate=OuterRef("pk"), user=user)))
        | rounds_of_candidate_filter(user)
    )
