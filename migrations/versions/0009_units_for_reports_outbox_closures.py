"""Monthly complaint reports, outbox messages and closure days belong to a unit (security M6, L7).

- complaint_report.unit_id: a unit's report, or the office-wide one (NULL). One report per
  (unit, year, month) by a unique constraint, and one office-wide report per (year, month)
  by a partial unique index WHERE unit_id IS NULL: NULLs are distinct in a unique
  constraint on SQLite and PostgreSQL alike, and both support partial indexes.
- closure.unit_id: a unit's closure, or an office-wide one (NULL); unique per (unit, day),
  and one office-wide closure per day by a partial unique index.
- outbox_message.unit_id and .anonymous: the unit of the complaint or berkas a message is
  about, and whether it answers an anonymous complainant.

Existing rows: reports and closures stay office-wide, as they were. A message takes the
unit (and the anonymity) of the complaint whose number is its reference; a berkas
message takes the unit of the berkas with that number when only one unit has such a
number (berkas numbers restart per unit); any other message keeps no unit.

Downgrade: the old schema holds one report per month and one closure per day for the
whole office, so the rows of a unit are deleted (turning a unit's closure into an
office-wide one would move every unit's deadlines).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

NO_UNIT = sa.text('unit_id IS NULL')

outbox = sa.table(
    'outbox_message', sa.column('unit_id', sa.Integer), sa.column('anonymous', sa.Boolean),
    sa.column('reference', sa.String), sa.column('topic', sa.String),
)
complaint = sa.table('complaint', sa.column('number', sa.String), sa.column('unit_id', sa.Integer),
                     sa.column('anonymous', sa.Boolean))
berkas = sa.table('berkas', sa.column('number', sa.String), sa.column('unit_id', sa.Integer))


def upgrade():
    with op.batch_alter_table('complaint_report') as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_complaint_report_unit_id_unit'), 'unit', ['unit_id'], ['id'],
                                    ondelete='RESTRICT')
        batch_op.drop_constraint('uq_complaint_report_year', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_complaint_report_unit_id'), ['unit_id', 'year', 'month'])
    op.create_index('uq_complaint_report_office_month', 'complaint_report', ['year', 'month'], unique=True,
                    sqlite_where=NO_UNIT, postgresql_where=NO_UNIT)

    with op.batch_alter_table('closure') as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_closure_unit_id_unit'), 'unit', ['unit_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.drop_constraint('uq_closure_day', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_closure_unit_id'), ['unit_id', 'day'])
    op.create_index('uq_closure_office_day', 'closure', ['day'], unique=True,
                    sqlite_where=NO_UNIT, postgresql_where=NO_UNIT)

    with op.batch_alter_table('outbox_message') as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('anonymous', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key(batch_op.f('fk_outbox_message_unit_id_unit'), 'unit', ['unit_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_outbox_message_unit_id'), ['unit_id'], unique=False)

    # Messages about a complaint: its unit and its anonymity (complaint numbers are unique).
    about = sa.select(complaint.c.number).where(complaint.c.number == outbox.c.reference).exists()
    op.execute(outbox.update().where(about).values(
        unit_id=sa.select(complaint.c.unit_id).where(complaint.c.number == outbox.c.reference).scalar_subquery(),
        anonymous=sa.select(complaint.c.anonymous).where(complaint.c.number == outbox.c.reference).scalar_subquery(),
    ))
    # Messages about a berkas: its unit, when the number names the berkas of one unit only.
    same_number = sa.select(berkas.c.unit_id).where(berkas.c.number == outbox.c.reference)
    units = (sa.select(sa.func.count(sa.distinct(berkas.c.unit_id)))
             .where(berkas.c.number == outbox.c.reference).scalar_subquery())
    op.execute(outbox.update()
               .where(outbox.c.topic.like('berkas.%'), outbox.c.unit_id.is_(None), units == 1)
               .values(unit_id=same_number.limit(1).scalar_subquery()))


def downgrade():
    with op.batch_alter_table('outbox_message') as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_unit_id'))
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_unit_id_unit'), type_='foreignkey')
        batch_op.drop_column('anonymous')
        batch_op.drop_column('unit_id')

    op.execute("DELETE FROM closure WHERE unit_id IS NOT NULL")
    op.drop_index('uq_closure_office_day', table_name='closure')
    with op.batch_alter_table('closure') as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_closure_unit_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_closure_unit_id_unit'), type_='foreignkey')
        batch_op.drop_column('unit_id')
        batch_op.create_unique_constraint('uq_closure_day', ['day'])

    op.execute("DELETE FROM complaint_report WHERE unit_id IS NOT NULL")
    op.drop_index('uq_complaint_report_office_month', table_name='complaint_report')
    with op.batch_alter_table('complaint_report') as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_complaint_report_unit_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_complaint_report_unit_id_unit'), type_='foreignkey')
        batch_op.drop_column('unit_id')
        batch_op.create_unique_constraint('uq_complaint_report_year', ['year', 'month'])
