"""Every printed paper, checked as paper (issue 16): one layout, the kop on page 1, signature blocks whole.

Each document is rendered for the demo units, then read back page by page (pdftotext, one
page per form feed):
- the kop (the agency's name as the kop prints it) is on page 1;
- every signature block's name, pangkat and NIP are on the page of its heading;
- the page count where it is fixed (a normal Berita Acara: 1 page; a poster: 1 page).

Each PDF is also drawn as PNG (pdftoppm) into tests/artifacts/paper-*.png for a person to look at.
Posters and the QR sheet are printed by Chromium (print-to-PDF), as an office prints them.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import select

from tests.conftest import ARTIFACTS
from webapp.core.db import utcnow
from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.core.office import Signatory, format_nip
from webapp.core.units import Unit
from webapp.standards.models import Service

KAMPAR, PEKANBARU = "dpmptsp-kampar", "dpmptsp-pekanbaru"

# Test signatories for the roles the seeds do not print (only Kampar's Kepala Dinas is printed):
# made-up people, kept in the tests, never in the demo data.
SEKRETARIS = {"name": "Sekretaris Uji, S.Sos", "rank": "Pembina (IV/a)", "nip": "197501012000031001"}
KETUA_TIM = {"name": "Ketua Tim Uji, S.H.", "rank": "Penata Tingkat I (III/d)", "nip": "198002022005012002"}


# --- reading a PDF as paper ---------------------------------------------------------------


def pages_of(pdf: bytes) -> list[str]:
    """The text of each page, whitespace squeezed (pdftotext ends every page with a form feed)."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return [" ".join(page.split()) for page in text.decode().split("\f")[:-1]]


def save_pngs(pdf: bytes, name: str) -> list[Path]:
    """The PDF drawn as PNG pages into tests/artifacts/paper-<name>-<n>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"paper-{name}-*.png"):
        old.unlink()
    source = ARTIFACTS / f"paper-{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(source), str(ARTIFACTS / f"paper-{name}")], check=True)
    return sorted(ARTIFACTS.glob(f"paper-{name}-*.png"))


def assert_paper(pdf: bytes, name: str, unit: Unit, signers: list[tuple[str, dict | None]], pages: int | None = None):
    """The paper checks; ``signers`` are (heading, person) with person a dict of name, rank, nip or None."""
    assert pdf.startswith(b"%PDF")
    texts = pages_of(pdf)
    save_pngs(pdf, name)
    if pages is not None:
        assert len(texts) == pages, f"{name}: {len(texts)} halaman"
    assert unit.name.upper() in texts[0].upper(), f"{name}: kop tidak di halaman 1"
    if unit.government_name:
        assert unit.government_name.upper() in texts[0].upper()
    for n, text in enumerate(texts, start=1):
        assert f"Halaman {n} dari {len(texts)}" in text, f"{name}: nomor halaman {n}"
    for heading, person in signers:
        where = [i for i, text in enumerate(texts) if heading in text]
        assert where, f"{name}: judul tanda tangan {heading!r} tidak ada"
        if person is None:
            continue
        page = texts[where[-1]]
        assert person["name"] in page, f"{name}: nama {person['name']} tidak satu halaman dengan {heading!r}"
        assert person["rank"] in page, f"{name}: pangkat tidak satu halaman dengan {heading!r}"
        assert f"NIP. {format_nip(person['nip'])}" in page, f"{name}: NIP tidak satu halaman dengan {heading!r}"
    return texts


# --- the demo office ----------------------------------------------------------------------


@pytest.fixture
def office(demo):
    """The demo units, with a Sekretaris and a Ketua Tim Pengaduan for Kampar (test people, see above)."""
    kampar, pekanbaru = Unit.by_slug(KAMPAR), Unit.by_slug(PEKANBARU)
    start = date(2024, 1, 1)
    for unit in (kampar, pekanbaru):
        db.session.add(Signatory(unit_id=unit.id, role="sekretaris", valid_from=start, **SEKRETARIS))
        db.session.add(Signatory(unit_id=unit.id, role="ketua_tim_pengaduan", valid_from=start, **KETUA_TIM))
    db.session.commit()
    return {KAMPAR: kampar, PEKANBARU: pekanbaru}


def kepala_dinas(unit: Unit) -> dict | None:
    """Kampar's Kepala Dinas as the seeds print him; Pekanbaru's is not printed (None)."""
    row = db.session.scalar(select(Signatory).where(Signatory.unit_id == unit.id, Signatory.role == "kepala_dinas"))
    return {"name": row.name, "rank": row.rank, "nip": row.nip} if row else None


def demo_service(unit: Unit) -> Service:
    """The unit's first published service that is not a complaint-handling standard."""
    return next(s for s in unit.published_services if s.category != "pengaduan")


