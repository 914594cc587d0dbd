"""How lobby displays announce calls, per unit (issue 13): the words and the oldest call still spoken.

- queue_state.announce_style: "singkat" ("A nol nol tujuh, loket dua", the default) or
  "lengkap" ("Nomor antrian A nol nol tujuh, silakan ke loket dua").
- queue_state.announce_max_age_seconds: a call older than this when its turn to be spoken comes
  is shown but not spoken, so that a display never lags the counters (default 60).

Existing rows get the defaults.

Revision ID: 0011_display_announce
Revises: 0010 (the integrator relinks it if another 0011 lands first)
Create Date: 2026-11-30 05:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0011_display_announce'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('queue_state') as batch:
        batch.add_column(sa.Column('announce_style', sa.String(length=10), nullable=False, server_default='singkat'))
        batch.add_column(sa.Column('announce_max_age_seconds', sa.Integer(), nullable=False, server_default='60'))


def downgrade() -> None:
    with op.batch_alter_table('queue_state') as batch:
        batch.drop_column('announce_max_age_seconds')
        batch.drop_column('announce_style')
