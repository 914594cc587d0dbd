"""The office profile (issue 16, ux review §2.4-2.8): the kop surat and the signatories.

- unit: government_name (Pemerintah Kabupaten Kampar), phone, whatsapp, email, website,
  place_name (for "Bangkinang, 30 November 2026"), opening_hours (JSON per weekday) and the
  logo (PNG or SVG bytes, checked by content) with its type;
- signatory: who signs for a role of a unit (Kepala Dinas, Sekretaris, ...), with pangkat and
  NIP, from a date on: a document keeps the signatory of its own date.

Existing units keep NULL/empty: the office fills them in the admin.

Revision ID: 0017_office_profile
Revises: 0014_import_review
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0017_office_profile'
down_revision = '0014_import_review'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('unit') as batch:
        batch.add_column(sa.Column('government_name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('whatsapp', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('email', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('website', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('place_name', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('opening_hours', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True))
        batch.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('logo_type', sa.String(length=40), nullable=True))
    op.create_table(
        'signatory',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('rank', sa.String(length=120), nullable=True),
        sa.Column('nip', sa.String(length=18), nullable=True),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('unit_id', 'role', 'valid_from', name='uq_signatory_unit_role_from'),
    )
    op.create_index('ix_signatory_unit_id', 'signatory', ['unit_id'])


def downgrade() -> None:
    op.drop_index('ix_signatory_unit_id', table_name='signatory')
    op.drop_table('signatory')
    with op.batch_alter_table('unit') as batch:
        for column in ('logo_type', 'logo', 'opening_hours', 'place_name', 'website', 'email', 'whatsapp',
                       'phone', 'government_name'):
            batch.drop_column(column)
