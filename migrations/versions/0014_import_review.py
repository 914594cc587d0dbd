"""Imports reviewed before they go public (issue 15, ux review §2.8).

- service_version.kind: "impor" on a version that came from an imported file;
- service_version.source_name, source_sha256: that file's name and the sha256 of its bytes,
  so that re-importing an unchanged file is recognised and changes nothing;
- status "import" (waiting for review) and "import_reviewed" (kept as the file's record), with
  at most one import waiting per service (a partial unique index, like the one open draft).

Existing rows keep NULL: they were typed or loaded before imports were recorded.

Revision ID: 0014_import_review
Revises: 0013_ticket_contact
Create Date: 2026-11-30 05:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0014_import_review'
down_revision = '0013_ticket_contact'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('service_version') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('source_name', sa.String(length=255), nullable=True))
        batch.add_column(sa.Column('source_sha256', sa.String(length=64), nullable=True))
    op.create_index(
        'uq_service_version_one_import', 'service_version', ['service_id'], unique=True,
        postgresql_where=sa.text("status = 'import'"), sqlite_where=sa.text("status = 'import'"),
    )


def downgrade() -> None:
    # Older code knows neither status: an import waiting for review or the record of a reviewed one
    # would be shown (or counted) as some other version, so they go before their columns do.
    op.execute(sa.text("DELETE FROM service_version WHERE status IN ('import', 'import_reviewed')"))
    op.drop_index('uq_service_version_one_import', table_name='service_version')
    with op.batch_alter_table('service_version') as batch:
        batch.drop_column('source_sha256')
        batch.drop_column('source_name')
        batch.drop_column('kind')
