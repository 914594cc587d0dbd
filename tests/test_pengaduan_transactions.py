"""The units of work of complaints: filing, each staff step, the attachments and the monthly report's steps
commit themselves; a refusal changes nothing; a new complaint and its files are two units of work on purpose.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.pengaduan_helpers import EMAIL, NAME, PHONE
from tests.unit_of_work import commits, refuses
from webapp.core.db import transactional
from webapp.core.extensions import db
from webapp.outbox.models import OutboxMessage
from webapp.pengaduan import attachments
from webapp.pengaduan.attachments import Upload, store
from webapp.pengaduan.intake import save_new_complaint
from webapp.pengaduan.models import (
    REPORT_APPROVED,
    REPORT_RETURNED,
    REPORT_SUBMITTED,
    Complaint,
    ComplaintAttachment,
    ComplaintCounter,
    ComplaintReport,
)
from webapp.pengaduan.reporting import (
    ReportError,
    approve,
    open_report,
    report_for,
    save_summary,
    send_back,
    submit,
    submit_month,
)
from webapp.pengaduan.service import (
    ComplaintError,
    ComplaintInput,
    add_note,
    assign,
    classify,
    file_complaint,
    find_by_code,
    new_code,
    reject,
    reopen,
    reply,
    resolve,
    verify,
)

PDF = Upload("bukti.pdf", "application/pdf", b"%PDF-1.4 bukti")


def _input(**overrides) -> ComplaintInput:
    values = {"description": "Antrean di loket pendaftaran tidak bergerak.", "name": NAME, "phone": PHONE,
              "email": EMAIL}  # fmt: skip
    return ComplaintInput(**{**values, **overrides})


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _actions(complaint: Complaint) -> list[str]:
    return [event.action for event in db.session.get(Complaint, complaint.id).events]


@pytest.fixture
def team(make_user):
    return {"lead": make_user(role="tim_pengaduan", username="ketua-uji"),
            "officer": make_user(role="tim_pengaduan", username="anggota-uji")}  # fmt: skip


@pytest.fixture
def complaint() -> Complaint:
    filed, _ = file_complaint(_input())
    return filed


def test_filing_commits_the_complaint_its_history_and_its_message(app):
    with commits():
        filed, code = file_complaint(_input())
    assert find_by_code(code).id == filed.id and _actions(filed) == ["diterima"]
    assert _count(OutboxMessage) == 1  # the confirmation, sent after the commit


def test_a_refused_filing_takes_no_number():
    with refuses(ComplaintError, "Saluran"):
        file_complaint(_input(channel="merpati"))
    assert (_count(Complaint), _count(ComplaintCounter), _count(OutboxMessage)) == (0, 0, 0)


def test_each_staff_step_commits_and_a_refused_one_changes_nothing(complaint, team):
    lead, officer = team["lead"], team["officer"]
    with refuses(ComplaintError, "Verifikasi pengaduan dahulu"):
        classify(complaint, "ringan", lead)
    with refuses(ComplaintError, "Tulis balasannya"):
        reply(complaint, " ", lead)
    assert (complaint.status, complaint.weight, _actions(complaint)) == ("diterima", None, ["diterima"])
    with commits():
        verify(complaint, lead, "Identitas lengkap.")
    with refuses(ComplaintError, "berstatus diterima"):
        verify(complaint, lead)
    with commits():
        classify(complaint, "sedang", lead)
    with commits():
        assign(complaint, officer, lead)
    with commits():
        add_note(complaint, "Cek CCTV.", officer)
    with commits():
        assert reply(complaint, "Kami periksa.", officer) is True
    assert _count(OutboxMessage) == 2  # the confirmation and the reply, each committed with its step
    with commits():
        resolve(complaint, "Biaya dikembalikan.", officer)
    with refuses(ComplaintError, "sudah ditutup"):
        reject(complaint, "Terlambat", officer)
    assert complaint.status == "selesai"
    with commits():
        reopen(complaint, "Pengadu keberatan.", lead)
    with commits():
        reject(complaint, "Bukan kewenangan instansi.", lead)
    with commits():
        code = new_code(complaint, lead)
    assert find_by_code(code).id == complaint.id
    assert _actions(complaint) == ["diterima", "diverifikasi", "klasifikasi", "ditindaklanjuti", "ditugaskan",
                                   "catatan", "balasan", "selesai", "dibuka_kembali", "ditolak", "kode_baru"]
    assert db.session.get(Complaint, complaint.id).events[2].actor == lead.display_name


def test_attachments_are_stored_in_a_unit_of_work_of_their_own(app, complaint, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PENGADUAN_UPLOAD_DIR", str(tmp_path))
    with commits():
        assert store(complaint, [PDF]) == []
    stored = db.session.get(Complaint, complaint.id).attachments
    assert [a.original_name for a in stored] == ["bukti.pdf"] and (tmp_path / stored[0].stored_name).is_file()


def test_a_new_complaint_is_kept_when_its_files_cannot_be_written(app, tmp_path, monkeypatch):
    blocked = tmp_path / "bukan-folder"
    blocked.write_text("")  # the upload folder is a file: every write fails
    monkeypatch.setitem(app.config, "PENGADUAN_UPLOAD_DIR", str(blocked))
    with app.test_request_context(), commits():
        filed, code, failed = save_new_complaint(_input(), [PDF])
    assert failed == ["bukti.pdf"] and find_by_code(code).id == filed.id
    assert _actions(filed) == ["diterima", "lampiran"] and _count(ComplaintAttachment) == 0


def test_a_new_complaint_is_kept_when_its_files_cannot_be_recorded(app, tmp_path, monkeypatch):
    """The second unit of work fails as a whole (a row that cannot be recorded): the first stays committed."""
    monkeypatch.setitem(app.config, "PENGADUAN_UPLOAD_DIR", str(tmp_path))

    def broken(**_: object) -> None:
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(attachments, "ComplaintAttachment", broken)
    with app.test_request_context():
        filed, code, failed = save_new_complaint(_input(), [PDF, PDF])  # logs the failure, reading the number
    db.session.rollback()  # what is left is what was committed
    assert failed == ["bukti.pdf", "bukti.pdf"] and find_by_code(code).id == filed.id
    assert _count(ComplaintAttachment) == 0 and _actions(filed) == ["diterima"]


def test_a_new_complaint_and_its_files_are_never_one_unit_of_work():
    @transactional
    def inside() -> None:
        save_new_complaint(_input(), [])

    with pytest.raises(RuntimeError, match="outside a unit of work"):
        inside()
    assert _count(Complaint) == 0


def test_the_reports_steps_commit_and_a_refused_one_changes_nothing(complaint, make_user):
    team, secretary = make_user(role="tim_pengaduan"), make_user(role="sekretaris")
    year, month = complaint.received_on.year, complaint.received_on.month
    with commits():
        open_report(year, month, None, team)
    with commits():
        save_summary(year, month, None, team, "Satu pengaduan.")
    with commits():
        report = submit_month(year, month, None, team)
    assert report_for(year, month, None).status == REPORT_SUBMITTED
    history = list(report_for(year, month, None).history)
    with refuses(ReportError, "sudah diajukan"):
        submit_month(year, month, None, team)
    with refuses(ReportError, "tidak dapat diubah"):
        save_summary(year, month, None, team, "Diubah diam-diam.")
    with refuses(ReportError, "perlu diperbaiki"):
        send_back(report, secretary, "")
    stored = report_for(year, month, None)
    assert (stored.status, stored.summary, stored.history) == (REPORT_SUBMITTED, "Satu pengaduan.", history)
    with commits():
        send_back(stored, secretary, "Lengkapi tabel.")
    assert report_for(year, month, None).status == REPORT_RETURNED
    with commits():
        submit(report_for(year, month, None), team)
    with commits():
        approve(report_for(year, month, None), secretary, "")
    assert report_for(year, month, None).status == REPORT_APPROVED
    assert [step["action"] for step in report_for(year, month, None).history] == [
        "dibuat", "diubah", "diajukan", "dikembalikan", "diajukan", "disetujui"]


def test_a_refused_submission_of_a_new_month_leaves_no_draft(make_user, monkeypatch):
    """submit_month opens the draft and submits it in one unit of work: when the submission fails, no draft stays."""
    from webapp.pengaduan import reporting

    def failing(*_: object, **__: object) -> dict:
        raise ReportError("Angka laporan tidak dapat dihitung.")

    monkeypatch.setattr(reporting, "compute_figures", failing)
    with refuses(ReportError, "tidak dapat dihitung"):
        submit_month(2026, 11, None, make_user(role="tim_pengaduan"))
    assert _count(ComplaintReport) == 0
