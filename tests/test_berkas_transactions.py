"""The units of work of berkas: each change commits itself with its audit line; a refusal changes nothing;
the survey invitation is made at the hand-over, so the tracking page only reads it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import url_for
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tests.unit_of_work import commits, refuses
from webapp.audit.models import AuditEvent
from webapp.berkas.actions import StaleError, UnknownActionError, act, version_of
from webapp.berkas.documents import DocumentError, record_issued, revoke
from webapp.berkas.models import DIKEMBALIKAN, DIPROSES, SELESAI, SIAP, Berkas, BerkasCounter, IssuedDocument
from webapp.berkas.reminders import mark_letter_sent, send_reminders
from webapp.berkas.service import (
    Applicant,
    BerkasError,
    collect,
    complete_requirements,
    hand_over,
    receive,
    register,
    return_to,
)
from webapp.berkas.steps import StepSpec, configured_route, save_route
from webapp.berkas.survey import SOURCE
from webapp.core.extensions import db
from webapp.survei.models import SurveyInvitation

PDF = b"%PDF-1.4\n% uji\n%%EOF\n"


def _applicant() -> Applicant:
    return Applicant("Warga Uji Transaksi", "nik", "1471010101900009", "081211112222", address="Jl. Uji 3")


def _audit() -> list[tuple[str, str]]:
    """Who did what to berkas, documents and routes (the service's publication is logged too: left out)."""
    statement = (select(AuditEvent.username, AuditEvent.summary)
                 .where(AuditEvent.object_type.in_(["berkas", "dokumen", "alur_berkas"])).order_by(AuditEvent.id))
    return [tuple(row) for row in db.session.execute(statement)]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def staff(make_user):
    """The simple route's officers: the front office (steps 1 and 4), the back office, the Kepala Dinas."""
    return {"fo": make_user(role="petugas_loket", username="fo-uji"), "bo": make_user(role="sekretaris"),
            "kadis": make_user(role="kepala_dinas", username="kadis-uji")}  # fmt: skip


@pytest.fixture
def service(make_service):
    return make_service(title="Izin Uji Transaksi")


@pytest.fixture
def moving(service, staff):
    """A berkas registered complete: at step 1 (front office), signed for by the front office."""
    return register(service, _applicant(), [True, True], staff["fo"])


def _to_collection(berkas, staff) -> None:
    """Walk the file of the simple route to the collection counter, signed for there."""
    hand_over(berkas, staff["fo"])
    for officer in (staff["bo"], staff["kadis"]):
        receive(berkas, officer)
        hand_over(berkas, officer)
    receive(berkas, staff["fo"])


def test_registration_commits_with_its_number_and_audit_line(service, staff):
    with commits():
        berkas = register(service, _applicant(), [True, True], staff["fo"])
    assert (berkas.number[-5:], berkas.status, berkas.current_position) == ("00001", DIPROSES, 0)
    assert _audit() == [("fo-uji", f"Mendaftarkan berkas {berkas.number} (Izin Uji Transaksi)")]


def test_a_refused_registration_takes_no_number_and_writes_nothing(service, staff, make_queue):
    foreign = make_queue()  # a ticket of another unit
    from antrian.issuing import issue_ticket

    ticket = issue_ticket(foreign["A"], check_hours=False)
    with refuses(BerkasError, "milik instansi lain"):
        register(service, _applicant(), [True, True], staff["fo"], ticket_id=ticket.id)
    with refuses(BerkasError, "Daftar persyaratan berubah"):
        register(service, _applicant(), [True], staff["fo"])
    assert (_count(Berkas), _count(BerkasCounter), _audit()) == (0, 0, [])
    assert register(service, _applicant(), [True, True], staff["fo"]).number.endswith("00001")


def test_completing_the_requirements_commits_and_a_refusal_changes_nothing(service, staff):
    berkas = register(service, _applicant(), [True, False], staff["fo"])
    assert berkas.status == DIKEMBALIKAN
    with refuses(BerkasError, "Daftar persyaratan berubah"):
        complete_requirements(berkas, [True], staff["fo"])
    assert berkas.status == DIKEMBALIKAN and len(berkas.movements) == 2
    with commits():
        complete_requirements(berkas, [False, True], staff["fo"])
    assert berkas.status == DIPROSES and [m.kind for m in berkas.movements][-2:] == ["lengkapi", "terima"]
    with refuses(BerkasError, "tidak sedang menunggu"):
        complete_requirements(berkas, [True, True], staff["fo"])
    assert len(berkas.movements) == 4


def test_each_step_of_the_route_commits_and_a_refused_one_changes_nothing(moving, staff):
    with refuses(BerkasError, "dikerjakan oleh"):  # the first step is the front office's
        hand_over(moving, staff["kadis"])
    assert (moving.current_position, len(moving.movements)) == (0, 2)
    with commits():
        hand_over(moving, staff["fo"], "lengkap")
    assert (moving.current_position, moving.received_at) == (1, None)
    with refuses(BerkasError, "Terima berkas dulu"):
        hand_over(moving, staff["bo"])
    with commits():
        receive(moving, staff["bo"])
    assert moving.holder_name == staff["bo"].display_name
    with refuses(BerkasError, "alasan"):
        return_to(moving, 0, " ", staff["bo"])
    assert moving.current_position == 1
    with commits():
        return_to(moving, 0, "Berkas kurang paraf", staff["bo"])
    assert moving.current_position == 0 and moving.movements[-1].note == "Berkas kurang paraf"


def test_the_hand_over_commits_the_survey_invitation_with_it(moving, staff):
    _to_collection(moving, staff)
    assert moving.status == SIAP and _count(SurveyInvitation) == 0
    with refuses(BerkasError, "nama"):
        collect(moving, staff["fo"], " ")
    assert moving.status == SIAP and _count(SurveyInvitation) == 0
    with commits():
        collect(moving, staff["fo"], "Warga Uji Transaksi")
    assert moving.status == SELESAI
    invitation = db.session.scalars(select(SurveyInvitation)).one()
    assert (invitation.source, invitation.reference, invitation.service_id) == (SOURCE, str(moving.id),
                                                                                moving.service_id)  # fmt: skip


def _survey_link(client, berkas) -> str | None:
    page = client.get(url_for("berkas.track", code=berkas.tracking_code)).get_data(as_text=True)
    found = re.search(r'href="[^"]*/survei/([A-Za-z0-9_-]+)"', page)
    return found.group(1) if found else None


def test_the_tracking_page_of_a_handed_over_permit_only_reads(client, moving, staff):
    _to_collection(moving, staff)
    collect(moving, staff["fo"], "Warga Uji Transaksi")
    seen: list[int] = []

    def listener(_session: Session) -> None:
        seen.append(1)

    event.listen(Session, "after_commit", listener)
    try:
        token = _survey_link(client, moving)
    finally:
        event.remove(Session, "after_commit", listener)
    assert token and seen == []  # the link, and no commit on the GET


def test_a_permit_handed_over_before_invitations_gets_its_link_once(client, moving, staff):
    """Handed over before the invitation was made at the hand-over: the first page made it, in a unit of work."""
    _to_collection(moving, staff)
    collect(moving, staff["fo"], "Warga Uji Transaksi")
    db.session.execute(SurveyInvitation.__table__.delete())  # as a permit handed over before
    db.session.commit()
    first = _survey_link(client, moving)
    assert first and _count(SurveyInvitation) == 1
    assert _survey_link(client, moving) == first and _count(SurveyInvitation) == 1


def test_the_kartu_kendali_dispatcher_commits_and_refuses_a_stale_page(moving, staff):
    stale = version_of(moving)
    with commits():
        message = act(moving, "serahkan", staff["fo"], version=stale)
    assert message.startswith("Berkas diserahkan ke") and moving.current_position == 1
    with refuses(StaleError, "baru saja diubah"):
        act(moving, "terima", staff["bo"], version=stale)
    assert moving.received_at is None
    with refuses(UnknownActionError, "tidak dikenal"):
        act(moving, "hapus", staff["bo"], version=version_of(moving))
    receive(moving, staff["bo"])
    with refuses(BerkasError, "Pilih langkah sebelumnya"):
        act(moving, "kembalikan", staff["bo"], version=version_of(moving), position=3, reason="Salah")
    assert (moving.current_position, len(moving.movements)) == (1, 4)


def test_marking_the_letter_sent_commits_with_its_audit_line(moving, staff):
    with refuses(BerkasError, "siap diambil"):
        mark_letter_sent(moving, staff["fo"])
    assert moving.letter_sent_at is None
    hand_over(moving, staff["fo"])
    for officer in (staff["bo"], staff["kadis"]):
        receive(moving, officer)
        hand_over(moving, officer)
    with commits():
        mark_letter_sent(moving, staff["fo"])
    assert moving.letter_sent_at is not None
    assert _audit()[-1] == ("fo-uji", f"Surat pemberitahuan berkas {moving.number} dikirim")


def test_the_reminders_commit(moving, staff):
    hand_over(moving, staff["fo"])
    for officer in (staff["bo"], staff["kadis"]):
        receive(moving, officer)
        hand_over(moving, officer)
    with commits():
        reminded = send_reminders(now=moving.ready_at + timedelta(days=40))
    assert [b.id for b in reminded] == [moving.id]
    assert db.session.get(Berkas, moving.id).reminder_at is not None


def test_recording_and_revoking_a_document_commit_with_their_audit_lines(moving, staff):
    fields = {"number": "503/UJI/TX", "title": "Izin Uji", "holder_name": "Warga Uji Transaksi",
              "issued_on": date(2026, 11, 24), "valid_until": None, "actor": staff["kadis"]}  # fmt: skip
    with refuses(DocumentError, "bukan PDF"):
        record_issued(moving, pdf=b"GIF89a", **fields)
    assert _count(IssuedDocument) == 0
    with commits():
        document = record_issued(moving, pdf=PDF, **fields)
    assert document.created_by == "kadis-uji"
    with refuses(DocumentError, "alasan"):
        revoke(document, "  ", staff["kadis"])
    assert document.status == "berlaku"
    with commits():
        revoke(document, "Salah nama", staff["kadis"])
    assert (document.status, document.revoked_by) == ("dicabut", "kadis-uji")
    with refuses(DocumentError, "sudah dicabut"):
        revoke(document, "Lagi", staff["kadis"])
    assert [summary for _, summary in _audit()][-2:] == [f"Mencatat dokumen 503/UJI/TX (berkas {moving.number})",
                                                         "Mencabut dokumen 503/UJI/TX: Salah nama"]  # fmt: skip


def test_saving_a_route_commits_with_its_audit_line(service, make_user):
    admin = make_user(role="admin", username="admin-uji")
    steps = [StepSpec("Periksa", "Front Office", None, "Pemeriksaan"), StepSpec("Serah", "Front Office", None, "Ambil")]
    with commits():
        save_route(service, steps, actor=admin)
    assert [s.name for s in configured_route(service)] == ["Periksa", "Serah"]
    with commits():
        save_route(service, [], actor=None)
    assert configured_route(service) == []
    assert _audit() == [("admin-uji", "Mengubah alur berkas Izin Uji Transaksi"),
                        ("sistem", "Alur berkas Izin Uji Transaksi kembali ke bawaan")]  # fmt: skip