def test_the_demo_kepala_dinas_of_kampar_is_the_one_the_seeds_print(demo):
    kampar = Unit.by_slug(KAMPAR)
    assert kepala_dinas(kampar) == {"name": "HAMBALI, SE, MBA, MH", "rank": "Pembina Utama Muda",
                                    "nip": "196810242000031002"}
    assert kampar.government_name == "Pemerintah Kabupaten Kampar" and kampar.place_name == "Bangkinang"
    pekanbaru = Unit.by_slug(PEKANBARU)
    assert kepala_dinas(pekanbaru) is None  # not printed in the seeds: left empty, never invented
    assert pekanbaru.address is None and pekanbaru.phone is None and not pekanbaru.opening_hours


# --- server PDFs (WeasyPrint) -------------------------------------------------------------


def _resolved_complaint(unit: Unit, user):
    from webapp.pengaduan.service import ComplaintInput, classify, file_complaint, resolve, verify

    complaint, _ = file_complaint(ComplaintInput(description="Antrean di loket pendaftaran tidak bergerak.",
                                                 name="Budi Pengadu", phone="081298765432",
                                                 service=demo_service(unit)))  # fmt: skip
    verify(complaint, user)
    classify(complaint, "ringan", user)
    resolve(complaint, "Petugas loket ditambah pada jam sibuk; antrean kembali lancar.", user)
    db.session.commit()
    return complaint


@pytest.mark.parametrize("slug", [KAMPAR, PEKANBARU])
def test_the_berita_acara_is_one_page_with_kop_place_date_and_whole_signatures(client, login, office, slug):
    unit = office[slug]
    user = login("admin")
    complaint = _resolved_complaint(unit, user)
    pdf = client.get(url_for("pengaduan.minutes_pdf", complaint_id=complaint.id)).data
    texts = assert_paper(pdf, f"berita-acara-{slug}", unit, [("Tim Pengaduan,", KETUA_TIM),
                                                             ("Mengetahui, Sekretaris", SEKRETARIS),
                                                             ("Pengadu,", None)], pages=1)  # fmt: skip
    place = unit.place_name or unit.city
    assert f"{place}, {local_today(unit).day}" in texts[0]


@pytest.mark.parametrize("slug", [KAMPAR, PEKANBARU])
def test_the_monthly_complaint_report(client, login, office, slug):
    unit = office[slug]
    user = login("admin")
    _resolved_complaint(unit, user)
    today = local_today(unit)
    pdf = client.get(url_for("pengaduan.report_pdf", year=today.year, month=today.month, instansi=slug)).data
    signers = [("Diperiksa dan disetujui, Sekretaris", SEKRETARIS),
               ("Disampaikan kepada Kepala Dinas", kepala_dinas(unit))]  # fmt: skip
    assert_paper(pdf, f"laporan-pengaduan-{slug}", unit, signers)


@pytest.mark.parametrize("slug", [KAMPAR, PEKANBARU])
def test_the_complaint_receipt(office, make_user, slug):
    from webapp.pengaduan.intake import receipt_pdf
    from webapp.pengaduan.service import ComplaintInput, file_complaint

    unit = office[slug]
    complaint, code = file_complaint(ComplaintInput(description="Loket tutup sebelum jam layanan berakhir.",
                                                    service=demo_service(unit)))  # fmt: skip
    db.session.commit()
    texts = assert_paper(receipt_pdf(complaint, code, "Petugas Penerima Uji"), f"tanda-terima-pengaduan-{slug}",
                         unit, [("Petugas penerima,", None)], pages=1)  # fmt: skip
    assert "Petugas Penerima Uji" in texts[0] and complaint.number in texts[0]
    online = pages_of(receipt_pdf(complaint, code))
    assert len(online) == 1 and "sah tanpa tanda tangan" in online[0]


def _register(service: Service, officer):
    from webapp.berkas.service import Applicant, register, requirements

    applicant = Applicant("Budi Pemohon", "nik", "1471010101900001", "081299998888", address="Jl. Uji 9")
    berkas = register(service, applicant, [True] * len(requirements(service)), officer)
    db.session.commit()
    return berkas


@pytest.mark.parametrize("slug", [KAMPAR, PEKANBARU])
def test_the_issued_permit_carries_its_signatory_and_verification(office, make_user, slug):
    from webapp.berkas.documents import record_issued
    unit = office[slug]
    officer = make_user(role="admin")
    berkas = _register(demo_service(unit), officer)
    document = record_issued(berkas, number=f"503/UJI/{slug}/1", title="Surat Izin Uji", holder_name="Budi Pemohon",
                             issued_on=local_today(unit), valid_until=None, pdf=None, actor=officer)  # fmt: skip
    head = kepala_dinas(unit)
    texts = assert_paper(document.pdf, f"izin-terbit-{slug}", unit, [(f"Kepala {unit.name}", head)], pages=1)
    assert document.code in texts[0].replace(" ", "")


