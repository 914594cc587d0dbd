"""A complaint filed on a phone, tracked by its code, handled and resolved by staff, and reported."""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from webapp.core.extensions import limiter

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="id-ID")
    yield context
    context.close()


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
    yield context
    context.close()


def _login(page, live_server, username, next_path):
    page.goto(f"{live_server}/admin/masuk?next={next_path}")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def test_file_track_and_resolve_a_complaint(app, phone, desk, live_server, make_service, make_user, artifacts,
                                            monkeypatch):
    monkeypatch.setitem(app.config, "PENGADUAN_MIN_FILL_SECONDS", 0)
    limiter.reset()
    service = make_service(title="Izin Reklame", slug="izin-reklame")
    make_user(role="tim_pengaduan", username="timadu")
    make_user(role="sekretaris", username="sekdis")

    citizen = phone.new_page()
    citizen.goto(f"{live_server}/layanan/{service.slug}")
    citizen.get_by_role("link", name="Sampaikan pengaduan secara daring").click()
    expect(citizen.get_by_role("heading", name="Sampaikan pengaduan")).to_be_visible()
    expect(citizen.get_by_label("Layanan yang diadukan")).to_have_value("izin-reklame")
    citizen.get_by_role("button", name="Kirim pengaduan").click()  # empty: errors beside fields and on top
    expect(citizen.locator(".error-summary")).to_be_visible()
    citizen.screenshot(path=str(artifacts / "pengaduan-form-salah-390.png"), full_page=True)
    citizen.get_by_label("Nama", exact=True).fill("Rina Pemohon Unik")
    citizen.get_by_label("Nomor HP/WhatsApp").fill("0812 1111 2222")
    citizen.get_by_label("Email").fill("rina@contoh.id")
    citizen.get_by_label("Apa yang terjadi?").fill("Berkas izin reklame saya dinyatakan hilang oleh petugas.")
    citizen.get_by_label("Apa yang Anda harapkan?").fill("Berkas ditemukan dan izin diproses.")
    citizen.screenshot(path=str(artifacts / "pengaduan-form-390.png"), full_page=True)
    citizen.get_by_role("button", name="Kirim pengaduan").click()
    expect(citizen.get_by_role("heading", name="Pengaduan terkirim")).to_be_visible()
    number = citizen.locator(".receipt-number").inner_text()
    assert re.fullmatch(r"ADU-\d{4}-000001", number)
    expect(citizen.locator(".receipt-qr")).to_be_visible()
    citizen.screenshot(path=str(artifacts / "pengaduan-terkirim-390.png"), full_page=True)
    citizen.get_by_role("link", name="Buka halaman lacak").click()
    expect(citizen.locator(".complaint-status")).to_have_text("Diterima")
    tracking_url = citizen.url
    assert "Rina" not in citizen.content() and "0812" not in citizen.content()

    staff = desk.new_page()
    _login(staff, live_server, "timadu", "/admin/pengaduan")
    expect(staff.get_by_role("heading", name="Buku Pengaduan")).to_be_visible()
    expect(staff.get_by_role("link", name=number)).to_be_visible()
    staff.screenshot(path=str(artifacts / "pengaduan-buku-1366.png"), full_page=True)
    staff.get_by_role("link", name=number).click()
    expect(staff.get_by_text("Rina Pemohon Unik")).to_be_visible()
    staff.get_by_role("button", name="Verifikasi pengaduan").click()
    expect(staff.get_by_text("Pengaduan diverifikasi.", exact=True)).to_be_visible()
    staff.get_by_label("Bobot", exact=True).select_option("sedang")
    staff.get_by_role("button", name="Simpan bobot").click()
    expect(staff.locator(".page-head .badge")).to_have_text("Bobot sedang")
    staff.get_by_text("Balas pengadu").click()
    staff.get_by_label("Balasan").fill("Berkas Anda sedang kami telusuri bersama bidang perizinan.")
    staff.get_by_role("button", name="Kirim balasan").click()
    expect(staff.locator(".flash-success")).to_contain_text("dikirim kepada pengadu")
    staff.get_by_text("Selesaikan", exact=True).click()
    staff.get_by_label("Hasil tindak lanjut").fill("Berkas ditemukan di back office; izin terbit 3 hari kemudian.")
    staff.get_by_role("button", name="Selesaikan dan buat Berita Acara").click()
    expect(staff.locator(".complaint-status")).to_have_text("Selesai")
    staff.screenshot(path=str(artifacts / "pengaduan-kasus-1366.png"), full_page=True)
    with staff.expect_download() as download:
        staff.get_by_role("link", name="Unduh Berita Acara Penyelesaian (PDF)").click()
    pdf_path = artifacts / "pengaduan-berita-acara.pdf"
    download.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf_path),
                    str(artifacts / "pengaduan-berita-acara")], check=True)

    citizen.goto(tracking_url)
    expect(citizen.locator(".complaint-status")).to_have_text("Selesai")
    expect(citizen.get_by_text("Berkas Anda sedang kami telusuri")).to_be_visible()
    expect(citizen.get_by_text("izin terbit 3 hari kemudian")).to_be_visible()
    citizen.screenshot(path=str(artifacts / "pengaduan-lacak-390.png"), full_page=True)

    staff.goto(f"{live_server}/admin/pengaduan/laporan")
    staff.get_by_role("link", name=re.compile(r"\d{4}$")).first.click()
    staff.get_by_label("Ringkasan dan tindak lanjut").fill("Satu pengaduan, selesai tepat waktu.")
    staff.get_by_role("button", name="Simpan ringkasan").click()
    staff.get_by_role("button", name="Ajukan kepada Sekretaris").click()
    expect(staff.locator(".flash-success")).to_contain_text("diajukan")
    report_url = staff.url

    secretary = desk.new_page()
    desk.clear_cookies()
    _login(secretary, live_server, "sekdis", report_url.removeprefix(live_server))
    expect(secretary.get_by_role("heading", name=re.compile("Laporan Pengaduan Pelayanan Publik"))).to_be_visible()
    secretary.get_by_role("button", name="Setujui dan serahkan kepada Kepala Dinas").click()
    expect(secretary.locator(".status-published")).to_have_text("Disetujui, diserahkan kepada Kepala Dinas")
    expect(secretary.locator(".facts")).to_contain_text("1 (1 tepat waktu)")
    secretary.screenshot(path=str(artifacts / "pengaduan-laporan-1366.png"), full_page=True)
    with secretary.expect_download() as download:
        secretary.get_by_role("link", name="Unduh PDF").click()
    report_pdf = artifacts / "pengaduan-laporan.pdf"
    download.value.save_as(report_pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(report_pdf),
                    str(artifacts / "pengaduan-laporan")], check=True)
    limiter.reset()


