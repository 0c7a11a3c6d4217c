"""indexes for every sort of the project list and for the board's columns and counts

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
    # The board: each column's first cards, in order, read from this index alone; it replaces
    # (stage, last_activity_at), its prefix. With only (stage, status, visibility, site_id)
    # next to that, SQLite (without ANALYZE statistics) chose the latter and sorted whole
    # columns for the first cards: 0.6 -> 10 ms at 10,000 projects.
    op.create_index(
        'ix_projects_board',
        'projects',
        ['stage', 'last_activity_at', 'id', 'status', 'visibility', 'site_id'],
    )
    op.drop_index('ix_projects_stage_last_activity', table_name='projects')
    # The columns' counts: an index-only scan (PostgreSQL finds the wider index above no
    # cheaper than reading the table).
    op.create_index(
        'ix_projects_stage_status_visibility_site',
        'projects',
        ['stage', 'status', 'visibility', 'site_id'],
    )


def downgrade():
    op.drop_index('ix_projects_stage_status_visibility_site', table_name='projects')
    op.create_index('ix_projects_stage_last_activity', 'projects', ['stage', 'last_activity_at'])
    op.drop_index('ix_projects_board', table_name='projects')
    op.drop_index('ix_projects_title_lower_id', table_name='projects')
    op.drop_index('ix_projects_stage_entered_id', table_name='projects')
    op.drop_index('ix_projects_created_id', table_name='projects')
