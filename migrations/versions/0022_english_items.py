"""English requirement items keep the Indonesian text they translate (data only, no schema change).

service.requirements_en was a list of English strings matched by position with the published
requirement list, so a new version that inserted or reordered items showed English beside the
wrong official text. Each item is now {"id_text": <the Indonesian item text>, "en": <English>},
and the page shows the English only while that text is still in the list.

Existing rows: each English string is paired with the item at its position in the published list
today (what visitors saw); blank strings and strings beyond the list are dropped.
Downgrade: back to strings by position in today's list (stale items become blanks).

Revision ID: 0022_english_items
Revises: 0021_english
Create Date: 2026-11-30 10:40:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0022_english_items'
down_revision = '0021_english'
branch_labels = None
depends_on = None

_service = sa.table(
    'service',
    sa.column('id', sa.Integer()),
    sa.column('components', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')),
    sa.column('requirements_en', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')),
)


def _item_texts(components: dict | None) -> list[str]:
    """The published requirement item texts, in order (as Service.requirement_texts reads them)."""
    block = (components or {}).get('persyaratan') or {}
    return [item.get('text', '') for item in block.get('items', [])]


def _rows() -> list:
    bind = op.get_bind()
    return bind.execute(
        sa.select(_service.c.id, _service.c.components, _service.c.requirements_en)
        .where(_service.c.requirements_en.isnot(None))
    ).all()


def upgrade() -> None:
    bind = op.get_bind()
    for id_, components, english in _rows():
        if not isinstance(english, list):
            continue
        paired = [{'id_text': text, 'en': en}
                  for text, en in zip(_item_texts(components), english, strict=False) if isinstance(en, str) and en]
        bind.execute(sa.update(_service).where(_service.c.id == id_).values(requirements_en=paired or None))


def downgrade() -> None:
    bind = op.get_bind()
    for id_, components, english in _rows():
        written = {e['id_text']: e['en'] for e in english or [] if isinstance(e, dict)}
        lines = [written.get(text, '') for text in _item_texts(components)]
        while lines and not lines[-1]:
            lines.pop()
        bind.execute(sa.update(_service).where(_service.c.id == id_).values(requirements_en=lines or None))
