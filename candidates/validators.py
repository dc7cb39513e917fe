"""Upload checks for resumes: PDF by content (not by name), and not too big."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def validate_resume(upload: UploadedFile) -> None:
    limit = settings.RESUME_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The resume is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(0, (upload.size or 0) - 2048))
    tail = upload.read(2048)
    upload.seek(0)
    # A PDF starts with its header in the first KiB and ends with an %%EOF marker.
    if b"%PDF-" not in head or b"%%EOF" not in tail:
        raise ValidationError(
            _("The resume must be a PDF file; this file is not a PDF."), code="not_pdf"
        )
