"""Load demo people and a demo question bank; safe to run again (idempotent)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.roles import INTERVIEWER, MANAGER, QUESTION_EDITOR, RECRUITER, ensure_roles
from questionbank.models import Question, Topic

DEMO_BANK = Path(__file__).resolve().parents[3] / "questionbank" / "demo_bank.json"
# Content in both languages: a Russian topic with its questions and reference answers beside
# the English ones (content stays as written; only the interface is translated).
DEMO_BANK_RU = Path(__file__).resolve().parents[2] / "demo_bank_ru.json"

# (username, first name, last name, roles, staff)
DEMO_PEOPLE: list[tuple[str, str, str, list[str], bool]] = [
    ("lena", "Lena", "Lead", [INTERVIEWER], False),
    ("ivan", "Ivan", "Petrov", [INTERVIEWER], False),
    ("olga", "Olga", "Sidorova", [INTERVIEWER], False),
    ("maria", "Maria", "Manager", [MANAGER], False),
    ("quentin", "Quentin", "Editor", [QUESTION_EDITOR], True),
    ("rita", "Rita", "Recruiter", [RECRUITER], False),
]
ROLE_NOTES = {
    "lena": "interviewer - creates and leads a session",
    "ivan": "interviewer - joins by code",
    "olga": "interviewer - joins by code",
    "maria": "manager - decides in the cabinet",
    "quentin": "question editor - keeps the bank (admin)",
    "rita": "recruiter",
    "admin": "superuser - Django admin",
}


class Command(BaseCommand):
    help = "Create demo users (printed with their passwords) and a demo question bank."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", "roundtable-demo"),
            help="Password for every demo user (default: $DEMO_PASSWORD or roundtable-demo).",
        )

    @transaction.atomic
    def handle(self, *args: Any, password: str, **options: Any) -> None:
        ensure_roles()
        for username, first, last, roles, staff in DEMO_PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.com",
                    "is_staff": staff,
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            user.groups.add(*Group.objects.filter(name__in=roles))
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.com", password)

        topics = [
            topic
            for path in (DEMO_BANK, DEMO_BANK_RU)
            for topic in json.loads(path.read_text(encoding="utf-8"))["topics"]
        ]
        added = 0
        for topic_data in topics:
            topic, _created = Topic.objects.get_or_create(
                name=topic_data["name"],
                defaults={
                    "description": topic_data["description"],
                    "default_minutes": topic_data["default_minutes"],
                },
            )
            for item in topic_data["questions"]:
                _question, created = Question.objects.get_or_create(
                    topic=topic,
                    text=item["text"],
                    defaults={
                        "reference_answer": item["reference_answer"],
                        "difficulty": item["difficulty"],
                        "max_points": item["max_points"],
                    },
                )
                added += int(created)

        from cabinet.models import RejectionReason, Team

        for team in ("Platform", "Payments", "Mobile"):
            Team.objects.get_or_create(name=team)
        for reason in ("Technical depth", "Communication", "Culture fit", "Salary expectations"):
            RejectionReason.objects.get_or_create(name=reason)

        self.stdout.write(f"Demo data ready ({added} new questions).")
        self.stdout.write(f"Demo logins (password for all: {password}):")
        for username in [p[0] for p in DEMO_PEOPLE] + ["admin"]:
            self.stdout.write(f"  {username:<8} {ROLE_NOTES[username]}")
