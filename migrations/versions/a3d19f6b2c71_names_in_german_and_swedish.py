"""Names of sites and themes, titles of exit criteria in German and Swedish (design §16)

Revision ID: a3d19f6b2c71
Revises: b19a5e7c3d10
Create Date: 2026-12-07 10:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3d19f6b2c71'
down_revision = 'b19a5e7c3d10'
branch_labels = None
depends_on = None

COLUMNS = (
    ('sites', 'name', 120),
    ('themes', 'name', 120),
    ('stage_criteria', 'title', 200),
)


def upgrade():
    for table, field, length in COLUMNS:
        with op.batch_alter_table(table) as batch:
            for language in ('de', 'sv'):
                batch.add_column(sa.Column(f'{field}_{language}', sa.String(length), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): batch mode would copy and drop the
    # sites table, which the foreign keys of every project and user refer to.
    for table, field, _length in COLUMNS:
        for language in ('sv', 'de'):
            op.drop_column(table, f'{field}_{language}')
