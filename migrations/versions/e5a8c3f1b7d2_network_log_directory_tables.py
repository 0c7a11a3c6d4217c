"""The network drawing's change log also hears organizations, their sites and the sites: the
stamp's counts and version sum missed an organization moving from one site to another in one
statement and a site renamed (issue 21)

Revision ID: e5a8c3f1b7d2
Revises: b6e2a9c4d1f7
Create Date: 2026-12-07 13:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5a8c3f1b7d2'
down_revision = 'b6e2a9c4d1f7'
branch_labels = None
depends_on = None

# A copy of tracker.models.changes' triggers as of this revision (migrations do not import
# the app's code, which moves on); network_log_change() exists since b6e2a9c4d1f7.
TABLES = ('organizations', 'organization_sites', 'sites')
EVENTS = ('INSERT', 'UPDATE', 'DELETE')


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(
                f'CREATE OR REPLACE TRIGGER network_log AFTER INSERT OR UPDATE OR DELETE ON '
                f'{table} FOR EACH ROW EXECUTE FUNCTION network_log_change()'
            )
    else:
        for table in TABLES:
            for event in EVENTS:
                op.execute(
                    f'CREATE TRIGGER network_log_{table}_{event.lower()} AFTER {event} ON '
                    f'{table} BEGIN INSERT INTO network_changes (id) VALUES (NULL); END'
                )


def downgrade():
    for table in TABLES:
        if op.get_bind().dialect.name == 'postgresql':
            op.execute(f'DROP TRIGGER IF EXISTS network_log ON {table}')
        else:
            for event in EVENTS:
                op.execute(f'DROP TRIGGER IF EXISTS network_log_{table}_{event.lower()}')
