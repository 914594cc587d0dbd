"""The kartu kendali's buttons: one dispatcher, one unit of work per press.

terima, the officer of the current step signs for the file; serahkan, hands it to the next
step (the last one means ready to collect); kembalikan, sends it back to an earlier step with
a reason; ambil, the applicant collects the document. The page carries the file's version
(its number of movements): a press made on a page older than the file is refused, so two
officers pressing at once never both move it. The rules are ``service``'s; the check of the
version, the dispatch and the message for the officer live here, once.
"""

from __future__ import annotations

from datetime import datetime

from webapp.auth.models import User
from webapp.berkas.models import SIAP, Berkas
from webapp.berkas.service import BerkasError, collect, hand_over, hold, receive, return_to
from webapp.core.db import transactional

RECEIVE, HAND_OVER, RETURN, COLLECT = "terima", "serahkan", "kembalikan", "ambil"
ACTIONS = (RECEIVE, HAND_OVER, RETURN, COLLECT)


class UnknownActionError(BerkasError):
    """No kartu kendali button has this name."""


class StaleError(BerkasError):
    """The page the officer pressed on is older than the file: another officer moved it since."""


def version_of(berkas: Berkas) -> str:
    """The file's version, carried by the kartu kendali page: how many times it has moved."""
    return str(len(berkas.movements))


@transactional(serial=True)
def act(berkas: Berkas, action: str, officer: User, *, version: str | None, position: int | None = None,
        reason: str = "", note: str = "", recipient: str = "", now: datetime | None = None) -> str:
    """Do the kartu kendali button ``action`` for ``officer``: one unit of work; the message for the officer.

    ``version`` is the version the page showed (None: no check, for a caller without a page);
    ``position`` and ``reason`` are kembalikan's, ``note`` serahkan's, ``recipient`` ambil's.
    Raises UnknownActionError, StaleError, or BerkasError (the file's state or the officer's
    step does not allow it), with nothing changed.
    """
    if action not in ACTIONS:
        raise UnknownActionError("Tombol kartu kendali tidak dikenal.")
    hold(berkas)  # from here on no other officer moves the file until this commits
    if version is not None and version != version_of(berkas):
        raise StaleError("Berkas ini baru saja diubah petugas lain; periksa keadaannya lalu ulangi.")
    step = berkas.current_step
    if action == RECEIVE:
        receive(berkas, officer, now)
        return f"Berkas diterima di langkah {step.name if step else ''}."
    if action == HAND_OVER:
        hand_over(berkas, officer, note, now)
        following = berkas.current_step
        message = f"Berkas diserahkan ke {following.executor if following else ''}."
        if berkas.status == SIAP:
            message += " Dokumen siap diambil; pemohon diberi tahu lewat SMS."
        return message
    if action == RETURN:
        return_to(berkas, position if position is not None else -1, reason, officer, now)
        return f"Berkas dikembalikan ke {berkas.current_step.name if berkas.current_step else ''}."
    collect(berkas, officer, recipient, now)
    return "Dokumen diserahkan kepada pemohon. Berkas selesai."
