"""Form pieces shared by the editor: validators, list items, and error flattening."""

from __future__ import annotations

import re
from typing import Any

from wtforms import Form, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from webapp.standards.components import has_markup


class NoMarkup:
    """Refuse HTML tags: a standard is kept as plain text and every page escapes it."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data and has_markup(str(field.data)):
            raise ValidationError("Jangan memakai tag HTML; tulis teksnya saja.")


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


LEVELS = [("0", "Butir"), ("1", "Sub-butir"), ("2", "Sub-sub-butir"), ("3", "Tingkat 4")]


class ItemForm(Form):
    """One list item, flattened: its text and its nesting level (0 = top)."""

    text = TextAreaField(
        "Teks butir", validators=[Optional(), Length(max=2000, message="Paling panjang 2000 huruf."), NoMarkup()]
    )
    level = SelectField("Tingkat", choices=choices(LEVELS), default="0")
    branch_when = StringField("Jika (kondisi)", validators=[Optional(), Length(max=200), NoMarkup()])
    branch_then = StringField("Maka", validators=[Optional(), Length(max=300), NoMarkup()])


class FlowNodeForm(Form):
    """One box of a published flow chart."""

    label = StringField("Langkah", validators=[Optional(), Length(max=300), NoMarkup()])
    branch_when = StringField("Jika (kondisi)", validators=[Optional(), Length(max=200), NoMarkup()])
    branch_then = StringField("Maka", validators=[Optional(), Length(max=300), NoMarkup()])


def flatten_items(items: list[dict], level: int = 0) -> list[dict]:
    """Nested items as rows with a level, for editing."""
    rows: list[dict] = []
    for item in items or []:
        branch = item.get("branch") or {}
        rows.append(
            {
                "text": item["text"],
                "level": str(level),
                "branch_when": branch.get("when", ""),
                "branch_then": branch.get("then", ""),
            }
        )
        rows += flatten_items(item.get("items", []), level + 1)
    return rows


def nest_items(rows: list[dict]) -> list[dict]:
    """Rows with levels back into nested items; a level that jumps is taken as one deeper."""
    root: list[dict] = []
    stack: list[tuple[int, list[dict]]] = [(-1, root)]
    for row in rows:
        text = (row.get("text") or "").strip()
        if not text:
            continue
        level = int(row.get("level") or 0)
        while stack[-1][0] >= level:
            stack.pop()
        level = stack[-1][0] + 1
        item: dict[str, Any] = {"text": text, "items": []}
        if (row.get("branch_when") or "").strip() and (row.get("branch_then") or "").strip():
            item["branch"] = {"when": row["branch_when"].strip(), "then": row["branch_then"].strip()}
        stack[-1][1].append(item)
        stack.append((level, item["items"]))
    return root


def _lead(label: str) -> str:
    """A label as the start of a summary line: "Nama: ", but "Apa yang terjadi? " (no "?:")."""
    return f"{label} " if label.endswith(("?", "!", ":", ".")) else f"{label}: "


def flatten_errors(form: Any, prefix_label: str = "") -> list[tuple[str, str]]:
    """Every error of a form, nested lists included, as (field id, message) for the summary at the top."""
    found: list[tuple[str, str]] = [("", message) for message in getattr(form, "form_errors", [])]
    for field in form:
        if field.type == "CSRFTokenField":
            if field.errors:
                found.append(("", "Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."))
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
