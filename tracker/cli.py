"""Command-line tasks: flask --app tracker <command>."""

import os
import secrets
import sqlite3
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app, g
from flask.cli import with_appcontext

from tracker.auth import permissions
from tracker.auth.passwords import hash_password, policy_problem
from tracker.extensions import db
from tracker.models import Organization, Site, User
from tracker.models.base import ROLES

DEMO_PASSWORD_FILE = "demo_password.txt"  # noqa: S105  (a file name, not a secret)
DEMO_DOMAIN = "@demo.example"
ROLE_ORDER = {"admin": 0, "site_manager": 1, "patron": 2, "member": 3}


def _demo_password_file() -> Path:
    return Path(current_app.instance_path) / DEMO_PASSWORD_FILE


def _configured_demo_password() -> str | None:
    return os.environ.get("TRACKER_DEMO_PASSWORD") or current_app.config.get(
        "TRACKER_DEMO_PASSWORD"
    )


@click.command("seed-demo")
@with_appcontext
@click.option("--password", help="Password of every demo account (else TRACKER_DEMO_PASSWORD).")
@click.option("--force", is_flag=True, help="Delete ALL existing data first, then seed.")
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when there is data already.")
def seed_demo(password: str | None, force: bool, if_empty: bool) -> None:
    """Fill an empty database with the demo network and its accounts."""
    g.sqlite_immediate = True  # read-then-write beside a running server
    from tracker.demo.seed import existing_data, seed, wipe

    if force and if_empty:
        raise click.UsageError("Use either --force or --if-empty, not both.")
    given = password or _configured_demo_password()
    if given and (problem := policy_problem(given)):
        raise click.ClickException(
            f"The demo password does not meet the password policy: {problem}"
        )
    existing = existing_data()
    if existing and if_empty:
        db.session.rollback()
        click.echo("database already has data; not seeding")
        return
    if existing and not force:
        db.session.rollback()
        found = ", ".join(f"{count} {name}" for name, count in existing.items())
        raise click.ClickException(
            f"The database is not empty ({found}); nothing was changed. "
            "Use --force to delete ALL data and seed again, or --if-empty to skip."
        )
    started = time.monotonic()
    demo_password = given or secrets.token_urlsafe(16)
    password_hash = hash_password(demo_password)  # once: scrypt is slow on purpose
    try:
        if existing:
            click.echo(f"deleted {wipe()} existing rows (--force)")
        seed(password_hash, click.echo)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _remember_demo_password(None if given else demo_password)
    click.echo(f"Demo data seeded in {time.monotonic() - started:.1f} s.")


def _remember_demo_password(generated: str | None) -> None:
    """Keep a generated password in instance/ (owner-only); drop a stale one otherwise."""
    path = _demo_password_file()
    if generated is None:
        path.unlink(missing_ok=True)
        return
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(generated + "\n")
    path.chmod(0o600)
    click.echo(f"Generated demo password (saved to {path}): {generated}")


# The accounts the README and design.md name; `make run` lists these and counts the rest.
NAMED_DEMO_ACCOUNTS = (
    "admin@demo.example",
    "manager.lingen@demo.example",
    "manager.berlin@demo.example",
    "patron@demo.example",
    "member.krone@demo.example",
    "member.cornexion@demo.example",
    "member.itcampus@demo.example",
)


@click.command("demo-accounts")
@click.option("--short", is_flag=True, help="Only the named accounts, and how many more there are.")
@click.option("--url", default=None, help="The sign-in URL of the running server, to print.")
@with_appcontext
def demo_accounts(short: bool, url: str | None) -> None:
    """List the demo sign-ins and where their password comes from."""
    users = db.session.scalars(
        sa.select(User)
        .where(sa.func.lower(User.email).like("%" + DEMO_DOMAIN))
        .order_by(User.email)
    ).all()
    if not users:
        click.echo("No demo accounts yet; run: flask --app tracker seed-demo")
        return
    from tracker.demo.data import ORGANIZATIONS

    # Members in the data's order, so the organizations the announcement names come first.
    listed = {spec["member_email"]: position for position, spec in enumerate(ORGANIZATIONS)}
    users.sort(key=lambda u: (ROLE_ORDER.get(u.role, 9), listed.get(u.email, len(listed)), u.email))
    shown = [u for u in users if u.email in NAMED_DEMO_ACCOUNTS] if short else users
    click.echo(f"Demo sign-ins ({len(users)} accounts):")
    _echo_accounts(shown)
    if len(shown) < len(users):
        more = len(users) - len(shown)
        click.echo(f"  ... and {more} more (flask --app tracker demo-accounts)")
    click.echo(f"Password for every demo account: {_demo_password_hint()}")
    if url:
        click.echo(f"Sign in at {url}")
    else:
        click.echo("Sign in at /login of the running server.")


def _echo_accounts(users) -> None:
    rows = [("E-mail", "Role", "Organization / sites")]
    for user in users:
        where = (
            user.organization.name
            if user.organization
            else ", ".join(s.slug for s in user.managed_sites) or "-"
        )
        rows.append((user.email, user.role.replace("_", " "), where))
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for email, role, where in rows:
        click.echo(f"  {email:<{widths[0]}}  {role:<{widths[1]}}  {where}")


