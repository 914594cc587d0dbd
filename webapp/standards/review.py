"""Review of an imported standard before it goes public (issue 15; ux review §2.8).

An import into a service that exists never touches its draft: the imported document waits
beside it as a version of status "import" (kind "impor", with the file's name and sha256).
Staff see, part by part (the 14 components, the SOP and the decree), what the import would
change against the published version and against the current draft, and choose for each:
keep what is there, take the import, or take it and edit it further. Applying the choices
writes one draft (``save_draft``) and may publish it. The reviewed import is kept, status
"import_reviewed", as the record of that file: its hash says that a re-import of the same
file changes nothing. Every function that changes data is one unit of work and takes the
acting account as ``actor``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.audit.models import Actor, record
from webapp.core.db import transactional, utcnow
from webapp.core.extensions import db
from webapp.standards.compare import SectionDiff, compare_documents
from webapp.standards.components import COMPONENTS, StandardError, normalise_standard
from webapp.standards.models import Service, ServiceVersion
from webapp.standards.versions import (
    CONCURRENT_CHANGE,
    ConcurrentChangeError,
    get_or_open_draft,
    open_draft,
    publish_draft,
    save_draft,
)

KEEP, TAKE, EDIT = "keep", "take", "edit"
CHOICES = {KEEP: "Pertahankan", TAKE: "Ambil dari impor", EDIT: "Ambil lalu ubah"}
# The parts staff choose for: every component, then the SOP and the decree ("Penetapan"),
# each with the label that webapp.standards.compare gives its section.
PARTS: tuple[tuple[str, str], ...] = (*((c.code, c.label) for c in COMPONENTS), ("sop", "SOP"),
                                      ("decree", "Penetapan"))  # fmt: skip
PART_LABELS = dict(PARTS)


def _hold(service: Service) -> None:
    """Hold the service row until commit (PostgreSQL), as the draft functions do, so two imports do not race."""
    db.session.execute(select(Service.id).where(Service.id == service.id).with_for_update())


def pending_import(service: Service) -> ServiceVersion | None:
    """The imported document waiting for review, if any."""
    return db.session.scalar(
        select(ServiceVersion).where(
            ServiceVersion.service_id == service.id, ServiceVersion.status == ServiceVersion.IMPORT
        )
    )


def last_import(service: Service) -> ServiceVersion | None:
    """The newest import of the service, waiting or reviewed: its hash is the file last imported."""
    return db.session.scalar(
        select(ServiceVersion)
        .where(
            ServiceVersion.service_id == service.id,
            ServiceVersion.status.in_((ServiceVersion.IMPORT, ServiceVersion.IMPORT_REVIEWED)),
        )
        .order_by(ServiceVersion.id.desc())
        .limit(1)
    )


def _part(doc: dict[str, Any] | None, code: str) -> Any:
    if doc is None:
        return None
    if code in ("sop", "decree"):
        return doc.get(code)
    return (doc.get("components") or {}).get(code)


def _current(service: Service) -> dict[str, Any]:
    """What staff work on: the open draft, or the standard as it stands."""
    draft = open_draft(service)
    return draft.document if draft is not None else service.to_document()


def same_content(service: Service, document: dict[str, Any]) -> bool:
    """Whether every part ``document`` gives is already what the service's draft (or standard) holds."""
    current = _current(service)
    given = [code for code, _ in PARTS if _part(document, code) is not None]
    return bool(given) and all(_part(document, code) == _part(current, code) for code in given)


def draft_has_edits(service: Service) -> bool:
    """Whether the open draft holds changes staff made: it differs from what it started from.

    A published service's draft starts from the published standard; a never-published one's
    from the import that created it.
    """
    draft = open_draft(service)
    if draft is None:
        return False
    reference = _reference(service)
    return reference is None or any(_part(draft.document, c) != _part(reference, c) for c, _ in PARTS)


def _reference(service: Service) -> dict[str, Any] | None:
    """What the draft started from: the published standard, or the import that created the service."""
    if service.is_published:
        return service.to_document()
    reviewed = db.session.scalar(
        select(ServiceVersion)
        .where(ServiceVersion.service_id == service.id, ServiceVersion.status == ServiceVersion.IMPORT_REVIEWED)
        .order_by(ServiceVersion.id.asc())
        .limit(1)
    )
    return reviewed.document if reviewed is not None else None


@transactional
def stage_import(
    service: Service, document: dict[str, Any], filename: str, digest: str, *, actor: Actor | None,
    reviewed: bool = False,
) -> ServiceVersion:
    """Keep an imported document of ``service``: waiting for review, or (``reviewed``) as a record only.

    A newer file replaces an import still waiting. Raises ConcurrentChangeError when another
    import of the same service was stored at the same moment.
    """
    _hold(service)
    doc = normalise_standard({**document, "unit": service.unit.slug})
    who = actor.username if actor is not None else "sistem"
    version = None if reviewed else pending_import(service)
    if version is None:
        version = ServiceVersion(service=service, status=ServiceVersion.IMPORT_REVIEWED if reviewed
                                 else ServiceVersion.IMPORT, kind=ServiceVersion.KIND_IMPORT)  # fmt: skip
        db.session.add(version)
    version.document = doc
    version.source_name = filename[:255]
    version.source_sha256 = digest
    version.created_by = who
    version.updated_at = utcnow()
    version.note = f"Diimpor dari {filename}".strip()
    try:
        db.session.flush()
    except IntegrityError:
        raise ConcurrentChangeError(CONCURRENT_CHANGE) from None
    return version


