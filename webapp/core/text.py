"""Plain-text rules shared by forms, importers and public pages: markup and email addresses."""

from __future__ import annotations

import re

# An HTML tag; a lone "<" (as in "< 5 hari") is just text.
TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
# An email address inside running text (a standard's contacts, a complaint's description).
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_EMAIL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def has_markup(text: str) -> bool:
    """Whether ``text`` holds an HTML tag."""
    return bool(TAG.search(text))


def is_email_address(value: str) -> bool:
    """Whether ``value`` is a plausible email address (delivery is the real test)."""
    value = (value or "").strip()
    return len(value) <= 254 and bool(_EMAIL_ADDRESS.match(value))
