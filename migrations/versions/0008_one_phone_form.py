"""One stored form for phone numbers: digits starting 62, in complaints, berkas and the outbox.

Complaints kept numbers as 08...; berkas kept what the officer typed beside a 62... copy
for the lookup. Every feature now stores the 62... digits (webapp.core.phone) and shows
them as 0812-3456-7890, so the berkas copy column goes.

Timestamps: every column that holds a moment is now the UtcDateTime type. It is the same
SQL type as before (timestamp with time zone), so no column changes here; values were
always written in UTC.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 03:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE complaint SET phone = '62' || substr(phone, 2) WHERE phone LIKE '08%'")
    op.execute(
        "UPDATE outbox_message SET recipient = '62' || substr(recipient, 2) "
        "WHERE channel IN ('sms', 'whatsapp') AND recipient LIKE '08%'"
    )
    op.execute("UPDATE berkas SET applicant_phone = applicant_phone_digits")
    with op.batch_alter_table('berkas') as batch_op:
        batch_op.drop_column('applicant_phone_digits')


def downgrade():
    with op.batch_alter_table('berkas') as batch_op:
        batch_op.add_column(sa.Column('applicant_phone_digits', sa.String(length=20), nullable=False, server_default=''))
    op.execute("UPDATE berkas SET applicant_phone_digits = applicant_phone")
    op.execute(
        "UPDATE outbox_message SET recipient = '0' || substr(recipient, 3) "
        "WHERE channel IN ('sms', 'whatsapp') AND recipient LIKE '628%'"
    )
    op.execute("UPDATE complaint SET phone = '0' || substr(phone, 3) WHERE phone LIKE '628%'")
