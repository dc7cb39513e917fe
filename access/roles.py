"""A person's roles in the candidate lifecycle (``candidates.lifecycle``): which moves they
may make is the lifecycle's rule; which roles they hold is this access rule.

* ``recruiter``: manages candidates (``accounts.manage_candidates``);
* ``manager``: decides on candidates (``accounts.decide_candidates``);
* ``interviewer``: runs interviews and is on one of this candidate's rounds (as interviewer
  or assistant) or a member of one of their live sessions, so only when a candidate is named.

``system`` is never a person's: services acting on a fact pass it themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from access import DECIDE, INTERVIEW, RECRUIT
from candidates import lifecycle

if TYPE_CHECKING:
    from accounts.models import User
    from candidates.models import Candidate


def roles_of(user: User | None, candidate: Candidate | None = None) -> frozenset[str]:
    """The lifecycle roles ``user`` holds (towards ``candidate``, for the interviewer's)."""
    if user is None or not (user.is_authenticated and user.is_active):
        return frozenset()
    roles = set()
    if user.has_perm(RECRUIT):
        roles.add(lifecycle.RECRUITER)
    if user.has_perm(DECIDE):
        roles.add(lifecycle.MANAGER)
    if candidate is not None and user.has_perm(INTERVIEW):
        from access.interviews import on_rounds_filter
        from interviews.models import Round
        from sessions_live.models import Membership

        if (
            Membership.objects.filter(session__candidate=candidate, user=user).exists()
            or Round.objects.filter(on_rounds_filter(user), candidate=candidate).exists()
        ):
            roles.add(lifecycle.INTERVIEWER)
    return frozenset(roles)
