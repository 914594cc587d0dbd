"""Complaint staff work: the Buku Pengaduan, handling steps and history, direct complaints, the monthly report."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from io import BytesIO

import pytest
from flask import url_for
from openpyxl import load_workbook

from tests.conftest import csrf_from
from tests.pengaduan_helpers import EMAIL, NAME, NIK, PHONE, complaint_data, file_one
from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.outbox.models import OutboxMessage
from webapp.pengaduan.models import Complaint, ComplaintReport
from webapp.pengaduan.service import (
    ComplaintError,
    ComplaintInput,
    classify,
    file_complaint,
    find_by_code,
    resolve,
    verify,
)
from webapp.workdays.service import add_working_days

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'


pytestmark = pytest.mark.usefixtures("fresh_limits")


def _act(client, complaint, action, **data):
    token = csrf_from(client, url_for("pengaduan.case_view", complaint_id=complaint.id))
    fields = {f"{action}-{name}": value for name, value in data.items()}
    return client.post(url_for("pengaduan.case_action", complaint_id=complaint.id, action=action),
                       data={f"{action}-csrf_token": token, **fields})


def test_handling_from_receipt_to_minutes_with_history(client, login, make_user):
    complaint, code = file_one()
    officer = make_user(role="tim_pengaduan", username="petugas-a")
    lead = login("tim_pengaduan", username="ketua-tim")

    assert _act(client, complaint, "bobot", weight="ringan").status_code == 422  # verify first
    assert _act(client, complaint, "verifikasi", text="Identitas lengkap.").status_code == 302
    answer = _act(client, complaint, "bobot", weight="sedang", text="Menyangkut pungutan.")
    assert answer.status_code == 302
    db.session.expire_all()
    assert complaint.weight == "sedang" and complaint.status == "ditindaklanjuti"
    assert complaint.holder.startswith("Kepala Bidang dan Kepala Dinas")
    assert _act(client, complaint, "tugaskan", assignee=officer.id).status_code == 302
    db.session.expire_all()
    assert complaint.assignee_id == officer.id and officer.display_name in complaint.holder
    assert _act(client, complaint, "catatan", text="Cek rekaman CCTV loket 2.").status_code == 302
    assert _act(client, complaint, "balas", text="Kami sedang memeriksa kejadian ini.").status_code == 302
    refused = _act(client, complaint, "selesai", text="")
    assert refused.status_code == 422 and "Wajib diisi" in refused.text
    resolved = _act(client, complaint, "selesai", text="Biaya tambahan dikembalikan; petugas diberi teguran.")
    assert resolved.status_code == 302

    db.session.expire_all()
    assert complaint.status == "selesai" and complaint.closed_at is not None
    actions = [e.action for e in complaint.events]
    assert actions == ["diterima", "diverifikasi", "klasifikasi", "ditindaklanjuti", "ditugaskan", "catatan",
                       "balasan", "selesai"]
    assert all(e.actor == lead.display_name for e in complaint.events[1:])
    assert {e.action for e in complaint.events if e.public} == {"diterima", "diverifikasi", "ditindaklanjuti",
                                                                "balasan", "selesai"}
    page = client.get(url_for("pengaduan.case_view", complaint_id=complaint.id)).text
    assert "Cek rekaman CCTV loket 2." in page and lead.display_name in page
    tracking = client.get(url_for("pengaduan.track", code=code)).text
    assert "Cek rekaman CCTV" not in tracking and officer.display_name not in tracking
    assert "Kami sedang memeriksa kejadian ini." in tracking and "Biaya tambahan dikembalikan" in tracking
    topics = [m.topic for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))]
    assert topics == ["pengaduan.diterima", "pengaduan.balasan", "pengaduan.selesai"]

    pdf = client.get(url_for("pengaduan.minutes_pdf", complaint_id=complaint.id))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert complaint.number in pdf.headers["Content-Disposition"]

    assert _act(client, complaint, "buka-kembali", text="Pengadu belum menerima pengembalian.").status_code == 302
    db.session.expire_all()
    assert complaint.status == "ditindaklanjuti" and complaint.closed_at is None
    assert complaint.due_on == add_working_days(local_today(), 14, complaint.unit_id)
    assert client.get(url_for("pengaduan.minutes_pdf", complaint_id=complaint.id)).status_code == 404
    assert _act(client, complaint, "tolak", text="").status_code == 422
    assert _act(client, complaint, "tolak", text="Di luar kewenangan dinas.").status_code == 302
    db.session.expire_all()
    assert complaint.status == "ditolak" and complaint.rejection_reason == "Di luar kewenangan dinas."
    assert "Di luar kewenangan dinas." in client.get(url_for("pengaduan.track", code=code)).text


def test_classification_routes_as_seed_004_says(login):
    user = login("tim_pengaduan")
    for weight, holder in (("ringan", user.display_name), ("sedang", "Kepala Bidang dan Kepala Dinas"),
                           ("berat", "Kepala Dinas bersama Bupati/Wali Kota")):
        complaint, _ = file_one()
        verify(complaint, user)
        from webapp.pengaduan.service import assign

        assign(complaint, user, user)
        classify(complaint, weight, user)
        assert complaint.holder.startswith(holder), (weight, complaint.holder)
    with pytest.raises(ComplaintError):
        classify(complaint, "ekstrem", user)


def test_reply_goes_through_the_channel_the_complaint_came_from(app, login):
    user = login("tim_pengaduan")
    from webapp.pengaduan.service import reply

    cases = [("email", EMAIL, PHONE, ("email", EMAIL)), ("telepon", "", PHONE, ("whatsapp", PHONE)),
             ("surat", EMAIL, PHONE, ("whatsapp", PHONE)), ("surat", "", "", None),
             ("datang_langsung", "", "", None), ("online", "", PHONE, ("whatsapp", PHONE))]
    for channel, email, phone, expected in cases:
        db.session.execute(db.delete(OutboxMessage))
        complaint, _ = file_one(channel=channel, email=email, phone=phone)
        verify(complaint, user)
        sent = reply(complaint, "Jawaban.", user)
        db.session.commit()
        messages = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.topic == "pengaduan.balasan")).all()
        assert sent == (expected is not None), channel
        assert [(m.channel, m.recipient) for m in messages] == ([expected] if expected else []), channel


def test_book_lists_overdue_then_due_soon_first_and_highlights_them(client, login):
    today = local_today()
    fresh, _ = file_one()
    overdue, _ = file_one()
    overdue.due_on = today - timedelta(days=3)
    soon, _ = file_one()
    soon.due_on = add_working_days(today, 1, None)
    closed, _ = file_one()
    closed.status, closed.due_on = "selesai", today - timedelta(days=30)
    db.session.commit()
    login("sekretaris")
    page = client.get(url_for("pengaduan.book"))
    assert page.status_code == 200
    order = re.findall(r">(ADU-\d{4}-\d{6})<", page.text)
    assert order == [overdue.number, soon.number, fresh.number, closed.number]
    rows = re.findall(r'<tr class="([^"]*)">\s*<td><a [^>]*>(ADU-[\d-]+)<', page.text)
    assert ("deadline-terlambat", overdue.number) in rows and ("deadline-segera", soon.number) in rows
    assert "1 terlambat" in page.text and "1 segera jatuh tempo" in page.text
    only_late = client.get(url_for("pengaduan.book", tenggat="terlambat")).text
    assert overdue.number in only_late and fresh.number not in only_late
    open_only = client.get(url_for("pengaduan.book", status="terbuka")).text
    assert closed.number not in open_only


def test_book_filters_search_and_pages(client, login, make_service):
    service = make_service(title="Izin Reklame")
    file_one(service=service, channel="surat", description="Surat pengaduan tentang reklame roboh.")
    for i in range(30):
        file_one(description=f"Pengaduan biasa nomor {i} tentang antrean.")
    login("tim_pengaduan")
    by_search = client.get(url_for("pengaduan.book", q="roboh")).text
    assert by_search.count("ADU-") == 1 and "Izin Reklame" in by_search
    assert client.get(url_for("pengaduan.book", channel="surat")).text.count('<td><a href="/admin/pengaduan/') == 1
    first = client.get(url_for("pengaduan.book")).text
    assert "Halaman 1 dari 2" in first and "Berikutnya" in first
    second = client.get(url_for("pengaduan.book", halaman=2)).text
    assert second.count('<td><a href="/admin/pengaduan/') == 6


def test_anonymous_identity_is_for_the_complaint_team_only(client, login, make_user):
    complaint, _ = file_one(anonymous=True)
    login("sekretaris")
    for url in (url_for("pengaduan.book"), url_for("pengaduan.case_view", complaint_id=complaint.id)):
        html = client.get(url).text
        assert NAME not in html and PHONE not in html and NIK not in html and "Anonim" in html
    assert complaint.number not in client.get(url_for("pengaduan.book", q="Uniknama")).text  # no unmasking by search
    sheet = load_workbook(BytesIO(client.get(url_for("pengaduan.book", format="xlsx")).data)).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Anonim"]
    login("tim_pengaduan")
    assert NAME in client.get(url_for("pengaduan.case_view", complaint_id=complaint.id)).text
    sheet = load_workbook(BytesIO(client.get(url_for("pengaduan.book", format="xlsx")).data)).active
    number, received, name = next(sheet.iter_rows(min_row=2, max_col=3, values_only=True))
    assert (number, received.date(), name) == (complaint.number, complaint.received_on, NAME)
    assert complaint.number in client.get(url_for("pengaduan.book", q="Uniknama")).text


def test_markup_in_every_field_is_shown_escaped_on_every_page(app, client, login, make_service):
    data = complaint_data(app, client, name=MARKUP, service_other=MARKUP, description=f"Uraian {MARKUP}",
                          incident_place=MARKUP, desired_outcome=MARKUP)
    assert client.post(url_for("pengaduan.form"), data=data).status_code == 302
    confirmation = client.get(url_for("pengaduan.confirmation")).text
    code = re.search(r"/pengaduan/lacak/([0-9A-Z]{16})", confirmation).group(1)
    complaint = find_by_code(code)
    login("tim_pengaduan")
    for action, field in (("verifikasi", "text"), ("catatan", "text"), ("balas", "text")):
        assert _act(client, complaint, action, **{field: f"Teks {MARKUP}"}).status_code == 302
    bad_form = client.post(url_for("pengaduan.form"), data=complaint_data(app, client, name=MARKUP, phone="",
                                                                         email="", description=MARKUP))
    pages = {
        "confirmation": confirmation,
        "invalid form": bad_form.text,
        "tracking": client.get(url_for("pengaduan.track", code=code)).text,
        "book": client.get(url_for("pengaduan.book")).text,
        "case": client.get(url_for("pengaduan.case_view", complaint_id=complaint.id)).text,
        "report": client.get(url_for("pengaduan.report_view", year=complaint.year,
                                     month=complaint.received_on.month)).text,
    }
    assert _act(client, complaint, "bobot", weight="ringan", text=MARKUP).status_code == 302
    assert _act(client, complaint, "selesai", text=f"Selesai {MARKUP}").status_code == 302
    pages["case after"] = client.get(url_for("pengaduan.case_view", complaint_id=complaint.id)).text
    session_receipt = _act(client, complaint, "kode-baru")
    pages["receipt"] = client.get(session_receipt.headers["Location"]).text
    pdf = client.get(url_for("pengaduan.minutes_pdf", complaint_id=complaint.id)).data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert '<script>alert("x")</script>' in " ".join(text.split())  # printed as text, never interpreted
    for name, html in pages.items():
        assert "<script>alert" not in html, name
        assert "<img src=x" not in html, name
    for name in ("invalid form", "tracking", "book", "case"):
        assert "&lt;script&gt;" in pages[name], name


def test_direct_complaint_recorded_for_a_visitor(client, login, make_service):
    service = make_service()
    login("petugas_loket")
    page = client.get(url_for("pengaduan.staff_new"))
    assert page.status_code == 200 and "SP4N-LAPOR!" in page.text
    token = csrf_from(client, url_for("pengaduan.staff_new"))
    letter_day = local_today() - timedelta(days=3)
    answer = client.post(url_for("pengaduan.staff_new"), data={
        "csrf_token": token, "channel": "surat", "received_on": letter_day.isoformat(), "service": service.slug,
        "description": "Surat dari warga: izin belum terbit setelah 10 hari.", "name": "", "phone": ""})
    assert answer.status_code == 302
    complaint = db.session.scalars(db.select(Complaint)).one()
    assert complaint.channel == "surat" and complaint.received_on == letter_day
    assert complaint.due_on == add_working_days(letter_day, 14, complaint.unit_id)
    assert complaint.recorded_by_id is not None and "Dicatat oleh petugas" in complaint.events[0].internal_text
    receipt = client.get(answer.headers["Location"])
    assert complaint.number in receipt.text and "Dibalas melalui surat" in receipt.text
    code = re.search(r"/pengaduan/lacak/([0-9A-Z]{16})/qr\.svg", receipt.text).group(1)
    assert find_by_code(code) == complaint
    assert client.get(url_for("pengaduan.book")).status_code == 403  # the counter records, the team handles
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0  # no contact, no message


def test_a_unit_account_records_complaints_for_its_own_unit_only(client, login, make_unit, make_service, make_user):
    """Found in review: a unit's petugas could file (and backdate) a complaint into another unit's register."""
    own, other = make_unit(), make_unit()
    mine = make_service(unit=own, slug="layanan-saya", title="Layanan Saya")
    theirs = make_service(unit=other, slug="layanan-lain", title="Layanan Lain")
    officer = login("petugas_loket", unit=own)
    page = client.get(url_for("pengaduan.staff_new")).text
    assert mine.slug in page and theirs.slug not in page
    token = csrf_from(client, url_for("pengaduan.staff_new"))
    refused = client.post(url_for("pengaduan.staff_new"), data={
        "csrf_token": token, "channel": "surat", "received_on": local_today().isoformat(), "service": theirs.slug,
        "description": "Surat untuk instansi lain, cukup panjang.", "name": "", "phone": ""})
    assert refused.status_code == 422 and "Surat untuk instansi lain" in refused.text
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 0
    with pytest.raises(ComplaintError, match="instansi lain"):  # the service's own rule, for every caller
        file_complaint(ComplaintInput(description="Langsung ke layanan.", service=theirs, channel="surat"),
                       user=officer)
    _, plain = make_user(role="petugas_loket", unit=own).issue_token("uji")
    db.session.commit()
    api = client.post(url_for("api.create_complaint"), headers={"Authorization": f"Bearer {plain}"},
                      json={"description": "Lewat API untuk instansi lain.", "service": theirs.slug,
                            "channel": "datang_langsung", "anonymous": True, "phone": "081234567890"})
    assert api.status_code == 422 and "service" in api.get_json()["error"]["fields"]
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 0


def test_queue_ticket_of_service_d_becomes_a_complaint_at_the_counter(client, login, make_queue):
    from datetime import time as clock

    from antrian.issuing import issue_ticket
    from antrian.models import Counter, QueueService
    from antrian.service import call_next

    q = make_queue()
    d = QueueService(unit=q["unit"], code="D", name="Pengaduan", opens_at=clock(0, 0), closes_at=clock(0, 0))
    desk = Counter(unit=q["unit"], number=4, name="Loket 4", queue_services=[d])
    db.session.add_all([d, desk])
    db.session.commit()
    issue_ticket(d)
    ticket = call_next(desk)
    db.session.commit()
    login("petugas_loket", unit=q["unit"])
    panel = client.get(url_for("antrian.counter_panel", loket=desk.id)).text
    link = url_for("pengaduan.staff_new", tiket=ticket.id)
    assert f'href="{link}"' in panel and "Catat sebagai pengaduan" in panel
    other_panel = client.get(url_for("antrian.counter_panel", loket=q["loket1"].id)).text
    assert "Catat sebagai pengaduan" not in other_panel
    form = client.get(link)
    assert form.status_code == 200 and ticket.number in form.text
    assert 'value="datang_langsung" selected' in form.text or '<option selected value="datang_langsung">' in form.text
    token = csrf_from(client, link)
    answer = client.post(link, data={"csrf_token": token, "channel": "datang_langsung", "ticket": str(ticket.id),
                                     "service": "lainnya", "name": "Warga Loket", "phone": PHONE,
                                     "description": "Petugas loket tidak ramah kepada pemohon."})
    assert answer.status_code == 302
    complaint = db.session.scalars(db.select(Complaint)).one()
    assert complaint.ticket_id == ticket.id and complaint.channel == "datang_langsung"
    assert ticket.number in complaint.events[0].internal_text
    again = client.get(link)
    assert again.status_code == 302 and db.session.scalar(db.select(db.func.count(Complaint.id))) == 1
    a_ticket = issue_ticket(q["A"])
    assert client.get(url_for("pengaduan.staff_new", tiket=a_ticket.id)).status_code == 404


def test_new_code_replaces_a_lost_one(client, login):
    complaint, old = file_one()
    login("tim_pengaduan")
    answer = _act(client, complaint, "kode-baru")
    receipt = client.get(answer.headers["Location"]).text
    new = re.search(r"/pengaduan/lacak/([0-9A-Z]{16})/qr\.svg", receipt).group(1)
    assert new != old and find_by_code(old) is None and find_by_code(new) == complaint
    message = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.topic == "pengaduan.kode_baru")).one()
    assert new[:4] in message.body


# --- the monthly report --------------------------------------------------------------------------


def _month_with_complaints(user) -> tuple[int, int, list[Complaint]]:
    today = local_today()
    made = []
    for channel, weight in (("online", "ringan"), ("surat", "sedang"), ("datang_langsung", None)):
        complaint, _ = file_one(channel=channel)
        if weight:
            verify(complaint, user)
            classify(complaint, weight, user)
        made.append(complaint)
    resolve(made[0], "Sudah dijelaskan kepada pengadu.", user)
    made[2].due_on = today - timedelta(days=1)  # overdue
    db.session.commit()
    return today.year, today.month, made


def test_report_figures(login):
    from webapp.pengaduan.reporting import compute_figures

    year, month, made = _month_with_complaints(login("tim_pengaduan"))
    figures = compute_figures(year, month, None)
    assert figures["total"] == 3
    channels = {row["label"]: row["count"] for row in figures["by_channel"]}
    assert channels["Formulir daring"] == 1 and channels["Surat"] == 1 and channels["Datang langsung"] == 1
    assert {row["label"]: row["count"] for row in figures["by_kind"]} == {"Tidak langsung": 2, "Langsung": 1}
    weights = {row["label"]: row["count"] for row in figures["by_weight"]}
    assert weights == {"Ringan": 1, "Sedang": 1, "Berat": 0, "Belum ditetapkan": 1}
    assert {row["label"]: row["count"] for row in figures["by_status"]}["Selesai"] == 1
    assert figures["resolution"]["resolved"] == 1 and figures["resolution"]["on_time"] == 1
    assert figures["resolution"]["mean_days"] == 0
    assert [row["number"] for row in figures["overdue"]] == [made[2].number]
    other = date(year - 1, month, 1)
    assert compute_figures(other.year, other.month, None)["total"] == 0


def test_report_review_returned_then_approved_for_the_kepala_dinas(client, login):
    year, month, made = _month_with_complaints(login("tim_pengaduan"))
    url = url_for("pengaduan.report_view", year=year, month=month)
    page = client.get(url)
    assert page.status_code == 200 and "Ajukan kepada Sekretaris" in page.text
    saved = client.post(url, data={"csrf_token": csrf_from(client, url), "summary": "Tiga pengaduan."})
    assert saved.status_code == 302
    submit = url_for("pengaduan.report_submit", year=year, month=month)
    assert client.post(submit, data={"csrf_token": csrf_from(client, url)}).status_code == 302
    report = db.session.scalars(db.select(ComplaintReport)).one()
    assert report.status == "diajukan" and report.figures["total"] == 3
    file_one()  # a complaint arriving later does not change what was submitted
    assert client.get(url_for("pengaduan.report_xlsx", year=year, month=month)).status_code == 200

    login("sekretaris")
    review = url_for("pengaduan.report_review", year=year, month=month)
    token = csrf_from(client, url)
    empty = client.post(review, data={"csrf_token": token, "keputusan": "kembalikan", "note": ""})
    assert empty.status_code == 422 and "perlu diperbaiki" in empty.text
    assert client.post(review, data={"csrf_token": token, "keputusan": "kembalikan",
                                     "note": "Lengkapi analisis pengaduan terlambat."}).status_code == 302
    db.session.expire_all()
    assert report.status == "dikembalikan"

    login("tim_pengaduan")
    returned = client.get(url).text
    assert "Lengkapi analisis pengaduan terlambat." in returned
    client.post(url, data={"csrf_token": csrf_from(client, url), "summary": "Tiga pengaduan; satu terlambat."})
    client.post(submit, data={"csrf_token": csrf_from(client, url)})
    db.session.expire_all()
    assert report.status == "diajukan" and report.figures["total"] == 4

    assert client.post(review, data={"csrf_token": csrf_from(client, url), "keputusan": "setujui"}).status_code == 403
    sekretaris = login("sekretaris")
    assert client.post(review, data={"csrf_token": csrf_from(client, url), "keputusan": "setujui",
                                     "note": "Baik."}).status_code == 302
    db.session.expire_all()
    assert report.status == "disetujui" and report.approved_by == sekretaris.display_name
    assert [h["action"] for h in report.history] == ["dibuat", "diajukan", "dikembalikan", "diubah", "diajukan",
                                                     "disetujui"]

    login("kepala_dinas")
    listing = client.get(url_for("pengaduan.reports")).text
    assert "Disetujui, diserahkan kepada Kepala Dinas" in listing
    pdf = client.get(url_for("pengaduan.report_pdf", year=year, month=month))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    xlsx = client.get(url_for("pengaduan.report_xlsx", year=year, month=month))
    book = load_workbook(BytesIO(xlsx.data))
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True)}
    assert summary["Jumlah pengaduan"] == 4 and summary["Status laporan"].startswith("Disetujui")
    assert [row[0] for row in book["Terlambat"].iter_rows(min_row=2, values_only=True)] == [made[2].number]
    assert NAME not in str([list(s.values) for s in book.worksheets])
    assert client.post(url, data={"csrf_token": csrf_from(client, url), "summary": "x"}).status_code == 403


# --- the report per unit (security M6) -------------------------------------------------------------


def _three_complaints(make_unit, make_complaint) -> dict:
    """Pekanbaru's, Kampar's and a complaint about no unit's service, all overdue this month."""
    pku = make_unit(slug="pekanbaru", name="DPMPTSP Kota Pekanbaru", short_name="DPMPTSP Pekanbaru")
    kampar = make_unit(slug="kampar", name="DPMPTSP Kabupaten Kampar", short_name="DPMPTSP Kampar")
    made = {"pku": pku, "kampar": kampar,
            "mine": make_complaint(pku, title="Izin Reklame Pekanbaru"),
            "theirs": make_complaint(kampar, title="Izin Instalasi Genset Kampar"),
            "loose": make_complaint(None)}
    today = local_today()
    for key in ("mine", "theirs", "loose"):
        made[key].due_on = today - timedelta(days=1)  # overdue: their numbers are listed in the report
    db.session.commit()
    made["year"], made["month"] = today.year, today.month
    return made


