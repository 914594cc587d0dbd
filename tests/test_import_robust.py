"""Bad and oversized files: each is refused with a plain message, the batch goes on, the page never 500s."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from flask import url_for

from tests.conftest import csrf_from
from tests.import_helpers import document, zip_of
from webapp.core.pdf import pdf_bytes
from webapp.standards import batch
from webapp.standards.importer import ImportRefusedError, _parse_date, read_document
from webapp.standards.reading import docx as docx_reader
from webapp.standards.reading import html as html_reader
from webapp.standards.reading import pdf as pdf_reader

ROWS = [("NO", "KOMPONEN", "URAIAN"), ("1", "Persyaratan", "KTP"), ("2", "Biaya", "Gratis")]


def _docx(title: str = "STANDAR PELAYANAN IZIN REKLAME") -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph(title)
    table = doc.add_table(rows=0, cols=3)
    for row in ROWS:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _edit_body(data: bytes, edit) -> bytes:
    """The .docx with word/document.xml passed through ``edit`` (text to text)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "word/document.xml":
                body = edit(body.decode()).encode()
            target.writestr(info.filename, body)
    return out.getvalue()


def _span_first_cell(value: str):
    return lambda xml: xml.replace("<w:tcPr>", f'<w:tcPr><w:gridSpan w:val="{value}"/>', 1)


