"""The survey's side of the queue: a served ticket invites its visitor, and the queue counts who was served.

The survey depends on the queue, never the other way round. The queue announces a served
ticket (``antrian.signals.ticket_served``); the receiver below makes the ticket's one-time
invitation as soon as that transaction has committed, in one of its own. The ticket page then
asks ``antrian.signals.survey_link``, which this module answers with ``ticket_survey_link``: the
link of that invitation, read only.
Both are connected when this module is imported, which ``webapp.survei`` does with its blueprint.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import func, select

from antrian.models import QueueService, Ticket
from antrian.signals import offer_survey_link, ticket_served
from webapp.audit.models import Actor, record
from webapp.core.db import transactional, when_committed
from webapp.core.extensions import db
from webapp.core.units import Unit
from webapp.standards.models import Service
from webapp.survei.filing import survey_service_titles
from webapp.survei.invitations import existing_token, issue_invitation, survey_url
from webapp.survei.periods import Period

SOURCE = "antrian"  # the invitation's source for a queue ticket; its reference is the ticket's id


def plain_choice(line_name: str, services: list[tuple[int, str]]) -> int | None:
    """Of the unit's survey services (id, title), the one a queue line plainly delivers: the only one, or the
    one of the same name; None when there is no such service."""
    if len(services) == 1:
        return services[0][0]
    same = [service_id for service_id, title in services if title.casefold() == line_name.casefold()]
    return same[0] if len(same) == 1 else None


def suggested_links(unit: Unit, lines: list[QueueService]) -> dict[int, int]:
    """For each of ``lines`` not linked to a service, the one it plainly delivers (``plain_choice``), if any:
    line id -> service id. One query for all the lines, for the staff page that links them."""
    services = survey_service_titles(unit.id)
    chosen = {line.id: plain_choice(line.name, services) for line in lines if line.service_id is None}
    return {line_id: service_id for line_id, service_id in chosen.items() if service_id is not None}


def queue_lines(unit: Unit) -> list[QueueService]:
    """The unit's queue lines, in the order the kiosk shows them."""
    statement = select(QueueService).where(QueueService.unit_id == unit.id)
    return list(db.session.scalars(statement.order_by(QueueService.position, QueueService.code)))


@transactional
def link_queue_services(unit: Unit, chosen: dict[int, int | None], *, actor: Actor | None) -> list[str]:
    """Link each of the unit's queue lines to the catalogue service it delivers; one unit of work, in the audit log.

    ``chosen`` maps a line's id to a service id, or None: the visitor chooses. A service that
    is not one of the unit's published services, or a line not given, counts as None. Returns
    the changes, as recorded ("A: Izin Usaha").
    """
    services = {s.id: s for s in unit.published_services}
    changes = []
    for line in queue_lines(unit):
        service_id = chosen.get(line.id)
        service_id = service_id if service_id in services else None
        if service_id != line.service_id:
            changes.append(f"{line.code}: {services[service_id].title if service_id else 'dipilih pengunjung'}")
            line.service_id = service_id
    if changes:
        record("update", "queue_service", None, "Layanan antrian untuk survei: " + "; ".join(changes),
               unit_id=unit.id, actor=actor)
    return changes


def ticket_invitation(ticket: Ticket) -> str | None:
    """The survey token of a served queue ticket (made on first ask; flushed, not committed).

    None before it is served, and when its unit publishes no service the survey could be about.
    The survey is about the service the line is linked to, or the one it plainly delivers;
    otherwise the respondent chooses among the unit's services.
    """
    if ticket.status != Ticket.DONE:
        return None
    line = ticket.queue_service
    linked = line.service_id
    if linked is None:
        # Runs right after a counter's call (panggil finishes the ticket it serves), on the officer's
        # request: titles only, not whole standards.
        services = survey_service_titles(line.unit_id)
        if not services:
            return None
        linked = plain_choice(line.name, services)
    return issue_invitation(unit_id=ticket.unit_id, service_id=linked, source=SOURCE, reference=str(ticket.id))


@ticket_served.connect
def invite_served_visitor(ticket: Ticket, **_: Any) -> None:
    """Receiver of ``ticket_served``: make the served ticket's invitation once the ticket's finish is committed.

    Not in the finishing transaction: "Panggil" finishes the ticket being served, and until its
    transaction commits the lobby's screens wait for the next number (docs/realtime.md). The
    invitation follows the call's announcement (``when_committed``), a few milliseconds later. Were
    the process to die in between, the ticket would stay served and its page would offer no survey.
    """
    when_committed(partial(_invite, ticket))


@transactional(keep_loaded=True)  # right after a counter's call, whose answer is built from the rows it kept loaded
def _invite(ticket: Ticket) -> None:
    ticket_invitation(ticket)


def ticket_survey_link(ticket: Ticket) -> str | None:
    """The survey link of a served ticket, when its invitation was made; None otherwise. Writes nothing."""
    token = existing_token(SOURCE, str(ticket.id))
    return survey_url(token) if token is not None else None


offer_survey_link(ticket_survey_link)


def service_users(period: Period, *, unit: Unit | None = None, service: Service | None = None) -> int | None:
    """How many people were served in ``period``: finished queue tickets, where the queue knows.

    None when it does not: the scope has no queue line (or, for a service, no line linked to it).
    """
    lines = select(QueueService.id)
    if service is not None:
        lines = lines.where(QueueService.service_id == service.id)
    elif unit is not None:
        lines = lines.where(QueueService.unit_id == unit.id)
    line_ids = list(db.session.scalars(lines))
    if not line_ids:
        return None
    return db.session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.queue_service_id.in_(line_ids),
            Ticket.status == Ticket.DONE,
            Ticket.day.between(period.first, period.last),
        )
    )
