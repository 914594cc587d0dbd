"""The satisfaction survey of a permit handed over: its one-time link.

The permit feature depends on the survey (it invites its applicants), never the other way
round: the survey knows nothing of berkas, and offers ``issue_invitation`` to any feature.
"""

from __future__ import annotations

from webapp.berkas.models import SELESAI, Berkas
from webapp.survei.invitations import issue_invitation

SOURCE = "berkas"  # the invitation's source for a permit; its reference is the berkas id


def berkas_invitation(berkas: Berkas) -> str | None:
    """The survey token of a permit handed over to its applicant (made on first ask, flushed); None before."""
    if berkas.status != SELESAI:
        return None
    return issue_invitation(unit_id=berkas.unit_id, service_id=berkas.service_id, source=SOURCE,
                            reference=str(berkas.id))
