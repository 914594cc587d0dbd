"""The sections of the standard editor, and the mapping between a draft document and their forms.

Each section edits one part of the document; ``section_data`` fills its form from the
document and ``apply_section`` writes the form's data back into a copy of it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any

from webapp.admin import forms
from webapp.admin.fields import flatten_items, nest_items
from webapp.core.forms import lines, paragraphs
from webapp.standards.components import COMPONENTS, COMPONENTS_BY_CODE


@dataclass(frozen=True)
class Section:
    """One page of the editor."""

    key: str
    label: str
    kind: str  # general | block | sop | guides | channels | decree
    value_label: str | None = None


VALUE_LABELS = {
    "jangka_waktu": "Jangka waktu (hari kerja)",
    "biaya": "Biaya (rupiah; 0 berarti gratis)",
    "jumlah_pelaksana": "Jumlah pelaksana (orang)",
}

SECTIONS: tuple[Section, ...] = (
    Section("umum", "Data umum", "general"),
    *(Section(c.code, c.label, "block", VALUE_LABELS.get(c.code)) for c in COMPONENTS),
    Section("saluran", "Saluran pengaduan (tautan)", "channels"),
    Section("sop", "SOP dan mutu baku", "sop"),
    Section("panduan", "Panduan langkah demi langkah", "guides"),
    Section("penetapan", "Penetapan", "decree"),
)
SECTIONS_BY_KEY = {s.key: s for s in SECTIONS}

FORM_CLASSES = {
    "general": forms.GeneralForm,
    "block": forms.BlockForm,
    "sop": forms.SopForm,
    "guides": forms.GuidesForm,
    "channels": forms.ChannelsForm,
    "decree": forms.DecreeForm,
}


def _join(texts: list[str]) -> str:
    return "\n\n".join(texts)


def section_data(section: Section, doc: dict[str, Any]) -> dict[str, Any]:
    """The form data of ``section`` for the document."""
    if section.kind == "general":
        return {k: doc.get(k) or "" for k in ("title", "slug", "category", "source", "source_note")}
    if section.kind == "block":
        block = doc["components"].get(section.key)
        if block is None:
            return {"published": False, "items": [], "flow": []}
        typed = COMPONENTS_BY_CODE[section.key].typed_key
        return {
            "published": True,
            "partial": block.get("partial", False),
            "value": block.get(typed) if typed else None,
            "paragraphs": _join(block.get("paragraphs", [])),
            "items": flatten_items(block.get("items", [])),
            "notes": _join(block.get("notes", [])),
            "flow_title": block.get("flow_title") or "",
            "flow": [
                {
                    "label": node["label"],
                    "branch_when": (node.get("branch") or {}).get("when", ""),
                    "branch_then": (node.get("branch") or {}).get("then", ""),
                }
                for node in block.get("flow", [])
            ],
        }
    if section.kind == "channels":
        return {"channels": [dict(c, value=c.get("value") or "") for c in doc.get("complaint_channels", [])]}
    if section.kind == "sop":
        sop = doc.get("sop")
        if not sop:
            return {"has_sop": False, "actors": [], "steps": []}
        return {
            **{k: sop.get(k) for k in ("title", "actors_note", "total_days", "total_text")},
            "has_sop": True,
            "actors": list(sop["actors"]),
            "steps": [dict(step, activity="\n".join(step["activity"])) for step in sop["steps"]],
        }
    if section.kind == "guides":
        return {
            "guides": [
                {
                    "title": g["title"],
                    "paragraphs": _join(g.get("paragraphs", [])),
                    "steps": [{"title": s["title"], "details": "\n".join(s["details"])} for s in g["steps"]],
                }
                for g in doc.get("guides", [])
            ]
        }
    decree = dict(doc.get("decree") or {})
    if decree.get("date"):
        decree["date"] = date.fromisoformat(decree["date"])
    return {"has_decree": bool(doc.get("decree")), **decree}


def _clean(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def apply_section(section: Section, doc: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A copy of the document with ``section`` replaced by the form's data."""
    new = copy.deepcopy(doc)
    if section.kind == "general":
        for key in ("title", "slug", "category", "source", "source_note"):
            new[key] = _clean(data.get(key)) or None
    elif section.kind == "block":
        new["components"][section.key] = _block_from(section, data)
    elif section.kind == "channels":
        new["complaint_channels"] = [
            {
                "kind": c["kind"],
                "label": _clean(c["label"]) or forms.CONTACT_KINDS[c["kind"]],
                "value": _clean(c["value"]) or None,
            }
            for c in data.get("channels", [])
            if (c.get("label") or "").strip() or (c.get("value") or "").strip()
        ]
    elif section.kind == "sop":
        new["sop"] = _sop_from(data) if data.get("has_sop") else None
    elif section.kind == "guides":
        new["guides"] = [
            {
                "title": _clean(g["title"]),
                "paragraphs": paragraphs(g.get("paragraphs")),
                "steps": [
                    {"title": _clean(s["title"]), "details": lines(s.get("details"))}
                    for s in g.get("steps", [])
                    if (s.get("title") or "").strip()
                ],
            }
            for g in data.get("guides", [])
            if (g.get("title") or "").strip()
        ]
    else:
        if not data.get("has_decree"):
            new["decree"] = None
        else:
            fields = ("place", "date_text", "signer_title", "signer_name", "signer_rank", "signer_nip")
            new["decree"] = {f: _clean(data.get(f)) or None for f in fields}
            new["decree"]["date"] = data["date"].isoformat() if data.get("date") else None
    return new


def _block_from(section: Section, data: dict[str, Any]) -> dict[str, Any] | None:
    if not data.get("published"):
        return None
    block: dict[str, Any] = {
        "paragraphs": paragraphs(data.get("paragraphs")),
        "items": nest_items(data.get("items", [])),
        "notes": paragraphs(data.get("notes")),
        "partial": bool(data.get("partial")),
    }
    typed = COMPONENTS_BY_CODE[section.key].typed_key
    if typed:
        block[typed] = data.get("value")
    if section.key == "prosedur":
        block["flow_title"] = _clean(data.get("flow_title")) or None
        block["flow"] = [_flow_node(n) for n in data.get("flow", []) if _clean(n.get("label"))]
    return block


def _flow_node(row: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"label": _clean(row["label"])}
    when, then = _clean(row.get("branch_when")), _clean(row.get("branch_then"))
    if when and then:
        node["branch"] = {"when": when, "then": then}
    return node


def _sop_from(data: dict[str, Any]) -> dict[str, Any]:
    actors = [a.strip() for a in data.get("actors", []) if (a or "").strip()]
    steps = []
    for step in data.get("steps", []):
        activity = lines(step.get("activity"))
        if not activity:
            continue
        steps.append(
            {
                "activity": activity,
                "actors": [a for a in step.get("actors") or [] if a in actors],
                **{k: _clean(step.get(k)) or None for k in ("kelengkapan", "duration_text", "output", "keterangan")},
                "minutes": step.get("minutes"),
                "days": step.get("days"),
            }
        )
    return {
        "title": _clean(data.get("title")) or None,
        "actors": actors,
        "actors_note": _clean(data.get("actors_note")) or None,
        "steps": steps,
        "total_days": data.get("total_days"),
        "total_text": _clean(data.get("total_text")) or None,
    }
