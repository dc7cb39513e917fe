from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionbankConfig(AppConfig):
    name = "questionbank"
    verbose_name = _("Question bank")
    default_auto_field = "django.db.models.BigAutoField"
