"""One-way interviews built through the real services, and candidates' accounts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from accounts.models import User
from video_interviews import rules, services
from video_interviews.models import Invitation, VideoInterview

PASSWORD = "a-long-candidate-passphrase"


def two_questions() -> list[rules.QuestionSpec]:
    return [
        rules.QuestionSpec("Tell us about a project you are proud of.", 30, 120, 1),
        rules.QuestionSpec("Why this team?", 10, 60, 0),
    ]


def interview(
    recruiter: Any,
    emails: tuple[str, ...] = ("anna@example.com",),
    *,
    title: str = "Frontend developer screening",
    deadline: datetime | None = None,
    language: str = "en",
    now: datetime | None = None,
) -> VideoInterview:
    return services.interview_create(
        by=recruiter,
        title=title,
        description="Two short questions.",
        deadline=deadline or (now or timezone.now()) + timedelta(days=7),
        questions=two_questions(),
        emails=emails,
        language=language,
        now=now,
    )


def invitation(interview: VideoInterview, email: str = "anna@example.com") -> Invitation:
    return interview.invitations.get(email__iexact=email)


def candidate(email: str = "anna@example.com", **fields: Any) -> User:
    return services.candidate_signup(email=email, password=PASSWORD, **fields)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
