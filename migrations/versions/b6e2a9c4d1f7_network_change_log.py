"""The network drawing's change log: network_changes and the triggers that add a row to it
for every row written to projects, participations and project_themes, so that the drawing's
data stamp reads a short log instead of counting those tables in full (issue 21)

Revision ID: b6e2a9c4d1f7
Revises: d8e3f1a6b2c4
Create Date: 2026-12-07 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6e2a9c4d1f7'
down_revision = 'd8e3f1a6b2c4'
branch_labels = None
depends_on = None

# A copy of tracker.models.changes' triggers as of this revision (migrations do not import
# the app's code, which moves on).
TABLES = ('projects', 'participations', 'project_themes')
EVENTS = ('INSERT', 'UPDATE', 'DELETE')


def upgrade():
    op.create_table(
        'network_changes',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_changes')),
        sqlite_autoincrement=True,
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'CREATE OR REPLACE FUNCTION network_log_change() RETURNS trigger LANGUAGE plpgsql '
            'AS $$BEGIN INSERT INTO network_changes DEFAULT VALUES; RETURN NULL; END$$'
        )
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
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS network_log ON {table}')
        op.execute('DROP FUNCTION IF EXISTS network_log_change()')
    else:
        for table in TABLES:
            for event in EVENTS:
                op.execute(f'DROP TRIGGER IF EXISTS network_log_{table}_{event.lower()}')
    op.drop_table('network_changes')