@dataclass
class ReviewPart:
    """One part of the standard under review: what the import gives, and how it differs.

    ``against_published`` / ``against_draft``: the section's rows from the published version
    (or the draft) to the import; None when there is no published version (or no draft).
    ``edited``: staff changed this part in the draft (it differs from the published one).
    """

    code: str
    label: str
    in_import: bool
    against_published: SectionDiff | None
    against_draft: SectionDiff | None
    edited: bool
    default: str

    @property
    def changes(self) -> bool:
        """Whether taking the import would change what staff work on."""
        diff = self.against_draft or self.against_published
        return self.in_import and (diff is None or diff.changed)


def review_parts(service: Service) -> list[ReviewPart]:
    """Every part of the pending import, with its diffs and the choice offered first.

    The first choice takes the import where it changes something staff did not edit, and
    keeps a part staff edited in the draft: an edit is never overwritten unless chosen.
    """
    pending = pending_import(service)
    if pending is None:
        return []
    imported = pending.document
    published = service.to_document() if service.is_published else None
    draft = open_draft(service)
    reference = _reference(service)
    by_published = {s.label: s for s in compare_documents(published, imported)} if published else {}
    by_draft = {s.label: s for s in compare_documents(draft.document, imported)} if draft else {}
    parts = []
    for code, label in PARTS:
        in_import = _part(imported, code) is not None
        edited = draft is not None and (reference is None or _part(draft.document, code) != _part(reference, code))
        part = ReviewPart(code, label, in_import, by_published.get(label), by_draft.get(label), edited, KEEP)
        if in_import and part.changes and not edited:
            part.default = TAKE
        parts.append(part)
    return parts


@dataclass
class ReviewDone:
    """What applying a review did: the published version (if published) and the parts to edit next."""

    version: ServiceVersion | None
    to_edit: list[str]
    taken: list[str]


@transactional(serial=True)
def apply_review(
    service: Service, choices: dict[str, str], note: str = "", *, publish: bool, actor: Actor | None
) -> ReviewDone:
    """Write the chosen parts of the pending import into the draft; publish it when asked.

    ``choices`` maps a part's code to keep, take or edit (a missing part is kept). "edit" takes
    the import like "take", and the draft is left for staff to edit: nothing is published
    then. Raises StandardError for an unknown choice, no pending import, or a draft that cannot
    be published; nothing changes then.
    """
    pending = pending_import(service)
    if pending is None:
        raise StandardError("Tidak ada hasil impor yang menunggu tinjauan untuk layanan ini.")
    unknown = [c for c, v in choices.items() if c not in PART_LABELS or v not in CHOICES]
    if unknown:
        raise StandardError("Pilihan tinjauan tidak dikenal; muat ulang halaman lalu pilih lagi.")
    imported = pending.document
    draft = get_or_open_draft(service, actor=actor)
    doc = copy.deepcopy(draft.document)
    taken = [c for c, _ in PARTS if choices.get(c, KEEP) != KEEP and _part(imported, c) is not None]
    for code in taken:
        if code in ("sop", "decree"):
            doc[code] = copy.deepcopy(imported[code])
        else:
            doc["components"][code] = copy.deepcopy(imported["components"][code])
            if code == "pengaduan":  # the channels are read from the complaint component
                doc["complaint_channels"] = copy.deepcopy(imported.get("complaint_channels") or [])
    names = ", ".join(PART_LABELS[c] for c in taken) or "tidak ada"
    save_draft(service, doc, f"tinjauan impor {pending.source_name or ''}; diambil: {names}", actor=actor)
    draft = get_or_open_draft(service, actor=actor)
    if taken:
        draft.kind, draft.source_name, draft.source_sha256 = (ServiceVersion.KIND_IMPORT, pending.source_name,
                                                              pending.source_sha256)  # fmt: skip
    pending.status = ServiceVersion.IMPORT_REVIEWED
    to_edit = [c for c in taken if choices.get(c) == EDIT]
    version = None
    if publish and not to_edit:
        db.session.flush()
        version = publish_draft(service, note or f"Impor {pending.source_name or ''}".strip(), actor=actor)
    return ReviewDone(version=version, to_edit=to_edit, taken=taken)


@transactional
def take_everything(service: Service, note: str, *, actor: Actor | None) -> ServiceVersion | None:
    """Take every part of the pending import and publish (``standards import --publish``, no staff edits)."""
    return apply_review(service, dict.fromkeys(PART_LABELS, TAKE), note, publish=True, actor=actor).version


@transactional(serial=True)
def discard_import(service: Service, *, actor: Actor | None) -> bool:
    """Throw the pending import away; the draft and the published version stay as they are.

    The import is deleted, not kept: the same file imported again is then a new import.
    """
    pending = pending_import(service)
    if pending is None:
        return False
    name = pending.source_name or "dokumen"
    db.session.delete(pending)
    record("discard", "service", service.id, f"Membuang hasil impor {name} untuk {service.title}",
           unit_id=service.unit_id, actor=actor)  # fmt: skip
    return True
