"""Roundtable project configuration: settings, ASGI entry point, URLs and Celery app."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
