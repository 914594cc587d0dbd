"""Forms of the kiosk and the counter panel (buttons, mostly: each carries a CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from antrian.service import PRIORITY_REASONS
from webapp.admin.fields import choices


class TakeTicketForm(FlaskForm):
    """A kiosk button: the service code."""

    service = HiddenField()


class CounterActionForm(FlaskForm):
    """A counter button; ``ticket`` names the ticket it acts on, ``target`` a transfer's service."""

    ticket = HiddenField()
    target = HiddenField()


class PriorityTicketForm(FlaskForm):
    """Staff issue a priority ticket (elderly, disabled, pregnant), called before the others."""

    service = SelectField("Layanan")
    reason = SelectField("Alasan prioritas", choices=choices(PRIORITY_REASONS.items()))
