"""The 14 components of a service standard (PermenPANRB 15/2014) and their validation.

A standard is kept as structured data, never as HTML: each component is a *Block*
(paragraphs, a list of possibly nested items, notes) and a few components also carry
one typed value (working days, fee, staff count) that the model keeps in its own column.
``normalise_standard()`` checks a whole standard document (demo data, later the editor
and the importer) and returns a clean copy, or raises ``StandardError`` saying what is
wrong in Indonesian.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from webapp.core.i18n import N_
from webapp.core.text import has_markup


@dataclass(frozen=True)
class Component:
    """One of the 14 components: its code, its published name and its group."""

    code: str
    label: str
    short_label: str
    group: str  # "delivery" (faces the public) or "manufacturing" (internal)
    typed_key: str | None = None  # the typed value the block carries, if any


DELIVERY = "delivery"
MANUFACTURING = "manufacturing"

COMPONENTS: tuple[Component, ...] = (
    Component("persyaratan", N_("Persyaratan"), N_("Persyaratan"), DELIVERY),
    Component("prosedur", N_("Sistem, Mekanisme dan Prosedur"), N_("Prosedur"), DELIVERY),
    Component("jangka_waktu", N_("Jangka Waktu Penyelesaian"), N_("Waktu"), DELIVERY, "days"),
    Component("biaya", N_("Biaya/Tarif"), N_("Biaya"), DELIVERY, "amount"),
    Component("produk", N_("Produk Pelayanan"), N_("Produk"), DELIVERY),
    Component("pengaduan", N_("Penanganan Pengaduan, Saran dan Masukan"), N_("Pengaduan"), DELIVERY),
    Component("dasar_hukum", N_("Dasar Hukum"), N_("Dasar hukum"), MANUFACTURING),
    Component("sarana", N_("Sarana, Prasarana dan/atau Fasilitas"), N_("Sarana"), MANUFACTURING),
    Component("kompetensi", N_("Kompetensi Pelaksana"), N_("Kompetensi"), MANUFACTURING),
    Component("pengawasan", N_("Pengawasan Internal"), N_("Pengawasan"), MANUFACTURING),
    Component("jumlah_pelaksana", N_("Jumlah Pelaksana"), N_("Jumlah pelaksana"), MANUFACTURING, "count"),
    Component("jaminan_pelayanan", N_("Jaminan Pelayanan"), N_("Jaminan pelayanan"), MANUFACTURING),
    Component(
        "jaminan_keamanan",
        N_("Jaminan Keamanan dan Keselamatan Pelayanan"),
        N_("Jaminan keamanan"),
        MANUFACTURING,
    ),
    Component("evaluasi", N_("Evaluasi Kinerja Pelaksana"), N_("Evaluasi kinerja"), MANUFACTURING),
)

COMPONENTS_BY_CODE: dict[str, Component] = {c.code: c for c in COMPONENTS}
DELIVERY_COMPONENTS = tuple(c for c in COMPONENTS if c.group == DELIVERY)
MANUFACTURING_COMPONENTS = tuple(c for c in COMPONENTS if c.group == MANUFACTURING)

CATEGORIES: dict[str, str] = {
    "perizinan": N_("Perizinan"),
    "nonperizinan": N_("Non perizinan"),
    "pengaduan": N_("Pengaduan"),
}

CONTACT_KINDS: dict[str, str] = {
    "email": N_("E-mail"),
    "phone": N_("Telepon"),
    "whatsapp": N_("WhatsApp"),
    "website": N_("Situs web"),
    "lapor": N_("SP4N-LAPOR!"),
    "dropbox": N_("Kotak pengaduan"),
    "counter": N_("Loket pengaduan"),
    "survey": N_("Survei kepuasan"),
    "other": N_("Lainnya"),
}

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_DEPTH = 4


class StandardError(ValueError):
    """A standard document that cannot be stored; the message is for the user."""


def _text(value: Any, where: str, *, required: bool = True) -> str | None:
    """Return a stripped string, refusing markup: a standard never stores HTML."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise StandardError(f"{where}: teks kosong.")
        return None
    if not isinstance(value, str):
        raise StandardError(f"{where}: harus berupa teks.")
    if has_markup(value):
        raise StandardError(f"{where}: berisi tag HTML; simpan teksnya saja.")
    return " ".join(value.split())


def _texts(values: Any, where: str) -> list[str]:
    """A list of non-empty strings."""
    if values is None:
        return []
    if not isinstance(values, list):
        raise StandardError(f"{where}: harus berupa daftar.")
    return [_text(v, f"{where}[{i + 1}]") for i, v in enumerate(values)]  # type: ignore[misc]