def _pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _xlsx_text(data: bytes) -> str:
    return str([list(sheet.values) for sheet in load_workbook(BytesIO(data)).worksheets])


def test_a_unit_team_reads_only_its_units_complaints_in_the_report_and_its_files(client, login, make_unit,
                                                                                  make_complaint):
    c = _three_complaints(make_unit, make_complaint)
    login("tim_pengaduan", unit=c["pku"])
    month = {"year": c["year"], "month": c["month"]}
    page = client.get(url_for("pengaduan.report_view", **month))
    assert page.status_code == 200
    for other in ("theirs", "loose"):
        assert c[other].number not in page.text
    assert "Genset Kampar" not in page.text
    assert c["mine"].number in page.text and "DPMPTSP Pekanbaru" in page.text
    xlsx = client.get(url_for("pengaduan.report_xlsx", **month))
    summary = {row[0]: row[1] for row in load_workbook(BytesIO(xlsx.data))["Ringkasan"].iter_rows(values_only=True)}
    assert summary["Jumlah pengaduan"] == 1
    assert c["mine"].number in _xlsx_text(xlsx.data)
    assert c["theirs"].number not in _xlsx_text(xlsx.data) and "Genset Kampar" not in _xlsx_text(xlsx.data)
    pdf = _pdf_text(client.get(url_for("pengaduan.report_pdf", **month)).data)
    assert c["mine"].number in pdf and c["theirs"].number not in pdf and "Genset Kampar" not in pdf
    listing = client.get(url_for("pengaduan.reports")).text
    assert "Semua instansi" not in listing
    # Another unit's report, and the office-wide one, are refused: page, PDF and XLSX.
    for instansi in ("kampar", "semua"):
        for endpoint in ("pengaduan.report_view", "pengaduan.report_pdf", "pengaduan.report_xlsx"):
            answer = client.get(url_for(endpoint, instansi=instansi, **month))
            assert answer.status_code == 403, (endpoint, instansi)
    assert client.get(url_for("pengaduan.report_view", instansi="tidak-ada", **month)).status_code == 404