@pytest.mark.parametrize("slug", [KAMPAR, PEKANBARU])
def test_the_kartu_kendali(client, login, office, make_user, slug):
    unit = office[slug]
    officer = make_user(role="admin")
    officer.name = "Petugas Front Office Uji"
    berkas = _register(demo_service(unit), officer)
    bidang = {"name": "Kepala Bidang Uji, S.T.", "rank": "Pembina (IV/a)", "nip": "197803032003121003"}
    db.session.add(Signatory(unit_id=unit.id, role="kepala_bidang", valid_from=date(2024, 1, 1), **bidang))
    db.session.commit()
    login("admin")
    pdf = client.get(url_for("berkas.card_pdf", berkas_id=berkas.id)).data
    texts = assert_paper(pdf, f"kartu-kendali-{slug}", unit,
                         [("Petugas Front Office,", None), ("Mengetahui, Kepala Bidang", bidang)])  # fmt: skip
    assert berkas.number in texts[0] and "Paraf" in texts[0] and "Petugas Front Office Uji" in texts[0]


def test_a_permit_keeps_the_signatory_of_its_date(office, make_user):
    from webapp.berkas.documents import signer_of
    kampar = office[KAMPAR]
    db.session.add(Signatory(unit_id=kampar.id, role="kepala_dinas", valid_from=date(2026, 1, 5),
                             name="Kepala Baru Uji", rank="Pembina Utama Muda", nip="197001012000031003"))  # fmt: skip
    officer = make_user(role="admin")
    berkas = _register(demo_service(kampar), officer)
    assert signer_of(berkas, date(2025, 12, 31))["name"] == "HAMBALI, SE, MBA, MH"
    assert signer_of(berkas, date(2026, 1, 5))["name"] == "Kepala Baru Uji"


@pytest.mark.parametrize("slug", [KAMPAR, PEKANBARU])
def test_the_ikm_semester_report(client, login, office, slug):
    from webapp.survei.filing import file_response
    from webapp.survei.models import ELEMENT_CODES

    unit = office[slug]
    for index in range(5):
        file_response(service=demo_service(unit), answers=dict.fromkeys(ELEMENT_CODES, 3 + index % 2), sex="L",
                      age=30 + index, education="sma", occupation="swasta", actor=None)  # fmt: skip
    db.session.commit()
    login("admin")
    pdf = client.get(url_for("survei.report", slug=slug)).data
    assert_paper(pdf, f"laporan-ikm-{slug}", unit, [("Kepala Dinas", kepala_dinas(unit))])


@pytest.mark.parametrize("slug", [KAMPAR, PEKANBARU])
def test_the_queue_statistics_report_with_charts(client, login, office, slug):
    from antrian.issuing import issue_ticket
    from antrian.models import QueueService

    unit = office[slug]
    line = db.session.scalar(select(QueueService).where(QueueService.unit_id == unit.id))
    if line is not None:
        for _ in range(3):
            issue_ticket(line, check_hours=False)
        db.session.commit()
    login("admin")
    today = local_today(unit)
    pdf = client.get(url_for("antrian.statistics", slug=slug, dari=(today - timedelta(days=6)).isoformat(),
                             sampai=today.isoformat(), format="pdf")).data  # fmt: skip
    texts = assert_paper(pdf, f"statistik-antrian-{slug}", unit, [("Kepala Dinas", kepala_dinas(unit))])
    assert "Tiket per hari" in texts[0]


def test_the_kop_prints_the_logo_and_contacts(office):
    from flask import render_template

    kampar = office[KAMPAR]
    kampar.logo = PNG_1PX
    kampar.logo_type = "image/png"
    kampar.address = "Alamat Uji No. 1"
    db.session.commit()
    html = render_template("paper/_kop.html", unit=kampar)
    assert 'src="data:image/png;base64,' in html and "Alamat Uji No. 1" in html
    assert "E-mail dpmptsp@kamparkab.go.id" in html and "Telp. 0812-7646-0487" in html


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000 1f15c4890000000d49444154789c6360f8cfc0f01f0005000201"
    "e2217bc30000000049454e44ae426082".replace(" ", "")
)


# --- posters and the QR sheet (Chromium print-to-PDF) ----------------------------------------

