"""Checks of a page's interface language, shared by the bank's and the search's tests.

Only the page's own part is checked (``<main>``: the header belongs to the base template),
its visible text and the attributes people hear (``aria-label``, ``title``, ``placeholder``,
``value`` of buttons), with what people typed or the bank holds taken out first: content is
not interface. ``<code>`` is taken out too: it holds the file format's column names."""

from __future__ import annotations

import html
import re

CYRILLIC = re.compile(r"[\u0400-\u04FF]+")
_MAIN = re.compile(r"<main\b[^>]*>(.*)</main>", re.S)
_CODE = re.compile(r"<code\b[^>]*>.*?</code>", re.S)
_HEARD = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
_BUTTON_VALUE = re.compile(r'<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")


def interface_text(page: str, content: list[str] = ()) -> str:  # type: ignore[assignment]
    """The interface text of the page's main part, with the given content strings removed."""
    match = _MAIN.search(page)
    part = match.group(1) if match else page
    part = _CODE.sub(" ", part)
    heard = " ".join(_HEARD.findall(part) + _BUTTON_VALUE.findall(part))
    text = html.unescape(_TAG.sub(" ", part) + " " + heard)
    for item in sorted(content, key=len, reverse=True):
        text = text.replace(item, " ")
    return re.sub(r"\s+", " ", text)


def english_leaks(text: str, words: list[str]) -> list[str]:
    """The English interface words (whole words, case as given) that show in ``text``."""
    return [word for word in words if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)]


def cyrillic_leaks(text: str) -> list[str]:
    return CYRILLIC.findall(text)
