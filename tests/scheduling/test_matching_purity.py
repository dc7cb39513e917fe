"""The scheduler's matching stays a pure module: it imports the standard library and its two
solvers' packages (numpy, OR-Tools), nothing of Django or of the project, and no clock."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MATCHING = ROOT / "scheduling" / "matching.py"
SOLVERS = {"numpy", "ortools"}
# The project's own packages: every top-level folder with Python in it (apps, config, tests).
PROJECT = {
    path.name
    for path in ROOT.iterdir()
    if path.is_dir() and not path.name.startswith(".") and any(path.glob("*.py"))
}


def imported(path: Path) -> list[tuple[str, ast.Import | ast.ImportFrom]]:
    """Every module ``path`` imports, anywhere in it (inside functions too)."""
    found: list[tuple[str, ast.Import | ast.ImportFrom]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(("." * node.level + (node.module or ""), node))
    return found


def test_the_project_list_knows_the_apps() -> None:
    assert {"scheduling", "candidates", "interviews", "config", "access"} <= PROJECT


def test_matching_imports_nothing_of_django_or_of_the_project() -> None:
    names = [name for name, _ in imported(MATCHING)]
    assert "ortools.graph.python" in names  # the parse sees its imports at all
    for name in names:
        assert not name.startswith("."), f"a relative import: {name}"
        top = name.split(".")[0]
        assert top != "django", name
        assert top not in PROJECT, name
        assert top in sys.stdlib_module_names or top in SOLVERS or top == "__future__", name


def test_matching_reads_no_clock() -> None:
    for name, node in imported(MATCHING):
        assert name.split(".")[0] != "time", name
        if name == "datetime" and isinstance(node, ast.ImportFrom):
            assert not {a.name for a in node.names} & {"datetime", "date"}, name