LONG_TITLE = ("Pelayanan Perizinan Berusaha Berbasis Risiko Melalui Sistem Online Single Submission untuk Usaha Mikro "
              "dan Kecil Orang Perseorangan dengan Tingkat Risiko Rendah dan Menengah Rendah di Kabupaten")


def _print(browser, url: str) -> bytes:
    page = browser.new_page()
    page.goto(url)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    page.close()
    return pdf


def _all_demo_services() -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.is_published.is_(True)).order_by(Service.slug)))


def test_a_poster_for_every_demo_service_is_one_page_with_kop_and_qr(browser, live_server, demo):
    services = _all_demo_services()
    assert len(services) == 9
    for service in services:
        pdf = _print(browser, f"{live_server}{url_for('standards.poster', slug=service.slug)}")
        texts = pages_of(pdf)
        save_pngs(pdf, f"poster-{service.slug}")
        assert len(texts) == 1, f"{service.slug}: {len(texts)} halaman"
        assert service.unit.name.upper() in texts[0].upper() and "Pindai untuk membaca standar lengkap" in texts[0]


def test_a_poster_with_a_long_title_and_list_stays_one_page(browser, live_server, make_service, make_unit):
    from tests.conftest import standard_document

    items = [{"text": f"Persyaratan nomor {n} yang cukup panjang untuk memenuhi satu baris penuh pada poster A4 ini",
              "level": 0} for n in range(1, 41)]  # fmt: skip
    unit = make_unit(name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Uji")
    components = dict(standard_document()["components"], persyaratan={"items": items})
    service = make_service(unit=unit, slug="layanan-panjang", title=LONG_TITLE, components=components)
    pdf = _print(browser, f"{live_server}{url_for('standards.poster', slug=service.slug)}")
    texts = pages_of(pdf)
    save_pngs(pdf, "poster-panjang")
    assert len(texts) == 1
    assert "persyaratan lain. Selengkapnya: pindai kode QR" in texts[0]
    assert "Pindai untuk membaca standar lengkap" in texts[0]


@pytest.mark.parametrize("slug", [KAMPAR, PEKANBARU])
def test_the_permit_receipt_printed_by_chromium(browser, live_server, client, login, office, make_user, slug):
    unit = office[slug]
    officer = make_user(role="admin")
    officer.name = "Petugas Penerima Berkas"
    berkas = _register(demo_service(unit), officer)
    login("admin")
    html = client.get(url_for("berkas.receipt", berkas_id=berkas.id)).get_data(as_text=True)
    page = browser.new_page()
    page.goto(f"{live_server}/healthz")  # the printed page's stylesheets resolve against the live server
    page.set_content(html)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    page.close()
    texts = pages_of(pdf)
    save_pngs(pdf, f"tanda-terima-berkas-{slug}")
    assert len(texts) == 1 and unit.name.upper() in texts[0].upper()
    assert "Petugas penerima," in texts[0] and "Petugas Penerima Berkas" in texts[0] and "Pemohon," in texts[0]
    place = unit.place_name or unit.city
    assert f"{place}, " in texts[0]


@pytest.mark.parametrize("slug", [KAMPAR, PEKANBARU])
def test_the_qr_sheet_has_the_kop(browser, live_server, demo, slug):
    unit = Unit.by_slug(slug)
    pdf = _print(browser, f"{live_server}{url_for('standards.unit_qr_sheet', slug=slug)}")
    texts = pages_of(pdf)
    save_pngs(pdf, f"lembar-qr-{slug}")
    assert unit.name.upper() in texts[0].upper()


def _unused() -> None:  # keep names used by later parts of this module importable for linters
    _ = (re, utcnow)


def test_the_complaint_receipt_downloads_from_the_confirmation_and_the_counter(app, client, login, office):
    from tests.pengaduan_helpers import complaint_data

    genset = next(s for s in office[KAMPAR].published_services if s.slug == "izin-instalasi-genset")
    sent = client.post(url_for("pengaduan.form"), data=complaint_data(app, client, service=genset.slug))
    assert sent.status_code == 302
    assert "tanda-terima.pdf" in client.get(url_for("pengaduan.confirmation")).get_data(as_text=True)
    pdf = client.get(url_for("pengaduan.confirmation_pdf"))
    assert pdf.mimetype == "application/pdf" and "Cache-Control" in pdf.headers
    texts = pages_of(pdf.data)
    assert len(texts) == 1 and office[KAMPAR].name.upper() in texts[0].upper()
    assert "Budi" not in texts[0]  # the receipt names no one: the code is what it hands over
    fresh = app.test_client()
    assert fresh.get(url_for("pengaduan.confirmation_pdf")).status_code == 302  # another browser gets nothing
