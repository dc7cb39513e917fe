"""Who may read and keep the question bank: the bank's part of the one access module.

A leaf: it imports no app, so the bank's own pages (``questionbank`` sits below the apps the
rest of ``access`` reads) may ask it without reaching upwards. ``access`` re-exports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

VIEW_BANK = "questionbank.view_question"
CHANGE_QUESTION = "questionbank.change_question"
RETIRE_QUESTION = "questionbank.retire_question"
# Importing writes topics and questions; exporting shows every reference answer; accepting a
# question typed live writes one.
KEEP_BANK = (
    "questionbank.add_topic",
    "questionbank.change_topic",
    "questionbank.add_question",
    CHANGE_QUESTION,
)


def signed_in(user: Any) -> bool:
    """Signed in, active and staff: a candidate's account (``accounts.User.kind``) passes no
    predicate of the access module (the video interviews' candidate side asks
    ``access.video``'s own)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "kind", "staff") != "candidate"
    )


def has_all(user: Any, perms: Iterable[str]) -> bool:
    """Every permission in ``perms`` (a superuser has them all)."""
    return signed_in(user) and user.has_perms(tuple(perms))


def has_any(user: Any, perms: Iterable[str]) -> bool:
    return signed_in(user) and any(user.has_perm(perm) for perm in perms)


def can_view_bank(user: Any) -> bool:
    return has_all(user, [VIEW_BANK])


def can_edit_bank(user: Any) -> bool:
    """Question editors keep the bank in the admin (so they are staff as well)."""
    return signed_in(user) and user.is_staff and has_all(user, [CHANGE_QUESTION])


def can_keep_bank(user: Any) -> bool:
    """The bank's pages: import, export, and the review of questions typed live."""
    return has_all(user, KEEP_BANK)


def can_retire_questions(user: Any) -> bool:
    return has_all(user, [RETIRE_QUESTION])


BANK_MODELS = ("topic", "question")
BANK_ACTIONS = ("view", "add", "change", "delete", "retire")


def bank_may(action: str, model: str) -> Callable[[Any], bool]:
    """A predicate for one operation of the bank's API: may the user ``action`` (view, add,
    change, delete; retire for questions) the bank's ``model`` (topic, question)? Each is the
    model permission of that name, as in the admin."""
    if model not in BANK_MODELS or action not in BANK_ACTIONS or (
        action == "retire" and model != "question"
    ):
        raise ValueError(f"no bank operation {action!r} on {model!r}")
    perm = f"questionbank.{action}_{model}"

    def may(user: Any) -> bool:
        return has_all(user, [perm])

    may.__name__ = f"can_{action}_{model}"
    return may
