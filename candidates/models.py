"""The candidate card and its history; built to grow into a hiring pipeline."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from candidates import lifecycle


class PrivateFileStorage(FileSystemStorage):
    """Files with no URL at all: a view streams them after a permission check."""

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no public URL; serve them through a view")


def _private_s3() -> Any:
    """The private files in an S3-compatible bucket (``S3_BUCKET``; django-storages): private
    objects, never overwritten, and no URL either — not even a signed one."""
    from storages.backends.s3 import S3Storage

    class PrivateS3Storage(S3Storage):  # type: ignore[misc]
        def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
            raise ValueError("private files have no public URL; serve them through a view")

    return PrivateS3Storage(
        bucket_name=settings.S3_BUCKET,
        endpoint_url=settings.S3_ENDPOINT_URL or None,
        region_name=settings.S3_REGION or None,
        access_key=settings.S3_ACCESS_KEY_ID or None,
        secret_key=settings.S3_SECRET_ACCESS_KEY or None,
        location=settings.S3_PREFIX,
        default_acl="private",
        file_overwrite=False,
        querystring_auth=True,
    )


class _PrivateStorage(LazyObject):
    """Resumes, recordings and answer videos: under MEDIA_ROOT, or in ``S3_BUCKET`` when it
    is set. Built lazily so tests can move MEDIA_ROOT (or point it at a bucket)."""

    def _setup(self) -> None:
        if settings.S3_BUCKET:
            self._wrapped = _private_s3()
        else:
            self._wrapped = PrivateFileStorage(location=settings.MEDIA_ROOT)


private_storage: Any = _PrivateStorage()


def get_private_storage() -> Any:
    # A callable keeps the location out of migrations and lets tests move MEDIA_ROOT.
    return private_storage


def resume_path(instance: Candidate, filename: str) -> str:
    # Never keep the uploaded name in the path: it is user input.
    return str(PurePath("resumes", f"{uuid.uuid4().hex}.pdf"))


class Position(models.Model):
    """A job the recruiters hire for. ``team`` is the team's name as written: ``candidates``
    is a lower app and does not reach up to the cabinet's teams."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("position status", "open")
        ON_HOLD = "on_hold", pgettext_lazy("position status", "on hold")
        CLOSED = "closed", pgettext_lazy("position status", "closed")

    title = models.CharField(pgettext_lazy("position", "title"), max_length=200)
    team = models.CharField(_("team"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    openings = models.PositiveIntegerField(
        _("openings"), default=1, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return self.title


class Vendor(models.Model):
    """An agency that supplies candidates."""

    name = models.CharField(pgettext_lazy("vendor", "name"), max_length=200, unique=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    terms = models.TextField(_("terms"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    class Status(models.TextChoices):
        # The lifecycle's statuses (``candidates.lifecycle``), in its order; only
        # ``candidates.services.candidate_move`` writes them.
        CREATED = lifecycle.CREATED, pgettext_lazy("candidate status", "created")
        SCHEDULED = lifecycle.SCHEDULED, pgettext_lazy("candidate status", "scheduled")
        INTERVIEWING = lifecycle.INTERVIEWING, pgettext_lazy("candidate status", "interviewing")
        SELECTED = lifecycle.SELECTED, pgettext_lazy("candidate status", "selected")
        REJECTED = lifecycle.REJECTED, pgettext_lazy("candidate status", "rejected")
        HIRED = lifecycle.HIRED, pgettext_lazy("candidate status", "hired")
        WITHDRAWN = lifecycle.WITHDRAWN, pgettext_lazy("candidate status", "withdrawn")

    class Source(models.TextChoices):
        VENDOR = "vendor", pgettext_lazy("candidate source", "vendor")
        REFERRAL = "referral", pgettext_lazy("candidate source", "referral")
        DIRECT = "direct", pgettext_lazy("candidate source", "direct")

    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    resume = models.FileField(
        _("resume (PDF)"), upload_to=resume_path, storage=get_private_storage, blank=True
    )
    resume_name = models.CharField(
        _("resume file name"), max_length=200, blank=True, editable=False
    )
    video_room_url = models.URLField(_("video-call room link"), blank=True)
    hr_email = models.EmailField(_("HR e-mail"), blank=True)
    hr_telegram_chat_id = models.CharField(_("HR Telegram chat id"), max_length=64, blank=True)
    # Blank: the site's HR_LANGUAGE. The manager may still pick another for one decision.
    hr_language = models.CharField(
        _("language of HR's messages"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    # Where the candidate came from; ``vendor`` is set exactly when the source is a vendor
    # (``candidates.services`` checks it).
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.DIRECT
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidates",
        verbose_name=_("vendor"),
    )
    positions = models.ManyToManyField(
        Position, blank=True, related_name="candidates", verbose_name=_("positions")
    )
    # Tags as typed, comma-separated and normalised by ``candidates.services.clean_tags``.
    tags = models.CharField(_("tags"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

    def __str__(self) -> str:
        return self.full_name

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]


class CandidateEvent(models.Model):
    """One line of a candidate's history: what happened, when, and who did it."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="events", verbose_name=_("candidate")
    )
    kind = models.CharField(_("event"), max_length=40)
    at = models.DateTimeField(_("when"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("candidate event")
        verbose_name_plural = _("candidate events")

    def __str__(self) -> str:
        return f"{self.candidate} · {self.kind}"


class ResumeVersion(models.Model):
    """One uploaded resume of a candidate. Every upload is kept; the newest is the current
    one, which ``Candidate.resume`` / ``resume_name`` name too (the same stored file), so the
    pages that show "the resume" keep reading the candidate. Files live in the private
    storage: a view streams them after the access check, never a public URL."""

    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.CASCADE,
        related_name="resume_versions",
        verbose_name=_("candidate"),
    )
    file = models.FileField(
        _("file"), upload_to=resume_path, storage=get_private_storage, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("resume version")
        verbose_name_plural = _("resume versions")

    def __str__(self) -> str:
        return f"{self.candidate} · {self.original_name}"
