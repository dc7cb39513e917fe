"""Session codes: unguessable (about 44.6 random bits) yet easy to read aloud and type."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: nothing a panel can mishear or mistype when a code is read over a call.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS = 3
GROUP_LENGTH = 3


def new_code() -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join(groups)


def normalise_code(typed: str) -> str | None:
    """Accept what people type (lower case, spaces, no dashes); None when it cannot be a code."""
    letters = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(letters) != GROUPS * GROUP_LENGTH or any(ch not in ALPHABET for ch in letters):
        return None
    return "-".join(letters[i : i + GROUP_LENGTH] for i in range(0, len(letters), GROUP_LENGTH))
