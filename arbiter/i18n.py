"""Marking messages for translation without importing a translation library.

The arbiter stays pure: it answers in English and returns each refusal's message template
and parameters as well. ``gettext_noop`` only marks a literal so ``makemessages`` (which
looks for that name) extracts it; the Django shell translates ``template`` with ``gettext``
and fills in the parameters (``sessions_live.refusals``)."""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    return message
