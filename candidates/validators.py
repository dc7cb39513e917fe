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


def _refused_character(text: str, *, multiline: bool) -> str | None:
    allowed = "\n\r\t" if multiline else ""
    for char in text:
        code = ord(char)
        if char in allowed:
            continue
        # Control characters (C0, DEL, C1), line and paragraph separators, lone surrogates:
        # a mail header refuses them and no reader can use them.
        if code < 0x20 or 0x7F <= code < 0xA0 or code in (0x2028, 0x2029):
            return char
        if 0xD800 <= code <= 0xDFFF:
            return char
    return None


def validate_plain_text(text: str, *, multiline: bool = False) -> None:
    """Refuse text that can never be delivered: a line break in a one-line field (it ends up
    in an e-mail header), control characters, lone surrogates anywhere."""
    char = _refused_character(text, multiline=multiline)
    if char is None:
        return
    if char in "\r\n":
        message = _("Keep this on one line: line breaks are not allowed here.")
    else:
        message = _("Remove the invisible control character (U+%(code)04X) from this text.") % {
            "code": ord(char)
        }
    raise ValidationError(message, code="control_character")


def validate_one_line(text: str) -> None:
    """For names, e-mail addresses and other fields that end up in a message header."""
    validate_plain_text(text, multiline=False)
