"""Importing many files at once: a zip of 30 mixed files, folders, per-file atomicity, zip bombs, the hash no-op."""

from __future__ import annotations

import io
import zipfile

import pytest
from flask import url_for
from sqlalchemy import func, select

from tests.conftest import csrf_from
from tests.import_helpers import document, mixed_files, zip_of
from webapp.audit.models import AuditEvent
from webapp.core.extensions import db
from webapp.standards import batch
from webapp.standards.components import StandardError
from webapp.standards.models import Service, ServiceVersion

BINARY = b"\x00\x01\x02\x03" * 64


def _counts() -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(model)) for model in (Service, ServiceVersion, AuditEvent)
    )


def _published() -> int:
    return db.session.scalar(select(func.count()).select_from(Service).where(Service.is_published.is_(True)))


def test_a_zip_of_30_mixed_files_imports_in_one_command_with_a_report(runner, make_unit, tmp_path):
    unit = make_unit(slug="dinas-batch")
    files = mixed_files(28)
    files.append(("rusak.txt", BINARY))
    files.append(("salinan/standar-001.txt", files[0][1]))  # the same file twice in one batch
    path = tmp_path / "standar.zip"
    path.write_bytes(zip_of(files))

    result = runner.invoke(args=["standards", "import", str(path), "--unit", "dinas-batch", "--publish"])

    assert result.exit_code == 1, result.output  # one file refused: the exit says so, the rest went in
    out = result.output
    assert "Mengimpor" in out  # the progress bar's label
    # 28 files, five of them with two standards: 33 standards; five lack two components.
    assert "30 berkas: 1 ditolak; standar 33 dibuat, 0 diperbarui, 1 tidak berubah, 28 diterbitkan." in out
    assert "standar.zip/rusak.txt: ditolak, tidak ada yang berubah: Berkas ini bukan teks" in out
    assert "standar.zip/salinan/standar-001.txt:\n  Izin Reklame 1 [izin-reklame-1] (tidak berubah;" in out
    assert "Izin Trayek Angkutan 5 [izin-trayek-angkutan-5] (dibuat; tetap draf: 2 komponen tidak ada" in out
    assert "    tidak ada  Evaluasi" in out
    assert "    baris 16: Komponen tidak dikenal: 'Catatan tambahan'." in out
    assert "Izin Praktik Bidan 4 Perpanjangan" in out  # the second standard of a two-standard file
    assert len(unit.services) == 33
    assert _published() == 28


def test_each_file_is_its_own_unit_of_work(runner, make_unit, tmp_path, monkeypatch):
    make_unit(slug="dinas-atom")
    folder = tmp_path / "berkas"
    folder.mkdir()
    files = mixed_files(5)  # standar-004.txt holds two standards
    for name, data in files:
        (folder / name).write_bytes(data)
    real = batch.import_document.__wrapped__.__globals__["create_service"]

    def refuse_the_second_of_two(unit, document, note="", *, actor):
        if document["title"].endswith("Perpanjangan"):
            raise StandardError("slug bentrok")
        return real(unit, document, note, actor=actor)

    monkeypatch.setattr("webapp.standards.importer.create_service", refuse_the_second_of_two)
    result = runner.invoke(args=["standards", "import", str(folder), "--unit", "dinas-atom"])

    assert result.exit_code == 1
    assert "berkas/standar-004.txt: ditolak, tidak ada yang berubah: slug bentrok" in result.output
    titles = set(db.session.scalars(select(Service.title)))
    # The file's first standard, created before its second failed, is gone with it; the next file went in.
    assert "Izin Praktik Bidan 4" not in titles
    assert {"Izin Reklame 1", "Izin Usaha Perikanan 2", "Surat Keterangan Pindah 3", "Izin Trayek Angkutan 5"} <= titles
    events = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "import")).all()
    assert len(events) == 4 and not any("standar-004" in e for e in events)


