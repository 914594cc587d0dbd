"""Reservasi (issue 14): booking setup per queue line, slot counts, bookings, and the ticket's booked slot.

- booking_setup: one row per queue line that may take bookings, with its rules.
- booking_slot: places claimed per line, day and local start (the atomic count).
- booking: one booking; personal data nulled 90 days after its day.
- ticket.booked_from: the slot start of a ticket issued at a booking's check-in; the queue's call
  order puts it after priority tickets and ahead of walk-ins from that moment (antrian.reading).

Existing rows: no line takes bookings, no ticket is booked.

Revision ID: 0015_reservasi
Revises: 0014_import_review
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0015_reservasi'
down_revision = '0014_import_review'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'booking_setup',
        sa.Column('queue_service_id', sa.Integer(), sa.ForeignKey('queue_service.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('enabled', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('slot_minutes', sa.Integer(), nullable=False, server_default='30'),
        sa.Column('places', sa.Integer(), nullable=False, server_default='4'),
        sa.Column('days_ahead', sa.Integer(), nullable=False, server_default='14'),
        sa.Column('walk_in_percent', sa.Integer(), nullable=False, server_default='50'),
        sa.Column('early_minutes', sa.Integer(), nullable=False, server_default='15'),
        sa.Column('late_minutes', sa.Integer(), nullable=False, server_default='30'),
        sa.Column('mark', sa.String(length=1), nullable=False, server_default='R'),
        sa.Column('max_per_contact', sa.Integer(), nullable=False, server_default='1'),
        sa.Column('noshow_limit', sa.Integer(), nullable=False, server_default='2'),
        sa.Column('noshow_days', sa.Integer(), nullable=False, server_default='14'),
        sa.Column('ask_nik', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        'booking_slot',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('queue_service_id', sa.Integer(), sa.ForeignKey('queue_service.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('start', sa.Time(), nullable=False),
        sa.Column('taken', sa.Integer(), nullable=False, server_default='0'),
        sa.UniqueConstraint('queue_service_id', 'day', 'start'),
    )
    op.create_table(
        'booking',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('unit_id', sa.Integer(), sa.ForeignKey('unit.id', ondelete='CASCADE'), nullable=False),
        sa.Column('queue_service_id', sa.Integer(), sa.ForeignKey('queue_service.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('start', sa.Time(), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('code_tail', sa.String(length=4), nullable=False),
        sa.Column('status', sa.String(length=14), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=True),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('nik', sa.String(length=16), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('late', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('ticket.id', ondelete='SET NULL'), nullable=True),
        sa.Column('reminded_day', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('reminded_hour', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_booking_unit_id', 'booking', ['unit_id'])
    op.create_index('ix_booking_line_day_status', 'booking', ['queue_service_id', 'day', 'status'])
    op.create_index('ix_booking_phone', 'booking', ['phone'])
    op.create_index('ix_booking_email', 'booking', ['email'])
    with op.batch_alter_table('ticket') as batch:
        batch.add_column(sa.Column('booked_from', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ticket') as batch:
        batch.drop_column('booked_from')
    op.drop_index('ix_booking_email', table_name='booking')
    op.drop_index('ix_booking_phone', table_name='booking')
    op.drop_index('ix_booking_line_day_status', table_name='booking')
    op.drop_index('ix_booking_unit_id', table_name='booking')
    op.drop_table('booking')
    op.drop_table('booking_slot')
    op.drop_table('booking_setup')
