"""The quarterly report's event counts kept with the dashboard's (issue 21): stops per
category and new cooperations per quarter become figures of dashboard_counts, filled by the
same fold; a participation's created_at now marks its project too (it dates a cooperation);
indexes for the report's first rows of stops and of new cooperations in a quarter.

Backfill: the kept counts are emptied and every project marked, so the first fold (the
dashboard's or report's next read, the worker, or `flask dashboard-rebuild`, which large
databases should run right after the upgrade) counts them all with the new figures. The
downgrade does the same (the old fold does not know the new figures).

Revision ID: a7d3e9c2f5b1
Revises: e5a8c3f1b7d2
Create Date: 2026-12-07 14:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7d3e9c2f5b1'
down_revision = 'e5a8c3f1b7d2'
branch_labels = None
depends_on = None

# The participations trigger as of c7d21a5e9f04 (old) and as of this revision (new); copies,
# migrations do not import the app's code.
OLD_COLUMNS = 'organization_id, role, project_id'
NEW_COLUMNS = 'organization_id, role, project_id, created_at'


def _participations_trigger(columns):
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            f'CREATE OR REPLACE TRIGGER dashboard_mark AFTER INSERT OR UPDATE OF {columns} '
            'OR DELETE ON participations FOR EACH ROW EXECUTE FUNCTION dashboard_mark_child()'
        )
    else:
        op.execute('DROP TRIGGER IF EXISTS dashboard_mark_participations_upd')
        op.execute(
            f'CREATE TRIGGER dashboard_mark_participations_upd AFTER UPDATE OF {columns} ON '
            'participations BEGIN '
            'INSERT INTO dashboard_dirty (project_id) VALUES (OLD.project_id); '
            'INSERT INTO dashboard_dirty (project_id) VALUES (NEW.project_id); END'
        )


def _recount_on_next_fold():
    op.execute('DELETE FROM dashboard_counts')
    op.execute('DELETE FROM dashboard_facts')
    op.execute('DELETE FROM dashboard_dirty')
    op.execute('INSERT INTO dashboard_dirty (project_id) SELECT id FROM projects')


def upgrade():
    op.create_index('ix_stage_events_to_status_at', 'stage_events', ['to_status', 'at'])
    op.create_index('ix_participations_created_at', 'participations', ['created_at'])
    _participations_trigger(NEW_COLUMNS)
    _recount_on_next_fold()


def downgrade():
    _participations_trigger(OLD_COLUMNS)
    op.drop_index('ix_participations_created_at', table_name='participations')
    op.drop_index('ix_stage_events_to_status_at', table_name='stage_events')
    _recount_on_next_fold()
