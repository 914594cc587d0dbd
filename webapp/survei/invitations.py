"""One-time survey links: a token per service delivered (a served ticket, a handed-over permit), derived from
the secret key so that it can be shown again while only its hash is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app
from sqlalchemy import select

from webapp.core.db import upsert
from webapp.core.extensions import db
from webapp.core.formatting import public_url
from webapp.survei.models import SurveyInvitation


def _raw_token(source: str, reference: str) -> str:
    """The invitation token of a source and reference, derived from the secret key.

    Derived rather than random, so that it can be shown again (a ticket page reloaded) while
    the database keeps only its hash.
    """
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"survei:{source}:{reference}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def token_hash(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_invitation(*, unit_id: int, service_id: int | None, source: str, reference: str) -> str:
    """A one-time survey token for one service delivered (``source`` + ``reference``, e.g. a ticket).

    Idempotent: the same source and reference give the same token, and one invitation row (one
    upsert, so two requests at once make one row). Only the token's hash is stored; an unused
    invitation made before a change of the secret key gets the new hash. The row is written in the
    caller's transaction, not committed: the caller commits.
    """
    token = _raw_token(source, reference)
    statement = upsert(SurveyInvitation).values(
        token_hash=token_hash(token), unit_id=unit_id, service_id=service_id, source=source, reference=reference
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[SurveyInvitation.source, SurveyInvitation.reference],
            set_={"token_hash": statement.excluded.token_hash},
            where=SurveyInvitation.used_at.is_(None),
        )
    )
    return token


def existing_token(source: str, reference: str) -> str | None:
    """The token of the invitation already made for ``source`` and ``reference`` (used or not); None when none was.

    Read only: for a page that shows the link of a service delivered earlier.
    """
    stored = db.session.scalar(
        select(SurveyInvitation.token_hash).where(
            SurveyInvitation.source == source, SurveyInvitation.reference == reference
        )
    )
    token = _raw_token(source, reference)
    # After a change of the secret key the old link cannot be derived again: show none rather than a dead one.
    return token if stored is not None and stored == token_hash(token) else None


def invitation_by_token(token: str) -> SurveyInvitation | None:
    """The invitation of a raw token, used or not; None for an unknown token."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.token_hash == token_hash(token)))


def survey_url(token: str) -> str:
    """The absolute URL of the survey for a one-time token (for a link, a QR code, a message)."""
    return public_url("survei.form_token", token=token)
