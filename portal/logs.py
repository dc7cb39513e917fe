"""Expected refusals are not errors: a 403 or 404 is logged as one warning line, without the
traceback Django attaches to the PermissionDenied (or Http404) that produced it."""

from __future__ import annotations

import logging


class ExpectedRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def install() -> None:
    logger = logging.getLogger("django.request")
    if not any(isinstance(f, ExpectedRefusals) for f in logger.filters):
        logger.addFilter(ExpectedRefusals())
