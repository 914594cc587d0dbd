"""The satisfaction survey of a permit handed over: its one-time link.

The permit feature depends on the survey (it invites its applicants), never the other way
round: the survey knows nothing of berkas, and offers ``issue_invitation`` to any feature.

The invitation is made when the permit is handed over (``service.collect`` calls
``berkas_invitation`` in its unit of work), so the pages that show the link only read it.
A permit handed over before invitations were made at the hand-over (or whose link no longer
derives from the secret key, after a key change) gets its invitation made the first time a
page asks for it, in a unit of work of its own (``survey_token``): once, and never again
for that permit.
"""

from __future__ import annotations

from webapp.berkas.models import SELESAI, Berkas
from webapp.core.db import transactional
from webapp.survei.invitations import existing_token, issue_invitation

SOURCE = "berkas"  # the invitation's source for a permit; its reference is the berkas id


def berkas_invitation(berkas: Berkas) -> str | None:
    """The survey token of a permit handed over to its applicant (made on first ask, flushed); None before.

    A building block of the hand-over's unit of work: it adds to the session and never commits.
    """
    if berkas.status != SELESAI:
        return None
    return issue_invitation(unit_id=berkas.unit_id, service_id=berkas.service_id, source=SOURCE,
                            reference=str(berkas.id))


@transactional
def invite_late(berkas: Berkas) -> str | None:
    """Make the invitation of a permit handed over without one (before invitations were made at the
    hand-over, or re-keyed after a change of the secret key): one unit of work; its token, None before."""
    return berkas_invitation(berkas)


def survey_token(berkas: Berkas) -> str | None:
    """The survey token to show for a permit: None until it is handed over.

    Reads the invitation made at the hand-over; only for a permit handed over without one is it
    made now (``invite_late``), so a page's GET writes at most once per such permit.
    """
    if berkas.status != SELESAI:
        return None
    return existing_token(SOURCE, str(berkas.id)) or invite_late(berkas)