def _branch(value: Any, where: str) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise StandardError(f"{where}: percabangan tidak dikenali.")
    return {"when": _text(value.get("when"), f"{where}.when"), "then": _text(value.get("then"), f"{where}.then")}


def _items(values: Any, where: str, depth: int = 1) -> list[dict]:
    """Nested list items: ``{"text": ..., "items": [...]}`` (and a procedure's ``branch``)."""
    if values is None:
        return []
    if not isinstance(values, list):
        raise StandardError(f"{where}: harus berupa daftar.")
    if depth > MAX_DEPTH:
        raise StandardError(f"{where}: daftar bertingkat lebih dari {MAX_DEPTH} tingkat.")
    items = []
    for i, raw in enumerate(values):
        here = f"{where}[{i + 1}]"
        if isinstance(raw, str):
            raw = {"text": raw}
        if not isinstance(raw, dict):
            raise StandardError(f"{here}: butir tidak dikenali.")
        item: dict[str, Any] = {
            "text": _text(raw.get("text"), here),
            "items": _items(raw.get("items"), here, depth + 1),
        }
        branch = _branch(raw.get("branch"), here)
        if branch:
            item["branch"] = branch
        items.append(item)
    return items


def _optional_int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise StandardError(f"{where}: harus bilangan bulat tidak negatif.")
    return value


def normalise_block(raw: Any, component: Component) -> dict | None:
    """Check one component's block; None means the document does not publish it."""
    if raw is None:
        return None
    where = component.label
    if not isinstance(raw, dict):
        raise StandardError(f"{where}: isi komponen tidak dikenali.")
    block: dict[str, Any] = {
        "paragraphs": _texts(raw.get("paragraphs"), where),
        "items": _items(raw.get("items"), where),
        "notes": _texts(raw.get("notes"), where),
        "partial": bool(raw.get("partial", False)),
    }
    if component.typed_key:
        block[component.typed_key] = _optional_int(raw.get(component.typed_key), where)
    if component.code == "prosedur":
        block["flow"] = _flow(raw.get("flow"), where)
        block["flow_title"] = _text(raw.get("flow_title"), f"{where} judul bagan", required=False)
    if not (block["paragraphs"] or block["items"] or block["notes"] or block.get("flow")):
        raise StandardError(f"{where}: komponen tanpa isi; kosongkan (null) bila tidak dipublikasikan.")
    return block


def _flow(values: Any, where: str) -> list[dict]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise StandardError(f"{where}: bagan alir harus berupa daftar.")
    nodes = []
    for i, raw in enumerate(values):
        here = f"{where} bagan alir [{i + 1}]"
        if not isinstance(raw, dict):
            raise StandardError(f"{here}: langkah tidak dikenali.")
        node: dict[str, Any] = {"label": _text(raw.get("label"), here)}
        branch = _branch(raw.get("branch"), here)
        if branch:
            node["branch"] = branch
        nodes.append(node)
    return nodes


def _contacts(values: Any, where: str) -> list[dict]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise StandardError(f"{where}: harus berupa daftar.")
    contacts = []
    for i, raw in enumerate(values):
        here = f"{where}[{i + 1}]"
        if not isinstance(raw, dict) or raw.get("kind") not in CONTACT_KINDS:
            raise StandardError(f"{here}: jenis saluran harus salah satu dari {', '.join(CONTACT_KINDS)}.")
        contacts.append(
            {
                "kind": raw["kind"],
                "label": _text(raw.get("label"), here),
                "value": _text(raw.get("value"), here, required=False),
            }
        )
    return contacts


