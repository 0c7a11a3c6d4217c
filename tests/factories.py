"""Small factories that build valid rows with sensible defaults; each call commits."""

import itertools
from datetime import timedelta

from werkzeug.security import generate_password_hash

from tracker.extensions import db
from tracker.models import (
    Organization,
    Participation,
    Project,
    Site,
    StageEvent,
    Theme,
    User,
    utcnow,
)

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_password_hash = None


def _n() -> int:
    return next(_counter)


def password_hash() -> str:
    """The shared test password as a cheap scrypt hash (n=2^10), verified in about 1 ms.

    Production hashes use Werkzeug's full-cost scrypt; tests sign in hundreds of times and
    check_password_hash reads the cost from the stored hash, so this only speeds tests up.
    """
    global _password_hash
    if _password_hash is None:
        _password_hash = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
    return _password_hash


def make_theme(slug: str | None = None, name: str | None = None) -> Theme:
    n = _n()
    theme = Theme(slug=slug or f"theme-{n}", name=name or f"Theme {n}")
    db.session.add(theme)
    db.session.commit()
    return theme


def make_site(slug: str | None = None, **fields) -> Site:
    n = _n()
    fields.setdefault("name", f"Site {n}")
    fields.setdefault("city", f"City {n}")
    fields.setdefault("country", "DE")
    site = Site(slug=slug or f"site-{n}", **fields)
    db.session.add(site)
    db.session.commit()
    return site


def make_org(name: str | None = None, sites=(), themes=(), **fields) -> Organization:
    n = _n()
    fields.setdefault("kind", "member_company")
    fields.setdefault("country", "DE")
    org = Organization(name=name or f"Organization {n}", **fields)
    org.sites = list(sites)
    org.themes = list(themes)
    db.session.add(org)
    db.session.commit()
    return org


def make_user(role: str = "member", organization=None, sites=(), email=None, **fields) -> User:
    n = _n()
    fields.setdefault("display_name", f"User {n}")
    fields.setdefault("password_hash", password_hash())
    user = User(
        email=(email or f"user{n}@example.org").lower(),
        role=role,
        organization_id=organization.id if organization else None,
        **fields,
    )
    user.managed_sites = list(sites)
    db.session.add(user)
    db.session.commit()
    return user


def make_project(site, lead, partners=(), themes=(), **fields) -> Project:
    """A project with its lead participation, partners and an opening StageEvent."""
    n = _n()
    now = utcnow()
    fields.setdefault("title", f"Project {n}")
    fields.setdefault("summary", f"Summary of project {n}")
    fields.setdefault("stage_entered_at", now - timedelta(days=5))
    project = Project(site_id=site.id, lead_organization_id=lead.id, **fields)
    project.themes = list(themes)
    project.participations = [Participation(organization_id=lead.id, role="lead")] + [
        Participation(organization_id=org.id, role=role) for org, role in partners
    ]
    db.session.add(project)
    db.session.flush()
    db.session.add(
        StageEvent(
            project_id=project.id,
            to_stage=project.stage,
            to_status=project.status,
            at=project.stage_entered_at,
            note="created",
        )
    )
    db.session.commit()
    return project
