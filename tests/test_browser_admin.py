"""The back office in headless Chromium: import, correct, publish, see it public, compare, restore."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.test_importer import SEEDS

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(browser):
    """A counter PC's browser window; fails the test on any CSP violation or script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    problems: list[str] = []
    # A 403 or 422 the test asks for is logged too; it is checked by the test itself.
    expected = "Failed to load resource: the server responded with a status of 4"
    page.on(
        "console", lambda m: problems.append(m.text) if m.type == "error" and not m.text.startswith(expected) else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert problems == []


def test_import_correct_publish_compare_restore(desk, live_server, make_unit, make_user, artifacts):
    unit = make_unit(slug="dpmptsp-uji", name="DPMPTSP Kabupaten Uji", short_name="DPMPTSP Uji")
    make_user(username="admin1")
    page = desk

    page.goto(f"{live_server}/admin/")
    page.get_by_label("Nama pengguna").fill("admin1")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Selamat datang")).to_be_visible()

    page.get_by_role("link", name="Impor dokumen").first.click()
    page.get_by_label("Instansi").select_option(label=unit.short_name)
    page.get_by_label("Berkas standar pelayanan").set_input_files(str(next(SEEDS.glob("001_*.txt"))))
    page.get_by_role("button", name="Impor").click()
    expect(page.get_by_text("Komponen ditemukan (14)")).to_be_visible()
    page.screenshot(path=str(artifacts / "admin-impor.png"), full_page=True)

    page.get_by_role("link", name="Pratinjau").click()
    page.get_by_role("button", name="Terbitkan").click()
    expect(page.get_by_text("Versi 1 diterbitkan")).to_be_visible()

    page.get_by_role("link", name="Ubah").first.click()
    page.get_by_role("link", name="Persyaratan", exact=True).click()
    first = page.get_by_label("Butir 1", exact=True)
    expect(first).to_have_value("Surat Permohonan Bermaterai")
    page.get_by_role("button", name="Turunkan butir 1").click()  # htmx swaps the form in place
    expect(page.get_by_label("Butir 2", exact=True)).to_have_value("Surat Permohonan Bermaterai")
    page.get_by_role("button", name="Naikkan butir 2").click()
    expect(page.get_by_label("Butir 1", exact=True)).to_have_value("Surat Permohonan Bermaterai")
    page.get_by_label("Butir 1", exact=True).fill("Surat Permohonan bermeterai Rp10.000")
    page.screenshot(path=str(artifacts / "admin-ubah-persyaratan.png"), full_page=True)
    page.get_by_role("button", name="Simpan ke draf").last.click()
    expect(page.get_by_text("Persyaratan disimpan di draf.")).to_be_visible()

    page.get_by_role("link", name="Pratinjau dan terbitkan").click()
    expect(page.get_by_text("Surat Permohonan bermeterai Rp10.000")).to_be_visible()
    page.get_by_label("Catatan perubahan").fill("Persyaratan materai diperbarui")
    page.get_by_role("button", name="Terbitkan").click()
    expect(page.get_by_text("Versi 2 diterbitkan")).to_be_visible()

    public = page.context.browser.new_page()  # a visitor, without the staff session
    public.goto(f"{live_server}/layanan/izin-instalasi-genset")
    expect(public.get_by_label("Surat Permohonan bermeterai Rp10.000")).to_be_visible()

    page.get_by_role("link", name="Bandingkan dengan v2").click()
    expect(page.locator("ins", has_text="Surat Permohonan bermeterai Rp10.000")).to_be_visible()
    expect(page.locator("del", has_text="Surat Permohonan Bermaterai")).to_be_visible()
    page.screenshot(path=str(artifacts / "admin-bandingkan.png"), full_page=True)

    page.get_by_role("link", name="Kembali ke daftar versi").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Pulihkan v1").click()
    expect(page.get_by_text("Isi versi 1 diterbitkan kembali sebagai versi 3.")).to_be_visible()
    page.screenshot(path=str(artifacts / "admin-versi.png"), full_page=True)

    public.reload()
    expect(public.get_by_label("Surat Permohonan Bermaterai")).to_be_visible()
    expect(public.get_by_text("bermeterai Rp10.000")).to_have_count(0)
    public.close()

    page.get_by_role("link", name="Log audit").click()
    expect(page.locator("table.audit")).to_contain_text("Memulihkan Izin Instalasi Genset ke isi versi 1")
    expect(page.locator("table.audit")).to_contain_text("admin1")
    page.screenshot(path=str(artifacts / "admin-audit.png"), full_page=True)


def test_validation_error_in_the_browser_keeps_what_was_typed(desk, live_server, make_service, make_user, artifacts):
    service = make_service()
    make_user(username="admin1")
    desk.goto(f"{live_server}/admin/masuk")
    desk.get_by_label("Nama pengguna").fill("admin1")
    desk.get_by_label("Kata sandi").fill(PASSWORD)
    desk.get_by_role("button", name="Masuk").click()
    desk.goto(f"{live_server}/admin/layanan/{service.id}/ubah/persyaratan")
    desk.get_by_label("Butir 2", exact=True).fill("<b>tebal</b>")
    desk.get_by_role("button", name="Simpan ke draf").last.click()
    summary = desk.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_contain_text("Jangan memakai tag HTML")
    expect(desk.get_by_label("Butir 2", exact=True)).to_have_value("<b>tebal</b>")
    desk.screenshot(path=str(artifacts / "admin-galat.png"), full_page=True)
    summary.get_by_role("link").first.click()
    expect(desk.get_by_label("Butir 2", exact=True)).to_be_in_viewport()


def test_counter_officer_gets_403_on_admin_pages(desk, live_server, make_user):
    make_user(username="loket1", role="petugas_loket")
    desk.goto(f"{live_server}/admin/masuk")
    desk.get_by_label("Nama pengguna").fill("loket1")
    desk.get_by_label("Kata sandi").fill(PASSWORD)
    desk.get_by_role("button", name="Masuk").click()
    expect(desk.get_by_role("heading", name="Selamat datang")).to_be_visible()
    response = desk.goto(f"{live_server}/admin/layanan")
    assert response.status == 403
    expect(desk.get_by_text("Anda tidak berhak membuka halaman ini.")).to_be_visible()


def test_closures_for_a_unit_and_for_the_whole_office(desk, live_server, make_unit, make_user, artifacts):
    own = make_unit(short_name="DPMPTSP Pekanbaru")
    make_unit(short_name="DPMPTSP Kampar")
    make_user(username="sekpku", role="sekretaris", unit=own)
    make_user(username="admin1")

    def sign_in(username):
        desk.context.clear_cookies()
        desk.goto(f"{live_server}/admin/masuk?next=/admin/hari-libur?tahun=2026")
        desk.get_by_label("Nama pengguna").fill(username)
        desk.get_by_label("Kata sandi").fill(PASSWORD)
        desk.get_by_role("button", name="Masuk").click()

    sign_in("admin1")
    unit = desk.get_by_label("Berlaku untuk")
    expect(unit.locator("option")).to_have_text(["Seluruh kantor (semua instansi)", "DPMPTSP Kampar",
                                                 "DPMPTSP Pekanbaru"])
    desk.get_by_label("Tanggal").fill("2026-11-10")
    desk.get_by_label("Alasan").fill("Pindah kantor")
    desk.get_by_role("button", name="Simpan hari tutup").click()
    expect(desk.get_by_text("(seluruh kantor) disimpan")).to_be_visible()

    sign_in("sekpku")
    expect(desk.get_by_label("Berlaku untuk").locator("option")).to_have_text(["DPMPTSP Pekanbaru"])
    desk.get_by_label("Tanggal").fill("2026-11-11")
    desk.get_by_label("Alasan").fill("HUT Kota Pekanbaru")
    desk.get_by_role("button", name="Simpan hari tutup").click()
    rows = desk.locator("#tutup-judul + table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Seluruh kantor")
    expect(rows.nth(0).get_by_role("button", name="Hapus")).to_have_count(0)  # the office-wide one is not hers
    expect(rows.nth(1)).to_contain_text("DPMPTSP Pekanbaru")
    expect(rows.nth(1).get_by_role("button", name="Hapus")).to_be_visible()
    desk.screenshot(path=str(artifacts / "admin-hari-libur.png"), full_page=True)
