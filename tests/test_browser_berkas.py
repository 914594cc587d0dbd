"""A berkas from registration at the front office to collection, through the Sanitarian SOP of
seed 004, with the applicant's tracking page open on a phone following it; then the issued
document's QR page verifies and a tampered code does not."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import PASSWORD
from webapp.berkas.models import Berkas
from webapp.core.extensions import db
from webapp.outbox.models import OutboxMessage

pytestmark = pytest.mark.browser

SANITARIAN = json.loads(
    (Path(__file__).parents[1] / "data" / "standards" / "izin-kerja-tenaga-sanitarian.json").read_text()
)
NAME, NIK, PHONE = "Siti Rahmawati Peramban", "1471015507900003", "0812 7777 8899"


def _staff(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.goto(f"{live_server}/admin/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    return context, page


def _receive_and_pass(page, url, to):
    page.goto(url)
    page.get_by_role("button", name="Terima berkas").click()
    expect(page.locator(".flashes")).to_contain_text("Berkas diterima")
    page.get_by_role("button", name=f"Serahkan ke {to}").click()
    expect(page.locator(".flashes")).to_contain_text(f"Berkas diserahkan ke {to}")


def test_registration_to_collection_with_the_tracking_page_following(
    app, browser, live_server, make_service, make_user, artifacts, monkeypatch
):
    monkeypatch.setitem(app.config, "BERKAS_TRACK_REFRESH_SECONDS", 1)
    service = make_service(slug="izin-kerja-tenaga-sanitarian-uji", title="Surat Izin Kerja Tenaga Sanitarian",
                           components=dict(SANITARIAN["components"]), sop=SANITARIAN["sop"])  # fmt: skip
    service.unit.address = "Jl. Jenderal Sudirman No. 464, Pekanbaru"
    db.session.commit()
    for username, role in (("loket", "petugas_loket"), ("sekdin", "sekretaris"), ("kadis", "kepala_dinas")):
        user = make_user(role=role, username=username)
        user.name = f"Pejabat {username.title()}"
    db.session.commit()

    fo_context, fo = _staff(browser, live_server, "loket")
    fo.goto(f"{live_server}/admin/berkas/daftar")
    fo.get_by_label("Layanan").select_option(label=f"Surat Izin Kerja Tenaga Sanitarian · {service.unit.short_name}")
    fo.get_by_role("button", name="Lanjut").click()
    fo.get_by_label("Nama pemohon").fill(NAME)
    fo.get_by_label("Nomor identitas").fill(NIK)
    fo.get_by_label("Nomor HP").fill(PHONE)
    fo.get_by_label("Alamat pemohon").fill("Jl. Kenanga No. 7, Pekanbaru")
    fo.get_by_label("Surat permohonan").check()
    fo.get_by_label("Persyaratan perizinan").check()
    fo.screenshot(path=str(artifacts / "berkas-pendaftaran.png"), full_page=True)
    fo.get_by_role("button", name="Daftarkan berkas").click()
    expect(fo.locator("h1")).to_have_text("Berkas 2026-00001")
    detail_url = fo.url
    fo.screenshot(path=str(artifacts / "berkas-kartu-kendali-awal.png"), full_page=True)
    tracking_url = fo.get_by_role("link", name="Halaman lacak pemohon").get_attribute("href")

    receipt = fo_context.new_page()
    receipt.goto(f"{detail_url}/tanda-terima")
    expect(receipt.locator(".receipt-qr svg")).to_be_visible()
    receipt.screenshot(path=str(artifacts / "berkas-tanda-terima.png"), full_page=True)
    receipt.pdf(path=str(artifacts / "berkas-tanda-terima.pdf"), format="A4")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(artifacts / "berkas-tanda-terima.pdf"),
                    str(artifacts / "berkas-tanda-terima-pdf")], check=True)  # fmt: skip
    receipt.close()

    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="id-ID")
    phone = phone_context.new_page()
    phone.goto(tracking_url)
    status = phone.locator("#status-berkas")
    expect(status).to_contain_text("Langkah 1 dari 8")
    expect(status).to_contain_text("Pemeriksaan kelengkapan berkas")
    phone.screenshot(path=str(artifacts / "berkas-lacak-390-awal.png"), full_page=True)

    fo.get_by_label("Catatan penyerahan (boleh kosong)").fill("Berkas lengkap")
    fo.get_by_role("button", name="Serahkan ke Back Office").click()
    expect(status).to_contain_text("Langkah 2 dari 8")  # the open phone page follows without a reload
    expect(status).to_contain_text("Penyiapan dokumen")

    _receive_and_pass(fo, detail_url, "JF Analis Kebijakan Ahli Muda")
    _receive_and_pass(fo, detail_url, "JF Analis Kebijakan Ahli Madya")
    # The Ahli Madya finds the Ahli Muda's paraf missing and sends the file back.
    fo.get_by_role("button", name="Terima berkas").click()
    fo.locator("summary", has_text="Kembalikan ke langkah sebelumnya").click()
    fo.get_by_label("Kembalikan ke langkah").select_option(index=2)
    fo.get_by_label("Alasan pengembalian").fill("Paraf JF Ahli Muda belum ada")
    fo.get_by_role("button", name="Kembalikan", exact=True).click()
    expect(fo.locator(".flashes")).to_contain_text("Berkas dikembalikan")
    expect(status).to_contain_text("Berkas dikembalikan untuk perbaikan")
    expect(status).to_contain_text("Langkah 3 dari 8")
    _receive_and_pass(fo, detail_url, "JF Analis Kebijakan Ahli Madya")
    _receive_and_pass(fo, detail_url, "Sekretaris")
    fo.goto(detail_url)
    expect(fo.locator(".step-now")).to_contain_text("dikerjakan oleh Sekretaris")  # not the counter's step

    sek_context, sek = _staff(browser, live_server, "sekdin")
    _receive_and_pass(sek, detail_url, "Kepala Dinas")
    expect(status).to_contain_text("Penandatanganan oleh Kepala Dinas")
    kadis_context, kadis = _staff(browser, live_server, "kadis")
    _receive_and_pass(kadis, detail_url, "Back Office")
    _receive_and_pass(fo, detail_url, "Front Office")
    expect(fo.locator(".flashes")).to_contain_text("pemohon diberi tahu lewat SMS")
    expect(status).to_contain_text("siap diambil")
    expect(status).to_contain_text("Jl. Jenderal Sudirman No. 464")
    phone.screenshot(path=str(artifacts / "berkas-lacak-390-siap.png"), full_page=True)
    sms = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")).one()
    assert sms.topic == "berkas.siap" and "2026-00001" in sms.body and NAME not in sms.body

    # The back office records the signed permit; the system generates its PDF with the QR.
    fo.goto(detail_url)
    fo.get_by_role("link", name="Catat dokumen terbit").click()
    fo.get_by_label("Nomor dokumen").fill("503/DPMPTSP/SIK-TS/2026/0001")
    fo.get_by_role("button", name="Simpan dokumen").click()
    expect(fo.locator(".flashes")).to_contain_text("tercatat dengan kode verifikasi")
    verify_href = fo.get_by_role("link", name="Halaman verifikasi").get_attribute("href")
    pdf = fo_context.request.get(f"{live_server}{fo.get_by_role('link', name='PDF').get_attribute('href')}")
    (artifacts / "berkas-dokumen.pdf").write_bytes(pdf.body())
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(artifacts / "berkas-dokumen.pdf"),
                    str(artifacts / "berkas-dokumen")], check=True)  # fmt: skip
    text = subprocess.run(["pdftotext", str(artifacts / "berkas-dokumen.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert f"{live_server}{verify_href}" in text.replace("\n", "")

    fo.get_by_role("button", name="Terima berkas").click()
    expect(fo.get_by_label("Nama yang mengambil")).to_have_value(NAME)
    fo.get_by_role("button", name="Serahkan dokumen kepada pemohon").click()
    expect(fo.locator(".flashes")).to_contain_text("Berkas selesai")
    expect(status).to_contain_text("Dokumen sudah diambil")
    # Handed over: the phone that follows the file offers the survey, the counter shows its QR.
    expect(phone.get_by_role("link", name="Isi survei kepuasan")).to_be_visible()
    expect(fo.get_by_role("img", name=re.compile("Kode QR survei kepuasan"))).to_be_visible()
    phone.screenshot(path=str(artifacts / "berkas-lacak-390-selesai.png"), full_page=True)
    fo.screenshot(path=str(artifacts / "berkas-kartu-kendali-selesai.png"), full_page=True)
    for secret in (NAME, NIK, "8899", "Kenanga", "Pejabat Loket", "Pejabat Sekdin", "Pejabat Kadis"):
        assert secret not in phone.content()

    checker = phone_context.new_page()
    checker.goto(f"{live_server}{verify_href}")
    expect(checker.locator("h1")).to_have_text("Dokumen sah")
    expect(checker.locator(".verify-facts")).to_contain_text("S*** R******** P*******")
    checker.screenshot(path=str(artifacts / "berkas-verifikasi-390.png"), full_page=True)
    tampered = verify_href[:-1] + ("a" if verify_href[-1] != "a" else "b")
    checker.goto(f"{live_server}{tampered}")
    expect(checker.locator("h1")).to_have_text("Kode tidak sah")
    checker.screenshot(path=str(artifacts / "berkas-verifikasi-palsu-390.png"), full_page=True)
    overflow = checker.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0

    fo.goto(f"{live_server}/admin/berkas?status=semua")
    fo.screenshot(path=str(artifacts / "berkas-daftar.png"), full_page=True)
    fo.goto(f"{live_server}/admin/berkas/statistik")
    fo.screenshot(path=str(artifacts / "berkas-statistik.png"), full_page=True)
    berkas = db.session.scalars(select(Berkas)).one()
    assert berkas.status == "selesai" and [m.kind for m in berkas.movements].count("kembali") == 1
    for context in (phone_context, fo_context, sek_context, kadis_context):
        context.close()


def test_an_incomplete_file_is_returned_with_a_printed_list(browser, live_server, make_service, make_user, artifacts):
    service = make_service(title="Izin Instalasi Genset Uji")
    make_user(role="petugas_loket", username="loket2")
    context, page = _staff(browser, live_server, "loket2")
    page.goto(f"{live_server}/admin/berkas/daftar?layanan={service.id}")
    page.get_by_label("Nama pemohon").fill(NAME)
    page.get_by_label("Jenis identitas").select_option("nib")
    page.get_by_label("Nomor identitas").fill("9120001234567")
    page.get_by_label("Nomor HP").fill(PHONE)
    page.get_by_label("Alamat pemohon").fill("Jl. Kenanga No. 7")
    page.get_by_label("Fotokopi KTP").check()
    page.get_by_role("button", name="Daftarkan berkas").click()
    expect(page.get_by_role("alert")).to_contain_text("Surat permohonan")
    expect(page.get_by_label("Nama pemohon")).to_have_value(NAME)
    page.screenshot(path=str(artifacts / "berkas-belum-lengkap-konfirmasi.png"), full_page=True)
    page.get_by_role("button", name="Kembalikan ke pemohon dan cetak kekurangan").click()
    expect(page.locator("h1")).to_have_text("Berkas Dikembalikan: Persyaratan Belum Lengkap")
    expect(page.locator(".missing-print")).to_have_text("Surat permohonan")
    page.screenshot(path=str(artifacts / "berkas-daftar-kekurangan.png"), full_page=True)
    context.close()


def test_the_admin_edits_a_route_in_the_browser(browser, live_server, make_service, make_user, artifacts):
    service = make_service(title="Izin Uji Alur", sop=SANITARIAN["sop"])
    make_user(role="admin", username="admin2")
    context, page = _staff(browser, live_server, "admin2")
    page.goto(f"{live_server}/admin/berkas/alur")
    page.get_by_role("link", name="Izin Uji Alur").click()
    expect(page.locator(".edit-row")).to_have_count(8)  # the SOP's route, to start from
    page.get_by_role("button", name="Hapus langkah 3").click()
    expect(page.locator(".edit-row")).to_have_count(7)
    page.get_by_role("button", name="+ Tambah langkah").click()
    expect(page.locator(".edit-row")).to_have_count(8)
    page.locator("#steps-7-name").fill("Penyerahan izin")
    page.locator("#steps-7-executor").fill("Front Office")
    page.locator("#steps-7-public_label").fill("Izin siap diambil")
    page.screenshot(path=str(artifacts / "berkas-alur-edit.png"), full_page=True)
    page.get_by_role("button", name="Simpan alur").click()
    expect(page.locator(".flashes")).to_contain_text("Alur berkas disimpan")
    page.goto(f"{live_server}/admin/berkas/alur")
    expect(page.locator("tbody tr", has_text="Izin Uji Alur")).to_contain_text("Diatur admin")
    context.close()
    assert service.id
