"""The queue (antrian): services, counters, tickets, daily number sequences, state versions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 05:44:11.745094

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_counter_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter')),
    sa.UniqueConstraint('unit_id', 'number', name=op.f('uq_counter_unit_id'))
    )
    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_unit_id'), ['unit_id'], unique=False)

    op.create_table('queue_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('opens_at', sa.Time(), nullable=False),
    sa.Column('closes_at', sa.Time(), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_queue_service_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_service')),
    sa.UniqueConstraint('unit_id', 'code', name=op.f('uq_queue_service_unit_id'))
    )
    with op.batch_alter_table('queue_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_service_unit_id'), ['unit_id'], unique=False)

    op.create_table('queue_state',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('running_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_queue_state_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_queue_state'))
    )
    op.create_table('counter_queue_service',
    sa.Column('counter_id', sa.Integer(), nullable=False),
    sa.Column('queue_service_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_counter_queue_service_counter_id_counter'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['queue_service_id'], ['queue_service.id'], name=op.f('fk_counter_queue_service_queue_service_id_queue_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('counter_id', 'queue_service_id', name=op.f('pk_counter_queue_service'))
    )
    op.create_table('daily_sequence',
    sa.Column('queue_service_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['queue_service_id'], ['queue_service.id'], name=op.f('fk_daily_sequence_queue_service_id_queue_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('queue_service_id', 'day', name=op.f('pk_daily_sequence'))
    )
    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('queue_service_id', sa.Integer(), nullable=False),
    sa.Column('issued_service_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=8), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('priority_reason', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('serving_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('call_count', sa.Integer(), nullable=False),
    sa.Column('transferred_from_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_ticket_counter_id_counter'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issued_service_id'], ['queue_service.id'], name=op.f('fk_ticket_issued_service_id_queue_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['queue_service_id'], ['queue_service.id'], name=op.f('fk_ticket_queue_service_id_queue_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['transferred_from_id'], ['queue_service.id'], name=op.f('fk_ticket_transferred_from_id_queue_service'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_ticket_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket')),
    sa.UniqueConstraint('issued_service_id', 'day', 'sequence', name=op.f('uq_ticket_issued_service_id')),
    sa.UniqueConstraint('token', name=op.f('uq_ticket_token'))
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_queue_service_id'), ['queue_service_id'], unique=False)
        batch_op.create_index('ix_ticket_unit_day_status', ['unit_id', 'day', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_unit_day_status')
        batch_op.drop_index(batch_op.f('ix_ticket_queue_service_id'))

    op.drop_table('ticket')
    op.drop_table('daily_sequence')
    op.drop_table('counter_queue_service')
    op.drop_table('queue_state')
    with op.batch_alter_table('queue_service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_service_unit_id'))

    op.drop_table('queue_service')
    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counter_unit_id'))

    op.drop_table('counter')
