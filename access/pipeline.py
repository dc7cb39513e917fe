"""Who may see and keep the pipeline's positions and vendors: part of the one access module
(``access`` re-exports it).

* recruiters (``manage_candidates``) keep positions and vendors;
* managers and interviewers see the positions (they hire and interview for them);
* vendors, with their contacts and terms, are for recruiters and managers only.
"""

from __future__ import annotations

from typing import Any

# ``access`` imports this module while it loads: the role constants are read at call time,
# so they stay defined once, there.
import access
from access.bank import has_any


def can_manage_positions(user: Any) -> bool:
    return has_any(user, [access.RECRUIT])


def can_view_positions(user: Any) -> bool:
    return has_any(user, [access.RECRUIT, access.DECIDE, access.INTERVIEW])


def can_manage_vendors(user: Any) -> bool:
    return has_any(user, [access.RECRUIT])


def can_view_vendors(user: Any) -> bool:
    return has_any(user, [access.RECRUIT, access.DECIDE])
