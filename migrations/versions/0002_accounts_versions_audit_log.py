"""Staff accounts, API tokens, login throttling, standard versions and the audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:59:48.442601

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_username'), ['username'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_user_account_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_unit_id'), ['unit_id'], unique=False)

    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('hint', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_audit_event_unit_id_unit'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_audit_event_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_object_type'), ['object_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_user_id'), ['user_id'], unique=False)

    op.create_table('service_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('document', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=64), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_service_version_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_version')),
    sa.UniqueConstraint('service_id', 'number', name=op.f('uq_service_version_service_id'))
    )
    with op.batch_alter_table('service_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_version_service_id'), ['service_id'], unique=False)
    # At most one open draft per service, even when two admins start editing at once.
    op.create_index('uq_service_version_one_draft', 'service_version', ['service_id'], unique=True,
                    postgresql_where=sa.text("status = 'draft'"), sqlite_where=sa.text("status = 'draft'"))

    with op.batch_alter_table('service', schema=None) as batch_op:
        # Services that existed before versions were public: they stay published.
        batch_op.add_column(sa.Column('is_published', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_service_is_published'), ['is_published'], unique=False)

    _record_existing_services_as_version_1()


TYPED = {"jangka_waktu": ("duration_days", "days"), "biaya": ("fee_amount", "amount"),
         "jumlah_pelaksana": ("staff_count", "count")}


def _record_existing_services_as_version_1():
    """Keep the standard each existing service published as its version 1, so history starts complete."""
    bind = op.get_bind()
    json_type = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
    service = sa.table(
        'service', sa.column('id'), sa.column('unit_id'), sa.column('slug'), sa.column('title'),
        sa.column('category'), sa.column('source'), sa.column('source_note'), sa.column('duration_days'),
        sa.column('fee_amount'), sa.column('staff_count'), sa.column('components', json_type),
        sa.column('complaint_channels', json_type), sa.column('sop', json_type), sa.column('guides', json_type),
        sa.column('decree', json_type), sa.column('created_at'), sa.column('published_at'),
    )
    unit = sa.table('unit', sa.column('id'), sa.column('slug'))
    version = sa.table(
        'service_version', sa.column('service_id'), sa.column('number'), sa.column('status'),
        sa.column('document', json_type), sa.column('note'), sa.column('created_by'), sa.column('created_at'),
        sa.column('updated_at'), sa.column('published_by'), sa.column('published_at'),
    )
    units = dict(bind.execute(sa.select(unit.c.id, unit.c.slug)).all())
    for row in bind.execute(sa.select(service)).mappings().all():
        components = {}
        for code, block in (row['components'] or {}).items():
            if block is not None and code in TYPED:
                column, key = TYPED[code]
                block = {**block, key: row[column]}
            components[code] = block
        document = {
            'unit': units.get(row['unit_id']), 'slug': row['slug'], 'title': row['title'],
            'category': row['category'], 'source': row['source'], 'source_note': row['source_note'],
            'components': components, 'complaint_channels': row['complaint_channels'] or [],
            'sop': row['sop'], 'guides': row['guides'] or [], 'decree': row['decree'],
        }
        bind.execute(version.insert().values(
            service_id=row['id'], number=1, status='published', document=document, note='Versi awal',
            created_by='sistem', created_at=row['created_at'], updated_at=row['created_at'],
            published_by='sistem', published_at=row['created_at'],
        ))
        bind.execute(sa.update(service).where(service.c.id == row['id']).values(published_at=row['created_at']))



def downgrade():
    op.drop_index('uq_service_version_one_draft', table_name='service_version')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_is_published'))
        batch_op.drop_column('published_at')
        batch_op.drop_column('is_published')

    with op.batch_alter_table('service_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_version_service_id'))

    op.drop_table('service_version')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_unit_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_object_type'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_unit_id'))

    op.drop_table('user_account')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_username'))
        batch_op.drop_index(batch_op.f('ix_login_failure_at'))
        batch_op.drop_index(batch_op.f('ix_login_failure_address'))

    op.drop_table('login_failure')