def test_a_unit_team_cannot_submit_another_units_or_the_office_wide_report(client, login, make_unit,
                                                                          make_complaint):
    c = _three_complaints(make_unit, make_complaint)
    member = login("tim_pengaduan", unit=c["pku"])
    month = {"year": c["year"], "month": c["month"]}
    token = csrf_from(client, url_for("pengaduan.report_view", **month))
    for instansi in ("kampar", "semua"):
        submit = client.post(url_for("pengaduan.report_submit", instansi=instansi, **month), data={"csrf_token": token})
        assert submit.status_code == 403, instansi
        summary = client.post(url_for("pengaduan.report_view", instansi=instansi, **month),
                              data={"csrf_token": token, "summary": "Ringkasan"})
        assert summary.status_code == 403, instansi
    assert db.session.scalars(db.select(ComplaintReport)).all() == []
    assert client.post(url_for("pengaduan.report_submit", **month), data={"csrf_token": token}).status_code == 302
    report = db.session.scalars(db.select(ComplaintReport)).one()
    assert report.unit_id == c["pku"].id and report.status == "diajukan" and report.figures["total"] == 1
    assert report.history[-1]["actor"] == member.display_name


def test_a_unit_sekretaris_reviews_only_its_units_report(client, login, make_unit, make_complaint):
    c = _three_complaints(make_unit, make_complaint)
    month = {"year": c["year"], "month": c["month"]}
    login("tim_pengaduan", unit=c["pku"])
    client.post(url_for("pengaduan.report_submit", **month),
                data={"csrf_token": csrf_from(client, url_for("pengaduan.report_view", **month))})
    report = db.session.scalars(db.select(ComplaintReport)).one()

    login("sekretaris", unit=c["kampar"])
    own = client.get(url_for("pengaduan.report_view", **month)).text
    assert "Diajukan kepada Sekretaris" not in own and c["theirs"].number in own
    assert "Diajukan" not in client.get(url_for("pengaduan.reports")).text
    token = csrf_from(client, url_for("pengaduan.report_view", **month))
    refused = client.post(url_for("pengaduan.report_review", instansi="pekanbaru", **month),
                          data={"csrf_token": token, "keputusan": "setujui", "note": "Baik."})
    assert refused.status_code == 403
    db.session.expire_all()
    assert report.status == "diajukan"

    sekretaris = login("sekretaris", unit=c["pku"])
    token = csrf_from(client, url_for("pengaduan.report_view", **month))
    assert client.post(url_for("pengaduan.report_review", **month),
                       data={"csrf_token": token, "keputusan": "setujui", "note": "Baik."}).status_code == 302
    db.session.expire_all()
    assert report.status == "disetujui" and report.approved_by == sekretaris.display_name


