"""The API's one body parser: JSON, refusing bodies nested too deep with 400, never 500.

DRF's own parser turns malformed JSON into ``ParseError`` but lets ``RecursionError`` (a few
thousand ``[`` in a row) escape as a server error. Depth is limited well below Python's
recursion limit too, so a body that parses can still be validated, saved and rendered.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32  # arrays and objects inside each other; no resource of ours needs more than 3


def depth_over(value: Any, limit: int) -> bool:
    """Whether ``value`` nests arrays and objects more than ``limit`` deep (no recursion)."""
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        item, depth = level.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        level.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        too_deep = _("JSON parse error - nested more than %(depth)d levels deep.") % {
            "depth": MAX_DEPTH
        }
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep) from None
        if depth_over(data, MAX_DEPTH):
            raise ParseError(too_deep)
        return data
