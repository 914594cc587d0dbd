"""The standard editor's list fields: items with levels and branches, flow-chart boxes."""

from __future__ import annotations

from typing import Any

from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from webapp.core.forms import NoMarkup, choices

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
