"""The rule that decides a one-way round from its reviewers' recommendations. Pure: choices in,
a verdict out (``interviews.services.round_review`` reads the rows and writes the round).

* **Complete** when somebody has recommended and either every reviewer awaited has (the
  video interview's named reviewers who still interview) or a manager has (a manager's
  recommendation closes the review: managers decide on candidates).
* **Verdict**: the lower median of the recommendations given (strong no < no < yes < strong
  yes) is the round's recommendation; the outcome is *selected* when that is yes or strong yes
  — exactly when more than half of them recommend — else *rejected* (a split review does not
  select).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

ORDER = ("strong_no", "no", "yes", "strong_yes")  # worst first
SELECTING = frozenset({"yes", "strong_yes"})
SELECTED, REJECTED = "selected", "rejected"


def complete(*, awaited: Collection[int], recommended: Collection[int], by_manager: bool) -> bool:
    """Whether the review of one invitation has said enough to decide its round."""
    if not recommended:
        return False
    return by_manager or set(awaited) <= set(recommended)


def verdict(choices: Sequence[str]) -> tuple[str, str]:
    """``(recommendation, outcome)`` of the round from the recommendations' choices."""
    if not choices:
        raise ValueError("no recommendation to decide from")
    ranked = sorted(choices, key=ORDER.index)
    middle = ranked[(len(ranked) - 1) // 2]
    return middle, SELECTED if middle in SELECTING else REJECTED
