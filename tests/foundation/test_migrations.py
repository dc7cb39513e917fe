"""Every model change has its migration."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration() -> None:
    # --check exits non-zero (SystemExit) when a migration would be written.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
