"""Drafts, publication and restoration of service standards, each recorded in the audit log.

The public reads the ``Service`` row; staff edit a draft (a ``ServiceVersion`` with no
number) and publishing copies the draft into the row as version N+1. Each function that
changes data is one unit of work (``@transactional``): it commits when it returns, and a
refusal (``StandardError``) rolls everything back; called from another unit of work (the
importer, the demo loader) it joins that one. Each takes the acting account (``actor``: a
view passes ``current_user``, the CLI and demo data None, recorded as "sistem"); none reads
the request.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.audit.models import SYSTEM, Actor, diff_documents, record
from webapp.core.db import transactional, utcnow
from webapp.core.extensions import db
from webapp.core.units import Unit
from webapp.standards.components import StandardError, normalise_standard
from webapp.standards.models import Service, ServiceVersion

CONCURRENT_CHANGE = "Standar ini baru saja diubah petugas lain. Muat ulang halaman, periksa, lalu coba lagi."


class ConcurrentChangeError(StandardError):
    """Another officer changed the same standard at the same moment; nothing of this change was saved."""


@contextmanager
def _one_writer() -> Iterator[None]:
    """Flush the change, turning a clash on the unique constraints into ``ConcurrentChangeError``.

    Two open drafts of one service, or two versions with one number, are refused by the
    database (on SQLite, where ``_lock`` holds nothing, they are the last word). Flushing
    here, inside the service, lets the unit of work roll back and the officer read why.
    """
    try:
        yield
        db.session.flush()
    except IntegrityError:
        raise ConcurrentChangeError(CONCURRENT_CHANGE) from None


def _name(actor: Actor | None) -> str:
    """The user name written on a version: the actor's, or "sistem"."""
    return actor.username if actor is not None else SYSTEM


def open_draft(service: Service) -> ServiceVersion | None:
    """The service's open draft, if any."""
    return db.session.scalar(
        select(ServiceVersion).where(
            ServiceVersion.service_id == service.id, ServiceVersion.status == ServiceVersion.DRAFT
        )
    )


def published_versions(service: Service) -> list[ServiceVersion]:
    """Every published version, newest first."""
    return list(
        db.session.scalars(
            select(ServiceVersion)
            .where(ServiceVersion.service_id == service.id, ServiceVersion.number.is_not(None))
            .order_by(ServiceVersion.number.desc())
        )
    )


def version_by_number(service: Service, number: int) -> ServiceVersion | None:
    """Published version ``number`` of the service, or None."""
    return db.session.scalar(
        select(ServiceVersion).where(ServiceVersion.service_id == service.id, ServiceVersion.number == number)
    )


def _lock(service: Service) -> None:
    """Hold the service row until commit (PostgreSQL), so that drafts and version numbers do not race.

    SQLite has one writer at a time; there the unique constraints are the last word.
    """
    db.session.execute(select(Service.id).where(Service.id == service.id).with_for_update())


@transactional
def get_or_open_draft(service: Service, *, actor: Actor | None) -> ServiceVersion:
    """The open draft, opened from the published standard when there is none."""
    _lock(service)
    draft = open_draft(service)
    if draft is None:
        with _one_writer():
            draft = ServiceVersion(service=service, document=service.to_document(), created_by=_name(actor))
            db.session.add(draft)
    return draft


@transactional
def create_service(unit: Unit, document: dict[str, Any], note: str = "", *, actor: Actor | None) -> Service:
    """A new, unpublished service whose first draft is ``document``."""
    doc = normalise_standard({**document, "unit": unit.slug})
    if Service.by_slug(doc["slug"]) is not None:
        raise StandardError(f"Slug {doc['slug']!r} sudah dipakai layanan lain.")
    service = Service(unit=unit, is_published=False)
    db.session.add(service)
    service.apply_document(doc)
    db.session.flush()
    db.session.add(ServiceVersion(service=service, document=doc, note=note, created_by=_name(actor)))
    record("create", "service", service.id, f"Membuat draf layanan {service.title}", unit_id=unit.id, actor=actor)
    return service


@transactional
def save_draft(service: Service, document: dict[str, Any], what: str, *, actor: Actor | None) -> list[dict[str, Any]]:
    """Replace the draft with ``document`` (checked whole); returns the changes recorded.

    Raises StandardError (ConcurrentChangeError when another officer opened a draft at the
    same moment); nothing is saved then.
    """
    doc = normalise_standard({**document, "unit": service.unit.slug})
    if service.is_published and doc["slug"] != service.slug:
        raise StandardError("Slug layanan yang sudah terbit tidak dapat diubah: alamat dan kode QR-nya sudah tercetak.")
    clash = Service.by_slug(doc["slug"])
    if clash is not None and clash.id != service.id:
        raise StandardError(f"Slug {doc['slug']!r} sudah dipakai layanan lain.")
    draft = get_or_open_draft(service, actor=actor)
    changes = diff_documents(draft.document, doc)
    if changes:
        draft.document = doc
        draft.updated_at = utcnow()
        if not service.is_published:
            service.apply_document(doc)  # an unpublished service shows its draft to staff
        with _one_writer():
            record("update", "service", service.id, f"Mengubah draf {doc['title']}: {what}", changes,
                   service.unit_id, actor=actor)
    return changes


