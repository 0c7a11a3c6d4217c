"""The dashboard's kept counts (design §6, issue 21): tables and the triggers that feed them.

Every write that can change a dashboard figure marks its project in dashboard_dirty, by a
database trigger in the writing statement itself: ORM writes, Core statements, cascades, bulk
imports and other processes are all caught, on SQLite and on PostgreSQL alike, and a write
sends no extra statement. tracker.dashboard.kept folds the marked projects into
dashboard_counts (before the dashboard reads it, and in the worker), keeping each project's
last folded contribution in dashboard_facts so that a change is applied as a difference.
"""

import sqlalchemy as sa

from tracker.models.base import Base

dashboard_dirty = sa.Table(
    "dashboard_dirty",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_id", sa.Integer, nullable=False),  # no foreign key: deleted ones, too
)

dashboard_facts = sa.Table(
    "dashboard_facts",
    Base.metadata,
    sa.Column("project_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("facts", sa.Text, nullable=False),  # JSON: site, themes, counted keys
)

# n of (site, theme, figure, period, key, days); theme 0: every theme. period: "" (all time),
# "2026" or "2026-Q3" (period tokens); days: the whole days of a duration histogram, else 0.
dashboard_counts = sa.Table(
    "dashboard_counts",
    Base.metadata,
    sa.Column("site_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("theme_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("figure", sa.String(12), primary_key=True),
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("days", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("n", sa.Integer, nullable=False),
)

# (table, project id expression, events) — what marks a project. Organizations and their
# sites mark every project the organization takes part in (kind, country, cross-site). A
# participation's created_at dates a new cooperation (the report's figure), a stage event's
# note the category of a stop (stage events mark on any change), a project's visibility the
# report's rows on consortium projects.
_CHILDREN = {
    "participations": "organization_id, role, project_id, created_at",
    "stage_events": None,  # any change
    "gate_reviews": "decision, decided_at, requested_at, project_id",
    "project_themes": None,
}


def _sqlite_triggers() -> list[str]:
    def mark(expression: str) -> str:
        return f"INSERT INTO dashboard_dirty (project_id) VALUES ({expression});"  # noqa: S608

    def of_organization(expression: str) -> str:
        # NEW/OLD column names only, no input
        select = "SELECT project_id FROM participations WHERE organization_id"
        return f"INSERT INTO dashboard_dirty (project_id) {select} = {expression};"

    def trigger(name: str, when: str, body: str) -> str:
        return f"CREATE TRIGGER IF NOT EXISTS dashboard_mark_{name} AFTER {when} BEGIN {body} END"

    statements = [
        trigger("projects_ins", "INSERT ON projects", mark("NEW.id")),
        trigger(
            "projects_upd",
            "UPDATE OF site_id, stage, status, visibility ON projects",
            mark("NEW.id"),
        ),
        trigger("projects_del", "DELETE ON projects", mark("OLD.id")),
        trigger(
            "organizations_upd",
            "UPDATE OF kind, country ON organizations",
            of_organization("NEW.id"),
        ),
        trigger(
            "organization_sites_ins",
            "INSERT ON organization_sites",
            of_organization("NEW.organization_id"),
        ),
        trigger(
            "organization_sites_del",
            "DELETE ON organization_sites",
            of_organization("OLD.organization_id"),
        ),
    ]
    for table, columns in _CHILDREN.items():
        of = f" OF {columns}" if columns else ""
        statements += [
            trigger(f"{table}_ins", f"INSERT ON {table}", mark("NEW.project_id")),
            trigger(
                f"{table}_upd",
                f"UPDATE{of} ON {table}",
                f"{mark('OLD.project_id')} {mark('NEW.project_id')}",
            ),
            trigger(f"{table}_del", f"DELETE ON {table}", mark("OLD.project_id")),
        ]
    return statements


_PG_FUNCTIONS = {
    "dashboard_mark_project": """
        BEGIN
            INSERT INTO dashboard_dirty (project_id)
            VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
            RETURN NULL;
        END""",
    "dashboard_mark_child": """
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                INSERT INTO dashboard_dirty (project_id) VALUES (OLD.project_id);
            END IF;
            IF TG_OP <> 'DELETE' THEN
                INSERT INTO dashboard_dirty (project_id) VALUES (NEW.project_id);
            END IF;
            RETURN NULL;
        END""",
    "dashboard_mark_organization": """
        BEGIN
            INSERT INTO dashboard_dirty (project_id)
            SELECT project_id FROM participations WHERE organization_id = NEW.id;
            RETURN NULL;
        END""",
    "dashboard_mark_organization_site": """
        BEGIN
            INSERT INTO dashboard_dirty (project_id)
            SELECT project_id FROM participations WHERE organization_id =
                CASE WHEN TG_OP = 'DELETE' THEN OLD.organization_id ELSE NEW.organization_id END;
            RETURN NULL;
        END""",
}


def _postgresql_triggers() -> list[str]:
    statements = [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$"
        for name, body in _PG_FUNCTIONS.items()
    ]

    def trigger(table: str, events: str, function: str) -> str:
        return (
            f"CREATE OR REPLACE TRIGGER dashboard_mark AFTER {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )

    statements += [
        trigger(
            "projects",
            "INSERT OR UPDATE OF site_id, stage, status, visibility OR DELETE",
            "dashboard_mark_project",
        ),
        trigger("organizations", "UPDATE OF kind, country", "dashboard_mark_organization"),
        trigger("organization_sites", "INSERT OR DELETE", "dashboard_mark_organization_site"),
    ]
    for table, columns in _CHILDREN.items():
        of = f" OF {columns}" if columns else ""
        statements.append(trigger(table, f"INSERT OR UPDATE{of} OR DELETE", "dashboard_mark_child"))
    return statements


def trigger_statements(dialect: str) -> list[str]:
    """CREATE statements of the marking triggers (and PostgreSQL's trigger functions)."""
    return _postgresql_triggers() if dialect == "postgresql" else _sqlite_triggers()


def marked_tables() -> list[str]:
    """The tables with a marking trigger (on PostgreSQL each is named dashboard_mark)."""
    return ["projects", "organizations", "organization_sites", *_CHILDREN]


def drop_trigger_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        tables = marked_tables()
        return [f"DROP TRIGGER IF EXISTS dashboard_mark ON {table}" for table in tables] + [
            f"DROP FUNCTION IF EXISTS {name}()" for name in _PG_FUNCTIONS
        ]
    names = []
    for statement in _sqlite_triggers():
        names.append(statement.split()[5])
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


@sa.event.listens_for(Base.metadata, "after_create")
def _create_triggers(target, connection, **kw) -> None:
    """create_all (tests, `flask init-db`) makes the triggers as the migration does."""
    for statement in trigger_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)
