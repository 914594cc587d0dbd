"""Form helpers and validators every feature's forms use, with messages in plain Indonesian (and English).

Validators say what to type, not what went wrong ("Tulis nomor HP Indonesia, misalnya
0812 3456 7890."). ``flatten_errors`` feeds the error summary at the top of a form
(``templates/_forms.html``); ``apply_list_operation`` runs the add/remove/move buttons of
list fields without JavaScript.
"""

from __future__ import annotations

import re
import time
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import HiddenField, SelectChoice, StringField
from wtforms.validators import Optional, ValidationError

from webapp.core.phone import MOBILE_MESSAGE, is_mobile
from webapp.core.text import has_markup, is_email_address

REQUIRED = _l("Wajib diisi.")


class RobotCheck:
    """A honeypot and a minimum fill time against robots, for a public form (complaint, booking).

    Mixed into a FlaskForm: ``website`` is hidden from people (CSS and aria-hidden), so a robot that fills
    every field gives itself away; ``started`` carries the signed moment the form was shown (``stamp``), and
    a form sent back sooner than the setting named by ``min_fill_setting`` is refused. ``salt`` keeps one
    form's stamp from being replayed on another.
    """

    min_fill_setting: str = ""
    salt: str = ""

    website = StringField(_l("Jangan diisi"), validators=[Optional()])
    started = HiddenField()

    def _stamps(self) -> URLSafeSerializer:
        return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=self.salt)

    def stamp(self) -> None:
        """Sign the moment the form was shown."""
        self.started.data = self._stamps().dumps(int(time.time()))

    def filled_slowly(self) -> bool:
        """Whether the signed opening time is genuine and at least the form's minimum fill time old."""
        try:
            started = int(self._stamps().loads(self.started.data or ""))
        except (BadSignature, ValueError, TypeError):
            return False
        return time.time() - started >= current_app.config[self.min_fill_setting]

    def looks_like_a_robot(self) -> bool:
        """The honeypot was filled, or the form came back too soon (or with a forged stamp)."""
        return bool(self.website.data) or not self.filled_slowly()


def strip(value: Any) -> Any:
    """A field filter: text without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


class SaneDate:
    """A date within the years 1900..9000: near 1 or 9999 a day's start in UTC (or ``day + 1``) overflows."""

    message = _l("Tulis tanggal antara tahun 1900 dan 9000.")

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is not None and not 1900 <= field.data.year <= 9000:
            raise ValidationError(self.message)


class NoMarkup:
    """Refuse HTML tags: a standard is kept as plain text and every page escapes it."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data and has_markup(str(field.data)):
            raise ValidationError(_("Jangan memakai tag HTML; tulis teksnya saja."))


def lines(text: str | None) -> list[str]:
    """Non-empty lines of a textarea."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def paragraphs(text: str | None) -> list[str]:
    """Paragraphs of a textarea: blocks separated by a blank line, inner line breaks folded."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n"))
    return [" ".join(block.split()) for block in blocks if block.strip()]


def choices(pairs: Any) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


class Phone:
    """An Indonesian mobile number (08..., +628... or 628...), for WhatsApp or SMS; stored by ``normalise_phone``."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data and not is_mobile(field.data):
            raise ValidationError(MOBILE_MESSAGE)


class EmailAddress:
    """A plausible email address (delivery is the real test)."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data and not is_email_address(field.data):
            raise ValidationError(_("Tulis alamat email yang benar, misalnya nama@contoh.id."))


class Digits:
    """Exactly ``count`` digits (NIK 16, NIB 13)."""

    def __init__(self, count: int, what: str) -> None:
        self.count, self.what = count, what

    def __call__(self, form: Any, field: Any) -> None:
        if field.data and not re.fullmatch(rf"\d{{{self.count}}}", re.sub(r"\s", "", field.data)):
            raise ValidationError(_("%(what)s terdiri dari %(count)d angka.", what=self.what, count=self.count))


def _lead(label: str) -> str:
    """A label as the start of a summary line: "Nama: ", but "Apa yang terjadi? " (no "?:")."""
    return f"{label} " if label.endswith(("?", "!", ":", ".")) else f"{label}: "


def flatten_errors(form: Any, prefix_label: str = "") -> list[tuple[str, str]]:
    """Every error of a form, nested lists included, as (field id, message) for the summary at the top."""
    found: list[tuple[str, str]] = [("", message) for message in getattr(form, "form_errors", [])]
    for field in form:
        if field.type == "CSRFTokenField":
            if field.errors:
                found.append(("", _("Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.")))
            continue
        if field.type == "FieldList":
            for index, entry in enumerate(field.entries):
                label = f"{prefix_label}{field.label.text} {index + 1}: "
                if entry.type == "FormField":
                    found += flatten_errors(entry.form, label)
                else:
                    found += [(entry.id, f"{label}{message}") for message in entry.errors]
        elif field.type == "FormField":
            found += flatten_errors(field.form, prefix_label + _lead(field.label.text))
        else:
            found += [(field.id, prefix_label + _lead(field.label.text) + message) for message in field.errors]
    return found


def apply_list_operation(data: dict, operation: str) -> dict:
    """Apply an add/remove/move button to a form's data, e.g. ``remove:items-3``.

    The path names a list (``add:guides-0-steps``) or one of its entries
    (``up:items-2``); entries are dicts or plain values.
    """
    verb, _, path = operation.partition(":")
    parts = path.split("-")
    if verb == "add":
        target, index = _walk(data, parts), None
    else:
        if not parts[-1].isdigit():
            return data
        target, index = _walk(data, parts[:-1]), int(parts[-1])
        if target is None or not 0 <= index < len(target):
            return data
    if target is None:
        return data
    if verb == "add":
        template = target[-1] if target else None
        target.append(_blank_like(template))
        return data
    # Rows with a level carry their sub-items with them: an item moves or goes with its subtree.
    end = _subtree_end(target, index)
    if verb == "remove":
        del target[index:end]
    elif verb == "up":
        above = index - 1
        while above >= 0 and _level(target[above]) > _level(target[index]):
            above -= 1
        if above >= 0 and _level(target[above]) == _level(target[index]):
            target[above:end] = target[index:end] + target[above:index]
    elif verb == "down" and end < len(target) and _level(target[end]) == _level(target[index]):
        after = _subtree_end(target, end)
        target[index:after] = target[end:after] + target[index:end]
    return data


def _level(row: Any) -> int:
    return int(row.get("level") or 0) if isinstance(row, dict) and "level" in row else 0


def _subtree_end(rows: list, index: int) -> int:
    """The index just past row ``index`` and the deeper rows that follow it."""
    end = index + 1
    while end < len(rows) and _level(rows[end]) > _level(rows[index]):
        end += 1
    return end


def _walk(data: Any, parts: list[str]) -> list | None:
    node = data
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node if isinstance(node, list) else None


def _blank_like(template: Any) -> Any:
    if isinstance(template, dict):
        blank = {k: ([] if isinstance(v, list) else "") for k, v in template.items()}
        if "level" in template:
            blank["level"] = template.get("level") or "0"  # a new item continues at the same depth
        return blank
    return "" if isinstance(template, str) else None
