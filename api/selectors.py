"""Who may see which candidates and sessions: the rule the pages apply, in one place for the
API and the global search. (It belongs next to ``sessions_live.selectors``; it lives here
until that module takes it.)

* managers (deciding) and recruiters see every candidate and session;
* anyone else sees the sessions they are a member of, and those sessions' candidates.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from candidates.models import Candidate
from sessions_live.models import LiveSession, Membership

SEE_ALL = ("accounts.decide_candidates", "accounts.manage_candidates")


def sees_all_candidates(user: User) -> bool:
    return any(user.has_perm(perm) for perm in SEE_ALL)


def visible_sessions(*, user: User) -> QuerySet[LiveSession]:
    sessions = LiveSession.objects.all()
    if sees_all_candidates(user):
        return sessions
    return sessions.filter(Exists(Membership.objects.filter(session=OuterRef("pk"), user=user)))


def visible_candidates(*, user: User) -> QuerySet[Candidate]:
    candidates = Candidate.objects.all()
    if sees_all_candidates(user):
        return candidates
    return candidates.filter(
        Exists(Membership.objects.filter(session__candidate=OuterRef("pk"), user=user))
    )