@transactional
def discard_draft(service: Service, *, actor: Actor | None) -> bool:
    """Throw the open draft away (a never-published service keeps it: it has nothing else)."""
    draft = open_draft(service)
    if draft is None or not service.is_published:
        return False
    db.session.delete(draft)
    record("discard", "service", service.id, f"Membuang draf {service.title}", unit_id=service.unit_id, actor=actor)
    return True


def _publish_document(
    service: Service, doc: dict[str, Any], note: str, actor: Actor | None
) -> tuple[ServiceVersion, list[dict]]:
    """Add ``doc`` as the next published version; returns it with its changes from the last one."""
    _lock(service)
    number = (
        db.session.scalar(select(func.max(ServiceVersion.number)).where(ServiceVersion.service_id == service.id)) or 0
    ) + 1
    before = service.to_document() if service.is_published else None
    version = ServiceVersion(
        service=service,
        number=number,
        status=ServiceVersion.PUBLISHED,
        document=doc,
        note=note,
        created_by=_name(actor),
        published_by=_name(actor),
        published_at=utcnow(),
    )
    db.session.add(version)
    service.apply_document(doc)
    service.is_published = True
    service.published_at = version.published_at
    # A first publication has nothing to differ from: its content is the whole version.
    return version, (diff_documents(before, doc) if before is not None else [])


@transactional
def publish_draft(service: Service, note: str = "", *, actor: Actor | None) -> ServiceVersion:
    """Publish the open draft as the next version.

    Raises StandardError when there is no draft or it is incomplete, ConcurrentChangeError
    when another officer published at the same moment; nothing changes then.
    """
    draft = open_draft(service)
    if draft is None:
        raise StandardError("Tidak ada draf untuk diterbitkan.")
    doc = normalise_standard(draft.document)
    with _one_writer():
        db.session.delete(draft)
        db.session.flush()
        version, changes = _publish_document(service, doc, note, actor)
        record("publish", "service", service.id, f"Menerbitkan {service.title} versi {version.number}", changes,
               service.unit_id, actor=actor)
    return version


@transactional
def restore_version(service: Service, number: int, *, actor: Actor | None) -> ServiceVersion:
    """Publish an earlier version again, as a new version; refused (StandardError) while a draft is open."""
    old = version_by_number(service, number)
    if old is None:
        raise StandardError(f"Versi {number} tidak ada.")
    if open_draft(service) is not None:
        raise StandardError("Masih ada draf terbuka. Terbitkan atau buang draf itu sebelum memulihkan versi lama.")
    with _one_writer():
        version, changes = _publish_document(service, copy.deepcopy(old.document), f"Dipulihkan dari versi {number}",
                                             actor)
        summary = f"Memulihkan {service.title} ke isi versi {number} (sebagai versi {version.number})"
        record("restore", "service", service.id, summary, changes, service.unit_id, actor=actor)
    return version


@transactional
def publish_document(
    service: Service, document: dict[str, Any], note: str, *, actor: Actor | None
) -> ServiceVersion | None:
    """Publish ``document`` directly (demo data, ``standards import --publish``) when it differs."""
    doc = normalise_standard({**document, "unit": service.unit.slug})
    if service.is_published and service.to_document() == doc:
        return None
    with _one_writer():
        version, changes = _publish_document(service, doc, note, actor)
        summary = f"Menerbitkan {service.title} versi {version.number} ({note})"
        record("publish", "service", service.id, summary, changes, service.unit_id, actor=actor)
    return version


@transactional
def set_english(
    service: Service, title: str | None, summary: str | None, requirements: list[str], *, actor: Actor | None
) -> bool:
    """Set the optional English title, summary and requirement items shown to foreign visitors (issue 17).

    They sit beside the published Indonesian text and are not part of a version: no draft, no
    publishing, and a new version or an import leaves them alone. ``requirements`` follows the
    published requirement list by position (a blank line keeps an item without English) and is stored
    with the Indonesian text of each item, so that a later version shows it only beside that text
    (``Service.english_requirements``); English items gone stale are replaced by what admin saves.
    Returns whether anything changed; the change is in the audit log.
    """
    paired = [{"id_text": text, "en": english}
              for text, english in zip(service.requirement_texts(), requirements, strict=False) if english]
    before = {"title_en": service.title_en, "summary_en": service.summary_en,
              "requirements_en": service.requirements_en or []}
    after = {"title_en": title or None, "summary_en": summary or None, "requirements_en": paired}
    if before == after:
        return False
    service.title_en, service.summary_en = after["title_en"], after["summary_en"]
    service.requirements_en = paired or None
    changes = [{"field": key, "before": before[key], "after": after[key]} for key in after if before[key] != after[key]]
    record("update", "service", service.id, f"Mengubah teks bahasa Inggris layanan {service.title}", changes,
           unit_id=service.unit_id, actor=actor)
    return True
