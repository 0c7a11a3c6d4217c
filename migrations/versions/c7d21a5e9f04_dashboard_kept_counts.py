"""Dashboard counts kept on write: dashboard_counts, dashboard_facts, dashboard_dirty, the
triggers that mark changed projects, and an index for the live stalled count (issue 21)

Backfill: every project is marked, so the first fold (the dashboard's next read, the worker,
or `flask dashboard-rebuild`, which large databases should run right after the upgrade)
counts them all.

Revision ID: c7d21a5e9f04
Revises: a3d19f6b2c71
Create Date: 2026-12-07 11:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d21a5e9f04'
down_revision = 'a3d19f6b2c71'
branch_labels = None
depends_on = None

# A copy of tracker.models.summary's triggers as of this revision (migrations do not import
# the app's code, which may change later).
CHILDREN = {
    'participations': 'organization_id, role, project_id',
    'stage_events': None,
    'gate_reviews': 'decision, decided_at, requested_at, project_id',
    'project_themes': None,
}
PG_FUNCTIONS = {
    'dashboard_mark_project': """
        BEGIN
            INSERT INTO dashboard_dirty (project_id)
            VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
            RETURN NULL;
        END""",
    'dashboard_mark_child': """
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                INSERT INTO dashboard_dirty (project_id) VALUES (OLD.project_id);
            END IF;
            IF TG_OP <> 'DELETE' THEN
                INSERT INTO dashboard_dirty (project_id) VALUES (NEW.project_id);
            END IF;
            RETURN NULL;
        END""",
    'dashboard_mark_organization': """
        BEGIN
            INSERT INTO dashboard_dirty (project_id)
            SELECT project_id FROM participations WHERE organization_id = NEW.id;
            RETURN NULL;
        END""",
    'dashboard_mark_organization_site': """
        BEGIN
            INSERT INTO dashboard_dirty (project_id)
            SELECT project_id FROM participations WHERE organization_id =
                CASE WHEN TG_OP = 'DELETE' THEN OLD.organization_id ELSE NEW.organization_id END;
            RETURN NULL;
        END""",
}


def _sqlite_triggers():
    def mark(expression):
        return f'INSERT INTO dashboard_dirty (project_id) VALUES ({expression});'

    def of_organization(expression):
        return (
            'INSERT INTO dashboard_dirty (project_id) SELECT project_id FROM participations '
            f'WHERE organization_id = {expression};'
        )

    triggers = {
        'dashboard_mark_projects_ins': f'AFTER INSERT ON projects BEGIN {mark("NEW.id")} END',
        'dashboard_mark_projects_upd': 'AFTER UPDATE OF site_id, stage, status ON projects '
        f'BEGIN {mark("NEW.id")} END',
        'dashboard_mark_projects_del': f'AFTER DELETE ON projects BEGIN {mark("OLD.id")} END',
        'dashboard_mark_organizations_upd': 'AFTER UPDATE OF kind, country ON organizations '
        f'BEGIN {of_organization("NEW.id")} END',
        'dashboard_mark_organization_sites_ins': 'AFTER INSERT ON organization_sites '
        f'BEGIN {of_organization("NEW.organization_id")} END',
        'dashboard_mark_organization_sites_del': 'AFTER DELETE ON organization_sites '
        f'BEGIN {of_organization("OLD.organization_id")} END',
    }
    for table, columns in CHILDREN.items():
        of = f' OF {columns}' if columns else ''
        triggers[f'dashboard_mark_{table}_ins'] = (
            f'AFTER INSERT ON {table} BEGIN {mark("NEW.project_id")} END'
        )
        triggers[f'dashboard_mark_{table}_upd'] = (
            f'AFTER UPDATE{of} ON {table} BEGIN {mark("OLD.project_id")} '
            f'{mark("NEW.project_id")} END'
        )
        triggers[f'dashboard_mark_{table}_del'] = (
            f'AFTER DELETE ON {table} BEGIN {mark("OLD.project_id")} END'
        )
    return triggers


def _pg_triggers():
    triggers = {
        'projects': ('INSERT OR UPDATE OF site_id, stage, status OR DELETE', 'dashboard_mark_project'),
        'organizations': ('UPDATE OF kind, country', 'dashboard_mark_organization'),
        'organization_sites': ('INSERT OR DELETE', 'dashboard_mark_organization_site'),
    }
    for table, columns in CHILDREN.items():
        of = f' OF {columns}' if columns else ''
        triggers[table] = (f'INSERT OR UPDATE{of} OR DELETE', 'dashboard_mark_child')
    return triggers


def upgrade():
    op.create_table(
        'dashboard_dirty',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_dirty')),
    )
    op.create_table(
        'dashboard_facts',
        sa.Column('project_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('facts', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('project_id', name=op.f('pk_dashboard_facts')),
    )
    op.create_table(
        'dashboard_counts',
        sa.Column('site_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('theme_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('figure', sa.String(length=12), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('days', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            'site_id', 'theme_id', 'figure', 'period', 'key', 'days',
            name=op.f('pk_dashboard_counts'),
        ),
    )
    op.create_index(
        'ix_projects_stalled', 'projects', ['status', 'stage', 'last_activity_at', 'site_id'],
        unique=False,
    )
    if op.get_bind().dialect.name == 'postgresql':
        for name, body in PG_FUNCTIONS.items():
            op.execute(
                f'CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$'
            )
        for table, (events, function) in _pg_triggers().items():
            op.execute(
                f'CREATE TRIGGER dashboard_mark AFTER {events} ON {table} '
                f'FOR EACH ROW EXECUTE FUNCTION {function}()'
            )
    else:
        for name, body in _sqlite_triggers().items():
            op.execute(f'CREATE TRIGGER {name} {body}')
    # The backfill: every project marked, counted by the first fold.
    op.execute('INSERT INTO dashboard_dirty (project_id) SELECT id FROM projects')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in _pg_triggers():
            op.execute(f'DROP TRIGGER IF EXISTS dashboard_mark ON {table}')
        for name in PG_FUNCTIONS:
            op.execute(f'DROP FUNCTION IF EXISTS {name}()')
    else:
        for name in _sqlite_triggers():
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    op.drop_index('ix_projects_stalled', table_name='projects')
    op.drop_table('dashboard_counts')
    op.drop_table('dashboard_facts')
    op.drop_table('dashboard_dirty')
