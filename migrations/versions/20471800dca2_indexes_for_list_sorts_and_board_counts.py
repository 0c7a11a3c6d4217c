"""indexes for every sort of the project list and for the board's column counts

Revision ID: 20471800dca2
Revises: c08305a884ce
Create Date: 2026-11-25 15:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20471800dca2'
down_revision = 'c08305a884ce'
branch_labels = None
depends_on = None


def upgrade():
    # /projects pages by keyset on (sort key, id): each sort walks its index from the cursor.
    op.create_index('ix_projects_created_id', 'projects', ['created_at', 'id'])
    op.create_index('ix_projects_stage_entered_id', 'projects', ['stage_entered_at', 'id'])
    op.create_index('ix_projects_title_lower_id', 'projects', [sa.text('lower(title)'), 'id'])
    # The board's counts per column: an index-only scan instead of reading every row.
    op.create_index(
        'ix_projects_stage_status_visibility_site',
        'projects',
        ['stage', 'status', 'visibility', 'site_id'],
    )


def downgrade():
    op.drop_index('ix_projects_stage_status_visibility_site', table_name='projects')
    op.drop_index('ix_projects_title_lower_id', table_name='projects')
    op.drop_index('ix_projects_stage_entered_id', table_name='projects')
    op.drop_index('ix_projects_created_id', table_name='projects')
