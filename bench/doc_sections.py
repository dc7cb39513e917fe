"""docs/benchmarks.md is written by several benchmarks, each owning one ``## `` section."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"


def replace_section(heading: str, section: list[str], doc: Path = DOC) -> None:
    """Replace the section that starts with ``heading`` (up to the next ``## ``), or add it at
    the end; nothing else in the file changes."""
    text = doc.read_text() if doc.exists() else ""
    lines = text.split("\n")
    start = next((n for n, line in enumerate(lines) if line.startswith(heading)), None)
    if start is None:
        lines = [*lines[: len(lines) - (lines[-1:] == [""])], "", *section]
    else:
        end = next(
            (n for n in range(start + 1, len(lines)) if lines[n].startswith("## ")), len(lines)
        )
        lines = [*lines[:start], *section, *lines[end:]]
    doc.write_text("\n".join(lines))
    print(f"wrote {doc.relative_to(ROOT)}", file=sys.stderr)