def test_several_files_and_a_folder_in_one_command(runner, make_unit, tmp_path):
    make_unit(slug="dinas-campur")
    (tmp_path / "satu.txt").write_bytes(document("Izin Satu", 1))
    folder = tmp_path / "map"
    (folder / "dalam").mkdir(parents=True)
    (folder / "dalam" / "dua.txt").write_bytes(document("Izin Dua", 2, layout="bold"))
    (folder / ".DS_Store").write_bytes(BINARY)  # skipped, not reported
    (folder / "arsip.zip").write_bytes(zip_of([("tiga.txt", document("Izin Tiga", 3))]))
    result = runner.invoke(args=["standards", "import", str(tmp_path / "satu.txt"), str(folder),
                                 "--unit", "dinas-campur"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3 berkas: 0 ditolak; standar 3 dibuat" in result.output
    assert "map/dalam/dua.txt:" in result.output and "map/arsip.zip/tiga.txt:" in result.output
    assert ".DS_Store" not in result.output
    assert "Izin Dua [izin-dua] (dibuat; draf baru; baris 3)" in result.output
    assert _published() == 0


def test_the_same_file_again_changes_nothing(runner, make_unit, tmp_path):
    make_unit(slug="dinas-ulang")
    path = tmp_path / "reklame.txt"
    path.write_bytes(document("Izin Reklame", 7))
    assert runner.invoke(args=["standards", "import", str(path), "--unit", "dinas-ulang"]).exit_code == 0
    before = _counts()
    again = runner.invoke(args=["standards", "import", str(path), "--unit", "dinas-ulang", "--publish"])
    assert again.exit_code == 0, again.output
    assert "Izin Reklame [izin-reklame] (tidak berubah; berkas atau isi yang sama sudah diimpor" in again.output
    assert "1 tidak berubah, 0 diterbitkan." in again.output
    assert _counts() == before  # not a version, not an audit line


def _bomb(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nol.txt", b"0" * size)
        archive.writestr("baik.txt", document("Izin Baik", 3))
    return buffer.getvalue()


def test_a_zip_with_too_many_members_or_bytes_is_refused_whole(runner, make_unit, tmp_path, monkeypatch):
    make_unit(slug="dinas-bom")
    path = tmp_path / "banyak.zip"
    path.write_bytes(zip_of(mixed_files(6)))
    monkeypatch.setattr(batch, "MAX_ZIP_MEMBERS", 5)
    before = _counts()
    result = runner.invoke(args=["standards", "import", str(path), "--unit", "dinas-bom"])
    assert result.exit_code != 0
    assert "Tidak ada yang diimpor: banyak.zip berisi 6 berkas; paling banyak 5 sekali impor." in result.output
    monkeypatch.setattr(batch, "MAX_ZIP_MEMBERS", 1000)
    monkeypatch.setattr(batch, "MAX_ZIP_TOTAL_BYTES", 1024 * 1024)
    path.write_bytes(_bomb(2 * 1024 * 1024))  # 2 MB of zeros, a few kB zipped
    result = runner.invoke(args=["standards", "import", str(path), "--unit", "dinas-bom"])
    assert result.exit_code != 0
    assert "Tidak ada yang diimpor: banyak.zip terlalu besar setelah dibuka (2 MB); paling besar 1 MB." in result.output
    assert _counts() == before


def test_a_member_that_inflates_past_its_bound_is_refused_alone(make_unit, monkeypatch):
    unit = make_unit()
    monkeypatch.setattr(batch, "MAX_MEMBER_BYTES", 64 * 1024)
    sources = batch.upload_sources([("arsip.zip", _bomb(10 * 1024 * 1024))])
    reports = list(batch.import_batch(unit, sources, actor=None))
    assert [r.name for r in reports] == ["arsip.zip/nol.txt", "arsip.zip/baik.txt"]
    assert reports[0].refused == "Berkas terlalu besar setelah dibuka (lebih dari 64 KB)."
    assert reports[1].ok and reports[1].result.created


def test_member_names_are_shown_never_used_as_paths(make_unit, tmp_path, monkeypatch):
    unit = make_unit()
    monkeypatch.chdir(tmp_path)
    archive = zip_of([("../../keluar.txt", document("Izin Keluar", 1)), ("/mutlak/x.txt", document("Izin X", 2)),
                      ("C:\\\\windows\\\\y.txt", document("Izin Y", 3))])  # fmt: skip
    reports = list(batch.import_batch(unit, batch.upload_sources([("a.zip", archive)]), actor=None))
    assert [r.name for r in reports] == ["a.zip/keluar.txt", "a.zip/mutlak/x.txt", "a.zip/C:/windows/y.txt"]
    assert all(r.ok for r in reports)
    assert list(tmp_path.rglob("*")) == [] and not (tmp_path.parent.parent / "keluar.txt").exists()


def test_a_docx_is_a_file_not_a_batch():
    fake_docx = zip_of([("word/document.xml", b"<w:document/>")])
    [source] = batch.upload_sources([("standar.docx", fake_docx)])
    assert source.name == "standar.docx" and source.read() == fake_docx
    with pytest.raises(batch.BatchRefusedError, match="bukan arsip zip"):
        batch.upload_sources([("rusak.zip", b"PK\x03\x04 bukan zip")])


def test_the_admin_page_takes_several_files_and_a_zip_and_streams_the_report(client, login, make_unit):
    unit = make_unit()
    login("admin")
    token = csrf_from(client, url_for("admin.import_standard"))
    archive = zip_of([*mixed_files(3), ("rusak.txt", BINARY)])
    response = client.post(
        url_for("admin.import_standard"),
        data={"csrf_token": token, "unit": unit.id,
              "file": [(io.BytesIO(archive), "kiriman.zip"), (io.BytesIO(document("Izin Lepas", 9)), "lepas.txt")]},
        content_type="multipart/form-data",
        buffered=True,  # the report streams: read it inside the request's own context
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["X-Accel-Buffering"] == "no"
    html = response.get_data(as_text=True)
    assert "kiriman.zip/standar-001.txt" in html and "lepas.txt" in html
    assert "Berkas ditolak, tidak ada yang berubah: Berkas ini bukan teks" in html
    assert "Selesai. 5 berkas: 1 ditolak; standar 4 dibuat, 0 diperbarui, 0 tidak berubah, 0 diterbitkan." in html
    assert len(unit.services) == 4


def test_the_admin_page_refuses_a_zip_bomb_before_importing(client, login, make_unit, monkeypatch):
    unit = make_unit()
    login("admin")
    monkeypatch.setattr(batch, "MAX_ZIP_TOTAL_BYTES", 1024 * 1024)
    before = _counts()
    token = csrf_from(client, url_for("admin.import_standard"))
    response = client.post(
        url_for("admin.import_standard"),
        data={"csrf_token": token, "unit": unit.id, "title": "Judul Diketik",
              "file": (io.BytesIO(_bomb(3 * 1024 * 1024)), "bom.zip")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tidak ada yang diimpor: bom.zip terlalu besar setelah dibuka" in html
    assert 'value="Judul Diketik"' in html  # what was typed is kept
    assert _counts() == before


def test_a_batch_never_joins_a_callers_unit_of_work(make_unit):
    from webapp.core.db import transactional

    unit = make_unit()

    @transactional
    def outer() -> None:
        batch.import_one(unit, batch.Source("a.txt", lambda: document("Izin A", 1)), actor=None)

    with pytest.raises(RuntimeError, match="outside a unit of work"):
        outer()
    assert not unit.services
