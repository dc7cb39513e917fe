"""One access module: outside ``access/`` no code asks ``has_perm`` / ``has_perms``, and no
code or template names a permission codename (``app.codename``) to decide who may do what.
What must stay elsewhere is listed below, each with its reason; a new entry needs one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {
    ".git",
    ".venv",
    "node_modules",
    "var",
    "tests",
    "bench",
    "docs",
    "deploy",
    "frontend_static",
    "access",  # the one place the rules live
    "migrations",  # history: the permissions as they were created
    "__pycache__",
}
ASKS = re.compile(r"\bhas_perms?\s*\(|permission_required|\bperms\.\w+")


def _codenames() -> re.Pattern[str]:
    """Every permission the project defines, as ``app_label.codename``."""
    from django.contrib.auth.models import Permission

    names = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    return re.compile("|".join(re.escape(name) for name in sorted(names, key=len, reverse=True)))


# path → why it may still name a permission or ask for one. Keep it short.
ALLOWED = {
    # Lower apps: they never import ``access`` beyond its leaf ``access.bank``.
    "accounts/roles.py": "gives each role group its permissions: the roles' definition",
}


def _sources() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if any(part in SKIPPED for part in relative.parts[:-1]) or relative.parts[0] in SKIPPED:
            continue
        if path.is_file() and path.suffix in {".py", ".html", ".txt", ".js"}:
            found.append(path)
    return found


def _offences(path: Path, codenames: re.Pattern[str]) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        if ASKS.search(line) or codenames.search(line):
            lines.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return lines


def test_no_rule_outside_the_access_module(db) -> None:  # noqa: ANN001
    codenames = _codenames()
    offences = []
    for path in _sources():
        if str(path.relative_to(ROOT)) not in ALLOWED:
            offences += _offences(path, codenames)
    assert offences == [], "ask access/ instead:\n" + "\n".join(offences)


def test_the_allow_list_is_not_stale(db) -> None:  # noqa: ANN001
    """An allowed file that no longer names a rule leaves the list."""
    codenames = _codenames()
    for relative in ALLOWED:
        path = ROOT / relative
        assert path.exists() and _offences(path, codenames), relative


def test_the_checks_catch_a_rule(db) -> None:  # noqa: ANN001
    codenames = _codenames()
    assert codenames.search('user.has_perm("accounts.decide_candidates")')
    assert ASKS.search("request.user.has_perms(perms)")
    assert ASKS.search("{% if perms.questionbank.change_question %}")
    assert not codenames.search("access.can_decide(user)")
