"""Word, PDF and HTML standards read to the same components as the curated data/ standards.

The files are made at session time from the curated standards (tests/fixtures/make_standards.py):
the seeds' layout, a decree's attachment with two standards, group rows and merged cells, a
two-column table, a table drawn without lines, a row that runs over a page break, and a scan.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.fixtures import make_standards as make
from webapp.standards.components import COMPONENTS, normalise_standard
from webapp.standards.importer import ImportRefusedError, detect_format, read_document, to_document
from webapp.standards.reading.rows import SCANNED_PDF

CODES = [c.code for c in COMPONENTS]
_MARKER = re.compile(r"^(?:\d{1,2}|[a-z])[.)]$")


@pytest.fixture(scope="session")
def made(browser) -> dict[str, bytes]:
    """Every fixture file, by name ("001.docx", "lampiran.pdf", "scan.pdf", …)."""
    files: dict[str, bytes] = {}
    for seed, slugs in make.SEED_SLUGS.items():
        docs = [make.standard(s) for s in slugs]
        files[f"{seed}.docx"] = make.docx_bytes(docs)
        files[f"{seed}.pdf"] = make.pdf_bytes(browser, make.html_page(docs))
        files[f"{seed}.html"] = make.html_page(docs).encode()
    for layout in ("lampiran", "two-column"):
        files[f"{layout}.docx"] = make.docx_bytes(_pair(), layout)
        files[f"{layout}.html"] = make.html_page(_pair(), layout).encode()
        files[f"{layout}.pdf"] = make.pdf_bytes(browser, make.html_page(_pair(), layout))
    files["plain.pdf"] = make.pdf_bytes(browser, make.html_page(_pair(), "lampiran", ruled=False))
    files["scan.pdf"] = make.scanned_pdf(files["001.pdf"])
    return files


@pytest.fixture(scope="session")
def read(made):
    """``read(name)``: the report of a made file, read once per session (reading a PDF takes a while)."""
    reports: dict[str, Any] = {}

    def read_made(name: str) -> Any:
        if name not in reports:
            reports[name] = read_document(made[name])
        return reports[name]

    return read_made


def _pair() -> list[dict[str, Any]]:
    return [make.long_standard(), make.standard("rekomendasi-pelatih-anak-putus-sekolah")]


def _words(block: dict | None) -> str:
    """A block's text as plain words, without list markers: what every format must keep."""
    if block is None:
        return ""
    texts = list(block.get("paragraphs", []))

    def walk(items: list[dict]) -> None:
        for item in items:
            texts.append(item["text"])
            walk(item.get("items", []))

    walk(block.get("items", []))
    texts += block.get("notes", [])
    words = " ".join(texts).casefold().split()
    return " ".join(re.sub(r"[^\w/@.-]+", "", w).strip(".") for w in words if not _MARKER.match(w))


def _shape(block: dict | None) -> object:
    def tree(items: list[dict]) -> list:
        return [(i["text"], tree(i["items"])) for i in items]

    return None if block is None else (block["paragraphs"], tree(block["items"]), block["notes"])


def _read(data: bytes, **kwargs: Any) -> list[dict]:
    report = read_document(data, **kwargs)
    return [to_document(s, f"s{i}") for i, s in enumerate(report.standards)]


def _assert_same(read: dict, curated: dict) -> None:
    assert [c for c in CODES if read["components"][c]] == CODES, read["title"]
    for code in CODES:
        assert _words(read["components"][code]) == _words(curated["components"][code]), (read["title"], code)


@pytest.mark.parametrize("seed", ["000", "001", "002"])
@pytest.mark.parametrize("kind", ["docx", "pdf", "html"])
def test_seed_standards_saved_as_word_pdf_and_html_read_to_the_curated_components(read, seed, kind):
    curated = [normalise_standard(make.standard(s)) for s in make.SEED_SLUGS[seed]]
    report = read(f"{seed}.{kind}")
    assert report.format == kind
    assert [s.title for s in report.standards] == [c["title"] for c in curated]
    for standard, want in zip(report.standards, curated, strict=True):
        assert standard.missing == []
        assert standard.problems == []
        got = to_document(standard, "x")
        _assert_same(got, want)
        assert got["components"]["jangka_waktu"]["days"] == want["components"]["jangka_waktu"]["days"]
        assert got["components"]["biaya"]["amount"] == 0
        assert got["components"]["jumlah_pelaksana"]["count"] == 5
        assert got["decree"]["place"] == "Bangkinang"
        assert got["decree"]["date"] == "2022-02-25"
        if kind != "pdf":  # Word lists and HTML lists keep their nesting exactly
            for code in CODES:
                assert _shape(got["components"][code]) == _shape(want["components"][code]), code


@pytest.mark.parametrize("name", ["lampiran.docx", "lampiran.html", "lampiran.pdf", "plain.pdf",
                                  "two-column.docx", "two-column.html", "two-column.pdf"])  # fmt: skip
def test_other_offices_layouts_two_standards_two_groups(read, name):
    report = read(name)
    assert [s.title for s in report.standards] == [
        "Surat Keterangan Pindah Keluar",
        "Rekomendasi Bantuan Pengiriman Pelatih Anak Putus Sekolah",
    ]
    for standard, curated in zip(report.standards, _pair(), strict=True):
        assert standard.missing == [], name
        assert standard.problems == [], name
        _assert_same(to_document(standard, "x"), normalise_standard({**curated, "slug": "x"}))


