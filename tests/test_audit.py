"""The audit log names the account that acted, which the caller passes: it never reads the request's login."""

from __future__ import annotations

from flask_login import login_user, logout_user
from sqlalchemy import select

from webapp.audit.models import AuditEvent, record
from webapp.core.extensions import db
from webapp.standards.models import ServiceVersion
from webapp.standards.versions import discard_draft, save_draft


def test_record_names_the_actor_it_is_given_not_the_logged_in_account(make_user):
    officer = make_user(role="admin", username="budi")
    other = make_user(role="admin", username="sari")
    login_user(other)  # someone else is logged in on this request: it must not matter
    try:
        mine = record("update", "unit", 1, "Mengubah profil", actor=officer)
        system = record("import", "unit", 1, "Mengimpor dokumen", actor=None)
        db.session.commit()
    finally:
        logout_user()
    assert (mine.user_id, mine.username) == (officer.id, "budi")
    assert (system.user_id, system.username) == (None, "sistem")


def test_record_works_without_any_login_for_the_cli(make_user):
    officer = make_user(role="admin", username="budi")
    record("update", "unit", 1, "Dari perintah", actor=officer)
    db.session.commit()
    assert db.session.scalar(select(AuditEvent.username)) == "budi"


def test_standard_versions_record_the_actor_on_the_draft_and_in_the_log(make_service, make_user):
    service = make_service()
    editor = make_user(role="admin", username="editor1")
    document = service.to_document()
    document["title"] = "Judul Baru"
    save_draft(service, document, "judul", actor=editor)
    db.session.commit()
    draft = db.session.scalar(select(ServiceVersion).where(ServiceVersion.status == ServiceVersion.DRAFT))
    assert draft.created_by == "editor1"
    assert discard_draft(service, actor=None)
    db.session.commit()
    events = db.session.execute(select(AuditEvent.action, AuditEvent.username).order_by(AuditEvent.id)).all()
    assert [tuple(e) for e in events][-2:] == [("update", "editor1"), ("discard", "sistem")]
