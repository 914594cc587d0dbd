"""What the queue announces to the features that follow it, and the one thing its ticket page asks of them.

The queue imports none of those features (the survey is one): they listen, and register.

``ticket_served`` is sent, with the ticket as sender, when a counter finishes a ticket
(``antrian.service``: finish, and the ticket still held when the counter calls or recalls
another). It is sent inside the transaction that finishes the ticket, before its commit: a
receiver may add rows to ``db.session``, committed with the ticket or rolled back with it, or
register work for after that commit (``webapp.core.db.when_committed``), as the survey does for
the ticket's one-time invitation: "Panggil" finishes the ticket being served, and the lobby waits
for that transaction's commit to hear the next number. Receivers never commit, and are
idempotent (the survey's invitation is one upsert per ticket).

``survey_link(ticket)`` is what the served visitor's ticket page offers: the survey registers
the lookup (``offer_survey_link``) when its package is imported. Why a registered lookup, and
not the survey's own function, a template global, or a signal whose receivers return values:
the queue names exactly what it asks for, in one typed call a reader can follow; the page stays
read-only (the invitation was made when the ticket was served, so a GET writes nothing); and
without the survey the page simply shows no link.
"""

from __future__ import annotations

from collections.abc import Callable

from blinker import Namespace

from antrian.models import Ticket

_signals = Namespace()

ticket_served = _signals.signal(
    "ticket-served",
    doc="A ticket was served (sender: the Ticket), inside the transaction that finished it. Receivers may add to "
    "the session or register work for after its commit (when_committed), never commit, and must be idempotent.",
)

SurveyLinkLookup = Callable[[Ticket], "str | None"]
_survey_links: list[SurveyLinkLookup] = []


def offer_survey_link(lookup: SurveyLinkLookup) -> None:
    """Register how to find the survey link of a served ticket (the survey does, when imported); once only."""
    if lookup not in _survey_links:
        _survey_links.append(lookup)


def survey_link(ticket: Ticket) -> str | None:
    """The survey link to offer on this ticket's page; None when no lookup knows one (or none is registered)."""
    for lookup in _survey_links:
        link = lookup(ticket)
        if link:
            return link
    return None
