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
from cabinet.selectors import rated_rounds, topic_lines
from sessions_live.selectors import results_for_page


@dataclass(frozen=True)
class DecisionMessage:
    subject: str
    text: str
    html: str


def decision_url(decision: Decision) -> str:
    """The read-only decision page: the one page about a decision that HR's readers (the
    recruiters) may open, as managers and the panel (or the rounds' interviewers) may
    (``access.can_view_decision``, ``access.can_view_candidate_decision``); the cabinet itself
    is for managers only. The site is where this server is served (``SITE_URL``; ``manage.py
    serve`` sets it from its host and port when it is unset)."""
    if decision.session_id is not None:
        path = reverse("decision_summary", args=[decision.session.code])
    else:
        path = reverse("decision_summary_candidate", args=[decision.candidate_id])
    return settings.SITE_URL.rstrip("/") + path


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
    candidate = decision.candidate
    context: dict[str, Any] = {
        "decision": decision,
        "candidate": candidate,
        "hire": decision.outcome == Decision.Outcome.HIRE,
        "reasons": [reason.name for reason in decision.reasons.all()],
        "note": note,
        "url": decision_url(decision),
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
    candidate = decision.candidate
    context: dict[str, Any] = {
        "decision": decision,
        "candidate": candidate,
        "session": session,
        "hire": decision.outcome == Decision.Outcome.HIRE,
        "reasons": [reason.name for reason in decision.reasons.all()],
        "revised": revised,
        "url": decision_url(decision),
    }
    if session is not None:  # the panel's scores per topic
        results = results_for_page(
            session=session, state=arbiter.SessionState.from_json(session.state)
        )
        context.update(topics=topic_lines(results), totals=results["totals"])
    else:  # no session: the rounds that brought the candidate here, with their points
        context["rounds"] = rated_rounds(candidate=candidate)
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
