"""English for foreign visitors (issue 17): optional English text of a service, and the language a visitor used.

- service.title_en, service.summary_en, service.requirements_en: what admin adds for foreign investors
  (the title, a short summary, and the requirement items in the order of the published list). They
  live on the service, not in its versioned document: the standard's own text stays as published, in
  Indonesian, and importing or publishing a new version leaves them alone.
- complaint.locale, ticket.locale, booking.locale: "id" or "en", the language the visitor used, so the
  messages sent later (tracking code, replies, "your turn is near", booking reminders) are in that language.

Existing rows: no English text, every complaint and ticket in Indonesian.

Revision ID: 0021_english
Revises: 0018_search
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0021_english'
down_revision = '0018_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('service') as batch:
        batch.add_column(sa.Column('title_en', sa.String(length=300), nullable=True))
        batch.add_column(sa.Column('summary_en', sa.Text(), nullable=True))
        batch.add_column(sa.Column('requirements_en', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True))
    with op.batch_alter_table('complaint') as batch:
        batch.add_column(sa.Column('locale', sa.String(length=5), nullable=False, server_default='id'))
    with op.batch_alter_table('ticket') as batch:
        batch.add_column(sa.Column('locale', sa.String(length=5), nullable=False, server_default='id'))
    with op.batch_alter_table('booking') as batch:
        batch.add_column(sa.Column('locale', sa.String(length=5), nullable=False, server_default='id'))


def downgrade() -> None:
    with op.batch_alter_table('booking') as batch:
        batch.drop_column('locale')
    with op.batch_alter_table('ticket') as batch:
        batch.drop_column('locale')
    with op.batch_alter_table('complaint') as batch:
        batch.drop_column('locale')
    with op.batch_alter_table('service') as batch:
        batch.drop_column('requirements_en')
        batch.drop_column('summary_en')
        batch.drop_column('title_en')
