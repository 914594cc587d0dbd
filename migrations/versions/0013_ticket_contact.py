"""A phone number on a queue ticket, for the day only, and the two messages it gets (issue 13).

- ticket.phone: the visitor's mobile number (62..., webapp.core.phone), left on the phone
  ticket page; optional, erased by ``flask antrian hapus-kontak`` after the ticket's day.
- ticket.near_sent / ticket.called_sent: the "giliran Anda hampir tiba" and the "dipanggil"
  messages went to the outbox; each is sent once per ticket.
- queue_state.notify_ahead: how many people ahead makes the turn "near" (per unit, default 3).

Existing rows: no phone, nothing sent, every unit at 3.

Revision ID: 0013_ticket_contact
Revises: 0012_kiosk
Create Date: 2026-11-30 05:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0013_ticket_contact'
down_revision = '0012_kiosk'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket') as batch:
        batch.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('near_sent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('called_sent', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('queue_state') as batch:
        batch.add_column(sa.Column('notify_ahead', sa.Integer(), nullable=False, server_default='3'))


def downgrade() -> None:
    with op.batch_alter_table('queue_state') as batch:
        batch.drop_column('notify_ahead')
    with op.batch_alter_table('ticket') as batch:
        batch.drop_column('called_sent')
        batch.drop_column('near_sent')
        batch.drop_column('phone')
