"""The four roles and what each may do, kept as Django groups with permissions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

INTERVIEWER = "interviewer"
MANAGER = "manager"
QUESTION_EDITOR = "question editor"
RECRUITER = "recruiter"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    INTERVIEWER: [
        "accounts.run_interviews",
        "questionbank.view_topic",
        "questionbank.view_question",
    ],
    MANAGER: [
        "accounts.decide_candidates",
        "questionbank.view_topic",
        "questionbank.view_question",
    ],
    QUESTION_EDITOR: [
        "questionbank.view_topic",
        "questionbank.add_topic",
        "questionbank.change_topic",
        "questionbank.delete_topic",
        "questionbank.view_question",
        "questionbank.add_question",
        "questionbank.change_question",
        "questionbank.delete_question",
        "questionbank.retire_question",
    ],
    RECRUITER: ["accounts.manage_candidates"],
}

ROLE_LABELS = {
    INTERVIEWER: _("Interviewer"),
    MANAGER: _("Manager"),
    QUESTION_EDITOR: _("Question editor"),
    RECRUITER: _("Recruiter"),
}


def ensure_roles(app_config: Any = None, **_: Any) -> None:
    """Create the role groups and give them exactly their permissions (idempotent).

    As a ``post_migrate`` receiver it acts on the signal of the last app only: the signal goes
    out once per app, each app's permissions are created on its own signal, so by the last
    one they all exist (running on each of the fifteen cost a second per migrate or flush,
    and the test suite flushes after every transactional test)."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    if app_config is not None:
        with_models = [a for a in apps.get_app_configs() if a.models_module is not None]
        if app_config is not with_models[-1]:
            return

    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:  # an app not migrated yet adds it on a later run
                wanted.append(permission)
        group.permissions.set(wanted)
