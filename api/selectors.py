"""Who may see which candidates and sessions, for the API: the rule lives in the one access
module (``access``); these names stay for the API's and search's callers."""

from __future__ import annotations

from access import SEE_ALL, sees_all_candidates, visible_candidates, visible_sessions

__all__ = ["SEE_ALL", "sees_all_candidates", "visible_candidates", "visible_sessions"]
