"""The kiosk: a unit may offer priority tickets at its kiosk, and a ticket remembers the idempotency
key it was asked with (security L8).

- queue_state.kiosk_priority: the kiosk shows the priority choice (lansia, disabilitas, ibu hamil).
  Existing units: off, as before.
- ticket.request_key: the key a kiosk or an API client sent with its request (a uuid per tap).
  Unique per unit and day, so a retry after a timeout finds the ticket of the first try, and two
  simultaneous requests with one key make one ticket. NULL (no key) repeats freely.

Revision ID: 0012_kiosk
Revises: 0011_display_announce
Create Date: 2026-11-30 05:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0012_kiosk'
down_revision = '0011_display_announce'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('queue_state') as batch:
        batch.add_column(sa.Column('kiosk_priority', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('ticket') as batch:
        batch.add_column(sa.Column('request_key', sa.String(length=64), nullable=True))
        batch.create_unique_constraint('uq_ticket_unit_id_day_request_key', ['unit_id', 'day', 'request_key'])


def downgrade() -> None:
    with op.batch_alter_table('ticket') as batch:
        batch.drop_constraint('uq_ticket_unit_id_day_request_key', type_='unique')
        batch.drop_column('request_key')
    with op.batch_alter_table('queue_state') as batch:
        batch.drop_column('kiosk_priority')
