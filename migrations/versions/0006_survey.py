"""The satisfaction survey (SKM): responses, one-time invitations, follow-up plans; queue lines linked to services.

Revision ID: 0006
Revises: 0005 (written after 0004; follows the complaints migration since both branches met)
Create Date: 2026-11-22 07:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ELEMENTS = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9']


def upgrade():
    op.create_table('survey_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_survey_invitation_service_id_service'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_survey_invitation_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitation')),
    sa.UniqueConstraint('source', 'reference', name=op.f('uq_survey_invitation_source')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_survey_invitation_token_hash'))
    )
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitation_unit_id'), ['unit_id'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('age', sa.SmallInteger(), nullable=False),
    sa.Column('education', sa.String(length=20), nullable=False),
    sa.Column('occupation', sa.String(length=20), nullable=False),
    *[sa.Column(name, sa.SmallInteger(), nullable=False) for name in ELEMENTS],
    sa.Column('suggestion', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('survey_date', sa.Date(), nullable=False),
    *[sa.CheckConstraint(f'{name} BETWEEN 1 AND 4', name=op.f(f'ck_survey_response_{name}_score')) for name in ELEMENTS],
    sa.CheckConstraint("sex IN ('L', 'P')", name=op.f('ck_survey_response_sex')),
    sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitation.id'], name=op.f('fk_survey_response_invitation_id_survey_invitation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_survey_response_service_id_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_survey_response_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_survey_response_invitation_id'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index('ix_survey_response_unit_day', ['unit_id', 'survey_date'], unique=False)
        batch_op.create_index('ix_survey_response_service_day', ['service_id', 'survey_date'], unique=False)

    op.create_table('survey_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('items', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_survey_follow_up_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_follow_up')),
    sa.UniqueConstraint('unit_id', 'period', name=op.f('uq_survey_follow_up_unit_id'))
    )

    with op.batch_alter_table('queue_service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_queue_service_service_id_service'), 'service', ['service_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('queue_service', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_queue_service_service_id_service'), type_='foreignkey')
        batch_op.drop_column('service_id')
    op.drop_table('survey_follow_up')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_response_service_day')
        batch_op.drop_index('ix_survey_response_unit_day')
    op.drop_table('survey_response')
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_invitation_unit_id'))
    op.drop_table('survey_invitation')