def test_a_global_account_chooses_the_unit_or_every_unit(client, login, make_unit, make_complaint):
    c = _three_complaints(make_unit, make_complaint)
    month = {"year": c["year"], "month": c["month"]}
    login("tim_pengaduan")
    every = client.get(url_for("pengaduan.report_view", **month)).text
    assert all(c[key].number in every for key in ("mine", "theirs", "loose")) and "Semua instansi" in every
    kampar = client.get(url_for("pengaduan.report_view", instansi="kampar", **month)).text
    assert c["theirs"].number in kampar and c["mine"].number not in kampar and c["loose"].number not in kampar
    assert "DPMPTSP Kampar" in client.get(url_for("pengaduan.reports")).text  # the choice of unit
    token = csrf_from(client, url_for("pengaduan.report_view", **month))
    for instansi in (None, "kampar"):
        assert client.post(url_for("pengaduan.report_submit", instansi=instansi, **month),
                           data={"csrf_token": token}).status_code == 302
    reports = {r.unit_id: r for r in db.session.scalars(db.select(ComplaintReport))}
    assert reports[None].figures["total"] == 3 and reports[c["kampar"].id].figures["total"] == 1
    kampar_xlsx = _xlsx_text(client.get(url_for("pengaduan.report_xlsx", instansi="kampar", **month)).data)
    assert c["theirs"].number in kampar_xlsx and c["mine"].number not in kampar_xlsx
    listing = client.get(url_for("pengaduan.reports", instansi="kampar")).text
    assert "Diajukan kepada Sekretaris" in listing


