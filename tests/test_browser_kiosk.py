"""The kiosk in headless Chromium: a portrait touch screen set up for 58 mm paper, a priority ticket,
the slip at 58 mm; the landscape layout; no CSP error in the console. Screenshots in tests/artifacts/."""

from __future__ import annotations

import re
from datetime import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from antrian.models import QueueService, QueueState, Ticket
from tests.conftest import PASSWORD
from webapp.core.extensions import db

pytestmark = pytest.mark.browser

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _watch(page) -> list[str]:
    """Console errors and script errors of ``page`` (a CSP refusal is logged as a console error)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


@pytest.fixture
def lobby(make_queue):
    """A unit with four lines (A-D) and the kiosk's priority choice on."""
    q = make_queue()
    unit = q["unit"]
    db.session.add_all([
        QueueService(unit=unit, code="C", name="Konsultasi dan Informasi", opens_at=time(0, 0), closes_at=time(0, 0),
                     position=2),
        QueueService(unit=unit, code="D", name="Pengaduan", opens_at=time(0, 0), closes_at=time(0, 0), position=3),
        QueueState(unit_id=unit.id, version=0, running_text="", kiosk_priority=True),
    ])
    db.session.commit()
    return q


def _button_boxes(page) -> list[dict]:
    return [page.locator(".kiosk-button").nth(i).bounding_box() for i in range(page.locator(".kiosk-button").count())]


def test_portrait_kiosk_at_58_mm_issues_a_priority_ticket(browser, live_server, lobby, make_user, artifacts):
    unit = lobby["unit"]
    make_user(role="admin", unit=unit, username="adminkios")
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="id-ID", has_touch=True)
    page = context.new_page()
    problems = _watch(page)

    # The administrator registers this browser as the kiosk, with 58 mm paper, once.
    page.goto(f"{live_server}/admin/masuk?next=/antrian/ambil?instansi={unit.slug}")
    page.get_by_label("Nama pengguna").fill("adminkios")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_label("58 mm").check()
    page.get_by_label("Lewat peramban").check()
    page.get_by_role("button", name=re.compile("Daftarkan peramban ini")).click()
    expect(page.get_by_text("kertas 58 mm, cetak lewat peramban")).to_be_visible()
    page.goto(f"{live_server}/admin/")
    page.get_by_role("button", name="Keluar").click()

    # A visitor: the screen is filled by the four lines, evenly, each with its count and wait.
    page.goto(f"{live_server}/antrian/ambil?instansi={unit.slug}")
    expect(page.locator(".kiosk-button")).to_have_count(4)
    expect(page.locator("#tunggu-A")).to_have_text("Tidak ada yang menunggu")
    boxes = _button_boxes(page)
    heights = {round(box["height"]) for box in boxes}
    assert max(heights) - min(heights) <= 1, heights  # even
    assert min(heights) > 250  # large enough to touch from a wheelchair
    assert boxes[-1]["y"] + boxes[-1]["height"] > 1920 * 0.85  # down to the bottom of the screen
    overflow = page.evaluate("document.documentElement.scrollHeight - innerHeight")
    assert overflow <= 0
    page.screenshot(path=str(artifacts / "kios-portrait.png"))

    page.get_by_text("Lanjut usia").click()
    page.get_by_role("button", name="Pendaftaran", exact=True).click()
    expect(page.locator(".slip-number")).to_have_text("A-001")
    assert "lebar=58" in page.url and "kios=1" in page.url
    expect(page.locator("body")).to_have_class("ticket-print w58")
    expect(page.locator(".slip-priority")).to_have_text("Prioritas: Lanjut usia")
    ticket = db.session.scalar(select(Ticket))
    expect(page.locator(".slip-url")).to_have_text(re.compile(rf"/antrian/tiket/{re.escape(ticket.token)}$"))
    assert ticket.priority and ticket.priority_reason == "lansia"
    assert UUID.fullmatch(ticket.request_key)  # the tap's key, made by static/js/kios.js
    back = page.get_by_role("link", name="Kembali ke layar ambil nomor")
    assert "lebar=58" in back.get_attribute("href")  # the width is carried back to the buttons
    page.screenshot(path=str(artifacts / "tiket-58mm.png"), full_page=True)

    # The slip as printed on 58 mm paper: 48 mm printable, the QR and the address inside it.
    page.emulate_media(media="print")
    slip = page.locator(".slip").bounding_box()
    assert slip["width"] == pytest.approx(48 / 25.4 * 96, abs=2)
    page.emulate_media(media="screen")

    back.click()
    expect(page.locator("#tunggu-A")).to_contain_text("1 orang menunggu")
    context.close()
    assert problems == []


def test_landscape_kiosk_fills_the_screen(browser, live_server, lobby, artifacts):
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="id-ID")
    problems = _watch(page)
    page.goto(f"{live_server}/antrian/ambil?instansi={lobby['unit'].slug}")
    boxes = _button_boxes(page)
    assert len({round(box["y"]) for box in boxes}) == 2  # four lines in two rows of two
    assert len({round(box["height"]) for box in boxes}) == 1
    assert boxes[-1]["y"] + boxes[-1]["height"] > 1080 * 0.85
    assert page.evaluate("document.documentElement.scrollHeight - innerHeight") <= 0
    expect(page.get_by_role("radio", name="Ibu hamil")).to_be_attached()
    page.screenshot(path=str(artifacts / "kios-landscape.png"))
    page.close()
    assert problems == []
