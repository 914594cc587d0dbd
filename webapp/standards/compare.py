"""Side-by-side comparison of two versions of a standard, section by section, line by line."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from webapp.core.formatting import rupiah
from webapp.standards.components import CATEGORIES, COMPONENTS, block_texts


@dataclass
class Row:
    """One line pair: ``kind`` is same, changed, removed (left only) or added (right only)."""

    kind: str
    left: str | None
    right: str | None


@dataclass
class SectionDiff:
    """A section of the standard and its line pairs."""

    label: str
    rows: list[Row] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything in the section differs."""
        return any(r.kind != "same" for r in self.rows)


def _block_lines(code: str, block: dict[str, Any] | None) -> list[str]:
    if block is None:
        return ["(tidak dimuat)"]
    out = []
    if block.get("partial"):
        out.append("(teks dimulai di tengah)")
    if code == "jangka_waktu" and block.get("days") is not None:
        out.append(f"{block['days']} hari kerja")
    if code == "biaya" and block.get("amount") is not None:
        out.append(rupiah(block["amount"]))
    if code == "jumlah_pelaksana" and block.get("count") is not None:
        out.append(f"{block['count']} orang")
    if block.get("flow_title"):
        out.append(block["flow_title"])
    return out + block_texts(block)


def _sections(doc: dict[str, Any]) -> list[tuple[str, list[str]]]:
    sections = [
        (
            "Data umum",
            [doc.get("title") or "", CATEGORIES.get(doc.get("category") or "", ""), doc.get("source") or ""]
            + ([doc["source_note"]] if doc.get("source_note") else []),
        )
    ]
    sections += [(c.label, _block_lines(c.code, doc["components"].get(c.code))) for c in COMPONENTS]
    sections.append(
        (
            "Saluran pengaduan",
            [f"{c['label']}: {c.get('value') or ''}".strip() for c in doc.get("complaint_channels", [])],
        )
    )
    sop = doc.get("sop")
    sop_lines = []
    if sop:
        sop_lines.append(f"Pelaksana: {', '.join(sop['actors'])}")
        for i, step in enumerate(sop["steps"], 1):
            sop_lines.append(
                f"{i}. {' '.join(step['activity'])} [{', '.join(step['actors'])}] "
                f"{step.get('duration_text') or ''} → {step.get('output') or ''}"
            )
        sop_lines.append(f"Total: {sop.get('total_text') or ''}")
    sections.append(("SOP", sop_lines))
    guide_lines = []
    for guide in doc.get("guides", []):
        guide_lines.append(guide["title"])
        guide_lines += [f"{i}. {s['title']}" for i, s in enumerate(guide["steps"], 1)]
    sections.append(("Panduan", guide_lines))
    decree = doc.get("decree") or {}
    sections.append(("Penetapan", [f"{k}: {v}" for k, v in decree.items() if v]))
    return sections


def compare_documents(old: dict[str, Any], new: dict[str, Any]) -> list[SectionDiff]:
    """Every section of the two documents, aligned line by line."""
    result = []
    for (label, left), (_, right) in zip(_sections(old), _sections(new), strict=True):
        diff = SectionDiff(label)
        matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                diff.rows += [Row("same", left[i], right[j]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
            elif tag == "replace":
                pairs = max(i2 - i1, j2 - j1)
                for k in range(pairs):
                    lft = left[i1 + k] if i1 + k < i2 else None
                    rgt = right[j1 + k] if j1 + k < j2 else None
                    kind = "changed" if lft is not None and rgt is not None else ("removed" if rgt is None else "added")
                    diff.rows.append(Row(kind, lft, rgt))
            elif tag == "delete":
                diff.rows += [Row("removed", left[i], None) for i in range(i1, i2)]
            else:
                diff.rows += [Row("added", None, right[j]) for j in range(j1, j2)]
        result.append(diff)
    return result
