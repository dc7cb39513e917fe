"""Who may add a resume version to a candidate and who may download one: part of the one
access module (``access`` re-exports it).

* those who manage candidates (recruiters) upload or replace a candidate's resume;
* whoever may see the candidate (``access.can_view_candidate``) downloads any of its
  versions; nobody else learns that a version exists (the page answers 404).
"""

from __future__ import annotations

from typing import Any

# ``access`` imports this module while it loads: its predicates are read at call time.
import access


def can_upload_resume(user: Any, candidate: Any) -> bool:
    return access.can_manage_candidates(user) and access.can_view_candidate(user, candidate)


def can_download_resume(user: Any, candidate: Any) -> bool:
    return access.can_view_candidate(user, candidate)