def test_a_complaint_ticket_is_recorded_at_the_counter(desk, live_server, make_queue, make_user, artifacts):
    from datetime import time as clock

    from antrian.issuing import issue_ticket
    from antrian.models import Counter, QueueService
    from antrian.service import call_next
    from webapp.core.extensions import db

    q = make_queue()
    d = QueueService(unit=q["unit"], code="D", name="Pengaduan", opens_at=clock(0, 0), closes_at=clock(0, 0))
    desk_counter = Counter(unit=q["unit"], number=4, name="Loket 4", queue_services=[d])
    db.session.add_all([d, desk_counter])
    db.session.commit()
    issue_ticket(d)
    call_next(desk_counter)
    db.session.commit()
    make_user(role="petugas_loket", unit=q["unit"], username="loket4")

    page = desk.new_page()
    _login(page, live_server, "loket4", f"/antrian/loket?loket={desk_counter.id}")
    expect(page.locator(".counter-number")).to_have_text("D-001")
    page.get_by_role("link", name="Catat sebagai pengaduan").click()
    expect(page.get_by_text("Dari tiket antrian D-001")).to_be_visible()
    expect(page.get_by_label("Saluran")).to_have_value("datang_langsung")
    page.get_by_label("Nama", exact=True).fill("Pak Harun")
    page.get_by_label("Nomor HP/WhatsApp").fill("081355556666")
    page.get_by_label("Apa yang terjadi?").fill("Izin saya sudah lewat 10 hari kerja dan belum terbit.")
    page.get_by_role("button", name="Simpan pengaduan").click()
    expect(page.locator(".error-summary")).to_contain_text("Pilih layanan")  # what was typed stays
    expect(page.get_by_label("Nama", exact=True)).to_have_value("Pak Harun")
    page.get_by_label("Layanan yang diadukan").select_option("lainnya")
    page.get_by_label("Bila lainnya, layanan atau hal apa?").fill("Izin usaha")
    page.get_by_role("button", name="Simpan pengaduan").click()
    expect(page.get_by_role("heading", name="Tanda terima pengaduan")).to_be_visible()
    expect(page.locator(".receipt-number")).to_have_text(re.compile(r"ADU-\d{4}-000001"))
    page.screenshot(path=str(artifacts / "pengaduan-tanda-terima-1366.png"), full_page=True)
