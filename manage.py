#!/usr/bin/env python
"""Django's command-line utility; a configuration error is reported in one line."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - load settings now, to report a bad value once
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.exit(f"roundtable: configuration error: {error}")


if __name__ == "__main__":
    main()
