"""Tickets taken by strangers cannot empty a service's day or fill the lobby screen (security M3).

The design, in three kinds of taker:

- **Kiosk devices and staff** take from the whole daily cap, limited only by the kiosk's own
  rate (KIOSK_RATE_LIMIT): an API client with a bearer token (a kiosk program, a counter), and
  the kiosk page in a browser an administrator has registered as the unit's kiosk (a signed
  cookie, set once with the button on the kiosk page; nothing is typed afterwards).
- **Anonymous API clients** (``POST /api/v1/antrian/tiket`` without a token) may take
  TICKET_ANON_LIMIT tickets per address, service and day (default 3), and
- **every anonymous ticket together** (the API without a token, and the kiosk page in a browser
  that is not registered) may take at most TICKET_ANON_SHARE percent of the service's daily cap
  (default 50), or TICKET_ANON_DAILY_MAX a day (default 100) when the service has no cap.

So a flood from the internet uses up at most the anonymous share, and the lobby's registered
kiosk still issues the rest of the day's numbers. The unregistered kiosk page has no limit per
address, since a whole lobby shares one; it only draws on the anonymous share.

The counts live in Flask-Limiter's storage (Redis when REDIS_URL is set, so every process
agrees; memory otherwise), keyed by the service and the unit's local date. A count is taken
before the ticket is issued, atomically, so a burst cannot slip past it; a refused ticket
(the cap reached meanwhile) keeps its count, which errs on the safe side.
"""

from __future__ import annotations

from datetime import date
from math import ceil
from typing import Any

from flask import current_app
from limits import RateLimitItemPerDay, parse
from sqlalchemy import select

from antrian.models import QueueService
from antrian.service import QueueError
from webapp.core.extensions import db, limiter
from webapp.core.i18n import N_
from webapp.core.localtime import local_today
from webapp.core.units import Unit


class TooManyTicketsError(QueueError):
    """An anonymous ticket refused by the limits above; ``status`` is the HTTP answer (429 or 409)."""

    def __init__(self, message: str, status: int, **values: Any) -> None:
        super().__init__(message, **values)
        self.status = status


def anonymous_share(daily_cap: int | None) -> int:
    """How many tickets of a service all anonymous takers together may have in one day."""
    config = current_app.config
    if daily_cap is None:
        return max(0, config["TICKET_ANON_DAILY_MAX"])
    return max(0, ceil(daily_cap * config["TICKET_ANON_SHARE"] / 100))


def admit_anonymous(unit_slug: str, code: str, address: str | None) -> None:
    """Count an anonymous ticket of ``unit_slug``'s service ``code`` before it is issued.

    ``address``: the taker's address for the limit per address (the API), or None for the kiosk
    page, whose takers share the lobby's address. Raises TooManyTicketsError when refused. An
    unknown unit or service is left to ``issue``, which says which.
    """
    if not limiter.enabled:
        return
    found = db.session.execute(
        select(QueueService.id, QueueService.name, QueueService.daily_cap, Unit.timezone)
        .join(Unit, Unit.id == QueueService.unit_id)
        .where(Unit.slug == unit_slug, QueueService.code == code)
    ).first()
    if found is None:
        return
    day: date = local_today(found)
    counter = limiter.limiter
    if address is not None:
        per_address = parse(current_app.config["TICKET_ANON_LIMIT"])
        if not counter.hit(per_address, "tiket-anonim-alamat", address, str(found.id), day.isoformat()):
            raise TooManyTicketsError(
                N_("Dari alamat ini sudah diambil %(num)d nomor %(name)s hari ini. Silakan ambil nomor di kios "
                   "kantor."), 429, num=per_address.amount, name=found.name,
            )
    share = anonymous_share(found.daily_cap)
    if share <= 0 or not counter.hit(RateLimitItemPerDay(share), "tiket-anonim", str(found.id), day.isoformat()):
        raise TooManyTicketsError(
            N_("Nomor %(name)s yang dapat diambil dari luar kantor hari ini sudah habis. Silakan ambil nomor di "
               "kios kantor."), 409, name=found.name,
        )
