"""Browser tests in headless Chromium (Debian's package, driven by Playwright).

Screenshots land in tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from webapp.standards.service import search_services

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE, locale="id-ID")
    page = context.new_page()
    yield page
    context.close()


def test_phone_ticks_a_requirement_and_it_stays_ticked(phone, live_server, demo, artifacts):
    phone.goto(f"{live_server}/layanan/izin-instalasi-genset")
    first = phone.get_by_label("Surat Permohonan Bermaterai")
    assert not first.is_checked()
    first.tap()
    assert first.is_checked()
    counter = phone.locator(".checklist-count")
    assert counter.inner_text() == "1 dari 7 berkas sudah siap."
    phone.screenshot(path=str(artifacts / "layanan-phone.png"), full_page=False)
    phone.screenshot(path=str(artifacts / "layanan-phone-full.png"), full_page=True)
    phone.reload()
    assert phone.get_by_label("Surat Permohonan Bermaterai").is_checked()
    assert phone.locator(".checklist-count").inner_text() == "1 dari 7 berkas sudah siap."


def test_phone_page_fits_the_screen_without_sideways_scrolling(phone, live_server, demo):
    for slug in ("izin-instalasi-genset", "izin-kerja-tenaga-sanitarian", "oss-umk-orang-perseorangan"):
        phone.goto(f"{live_server}/layanan/{slug}")
        overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{slug} scrolls sideways by {overflow}px"


def test_keyboard_reaches_the_checklist_and_space_ticks_it(phone, live_server, demo):
    phone.goto(f"{live_server}/layanan/izin-instalasi-genset")
    box = phone.get_by_label("NIB dari OSS")
    box.focus()
    phone.keyboard.press("Space")
    assert box.is_checked()


def test_catalogue_search_narrows_as_you_type(phone, live_server, demo, artifacts):
    phone.goto(f"{live_server}/layanan")
    assert phone.locator(".card").count() == 9
    phone.get_by_label("Cari layanan").press_sequentially("genset", delay=30)
    expect(phone.locator(".card")).to_have_count(1)  # the CSP forbids eval, so no wait_for_function
    assert "Izin Instalasi Genset" in phone.locator("#hasil").inner_text()
    assert phone.url.endswith("/layanan?q=genset")
    phone.screenshot(path=str(artifacts / "katalog-cari.png"))


def test_search_without_javascript_still_works(browser, live_server, demo):
    context = browser.new_context(java_script_enabled=False, locale="id-ID")  # an Indonesian browser: Indonesian page
    page = context.new_page()
    page.goto(f"{live_server}/layanan")
    page.get_by_label("Cari layanan").fill("sanitarian")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_url("**/layanan?q=sanitarian")
    assert page.locator(".card").count() == 1
    context.close()


def test_every_svg_qr_rendered_by_chromium_decodes_to_its_page(browser, live_server, demo):
    page = browser.new_page(viewport={"width": 600, "height": 600})
    for service in search_services(None):
        page.goto(f"{live_server}/layanan/{service.slug}/qr.svg")
        image = Image.open(io.BytesIO(page.screenshot()))
        results = zxingcpp.read_barcodes(image)
        assert [r.text for r in results] == [f"{live_server}/layanan/{service.slug}"]
    page.close()


def test_poster_prints_on_one_a4_page(browser, live_server, demo, artifacts):
    page = browser.new_page()
    page.goto(f"{live_server}/layanan/izin-instalasi-genset/cetak")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts / "poster-genset.pdf").write_bytes(pdf)
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert len(pages) == 1
    page.close()