def test_one_report_per_month_and_unit_on_every_database(make_unit):
    from sqlalchemy.exc import IntegrityError

    unit, other = make_unit(), make_unit()

    def report(unit_id):
        return ComplaintReport(year=2026, month=11, unit_id=unit_id, status="draf", history=[], summary="")

    db.session.add_all([report(unit.id), report(other.id), report(None)])
    db.session.commit()
    for unit_id in (unit.id, None):
        db.session.add(report(unit_id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(ComplaintReport.id))) == 3


def test_the_report_steps_take_the_acting_user_not_the_logged_in_one(make_user, make_unit, make_complaint):
    from webapp.pengaduan.reporting import approve, open_report, send_back, submit

    unit = make_unit()
    make_complaint(unit)
    team, secretary = make_user(role="tim_pengaduan", unit=unit), make_user(role="sekretaris", unit=unit)
    today = local_today()
    # Nobody is logged in (the test's request is anonymous): each step names its actor.
    report = open_report(today.year, today.month, unit, team)
    submit(report, team)
    send_back(report, secretary, "Lengkapi.")
    submit(report, team)
    approve(report, secretary, "Baik.")
    db.session.commit()
    assert [(h["action"], h["actor"]) for h in report.history] == [
        ("dibuat", team.display_name), ("diajukan", team.display_name), ("dikembalikan", secretary.display_name),
        ("diajukan", team.display_name), ("disetujui", secretary.display_name)]
    assert report.unit_id == unit.id and report.figures["total"] == 1 and report.approved_by == secretary.display_name
