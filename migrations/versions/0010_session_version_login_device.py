"""Staff sessions that end, and login failures of a known browser (security L1, M2, I1).

- user_account.session_version: part of the session id kept in the login cookie. Logout, a
  password change and deactivating the account raise it, so every copy of an older cookie
  stops working (Flask-Login's user loader compares it).
- login_failure.device: the known browser (a signed cookie given at a successful login) a
  failed attempt came from, or NULL for a stranger. A known browser's failures are counted
  by themselves, so strangers cannot lock the account's own browsers out.

Existing rows: every account starts at version 0 (sessions from before the upgrade end, as
the id they carry has no version); existing failures are strangers'.

Revision ID: 0010
Revises: 0009 (the integrator relinks it after 0010 if that lands first)
Create Date: 2026-11-30 04:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('login_failure') as batch:
        batch.add_column(sa.Column('device', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('login_failure') as batch:
        batch.drop_column('device')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('session_version')
