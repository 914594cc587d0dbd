"""Survey responses, one-time invitations, and the follow-up plans published beside the results."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import JsonType, UtcDateTime, utcnow
from webapp.core.extensions import db
from webapp.core.units import Unit
from webapp.standards.models import Service

ELEMENT_CODES = ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9")


class SurveyInvitation(db.Model):
    """A one-time survey link given for one service delivered (a served ticket, a handed-over permit).

    Only a hash of the token is kept: the link itself is derived again from the secret key
    when its holder's page is shown (see ``service.issue_invitation``).
    """

    __tablename__ = "survey_invitation"
    __table_args__ = (UniqueConstraint("source", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    unit: Mapped[Unit] = relationship()
    service: Mapped[Service | None] = relationship()


class SurveyResponse(db.Model):
    """One respondent's answers: the nine elements by code (U1..U9, scored 1..4), who answered, when."""

    __tablename__ = "survey_response"
    __table_args__ = (
        *(CheckConstraint(f"{code.lower()} BETWEEN 1 AND 4", name=f"{code.lower()}_score") for code in ELEMENT_CODES),
        CheckConstraint("sex IN ('L', 'P')", name="sex"),
        Index("ix_survey_response_unit_day", "unit_id", "survey_date"),
        Index("ix_survey_response_service_day", "service_id", "survey_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_invitation.id", ondelete="SET NULL"), unique=True
    )
    # formulir (the open form), undangan (a one-time link), api
    channel: Mapped[str] = mapped_column(String(12))
    sex: Mapped[str] = mapped_column(String(1))
    age: Mapped[int] = mapped_column(SmallInteger)
    education: Mapped[str] = mapped_column(String(20))
    occupation: Mapped[str] = mapped_column(String(20))
    u1: Mapped[int] = mapped_column(SmallInteger)
    u2: Mapped[int] = mapped_column(SmallInteger)
    u3: Mapped[int] = mapped_column(SmallInteger)
    u4: Mapped[int] = mapped_column(SmallInteger)
    u5: Mapped[int] = mapped_column(SmallInteger)
    u6: Mapped[int] = mapped_column(SmallInteger)
    u7: Mapped[int] = mapped_column(SmallInteger)
    u8: Mapped[int] = mapped_column(SmallInteger)
    u9: Mapped[int] = mapped_column(SmallInteger)
    suggestion: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The unit's local date of the survey: periods are counted in local days.
    survey_date: Mapped[date] = mapped_column(Date)

    unit: Mapped[Unit] = relationship()
    service: Mapped[Service] = relationship()

    def answers(self) -> dict[str, int]:
        """The scores by element code."""
        return {code: getattr(self, code.lower()) for code in ELEMENT_CODES}


class FollowUpPlan(db.Model):
    """The follow-up plan (rencana tindak lanjut) of a unit for one period, published beside its results."""

    __tablename__ = "survey_follow_up"
    __table_args__ = (UniqueConstraint("unit_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    # A period key: 2026, 2026-S1, 2026-Q3 or 2026-05.
    period: Mapped[str] = mapped_column(String(10))
    # [{"element": "U3", "action": ..., "schedule": ..., "responsible": ...}]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
