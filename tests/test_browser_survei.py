"""A visitor served at the counter follows the survey link on the ticket page, fills the survey on a
phone, and sees the result on /ikm; screenshots of the form, the results and the PDF report."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from flask import url_for
from playwright.sync_api import expect

from antrian.events import publish_change
from antrian.issuing import issue_ticket
from antrian.service import call_next, finish, start_serving
from tests.test_survei_pages import _file_thirty
from tests.test_survei_rules import GROUP_C, THIRTY
from webapp.core.extensions import db
from webapp.survei.filing import file_response
from webapp.survei.models import ELEMENT_CODES
from webapp.survei.questionnaire import ELEMENTS_BY_CODE

pytestmark = pytest.mark.browser


def test_served_ticket_to_survey_to_published_index(browser, live_server, make_service, make_queue, artifacts):
    service = make_service()
    queue = make_queue(unit=service.unit)
    # Twenty-nine answers are in already; the visitor's is the thirtieth (group C of the hand computation).
    for row in THIRTY[:-1]:
        file_response(service=service, answers=dict(zip(ELEMENT_CODES, row, strict=True)), sex="L", age=30,
                      education="sma", occupation="swasta", actor=None)  # fmt: skip
    db.session.commit()
    ticket = issue_ticket(queue["A"])

    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="id-ID")
    phone = phone_context.new_page()
    phone.goto(f"{live_server}/antrian/tiket/{ticket.token}")
    expect(phone.locator("#status")).to_contain_text("0 orang di depan Anda")
    expect(phone.get_by_role("link", name="Isi survei kepuasan")).to_have_count(0)

    call_next(queue["loket1"])
    publish_change(queue["unit"], called=ticket)
    expect(phone.locator("#status")).to_contain_text("Silakan ke Loket 1")
    start_serving(queue["loket1"], ticket.id)
    finish(queue["loket1"], ticket.id)
    publish_change(queue["unit"])
    # The page learns the service is finished over the socket and shows the one-time link.
    link = phone.get_by_role("link", name="Isi survei kepuasan")
    expect(link).to_be_visible(timeout=10_000)
    phone.screenshot(path=str(artifacts / "survei-tiket-selesai-390.png"), full_page=True)
    link.click()

    expect(phone.get_by_role("heading", name="Bagaimana layanan kami?")).to_be_visible()
    expect(phone.get_by_text("Layanan Uji")).to_be_visible()
    phone.get_by_role("button", name="Kirim survei").click()  # nothing chosen: every question is flagged
    summary = phone.locator("#ringkasan-kesalahan")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Jenis kelamin: Pilih jenis kelamin.")
    expect(summary).to_contain_text("Penanganan pengaduan, saran, dan masukan: Pilih salah satu jawaban.")
    phone.screenshot(path=str(artifacts / "survei-kesalahan-390.png"))

    phone.get_by_label("Perempuan").check()
    phone.get_by_label("Umur (tahun)").fill("29")
    phone.get_by_label("Pendidikan terakhir").select_option("diploma")
    phone.get_by_label("Pekerjaan utama").select_option("wirausaha")
    for code, score in zip(ELEMENT_CODES, GROUP_C, strict=True):
        group = phone.locator(f"fieldset#{code.lower()}")
        group.get_by_label(ELEMENTS_BY_CODE[code].answers[score - 1], exact=True).check()
    phone.get_by_label("Saran dan masukan (boleh dikosongkan)").fill("Ruang tunggu panas siang hari.")
    phone.screenshot(path=str(artifacts / "survei-formulir-390.png"), full_page=True)
    phone.get_by_role("button", name="Kirim survei").click()

    expect(phone.get_by_role("heading", name="Terima kasih")).to_be_visible()
    phone.get_by_role("link", name="Lihat hasil survei").click()
    expect(phone.locator(".ikm-value")).to_have_text("78,24")
    expect(phone.locator(".ikm-grade")).to_contain_text("B")
    expect(phone.locator("table.elements tbody tr")).to_have_count(9)
    expect(phone.locator("table.elements")).to_be_visible()
    expect(phone.locator("table.elements")).to_contain_text("2,17")
    overflow = phone.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"/ikm scrolls sideways on a phone by {overflow}px"
    phone.screenshot(path=str(artifacts / "ikm-390.png"), full_page=True)

    # Used once: the same link now says so.
    phone.go_back()
    phone.go_back()
    phone.reload()
    expect(phone.get_by_role("heading", name="Tautan survei ini sudah dipakai")).to_be_visible()
    phone_context.close()

    desktop = browser.new_page(viewport={"width": 1366, "height": 900}, locale="id-ID")
    desktop.goto(f"{live_server}/ikm")
    expect(desktop.locator(".ikm-value")).to_have_text("78,24")
    desktop.screenshot(path=str(artifacts / "ikm-1366.png"), full_page=True)
    desktop.emulate_media(media="print")
    desktop.screenshot(path=str(artifacts / "ikm-cetak.png"), full_page=True)
    desktop.emulate_media(media="screen")
    desktop.goto(f"{live_server}/")
    expect(desktop.locator(".ikm-badge")).to_contain_text("78,24")
    desktop.screenshot(path=str(artifacts / "beranda-ikm-1366.png"))
    desktop.close()


def test_empty_survey_form_on_a_phone(browser, live_server, make_service, artifacts):
    make_service()
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, locale="id-ID")
    page.goto(f"{live_server}/survei")
    expect(page.get_by_label("Layanan yang Anda terima")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    page.screenshot(path=str(artifacts / "survei-390.png"), full_page=True)
    page.goto(f"{live_server}/ikm")
    expect(page.get_by_text("Belum ada hasil survei")).to_be_visible()
    page.screenshot(path=str(artifacts / "ikm-kosong-390.png"))
    page.close()


def test_semester_report_pdf_renders(client, login, make_service, artifacts):
    service = make_service()
    _file_thirty(service)
    login("admin")
    pdf = client.get(url_for("survei.report", slug=service.unit.slug)).data
    path = artifacts / "ikm-laporan.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(path), str(artifacts / "ikm-laporan")], check=True)
    pages = sorted(artifacts.glob("ikm-laporan-*.png"))
    assert pages, "pdftoppm rendered no page"


def test_staff_results_and_follow_up_plan(browser, live_server, make_service, make_user, artifacts):
    from tests.conftest import PASSWORD

    service = make_service()
    _file_thirty(service)
    make_user(role="sekretaris", username="sekretaris1")
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page.goto(f"{live_server}/admin/masuk?next=/admin/survei")
    page.get_by_label("Nama pengguna").fill("sekretaris1")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator(".ikm-value")).to_have_text("78,24")
    expect(page.get_by_text("Antrian di loket 2 lama.")).to_be_visible()
    page.screenshot(path=str(artifacts / "admin-survei-1366.png"), full_page=True)
    page.get_by_role("link", name="Tulis rencana tindak lanjut").click()
    expect(page.locator("#items-0-element")).to_have_value("U8")
    page.locator("#items-0-action").fill("Petugas pengaduan hadir di ruang tunggu setiap hari kerja")
    page.locator("#items-0-schedule").fill("Januari 2027")
    page.locator("#items-0-responsible").fill("Tim Pengaduan")
    page.screenshot(path=str(artifacts / "admin-rtl-1366.png"), full_page=True)
    page.get_by_role("button", name="Simpan dan terbitkan").click()
    expect(page.get_by_text("Rencana tindak lanjut disimpan")).to_be_visible()
    public = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, locale="id-ID")
    public.goto(f"{live_server}/ikm")
    expect(public.locator("#rencana")).to_be_visible()
    expect(public.get_by_text("Petugas pengaduan hadir di ruang tunggu")).to_be_visible()
    public.close()
    page.close()
