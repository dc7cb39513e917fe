from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoInterviewsConfig(AppConfig):
    name = "video_interviews"
    verbose_name = _("One-way video interviews")
    default_auto_field = "django.db.models.BigAutoField"
