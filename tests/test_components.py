"""Validation of standard documents: structured text only, every component known."""

from __future__ import annotations

import json

import pytest

from tests.conftest import standard_document
from webapp.demo.loader import DATA_DIR
from webapp.standards.components import (
    COMPONENTS,
    DELIVERY_COMPONENTS,
    MANUFACTURING_COMPONENTS,
    StandardError,
    block_texts,
    normalise_standard,
)


def test_fourteen_components_six_public_eight_internal():
    assert len(COMPONENTS) == 14
    assert [c.code for c in DELIVERY_COMPONENTS] == [
        "persyaratan", "prosedur", "jangka_waktu", "biaya", "produk", "pengaduan",
    ]  # fmt: skip
    assert len(MANUFACTURING_COMPONENTS) == 8


def test_missing_components_are_null_not_invented():
    doc = normalise_standard(standard_document())
    assert set(doc["components"]) == {c.code for c in COMPONENTS}
    assert doc["components"]["dasar_hukum"] is None
    assert doc["components"]["jangka_waktu"]["days"] == 3


def test_whitespace_is_folded():
    doc = normalise_standard(standard_document(title="  Layanan \n  Uji  "))
    assert doc["title"] == "Layanan Uji"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "<b>Izin</b>"}, "tag HTML"),
        ({"slug": "Bukan Slug"}, "Slug"),
        ({"category": "lain"}, "Kategori"),
        ({"components": {"rahasia": {"paragraphs": ["x"]}}}, "tidak dikenal"),
        ({"components": {"persyaratan": {"items": [{"text": "<script>alert(1)</script>"}]}}}, "tag HTML"),
        ({"components": {"persyaratan": {}}}, "tanpa isi"),
        ({"components": {"biaya": {"amount": -5, "paragraphs": ["x"]}}}, "tidak negatif"),
        ({"complaint_channels": [{"kind": "fax", "label": "Faks", "value": "1"}]}, "jenis saluran"),
        ({"decree": {"date": "25-02-2022"}}, "TTTT-BB-HH"),
        ({"sop": {"actors": ["FO"], "steps": [{"activity": ["x"], "actors": ["Kepala"]}]}}, "tidak ada di kolom"),
    ],
)
def test_bad_documents_are_refused_in_indonesian(overrides, message):
    with pytest.raises(StandardError, match=message):
        normalise_standard(standard_document(**overrides))


def test_a_lone_less_than_sign_is_text_not_markup():
    doc = normalise_standard(standard_document(title="Usaha < 1 miliar"))
    assert doc["title"] == "Usaha < 1 miliar"


@pytest.mark.parametrize("path", sorted((DATA_DIR / "standards").glob("*.json")), ids=lambda p: p.stem)
def test_every_demo_file_is_a_valid_standard(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    doc = normalise_standard(raw)
    assert doc["slug"] == path.stem
    texts = [t for c in COMPONENTS for t in block_texts(doc["components"][c.code])]
    assert texts, "a standard with no text at all"
