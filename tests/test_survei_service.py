"""The survey's units of work: filing a response, the follow-up plan and the queue lines' services."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.unit_of_work import counting_commits, stored
from webapp.audit.models import SYSTEM, AuditEvent
from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.survei.antrian import link_queue_services, plain_choice
from webapp.survei.filing import OTHER_SERVICE, SurveyError, file_response, survey_service_titles
from webapp.survei.invitations import invitation_by_token, issue_invitation
from webapp.survei.models import ELEMENT_CODES, FollowUpPlan, SurveyInvitation, SurveyResponse
from webapp.survei.periods import Period
from webapp.survei.report import MAX_PLAN_ROWS, save_follow_up_plan


def _file(service, **kwargs) -> SurveyResponse:
    return file_response(service=service, answers=dict.fromkeys(ELEMENT_CODES, 3), sex="L", age=30, education="sma",
                         occupation="swasta", actor=None, **kwargs)  # fmt: skip


def test_a_response_and_its_invitation_are_one_unit_of_work(make_service):
    service = make_service()
    token = issue_invitation(unit_id=service.unit_id, service_id=service.id, source="uji", reference="1")
    db.session.commit()
    with counting_commits() as commits:
        _file(service, invitation=invitation_by_token(token))
    assert commits == [1]
    assert stored(SurveyResponse) == 1
    assert invitation_by_token(token).used_at is not None


def test_a_refused_response_changes_nothing_and_leaves_the_link_unused(make_service):
    service = make_service()
    other = make_service(unit=service.unit, slug="layanan-lain", title="Layanan Lain")
    token = issue_invitation(unit_id=service.unit_id, service_id=service.id, source="uji", reference="1")
    db.session.commit()
    with counting_commits() as commits, pytest.raises(SurveyError, match=OTHER_SERVICE):
        _file(other, invitation=invitation_by_token(token))
    with pytest.raises(SurveyError):
        file_response(service=service, answers={"U1": 5}, sex="L", age=30, education="sma", occupation="swasta",
                      actor=None)  # fmt: skip
    assert commits == []
    assert stored(SurveyResponse) == 0
    assert invitation_by_token(token).used_at is None


def test_the_follow_up_plan_is_one_unit_of_work_written_once_per_period(make_unit, make_user):
    unit, officer = make_unit(), make_user(role="sekretaris")
    period = Period.semester_of(local_today(unit))
    items = [{"element": "U8", "action": " Buka WhatsApp pengaduan ", "schedule": " Januari ", "responsible": "Tim"},
             {"element": "U3", "action": "  ", "schedule": "Maret", "responsible": ""}]  # no action: no row
    with counting_commits() as commits:
        plan = save_follow_up_plan(unit, period, items, " Ditinjau. ", actor=officer)
    assert commits == [1]
    db.session.rollback()
    assert plan.items == [{"element": "U8", "action": "Buka WhatsApp pengaduan", "schedule": "Januari",
                           "responsible": "Tim"}]  # fmt: skip
    assert (plan.note, plan.updated_by, plan.period) == ("Ditinjau.", officer.username, period.key)
    many = [{"element": "", "action": f"Langkah {n}"} for n in range(MAX_PLAN_ROWS + 5)]
    with counting_commits() as commits:
        save_follow_up_plan(unit, period, many, "", actor=None)
    assert commits == [1]
    [plan] = db.session.scalars(select(FollowUpPlan)).all()  # the same plan, rewritten
    assert len(plan.items) == MAX_PLAN_ROWS and plan.updated_by == SYSTEM
    events = db.session.execute(select(AuditEvent.username, AuditEvent.unit_id).order_by(AuditEvent.id)).all()
    assert [tuple(e) for e in events] == [(officer.username, unit.id), (SYSTEM, unit.id)]


def test_linking_queue_lines_to_services_is_one_unit_of_work(make_service, make_queue, make_user):
    one = make_service(slug="izin-satu", title="Izin Satu")
    foreign = make_service(slug="izin-asing", title="Izin Asing")  # another unit's service
    queue = make_queue(unit=one.unit)
    admin = make_user()
    with counting_commits() as commits:
        changes = link_queue_services(one.unit, {queue["A"].id: one.id, queue["B"].id: foreign.id}, actor=admin)
    assert commits == [1] and changes == ["A: Izin Satu"]
    db.session.rollback()
    assert (queue["A"].service_id, queue["B"].service_id) == (one.id, None)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "queue_service"))
    assert (event.username, event.unit_id, event.summary) == (admin.username, one.unit_id,
                                                              "Layanan antrian untuk survei: A: Izin Satu")
    with counting_commits() as commits:
        assert link_queue_services(one.unit, {}, actor=admin) == ["A: dipilih pengunjung"]
    assert commits == [1]
    db.session.rollback()
    assert queue["A"].service_id is None


def test_an_invitation_is_one_row_and_follows_a_new_secret_key_until_used(app, make_service):
    service = make_service()
    first = issue_invitation(unit_id=service.unit_id, service_id=service.id, source="uji", reference="2")
    assert issue_invitation(unit_id=service.unit_id, service_id=None, source="uji", reference="2") == first
    db.session.commit()
    assert stored(SurveyInvitation) == 1
    assert invitation_by_token(first).service_id == service.id  # the second ask changed nothing
    app.config["SECRET_KEY"] = "kunci-baru-setelah-rotasi"
    renewed = issue_invitation(unit_id=service.unit_id, service_id=service.id, source="uji", reference="2")
    db.session.commit()
    assert renewed != first and invitation_by_token(first) is None
    invitation_by_token(renewed).used_at = invitation_by_token(renewed).created_at
    db.session.commit()
    app.config["SECRET_KEY"] = "kunci-ketiga"
    issue_invitation(unit_id=service.unit_id, service_id=service.id, source="uji", reference="2")
    db.session.commit()
    assert invitation_by_token(renewed) is not None  # a used link keeps the hash it was used with


def test_a_queue_line_plainly_delivers_the_only_service_or_the_one_of_its_name():
    assert plain_choice("Apa saja", [(7, "Izin Usaha")]) == 7
    assert plain_choice("izin usaha", [(7, "Izin Usaha"), (8, "Izin Lain")]) == 7
    assert plain_choice("Pendaftaran", [(7, "Izin Usaha"), (8, "Izin Lain")]) is None
    assert plain_choice("Pendaftaran", []) is None


def test_survey_service_titles_leave_out_drafts_and_complaint_standards(make_service):
    service = make_service(title="Izin Reklame")
    make_service(unit=service.unit, slug="draf", title="Draf", published=False)
    make_service(unit=service.unit, slug="pengaduan-x", title="Pengelolaan Pengaduan", category="pengaduan")
    assert survey_service_titles(service.unit_id) == [(service.id, "Izin Reklame")]
