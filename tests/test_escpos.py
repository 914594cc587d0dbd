"""Direct printing to a network ESC/POS thermal printer: a fake printer on loopback (a socket server in a
thread) receives the slip's bytes; the kiosk in ESC/POS mode prints through it."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for
from sqlalchemy import select

from antrian.models import Ticket
from antrian.printing import PrinterError, Slip, parse_printer_address, print_slip
from tests.test_kiosk import _free_port, _press, _register
from webapp.core.extensions import db

QR_STORE = b"\x1d(k"  # GS ( k: the printer draws a QR code itself
CUT = b"\x1dV"  # GS V: cut the paper


SLIP = Slip(unit="DPMPTSP Uji", number="A-007", service="Pendaftaran / Pengajuan Berkas Perizinan Berusaha",
            time="30 November 2026 09.15", ahead=3, url="https://loket.example/antrian/tiket/abcDEF123_-xyz",
            priority="Lanjut usia")


@pytest.mark.parametrize("width", ["58", "80"])
def test_the_fake_printer_receives_number_qr_and_cut(printer, width):
    print_slip(("127.0.0.1", printer.port), SLIP, width)
    assert printer.done.wait(10)
    job = printer.jobs[0]
    assert b"A-007" in job
    assert b"NOMOR ANTRIAN" in job and b"3 orang di depan Anda" in job and b"30 November 2026 09.15" in job
    assert b"Prioritas: Lanjut usia" in job
    qr = job.index(QR_STORE)
    assert SLIP.url.encode() in job[qr:job.index(b"\x1d(k\x03\x001Q0")]  # the QR holds the ticket's address
    text_after_qr = job[job.index(b"Pindai"):].replace(b"\n", b"")
    assert SLIP.url.encode() in text_after_qr  # and it is printed in text under the QR (wrapped to the paper)
    assert job.rstrip(b"\x00").rfind(CUT) > qr  # the cut comes last
    assert b"\x1d!" in job[: job.index(b"A-007")]  # the number in large type (GS ! size)


def test_long_text_is_wrapped_to_the_paper(printer):
    print_slip(("127.0.0.1", printer.port), SLIP, "58")
    assert printer.done.wait(10)
    lines = printer.jobs[0].split(b"\n")
    service = [line for line in lines if b"Perizinan" in line or b"Pendaftaran" in line]
    assert all(len(line.split(b"\x1ba\x01")[-1]) <= 32 for line in service)  # 32 characters at 58 mm


def test_a_printer_that_does_not_answer_raises_printer_error():
    with pytest.raises(PrinterError):
        print_slip(("127.0.0.1", _free_port()), SLIP, "80", timeout=2)


def test_printer_addresses():
    assert parse_printer_address("192.168.1.50") == ("192.168.1.50", 9100)
    assert parse_printer_address(" printer-lobi.local:9101 ") == ("printer-lobi.local", 9101)
    assert parse_printer_address("10.0.0.5:0") is None
    assert parse_printer_address("10.0.0.5:70000") is None
    assert parse_printer_address("http://10.0.0.5/") is None
    assert parse_printer_address("") is None


@pytest.mark.usefixtures("printer_on_loopback")
def test_a_kiosk_in_escpos_mode_prints_on_its_printer(app, client, make_queue, make_user, printer):
    q = make_queue()
    _register(app, client, make_user, q["unit"], lebar="58", cetak="escpos", printer=f"127.0.0.1:{printer.port}")
    answer = _press(client, q["unit"], key=str(uuid.uuid4()))
    assert printer.done.wait(10)
    ticket = _only_ticket()
    job = printer.jobs[0]
    assert b"A-001" in job and QR_STORE in job and CUT in job
    assert f"/antrian/tiket/{ticket.token}".encode() in job
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["cetak"] == ["ok"] and query["lebar"] == ["58"]
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Tiket Anda sudah tercetak" in page and "data-print-now" not in page  # no print dialog as well


def _only_ticket() -> Ticket:
    return db.session.scalar(select(Ticket))


def test_the_kiosk_page_names_the_printer_to_its_administrator(app, client, login, make_queue, make_user):
    q = make_queue()
    _register(app, client, make_user, q["unit"], cetak="escpos", printer="192.168.1.50:9100")
    login("admin", unit=q["unit"])
    page = client.get(url_for("antrian.kiosk", instansi=q["unit"].slug)).get_data(as_text=True)
    assert "cetak langsung ke printer 192.168.1.50:9100" in page
    assert 'value="192.168.1.50:9100"' in page
