"""Service standards of a unit: the catalogue's services and their published versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import JsonType, UtcDateTime, utcnow
from webapp.core.extensions import db
from webapp.core.units import Unit
from webapp.standards.components import COMPONENTS, COMPONENTS_BY_CODE, block_texts


class Service(db.Model):
    """One service and its standard: the 14 components, SOP, guides and the decree that set it.

    Components are stored as blocks (see ``webapp.standards.components``); the three
    typed values (working days, fee, staff count) live in their own columns so they
    can be queried, and ``block()`` puts them back into the block.
    """

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str | None] = mapped_column(Text)
    source_note: Mapped[str | None] = mapped_column(Text)
    duration_days: Mapped[int | None] = mapped_column(Integer)
    fee_amount: Mapped[int | None] = mapped_column(Integer)
    staff_count: Mapped[int | None] = mapped_column(Integer)
    components: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    complaint_channels: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    sop: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    guides: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    decree: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    # English for foreign visitors (issue 17): a guide beside the published Indonesian text, kept on the
    # service and not in its versioned document, so importing or publishing leaves it alone.
    title_en: Mapped[str | None] = mapped_column(String(300))
    summary_en: Mapped[str | None] = mapped_column(Text)
    # Each English item with the Indonesian item text it translates ({"id_text": ..., "en": ...}), not by
    # position: a new version that inserts or reorders items must not put English beside the wrong text.
    requirements_en: Mapped[list[dict[str, str]] | None] = mapped_column(JsonType)
    # Lower-cased title, requirements and product, for the catalogue search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The columns above hold the published standard; a service never published holds its
    # first draft there and stays off the public site.
    is_published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="services")
    versions: Mapped[list[ServiceVersion]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="ServiceVersion.id"
    )

    _TYPED_COLUMNS: ClassVar[dict[str, str]] = {
        "jangka_waktu": "duration_days",
        "biaya": "fee_amount",
        "jumlah_pelaksana": "staff_count",
    }

    def __repr__(self) -> str:
        return f"<Service {self.slug}>"

    @classmethod
    def by_slug(cls, slug: str) -> Service | None:
        """The service with this slug, published or not, or None."""
        return db.session.scalar(select(cls).where(cls.slug == slug))

    @classmethod
    def published_by_slug(cls, slug: str) -> Service | None:
        """The published service with this slug, or None: what the public may see."""
        return db.session.scalar(select(cls).where(cls.slug == slug, cls.is_published.is_(True)))

    def block(self, code: str) -> dict[str, Any] | None:
        """The component ``code`` as a block, with its typed value; None when unpublished."""
        stored = (self.components or {}).get(code)
        if stored is None:
            return None
        block = dict(stored)
        component = COMPONENTS_BY_CODE[code]
        if component.typed_key:
            block[component.typed_key] = getattr(self, self._TYPED_COLUMNS[code])
        return block

    def apply_document(self, doc: dict[str, Any]) -> None:
        """Set every field from a document checked by ``normalise_standard()``."""
        self.slug = doc["slug"]
        self.title = doc["title"]
        self.category = doc["category"]
        self.source = doc["source"]
        self.source_note = doc["source_note"]
        components: dict[str, Any] = {}
        for component in COMPONENTS:
            block = doc["components"].get(component.code)
            if component.typed_key:
                column = self._TYPED_COLUMNS[component.code]
                setattr(self, column, block.get(component.typed_key) if block else None)
                if block is not None:
                    block = {k: v for k, v in block.items() if k != component.typed_key}
            components[component.code] = block
        self.components = components
        self.complaint_channels = doc["complaint_channels"]
        self.sop = doc["sop"]
        self.guides = doc["guides"]
        self.decree = doc["decree"]
        self.search_text = self._search_text()

    def to_document(self) -> dict[str, Any]:
        """The whole standard as a plain document (the API's and the data files' form)."""
        return {
            "unit": self.unit.slug,
            "slug": self.slug,
            "title": self.title,
            "category": self.category,
            "source": self.source,
            "source_note": self.source_note,
            "components": {c.code: self.block(c.code) for c in COMPONENTS},
            "complaint_channels": self.complaint_channels or [],
            "sop": self.sop,
            "guides": self.guides or [],
            "decree": self.decree,
        }

    def requirement_texts(self) -> list[str]:
        """The text of each published requirement item, in the list's order (what English items translate)."""
        return [item.get("text", "") for item in (self.block("persyaratan") or {}).get("items", [])]

    def english_requirements(self) -> list[str | None]:
        """The English of each published requirement item, in order; None where none was written for its text.

        The one place that pairs English items with the official list (service page, booking, API):
        an English item shows only beside the very Indonesian text it was written for, so an item
        inserted, reordered or reworded by a new version falls back to Indonesian only.
        """
        written = {entry["id_text"]: entry["en"] for entry in self.requirements_en or [] if isinstance(entry, dict)}
        return [written.get(text) for text in self.requirement_texts()]

    def stale_english_requirements(self) -> list[dict[str, str]]:
        """English items whose Indonesian text is no longer in the published list (for admin to rewrite)."""
        current = set(self.requirement_texts())
        return [e for e in self.requirements_en or [] if isinstance(e, dict) and e["id_text"] not in current]

    def _search_text(self) -> str:
        # The unit's name is matched in the query itself, so renaming a unit needs no rebuild.
        parts = [self.title]
        for code in ("persyaratan", "produk"):
            parts.extend(block_texts((self.components or {}).get(code)))
        return " ".join(parts).casefold()


class ServiceVersion(db.Model):
    """A version of a standard: the open draft (number None) or a published one (numbered 1, 2, ...).

    Every published version is kept, so that an admin can compare and restore.
    """

    __tablename__ = "service_version"
    __table_args__ = (
        UniqueConstraint("service_id", "number"),
        # At most one open draft per service, even when two admins start editing at once.
        Index(
            "uq_service_version_one_draft",
            "service_id",
            unique=True,
            postgresql_where=text("status = 'draft'"),
            sqlite_where=text("status = 'draft'"),
        ),
        # At most one import waiting for review per service: a newer file replaces it.
        Index(
            "uq_service_version_one_import",
            "service_id",
            unique=True,
            postgresql_where=text("status = 'import'"),
            sqlite_where=text("status = 'import'"),
        ),
    )

    DRAFT = "draft"
    PUBLISHED = "published"
    # An imported document waiting for staff to review it beside the draft (webapp.standards.review),
    # and, once reviewed, kept as the record of that file (its hash says a re-import changes nothing).
    IMPORT = "import"
    IMPORT_REVIEWED = "import_reviewed"
    # ``kind`` of a version that came from an imported file (the "impor" draft).
    KIND_IMPORT = "impor"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    document: Mapped[dict[str, Any]] = mapped_column(JsonType)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64), default="sistem")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    published_by: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Where the content came from: None (typed by staff) or "impor", with the file's name and sha256.
    kind: Mapped[str | None] = mapped_column(String(16))
    source_name: Mapped[str | None] = mapped_column(String(255))
    source_sha256: Mapped[str | None] = mapped_column(String(64))

    service: Mapped[Service] = relationship(back_populates="versions")

    @property
    def is_draft(self) -> bool:
        """True for the open draft."""
        return self.status == self.DRAFT

    @property
    def is_pending_import(self) -> bool:
        """True for an imported document still waiting for review."""
        return self.status == self.IMPORT
