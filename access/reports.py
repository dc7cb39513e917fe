"""Who may read the pipeline's reports and statistics: part of the one access module
(``access`` re-exports it).

* managers and recruiters read the reports (``/reports/`` and its downloads): the funnel,
  the counts by status, position and vendor, the rounds per interviewer and the time spent in
  each stage. The reports name vendors, so they are for the same people as the vendors;
* interviewers do not (they see the rounds they are on, not the pipeline's numbers).
"""

from __future__ import annotations

from typing import Any

# ``access`` imports this module while it loads: the role constants are read at call time,
# so they stay defined once, there.
import access
from access.bank import has_any


def can_view_reports(user: Any) -> bool:
    return has_any(user, [access.DECIDE, access.RECRUIT])