def _sop(raw: Any) -> dict | None:
    if raw is None:
        return None
    where = "SOP"
    if not isinstance(raw, dict):
        raise StandardError(f"{where}: tidak dikenali.")
    actors = _texts(raw.get("actors"), f"{where} pelaksana")
    steps = []
    for i, step in enumerate(raw.get("steps") or []):
        here = f"{where} langkah {i + 1}"
        if not isinstance(step, dict):
            raise StandardError(f"{here}: tidak dikenali.")
        step_actors = _texts(step.get("actors"), f"{here} pelaksana")
        unknown = [a for a in step_actors if a not in actors]
        if unknown:
            raise StandardError(f"{here}: pelaksana {', '.join(unknown)} tidak ada di kolom pelaksana.")
        steps.append(
            {
                "activity": _texts(step.get("activity"), f"{here} kegiatan"),
                "actors": step_actors,
                "kelengkapan": _text(step.get("kelengkapan"), f"{here} kelengkapan", required=False),
                "minutes": _optional_int(step.get("minutes"), f"{here} waktu (menit)"),
                "days": _optional_int(step.get("days"), f"{here} waktu (hari)"),
                "duration_text": _text(step.get("duration_text"), f"{here} waktu", required=False),
                "output": _text(step.get("output"), f"{here} output", required=False),
                "keterangan": _text(step.get("keterangan"), f"{here} keterangan", required=False),
            }
        )
    if not steps:
        raise StandardError(f"{where}: tanpa langkah.")
    return {
        "title": _text(raw.get("title"), f"{where} judul", required=False),
        "actors": actors,
        "actors_note": _text(raw.get("actors_note"), f"{where} catatan", required=False),
        "steps": steps,
        "total_days": _optional_int(raw.get("total_days"), f"{where} total"),
        "total_text": _text(raw.get("total_text"), f"{where} total", required=False),
    }


def _guides(values: Any) -> list[dict]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise StandardError("Panduan: harus berupa daftar.")
    guides = []
    for i, raw in enumerate(values):
        here = f"Panduan {i + 1}"
        if not isinstance(raw, dict):
            raise StandardError(f"{here}: tidak dikenali.")
        steps = []
        for j, step in enumerate(raw.get("steps") or []):
            if not isinstance(step, dict):
                raise StandardError(f"{here} langkah {j + 1}: tidak dikenali.")
            steps.append(
                {
                    "title": _text(step.get("title"), f"{here} langkah {j + 1}"),
                    "details": _texts(step.get("details"), f"{here} langkah {j + 1}"),
                }
            )
        guides.append(
            {
                "title": _text(raw.get("title"), here),
                "paragraphs": _texts(raw.get("paragraphs"), here),
                "steps": steps,
            }
        )
    return guides


def _decree(raw: Any) -> dict | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise StandardError("Penetapan: tidak dikenali.")
    fields = ("place", "date", "date_text", "signer_title", "signer_name", "signer_rank", "signer_nip")
    decree = {f: _text(raw.get(f), f"Penetapan {f}", required=False) for f in fields}
    if decree["date"] and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", decree["date"]):
        raise StandardError("Penetapan: tanggal harus berbentuk TTTT-BB-HH.")
    return decree


def normalise_standard(raw: dict) -> dict:
    """Check a whole standard document and return a clean copy of it."""
    if not isinstance(raw, dict):
        raise StandardError("Dokumen standar tidak dikenali.")
    slug = raw.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise StandardError("Slug harus huruf kecil, angka dan tanda hubung.")
    category = raw.get("category")
    if category not in CATEGORIES:
        raise StandardError(f"Kategori harus salah satu dari {', '.join(CATEGORIES)}.")
    components_raw = raw.get("components")
    if not isinstance(components_raw, dict):
        raise StandardError("Komponen standar tidak ada.")
    unknown = sorted(set(components_raw) - set(COMPONENTS_BY_CODE))
    if unknown:
        raise StandardError(f"Komponen tidak dikenal: {', '.join(unknown)}.")
    return {
        "unit": raw.get("unit"),
        "slug": slug,
        "title": _text(raw.get("title"), "Judul"),
        "category": category,
        "source": _text(raw.get("source"), "Sumber", required=False),
        "source_note": _text(raw.get("source_note"), "Catatan sumber", required=False),
        "components": {c.code: normalise_block(components_raw.get(c.code), c) for c in COMPONENTS},
        "complaint_channels": _contacts(raw.get("complaint_channels"), "Saluran pengaduan"),
        "sop": _sop(raw.get("sop")),
        "guides": _guides(raw.get("guides")),
        "decree": _decree(raw.get("decree")),
    }


def normalise_contacts(values: Any, where: str = "Kontak") -> list[dict]:
    """Check a unit's list of contacts (complaint channels)."""
    return _contacts(values, where)


def block_texts(block: dict | None) -> list[str]:
    """Every string of a block, depth first: for search and plain-text views."""
    if not block:
        return []
    out = list(block.get("paragraphs", []))

    def walk(items: list[dict]) -> None:
        for item in items:
            out.append(item["text"])
            walk(item.get("items", []))

    walk(block.get("items", []))
    out.extend(node["label"] for node in block.get("flow", []))
    out.extend(block.get("notes", []))
    return out
