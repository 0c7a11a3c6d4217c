"""API for members' systems: token scopes, status withdrawn, edited updates, condition due
dates, idempotency keys, webhooks and their deliveries

Revision ID: d16a7c3e9b52
Revises: 3f0a9c2d7b41
Create Date: 2026-12-07 07:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd16a7c3e9b52'
down_revision = '3f0a9c2d7b41'
branch_labels = None
depends_on = None

OLD = "('active', 'on_hold', 'stopped')"
NEW = "('active', 'on_hold', 'stopped', 'withdrawn')"
# (table, column, constraint) of every status column.
STATUS_COLUMNS = (
    ("projects", "status", "ck_projects_status", False),
    ("stage_events", "from_status", "ck_stage_events_event_from_status", True),
    ("stage_events", "to_status", "ck_stage_events_event_to_status", False),
)


def _sqlite_widen(old_values: str, new_values: str, old_len: int, new_len: int) -> None:
    """Change the allowed statuses in SQLite's stored table definitions.

    SQLite cannot alter a CHECK constraint; rebuilding projects (batch mode) would drop the
    table with foreign keys on, which deletes every participation, event and review through
    ON DELETE CASCADE. Widening a CHECK (or narrowing it when no row has the value) does not
    change how rows are stored, so the documented procedure of editing the schema text
    (sqlite.org/lang_altertable.html, "other kinds of table schema changes") applies."""
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    for table, column, constraint, _nullable in STATUS_COLUMNS:
        sql = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar()
        changed = sql.replace(
            f"CONSTRAINT {constraint} CHECK ({column} IN {old_values})",
            f"CONSTRAINT {constraint} CHECK ({column} IN {new_values})",
        ).replace(f"\t{column} VARCHAR({old_len})", f"\t{column} VARCHAR({new_len})")
        if changed == sql:
            raise RuntimeError(f"{table}.{column}: its CHECK constraint is not as expected")
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (changed, table)
        )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    problems = bind.exec_driver_sql("PRAGMA integrity_check").scalar()
    if problems != "ok":
        raise RuntimeError(f"integrity check after the schema change: {problems}")


def _postgres_statuses(values: str, length: int) -> None:
    for table, column, constraint, nullable in STATUS_COLUMNS:
        op.drop_constraint(op.f(constraint), table, type_="check")
        op.alter_column(table, column, type_=sa.String(length), existing_nullable=nullable)
        op.create_check_constraint(op.f(constraint), table, f"{column} IN {values}")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_widen(OLD, NEW, 7, 9)
    else:
        _postgres_statuses(NEW, 9)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'scope', sa.Enum('read', 'write', name='token_scope', native_enum=False, create_constraint=True),
            server_default='write', nullable=False))
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('gate_conditions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))

    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('user_id', 'key', name='uq_idempotency_keys_user_key')
    )
    op.create_index('ix_idempotency_keys_created_at', 'idempotency_keys', ['created_at'], unique=False)
    op.create_table('webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failures_in_row', sa.Integer(), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_webhooks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhooks'))
    )
    op.create_index(op.f('ix_webhooks_user_id'), 'webhooks', ['user_id'], unique=False)
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('webhook_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=60), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_webhook_deliveries_project_id_projects'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], name=op.f('fk_webhook_deliveries_webhook_id_webhooks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('uuid', name=op.f('uq_webhook_deliveries_uuid'))
    )
    op.create_index('ix_webhook_deliveries_webhook_id', 'webhook_deliveries', ['webhook_id', 'id'], unique=False)
    op.create_index('ix_webhook_deliveries_due', 'webhook_deliveries', ['state', 'next_attempt_at'], unique=False)


def downgrade():
    op.drop_index('ix_webhook_deliveries_due', table_name='webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_webhook_id', table_name='webhook_deliveries')
    op.drop_table('webhook_deliveries')
    op.drop_index(op.f('ix_webhooks_user_id'), table_name='webhooks')
    op.drop_table('webhooks')
    op.drop_index('ix_idempotency_keys_created_at', table_name='idempotency_keys')
    op.drop_table('idempotency_keys')

    # Not in batch mode on SQLite: rebuilding these tables with foreign keys on would cascade.
    op.drop_column('gate_conditions', 'due_on')
    op.drop_column('updates', 'edited_at')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:  # no table refers to it
        batch_op.drop_constraint(op.f('ck_api_tokens_token_scope'), type_='check')
        batch_op.drop_column('scope')

    # A withdrawn project is stopped in the older schema (its history says why).
    op.execute("UPDATE projects SET status = 'stopped' WHERE status = 'withdrawn'")
    op.execute("UPDATE stage_events SET to_status = 'stopped' WHERE to_status = 'withdrawn'")
    op.execute("UPDATE stage_events SET from_status = 'stopped' WHERE from_status = 'withdrawn'")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_widen(NEW, OLD, 9, 7)
    else:
        _postgres_statuses(OLD, 7)
