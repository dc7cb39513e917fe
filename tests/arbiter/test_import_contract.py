"""The arbiter stays pure: standard library only, and it never reads the clock."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ARBITER = Path(__file__).resolve().parents[2] / "arbiter"
SOURCES = sorted(ARBITER.glob("*.py"))
CLOCK_CALLS = {("time", "time"), ("datetime", "now"), ("datetime", "utcnow"), ("date", "today")}


def test_there_is_something_to_check() -> None:
    assert {path.name for path in SOURCES} >= {"__init__.py", "rules.py", "state.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_it_imports_only_the_standard_library_and_itself(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: use absolute imports"
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top == "arbiter" or top in sys.stdlib_module_names, f"{path.name}: {name}"
            assert top != "time", f"{path.name} imports the clock module"
            if isinstance(node, ast.ImportFrom) and top == "datetime":
                imported = {alias.name for alias in node.names}
                assert not imported & {"datetime", "date"}, f"{path.name} may read the clock"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_it_never_reads_the_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert (node.value.id, node.attr) not in CLOCK_CALLS, (
                f"{path.name}: {node.value.id}.{node.attr}"
            )
        if isinstance(node, ast.Attribute) and node.attr in {"now", "utcnow", "today"}:
            pytest.fail(f"{path.name} calls .{node.attr}")
