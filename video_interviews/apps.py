from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoInterviewsConfig(AppConfig):
    name = "video_interviews"
    verbose_name = _("One-way video interviews")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from video_interviews import events, review_services, subscribers

        events.answer_processed.connect(
            review_services.on_answer_processed, dispatch_uid="video_interviews.review_notice"
        )
        subscribers.connect()  # the interviews' facts: one-way rounds reached, called off