@pytest.mark.parametrize("name", ["lampiran.docx", "lampiran.html", "lampiran.pdf", "plain.pdf"])
def test_merged_cells_are_read_once(read, name):
    """The requirements run over two rows whose NO and KOMPONEN cells are merged: each item once."""
    standard = read(name).standards[0]
    items = [i["text"] for i in standard.blocks()["persyaratan"]["items"]]
    want = [i["text"] for i in make.long_standard()["components"]["persyaratan"]["items"]]
    assert items == want


@pytest.mark.parametrize("name", ["lampiran.pdf", "plain.pdf", "two-column.pdf"])
def test_a_row_over_a_page_break_continues_on_the_next_page(made, read, name):
    import pypdfium2

    document = pypdfium2.PdfDocument(made[name])
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    # The legal basis starts on one page and ends on the next: the row runs over the break.
    assert next(i for i, t in enumerate(pages) if re.search(r"bagian 1(?!\d)", t)) < next(
        i for i, t in enumerate(pages) if "bagian 45" in t
    )
    standard = read(name).standards[0]
    items = [i["text"] for i in standard.blocks()["dasar_hukum"]["items"]]
    assert items == [i["text"] for i in make.long_standard()["components"]["dasar_hukum"]["items"]]


def test_group_headers_are_never_titles_and_keep_their_components(read):
    report = read("lampiran.docx")
    assert all("Komponen" not in s.title for s in report.standards)
    groups = {s.line for s in report.standards}
    assert len(groups) == 2
    assert all(not p.message.endswith("kelompok yang tidak sesuai.") for s in report.standards for p in s.problems)


def test_a_scanned_pdf_is_refused_with_the_message(made):
    assert detect_format(made["scan.pdf"]) == "pdf"
    with pytest.raises(ImportRefusedError) as refused:
        read_document(made["scan.pdf"])
    assert str(refused.value) == SCANNED_PDF
    assert str(refused.value) == (
        "PDF ini hasil pindaian tanpa teks; unggah berkas Word-nya atau PDF yang teksnya bisa dipilih"
    )


def test_a_broken_word_or_pdf_file_is_refused():
    with pytest.raises(ImportRefusedError, match="Word"):
        read_document(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(ImportRefusedError, match="PDF"):
        read_document(b"%PDF-1.7\n" + b"garbage" * 50)


def test_formats_are_told_by_content_not_by_name(made):
    assert [detect_format(made[n]) for n in ("001.docx", "001.pdf", "001.html")] == ["docx", "pdf", "html"]
    assert detect_format(b"STANDAR PELAYANAN\n\nNO\tKOMPONEN\tURAIAN\n") == "teks"
    assert read_document(made["001.docx"], filename="genset.pdf").format == "docx"


def _docx(rows: list[tuple[str, str, str]], title: str | None) -> bytes:
    import io

    from docx import Document

    document = Document()
    if title:
        document.add_paragraph(title)
    table = document.add_table(rows=0, cols=3)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_file_without_a_title_asks_for_one():
    data = _docx([("NO", "KOMPONEN", "URAIAN"), ("1", "Persyaratan", "KTP"), ("2", "Biaya", "Gratis")], None)
    with pytest.raises(ImportRefusedError, match="Judul layanan tidak ditemukan"):
        read_document(data)
    standard = read_document(data, title="Izin Reklame").standards[0]
    assert standard.title == "Izin Reklame"
    assert set(standard.components) == {"persyaratan", "biaya"}


def test_an_unknown_label_is_reported_with_its_table_row():
    rows = [("NO", "KOMPONEN", "URAIAN"), ("1", "Persyaratan", "KTP"), ("2", "Warna Gedung", "Biru"),
            ("3", "Tariff", "Gratis")]  # fmt: skip
    standard = read_document(_docx(rows, "STANDAR PELAYANAN IZIN REKLAME")).standards[0]
    assert standard.title == "Izin Reklame"
    assert set(standard.components) == {"persyaratan", "biaya"}
    assert [(p.where, "Warna Gedung" in p.message) for p in standard.problems] == [("tabel 1 baris 3", True)]


def test_an_html_page_with_cells_left_open_is_read():
    page = (
        b"<html><body><nav>Beranda | Layanan</nav><h1>STANDAR PELAYANAN IZIN REKLAME</h1>"
        b"<table><tr><th>NO<th>KOMPONEN<th>URAIAN<tr><td>1<td>Persyaratan<td>1. KTP<br>2. NPWP"
        b"<tr><td>2<td>Waktu pelayanan<td>3 hari kerja</table>"
    )
    standard = read_document(page).standards[0]
    assert standard.title == "Izin Reklame"
    blocks = standard.blocks()
    assert [i["text"] for i in blocks["persyaratan"]["items"]] == ["KTP", "NPWP"]
    assert blocks["jangka_waktu"]["days"] == 3


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04" + bytes(range(256)), b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
     b"<html><table><tr><td colspan=999999>x</td></tr><tr><td rowspan=0>a</td></tr></table>"],
    ids=["zip", "pdf", "html"],
)  # fmt: skip
def test_a_malformed_file_is_refused_never_a_crash(data):
    with pytest.raises(ImportRefusedError):
        read_document(data)