def _corrupted(data: bytes) -> bytes:
    """The .docx with the deflated bytes of word/document.xml scrambled (zlib.error or a bad CRC)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    info = source.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    scrambled = bytearray(data)
    for i in range(start + 10, start + min(info.compress_size, 200)):
        scrambled[i] ^= 0x5A
    return bytes(scrambled)


BAD_FILES = {
    "corrupted.docx": lambda: _corrupted(_docx()),
    "nonsense-span.docx": lambda: _edit_body(_docx(), _span_first_cell("x")),
    "no-grid.docx": lambda: _edit_body(_docx(), lambda xml: re.sub(r"<w:tblGrid>.*?</w:tblGrid>", "", xml)),
    "broken.pdf": lambda: b"%PDF-1.4\n" + b"\x00garbage" * 100,
    "date.txt": lambda: document("Izin Reklame", 1) + b"\nDitetapkan di : Kampar\nPada Tanggal : 31 Februari 2024\n",
}


def test_a_docx_without_tblgrid_or_with_a_nonsense_span_is_read():
    for name in ("no-grid.docx", "nonsense-span.docx"):
        standard = read_document(BAD_FILES[name]()).standards[0]
        assert set(standard.components) == {"persyaratan", "biaya"}, name


def test_a_huge_span_is_clamped_not_allocated():
    data = _edit_body(_docx(), _span_first_cell("300000000"))
    standard = read_document(data).standards[0]
    assert standard.title == "Izin Reklame"


def test_a_corrupted_docx_and_a_broken_pdf_are_refused_plainly():
    with pytest.raises(ImportRefusedError, match=r"Berkas Word .* rusak atau tidak bisa dibaca"):
        read_document(BAD_FILES["corrupted.docx"]())
    with pytest.raises(ImportRefusedError, match="Berkas PDF ini rusak atau tidak bisa dibaca"):
        read_document(BAD_FILES["broken.pdf"]())


def test_a_date_that_does_not_exist_is_left_out():
    assert _parse_date("31 Februari 2024") is None
    assert _parse_date("29 Februari 2024") == "2024-02-29"
    decree = read_document(BAD_FILES["date.txt"]()).standards[0].decree
    assert decree["date"] is None and decree["date_text"] == "31 Februari 2024"


def test_a_docx_past_its_unpacked_bounds_is_refused_before_reading(monkeypatch):
    data = _docx()
    monkeypatch.setattr(docx_reader, "MAX_DOCUMENT_XML_BYTES", 1000)
    with pytest.raises(ImportRefusedError, match="terlalu besar setelah dibuka"):
        read_document(data)
    monkeypatch.setattr(docx_reader, "MAX_DOCUMENT_XML_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(docx_reader, "MAX_UNPACKED_BYTES", 5000)
    with pytest.raises(ImportRefusedError, match="terlalu besar setelah dibuka"):
        read_document(data)


def test_grids_past_their_cell_bound_are_refused(monkeypatch):
    monkeypatch.setattr(docx_reader, "MAX_GRID_CELLS", 8)  # three rows of three cells
    with pytest.raises(ImportRefusedError, match="lebih dari 8 sel"):
        read_document(_docx())
    page = b"<html><h1>STANDAR PELAYANAN IZIN REKLAME</h1><table>" + (
        b"<tr><td rowspan=50 colspan=50>x</td></tr>" * 100
    ) + b"</table></html>"
    with pytest.raises(ImportRefusedError, match="lebih dari 200000 sel"):
        read_document(page)
    monkeypatch.setattr(html_reader, "MAX_GRID_CELLS", 5)
    html = b"<html><h1>STANDAR PELAYANAN IZIN REKLAME</h1><table><tr><td colspan=3>1</td><td colspan=3>x</td>"
    with pytest.raises(ImportRefusedError, match="lebih dari 5 sel"):
        read_document(html + b"</tr></table></html>")


def test_a_pdf_past_its_character_bound_is_refused(monkeypatch):
    data = pdf_bytes("<p>" + "Standar pelayanan izin reklame. " * 20 + "</p>")
    monkeypatch.setattr(pdf_reader, "_MAX_CHARS", 100)
    with pytest.raises(ImportRefusedError, match="lebih dari 100 huruf"):
        read_document(data)
    monkeypatch.setattr(pdf_reader, "_MAX_PAGES", 0)
    with pytest.raises(ImportRefusedError, match="lebih dari 0 halaman"):
        read_document(data)


def _explode(*args, **kwargs):
    raise RuntimeError("pustaka pembaca gagal")


def test_the_cli_batch_goes_on_past_every_bad_file(runner, make_unit, tmp_path, monkeypatch, caplog):
    make_unit(slug="dinas-rusak")
    folder = tmp_path / "berkas"
    folder.mkdir()
    for name, make in BAD_FILES.items():
        (folder / name).write_bytes(make())
    (folder / "zz-baik.txt").write_bytes(document("Izin Usaha Perikanan", 2))
    result = runner.invoke(args=["standards", "import", str(folder), "--unit", "dinas-rusak"])
    out = result.output
    assert result.exit_code == 1, out
    assert "berkas/corrupted.docx: ditolak, tidak ada yang berubah: Berkas Word" in out
    assert "berkas/broken.pdf: ditolak, tidak ada yang berubah: Berkas PDF ini rusak" in out
    assert "berkas/date.txt:\n  Izin Reklame [" in out and "berkas/zz-baik.txt:\n  Izin Usaha Perikanan [" in out
    assert "6 berkas: 2 ditolak" in out

    # Whatever else a reader raises, the file is reported "tidak terbaca" and the others go on.
    real = batch.import_document
    monkeypatch.setattr(batch, "import_document", lambda unit, data, **kw: (
        _explode() if b"MENARA" in data.upper() else real(unit, data, **kw)))  # fmt: skip
    (folder / "aaa.txt").write_bytes(document("Rekomendasi Menara", 3))
    with caplog.at_level("ERROR"):
        result = runner.invoke(args=["standards", "import", str(folder / "aaa.txt"), str(folder / "zz-baik.txt"),
                                     "--unit", "dinas-rusak"])  # fmt: skip
    assert "aaa.txt: ditolak, tidak ada yang berubah: Berkas tidak terbaca" in result.output
    assert "2 berkas: 1 ditolak" in result.output
    assert "aaa.txt" in caplog.text and "RuntimeError" in caplog.text and "Menara" not in caplog.text


def test_the_admin_upload_never_500s_on_a_bad_file(client, login, make_unit, monkeypatch):
    unit = make_unit()
    login("admin")
    monkeypatch.setattr(batch, "import_document", _explode)
    for name, make in [*BAD_FILES.items(), ("ok.txt", lambda: document("Izin Reklame", 1))]:
        token = csrf_from(client, url_for("admin.import_standard"))
        response = client.post(
            url_for("admin.import_standard"),
            data={"csrf_token": token, "unit": unit.id, "file": (io.BytesIO(make()), name)},
            content_type="multipart/form-data", buffered=True,
        )  # fmt: skip
        assert response.status_code == 200, name
        assert "Berkas tidak terbaca" in response.get_data(as_text=True), name
    assert unit.services == []


def test_the_admin_upload_reports_each_bad_file_in_its_words(client, login, make_unit):
    unit = make_unit()
    login("admin")
    token = csrf_from(client, url_for("admin.import_standard"))
    files = [(io.BytesIO(make()), name) for name, make in BAD_FILES.items()]
    response = client.post(
        url_for("admin.import_standard"),
        data={"csrf_token": token, "unit": unit.id, "file": files},
        content_type="multipart/form-data", buffered=True,
    )  # fmt: skip
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Berkas Word (.docx) ini rusak atau tidak bisa dibaca" in html
    assert "Berkas PDF ini rusak atau tidak bisa dibaca" in html
    assert "Selesai. 5 berkas: 2 ditolak" in html


def test_a_word_file_is_a_file_whatever_its_name_on_the_web_and_the_cli(runner, make_unit, tmp_path):
    data = _docx()
    for name in ("standar", "standar.zip", "standar.bin"):
        [source] = batch.upload_sources([(name, data)])
        assert source.name == name and source.read() == data
    (tmp_path / "kiriman.zip").write_bytes(data)
    [source] = batch.path_sources([tmp_path / "kiriman.zip"])
    assert source.name == "kiriman.zip" and source.read() == data
    [member] = batch.upload_sources([("arsip.zip", zip_of([("a.txt", b"x")]))])  # a real zip is still a batch
    assert member.name == "arsip.zip/a.txt"
    make_unit(slug="dinas-nama")
    result = runner.invoke(args=["standards", "import", str(tmp_path / "kiriman.zip"), "--unit", "dinas-nama"])
    assert "Izin Reklame" in result.output and result.exit_code == 0, result.output
