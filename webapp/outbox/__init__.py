"""The outbox: messages to citizens (email, SMS, WhatsApp) kept in the database until sent.

A feature adds a message in the same transaction as the change it reports (``enqueue``),
so a message exists exactly when the change does. ``deliver_due`` sends what is due and
retries failures with back-off; it runs right after the request that queued a message
(``send_soon``) and from ``flask outbox kirim`` (cron or a loop), so a mail server that
is down only delays messages.
"""

from flask import Blueprint

bp = Blueprint("outbox", __name__, cli_group="outbox")

from webapp.outbox import commands  # noqa: E402,F401
