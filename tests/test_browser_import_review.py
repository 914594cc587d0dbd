"""An import reviewed in Chromium: over an edited draft, see the diff, keep one edit, take the rest, publish."""

from __future__ import annotations

import copy

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.import_helpers import document
from webapp.standards.importer import import_document
from webapp.standards.versions import save_draft

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(browser):
    """An office PC's browser window; fails the test on any CSP violation or script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert problems == []


def test_import_over_an_edited_draft_keep_one_edit_take_the_rest_publish(desk, live_server, make_unit, make_user,
                                                                        artifacts, tmp_path):  # fmt: skip
    unit = make_unit(slug="dpmptsp-tinjau", name="DPMPTSP Kabupaten Tinjau", short_name="DPMPTSP Tinjau")
    officer = make_user(username="admin1")
    # Published v1 from the office's old file, then an officer's two edits in the draft.
    service = import_document(unit, document("Izin Reklame", 1), filename="sk-2022.txt", publish=True,
                              actor=officer).created[0][1]  # fmt: skip
    doc = copy.deepcopy(service.to_document())
    doc["components"]["persyaratan"]["items"].append({"text": "Surat Kuasa bila dikuasakan", "items": []})
    doc["components"]["produk"]["paragraphs"] = ["Surat izin reklame (ketikan petugas)"]
    save_draft(service, doc, "persyaratan dan produk", actor=officer)
    new_file = tmp_path / "sk-2026.txt"
    new_file.write_bytes(document("Izin Reklame", 2))
    page = desk

    page.goto(f"{live_server}/admin/")
    page.get_by_label("Nama pengguna").fill("admin1")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("link", name="Impor dokumen").first.click()
    page.get_by_label("Instansi").select_option(label=unit.short_name)
    page.get_by_label("Berkas standar pelayanan").set_input_files(str(new_file))
    page.get_by_role("button", name="Impor").click()
    expect(page.get_by_text("Selesai. 1 berkas: 0 ditolak; standar 0 dibuat, 1 diperbarui")).to_be_visible()
    expect(page.get_by_text("menunggu tinjauan")).to_be_visible()

    page.get_by_role("link", name="Tinjau hasil impor").click()
    expect(page.get_by_role("heading", name="Tinjau hasil impor: Izin Reklame")).to_be_visible()
    requirements = page.locator("#bagian-persyaratan")
    expect(requirements.get_by_text("diubah petugas di draf")).to_be_visible()
    expect(requirements.locator("del", has_text="Surat Kuasa bila dikuasakan")).to_be_visible()
    expect(requirements.locator("ins", has_text="Surat permohonan nomor 2").first).to_be_visible()
    expect(requirements.get_by_label("Pertahankan")).to_be_checked()  # an edit is kept unless chosen
    expect(page.locator("#bagian-dasar_hukum").get_by_label("Ambil dari impor")).to_be_checked()
    product = page.locator("#bagian-produk")
    expect(product.locator("del", has_text="Surat izin reklame (ketikan petugas)").first).to_be_visible()
    product.get_by_label("Ambil dari impor").check()  # this edit gives way to the new decree
    page.get_by_label("Catatan perubahan").fill("Impor SK 2026")
    page.screenshot(path=str(artifacts / "impor-tinjau.png"), full_page=True)

    page.get_by_role("button", name="Terapkan pilihan dan terbitkan").click()
    expect(page.get_by_text("Versi 2 diterbitkan")).to_be_visible()

    public = page.context.new_page()
    public.goto(f"{live_server}/layanan/{service.slug}")
    expect(public.get_by_text("Surat Kuasa bila dikuasakan")).to_be_visible()  # the kept edit
    expect(public.locator("#produk").get_by_text("Surat izin nomor 2")).to_be_visible()  # taken from the import
    expect(public.get_by_text("Peraturan Daerah Nomor 2 Tahun 2020")).to_be_attached()  # folded away on the page
    expect(public.get_by_text("Surat izin reklame (ketikan petugas)")).to_have_count(0)
