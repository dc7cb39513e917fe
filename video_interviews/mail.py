"""The e-mails of the one-way interviews, each one outbox row (``notify``): an invitation
(first sent or sent again), a reminder (by hand or the automatic one before the deadline) and
a candidate's confirmation of their address.

Written in the invitation's language (the recruiter's choice for the batch, or the
candidate's own when an account with that address has one), with the deadline in the
candidate's zone if their account has one, else the site's (``TIME_ZONE``), with the zone's
name. Links are absolute (``SITE_URL``)."""

from __future__ import annotations

import zoneinfo
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.zones import is_zone
from notify import services as notify
from notify.models import Outbox

INVITE = "invite"
RESEND = "resend"
REMIND = "remind"


def absolute(path: str, **query: str) -> str:
    url = settings.SITE_URL.rstrip("/") + path
    return f"{url}?{urlencode(query)}" if query else url


def signup_link(code: str) -> str:
    return absolute(reverse("candidate_signup"), code=code)


def dashboard_link(code: str) -> str:
    return absolute(reverse("candidate_dashboard"), code=code)


def _zone(person: Any) -> zoneinfo.ZoneInfo:
    name = getattr(person, "time_zone", "") if person is not None else ""
    return zoneinfo.ZoneInfo(name if is_zone(name) else settings.TIME_ZONE)


def moment(value: Any) -> str:
    """E.g. "7 Dec 2026, 10:00 CET": the active language's format in the active zone."""
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


def invitation_mail(invitation: Any, about: str) -> Outbox:
    """One e-mail about ``invitation`` (``INVITE``, ``RESEND`` or ``REMIND``), inside the
    caller's transaction."""
    interview = invitation.interview
    recruiter = invitation.invited_by or interview.created_by
    with (
        translation.override(invitation.language or settings.LANGUAGE_CODE),
        timezone.override(_zone(invitation.candidate)),
    ):
        if about == REMIND:
            subject = _("Reminder: interview “%(title)s”") % {"title": interview.title}
        else:
            subject = _("Interview invitation: %(title)s") % {"title": interview.title}
        questions = list(interview.questions.all())
        context = {
            "about": about,
            "interview": interview,
            "code": invitation.code,
            "recruiter": recruiter.display_name,
            "deadline": moment(interview.deadline),
            "questions": len(questions),
            "minutes": max(
                1, round(sum(q.thinking_seconds + q.answer_seconds for q in questions) / 60)
            ),  # fmt: skip
            "signup_url": signup_link(invitation.code),
            "dashboard_url": dashboard_link(invitation.code),
            "login_url": absolute(reverse("candidate_login")),
        }
        body_text = render_to_string("video_interviews/mail/invitation.txt", context)
        body_html = render_to_string("video_interviews/mail/invitation.html", context)
    return notify.outbox_enqueue(
        channel=Outbox.Channel.EMAIL,
        recipient=invitation.email,
        subject=subject,
        body_text=body_text.strip() + "\n",
        body_html=body_html,
        kind=Outbox.Kind.REMINDER if about == REMIND else Outbox.Kind.INVITATION,
    )


def confirmation_mail(user: Any, link: str, days: int) -> Outbox:
    """The candidate's "confirm your address" e-mail, in their language."""
    with translation.override(user.language or translation.get_language()):
        context = {"name": user.display_name, "link": link, "days": days}
        subject = _("Confirm your e-mail address for Roundtable")
        body_text = render_to_string("video_interviews/mail/confirm.txt", context)
        body_html = render_to_string("video_interviews/mail/confirm.html", context)
    return notify.outbox_enqueue(
        channel=Outbox.Channel.EMAIL,
        recipient=user.email,
        subject=subject,
        body_text=body_text.strip() + "\n",
        body_html=body_html,
        kind=Outbox.Kind.ACCOUNT,
    )
