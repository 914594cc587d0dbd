"""The one phone-number normaliser: every feature stores a number as digits starting 62.

Citizens type numbers every way ("0812-3456-7890", "+62 812 3456 7890", "628123456789").
Stored, they are E.164 digits without the plus (``628123456789``): one form to compare,
to send to the SMS/WhatsApp gateway and to mask. Shown, they read the Indonesian way
("0812-3456-7890"), through the template filter ``telepon``.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

MOBILE_MESSAGE = _l("Tulis nomor HP Indonesia, misalnya 0812 3456 7890.")
_SEPARATORS = re.compile(r"[\s\-().]")
_MOBILE = re.compile(r"^(?:\+?62|0)8\d{7,12}$")


def international(number: str) -> str:
    """Any Indonesian number as published ("0761-123456", "0812-7646-0487") in E.164 digits (62761123456)."""
    digits = re.sub(r"\D", "", number or "")
    return "62" + digits[1:] if digits.startswith("0") else digits


def is_mobile(raw: str) -> bool:
    """Whether ``raw`` is an Indonesian mobile number, however it was typed."""
    return bool(_MOBILE.match(_SEPARATORS.sub("", raw or "")))


def normalise_phone(raw: str) -> str:
    """An Indonesian mobile number as stored: digits starting 62 (``0812-3456-789`` -> ``628123456789``).

    Raises ValueError, with a message for the person, for anything that is not a mobile
    number (messages to it go by SMS or WhatsApp).
    """
    if not is_mobile(raw):
        raise ValueError(MOBILE_MESSAGE)
    return international(raw)


def display_phone(stored: str | None) -> str:
    """A stored number as Indonesians write it: ``6281234567890`` -> ``0812-3456-7890``."""
    if not stored:
        return ""
    digits = re.sub(r"\D", "", stored)
    if not digits.startswith("62"):
        return stored
    local = "0" + digits[2:]
    groups = [local[:4], local[4:8], local[8:]]
    return "-".join(group for group in groups if group)


def mask_phone(value: str | None) -> str:
    """The one way a phone number is shown masked (pages, staff lists, logs): ``6281234567890`` and
    ``0812-3456-7890`` both -> ``0812*****890``; a short value is all stars. Keeps the operator prefix
    and the last three digits, so a visitor recognises their number and nobody else learns it."""
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    local = "0" + digits[2:] if digits.startswith("62") else digits
    if len(local) <= 6:
        return "*" * len(local)
    return f"{local[:4]}{'*' * (len(local) - 7)}{local[-3:]}"
