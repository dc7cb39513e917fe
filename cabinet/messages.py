"""The message HR receives about a decision: subject, plain text (e-mail and Telegram), HTML."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import arbiter
from cabinet.models import Decision
from cabinet.selectors import topic_lines
from sessions_live.selectors import results_for_page


@dataclass(frozen=True)
class DecisionMessage:
    subject: str
    text: str
    html: str


def decision_url(code: str) -> str:
    """The read-only decision page: the one page about a decision that HR's readers (the
    recruiters) may open, as managers and the panel may (``access.can_view_decision``); the
    cabinet itself is for managers only. The site is where this server is served
    (``SITE_URL``; ``manage.py serve`` sets it from its host and port when it is unset)."""
    return settings.SITE_URL.rstrip("/") + reverse("decision_summary", args=[code])


@contextmanager
def in_hr_locale(decision: Decision) -> Iterator[str]:
    """HR's messages are written in the decision's HR language (the decision form's choice,
    by default ``HR_LANGUAGE``) with times in ``HR_TIME_ZONE``, named, in that language's one
    format (``|when``), whoever the manager is and whatever their own language and zone."""
    language = decision.hr_language or settings.HR_LANGUAGE
    with translation.override(language), timezone.override(settings.HR_TIME_ZONE):
        yield language


def reopen_message(*, decision: Decision, note: str) -> DecisionMessage:
    """What HR receives when a decision they were told about is withdrawn."""
    with in_hr_locale(decision):
        return _reopen_message(decision=decision, note=note)


def _reopen_message(*, decision: Decision, note: str) -> DecisionMessage:
    session = decision.session
    candidate = session.candidate
    context: dict[str, Any] = {
        "decision": decision,
        "candidate": candidate,
        "hire": decision.outcome == Decision.Outcome.HIRE,
        "reasons": [reason.name for reason in decision.reasons.all()],
        "note": note,
        "url": decision_url(session.code),
    }
    return DecisionMessage(
        subject=_("Decision reopened — %(name)s: the earlier result no longer stands")
        % {"name": candidate.full_name},
        text=render_to_string("cabinet/notify/reopened.txt", context).strip() + "\n",
        html=render_to_string("cabinet/notify/reopened.html", context),
    )


def decision_message(*, decision: Decision, revised: bool) -> DecisionMessage:
    """What HR receives about a decision: by e-mail (text and HTML) and by Telegram (text)."""
    with in_hr_locale(decision):
        return _decision_message(decision=decision, revised=revised)


def _decision_message(*, decision: Decision, revised: bool) -> DecisionMessage:
    session = decision.session
    candidate = session.candidate
    results = results_for_page(session=session, state=arbiter.SessionState.from_json(session.state))
    context: dict[str, Any] = {
        "decision": decision,
        "candidate": candidate,
        "session": session,
        "hire": decision.outcome == Decision.Outcome.HIRE,
        "reasons": [reason.name for reason in decision.reasons.all()],
        "topics": topic_lines(results),
        "totals": results["totals"],
        "revised": revised,
        "url": decision_url(session.code),
    }
    if decision.outcome == Decision.Outcome.HIRE:
        subject = _("Hire: %(name)s → %(team)s") % {
            "name": candidate.full_name,
            "team": decision.team.name if decision.team else "",
        }
    else:
        subject = _("Reject: %(name)s") % {"name": candidate.full_name}
    if revised:
        subject = _("Revised decision — %(subject)s") % {"subject": subject}
    return DecisionMessage(
        subject=subject,
        text=render_to_string("cabinet/notify/decision.txt", context).strip() + "\n",
        html=render_to_string("cabinet/notify/decision.html", context),
    )
