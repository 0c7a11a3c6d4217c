"""The quarterly report's rows on consortium projects kept per site and quarter (issue 21): a
project's visibility now marks it for the dashboard's fold (the new figure 'consortium' of
dashboard_counts depends on it), so the report counts the rows a reader may not open from the
kept counts instead of joining every move of the quarter to its project.

Backfill: the kept counts are emptied and every project marked (up and down), so the first
fold or `flask dashboard-rebuild` (large databases: right after the upgrade) recounts them.

Revision ID: c3e8b5a9d2f6
Revises: a7d3e9c2f5b1
Create Date: 2026-12-07 14:25:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3e8b5a9d2f6'
down_revision = 'a7d3e9c2f5b1'
branch_labels = None
depends_on = None

# The projects trigger as of c7d21a5e9f04 (old) and as of this revision (new); copies,
# migrations do not import the app's code.
OLD_COLUMNS = 'site_id, stage, status'
NEW_COLUMNS = 'site_id, stage, status, visibility'


def _projects_trigger(columns):
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            f'CREATE OR REPLACE TRIGGER dashboard_mark AFTER INSERT OR UPDATE OF {columns} '
            'OR DELETE ON projects FOR EACH ROW EXECUTE FUNCTION dashboard_mark_project()'
        )
    else:
        op.execute('DROP TRIGGER IF EXISTS dashboard_mark_projects_upd')
        op.execute(
            f'CREATE TRIGGER dashboard_mark_projects_upd AFTER UPDATE OF {columns} ON projects '
            'BEGIN INSERT INTO dashboard_dirty (project_id) VALUES (NEW.id); END'
        )


def _recount_on_next_fold():
    op.execute('DELETE FROM dashboard_counts')
    op.execute('DELETE FROM dashboard_facts')
    op.execute('DELETE FROM dashboard_dirty')
    op.execute('INSERT INTO dashboard_dirty (project_id) SELECT id FROM projects')


def upgrade():
    _projects_trigger(NEW_COLUMNS)
    _recount_on_next_fold()


def downgrade():
    _projects_trigger(OLD_COLUMNS)
    _recount_on_next_fold()
