"""Typo-tolerant catalogue search on PostgreSQL (issue 16, ux review §2.1): the pg_trgm extension.

webapp.standards.service.search ranks with pg_trgm's word_similarity on PostgreSQL; SQLite uses
rapidfuzz in Python and needs nothing. The catalogue is small (tens to hundreds of services), so
no trigram index is made. CREATE EXTENSION needs a role that may create it (the database owner
on PostgreSQL 13+, pg_trgm being a trusted extension).

Revision ID: 0018_search
Revises: 0017_office_profile
Create Date: 2026-11-30 09:10:00

"""
from alembic import op

revision = '0018_search'
down_revision = '0017_office_profile'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def downgrade() -> None:
    # The extension stays: another schema object of the database may use it.
    pass