def _demo_password_hint() -> str:
    configured = _configured_demo_password()
    if configured:
        return f"{configured}  (from TRACKER_DEMO_PASSWORD)"
    path = _demo_password_file()
    if path.is_file():
        return f"{path.read_text().strip()}  (generated, kept in {path})"
    return "the password you gave to seed-demo"


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--organization", "organization_name", help="Organization name (members).")
@click.option("--site", "site_slugs", multiple=True, help="Managed site slug (site managers).")
@click.option("--name", help="Display name (default: the part of the e-mail before @).")
@click.option("--password", help="Password; prompted (hidden) when omitted.")
def create_user(email, role, organization_name, site_slugs, name, password) -> None:
    """Create an active account that can sign in at once."""
    g.sqlite_immediate = True  # read-then-write beside a running server
    from tracker.activity import audit
    from tracker.auth.services import find_user_by_email, normalise_email

    email = normalise_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain:
        raise click.ClickException(f"{email!r} is not an e-mail address.")
    if find_user_by_email(email):
        raise click.ClickException(f"A user with the e-mail {email} exists already.")
    organization = _organization_for(role, organization_name)
    sites = _sites_for(role, site_slugs)
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if problem := policy_problem(password):
        raise click.ClickException(f"Password refused: {problem}")
    user = User(
        email=email,
        display_name=(name or local).strip()[:120],
        role=role,
        organization_id=organization.id if organization else None,
        password_hash=hash_password(password),
        managed_sites=sites,
    )
    db.session.add(user)
    db.session.flush()
    audit(None, "user_created", user, {"email": [None, email], "role": [None, role]})
    db.session.commit()
    extra = f", organization {organization.name}" if organization else ""
    extra += f", sites {', '.join(s.slug for s in sites)}" if sites else ""
    click.echo(f"Created {role.replace('_', ' ')} {email}{extra}.")


def _organization_for(role: str, name: str | None) -> Organization | None:
    if name and permissions.has_no_organization(role):
        raise click.ClickException("A patron belongs to no organization: leave out --organization.")
    if not name:
        if role == "member":
            raise click.ClickException("A member needs --organization NAME.")
        return None
    organization = db.session.scalar(
        sa.select(Organization).where(sa.func.lower(Organization.name) == name.strip().lower())
    )
    if organization is None:
        raise click.ClickException(f"No organization is called {name!r}.")
    return organization


def _sites_for(role: str, slugs: tuple[str, ...]) -> list[Site]:
    if role != "site_manager":
        if slugs:
            raise click.ClickException("Only site managers take --site.")
        return []
    if not slugs:
        raise click.ClickException("A site manager needs at least one --site SLUG.")
    sites = list(db.session.scalars(sa.select(Site).where(Site.slug.in_(slugs))))
    unknown = sorted(set(slugs) - {s.slug for s in sites})
    if unknown:
        raise click.ClickException(f"Unknown site(s): {', '.join(unknown)}.")
    return sites


@click.command("create-api-token")
@with_appcontext
@click.argument("email")
@click.option("--name", default="CLI token", show_default=True, help="A label for the token.")
@click.option(
    "--scope",
    type=click.Choice(["write", "read"]),
    default="write",
    show_default=True,
    help="read: the token may only read (GET); write: all the user may do.",
)
def create_api_token(email: str, name: str, scope: str) -> None:
    """Create an API token for a user; the token is printed alone on the last line."""
    g.sqlite_immediate = True  # read-then-write beside a running server
    from tracker.auth.services import find_user_by_email
    from tracker.auth.tokens import create_token

    user = find_user_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"No active user with the e-mail {email.strip()}.")
    token, row = create_token(user, name, scope=scope)
    click.echo(f"API token {row.name!r} ({scope}) for {user.email}; it is shown only this once:")
    click.echo(token)


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH when it exists.")
def backup(path: Path, force: bool) -> None:
    """Copy the SQLite database to PATH while the app keeps running."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        plain = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
        hint = "; put in the real password for ***" if url.password else ""
        click.echo(
            "This database is PostgreSQL; back it up with pg_dump instead:\n"
            f'  pg_dump --format=custom "{plain}" > {path}\n'
            f'(that is DATABASE_URL without "+psycopg"{hint})',
            err=True,
        )
        raise SystemExit(2)
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists already; use --force to overwrite it.")
    partial = path.with_name(path.name + ".part")
    partial.unlink(missing_ok=True)
    _sqlite_backup(partial)
    os.replace(partial, path)
    counts = _row_counts(path)
    size = path.stat().st_size
    click.echo(f"Backup written to {path} ({size / 1024 / 1024:.1f} MB, {size} bytes).")
    for table, count in counts.items():
        click.echo(f"  {table:<24} {count:>8} rows")


def _sqlite_backup(target: Path) -> None:
    def progress(_status, remaining, total):
        click.echo(f"  copied {total - remaining} of {total} pages")

    raw = db.engine.raw_connection()
    destination = sqlite3.connect(target)
    try:
        raw.driver_connection.backup(destination, pages=1024, progress=progress)
    finally:
        destination.close()
        raw.close()


def _row_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }
    finally:
        connection.close()


@click.command("dashboard-rebuild")
@with_appcontext
def dashboard_rebuild() -> None:
    """Recount the dashboard's kept figures from every project (after an upgrade or a bulk
    load; otherwise they are kept as projects change)."""
    from tracker.dashboard import kept

    with db.engine.begin() as connection:
        counted = kept.rebuild(connection)
    click.echo(f"Dashboard counts rebuilt from {counted} projects.")


def init_app(app: Flask) -> None:
    commands = (seed_demo, demo_accounts, create_user, create_api_token, backup, dashboard_rebuild)
    for command in commands:
        app.cli.add_command(command)
