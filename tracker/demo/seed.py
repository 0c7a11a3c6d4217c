"""seed-demo: the demo network (sites, organizations, accounts, criteria, projects, history)."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from random import Random

import sqlalchemy as sa

from tracker.demo import data
from tracker.demo.history import write_history
from tracker.demo.matchmaking import seed_matchmaking
from tracker.demo.report_highlights import seed_highlights
from tracker.demo.timeline import Plan, plan_project
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Organization,
    Participation,
    Project,
    Site,
    StageCriterion,
    Theme,
    User,
    utcnow,
)

Echo = Callable[[str], None]
SEED = 42
ADMIN_EMAIL = "admin@demo.example"
PATRON_EMAIL = "patron@demo.example"
MANAGERS = [  # e-mail, display name, managed site
    ("manager.berlin@demo.example", "Jana Kowalczyk", "berlin"),
    ("manager.stockholm@demo.example", "Erik Lindqvist", "stockholm"),
    ("manager.erlangen@demo.example", "Miriam Hofbauer", "erlangen-nuernberg"),
    ("manager.lingen@demo.example", "Lena Brinkmann", "lingen"),
]
FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Elif", "Finn", "Greta", "Hannes", "Ines", "Jonas",
    "Karin", "Lars", "Maja", "Nils", "Olga", "Paul", "Rosa", "Sven", "Tessa", "Umut",
]  # fmt: skip
LAST_NAMES = [
    "Albers", "Berg", "Claessen", "Dahl", "Engel", "Fischer", "Gerdes", "Holm", "Ivanova",
    "Jansen", "Koch", "Lund", "Meyer", "Nowak", "Olsen", "Peters", "Richter", "Schulte",
    "Tamm", "Voss",
]  # fmt: skip


def _translated(field: str, names: tuple[str, str]) -> dict[str, str]:
    """{field_de: German, field_sv: Swedish} for a demo name or title."""
    return {f"{field}_de": names[0], f"{field}_sv": names[1]}


def existing_data() -> dict[str, int]:
    """Row counts of the tables that make a database 'not empty' (only the non-zero ones)."""
    counts = {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for name, model in [
            ("organizations", Organization),
            ("users", User),
            ("projects", Project),
            ("sites", Site),
            ("themes", Theme),
        ]
    }
    return {name: count for name, count in counts.items() if count}


def wipe() -> int:
    """Delete every row, children before parents; returns the number of rows deleted."""
    deleted = 0
    for table in reversed(db.metadata.sorted_tables):
        deleted += db.session.execute(table.delete()).rowcount or 0
    return deleted


def seed(password_hash: str, echo: Echo, now: datetime | None = None) -> dict[str, int]:
    """Add the whole demo network to the session (flushes; the caller commits)."""
    return _Seeder(password_hash, echo, (now or utcnow()).replace(microsecond=0)).run()


class _Seeder:
    def __init__(self, password_hash: str, echo: Echo, now: datetime):
        self.rng = Random(SEED)
        self.password_hash, self.echo, self.now = password_hash, echo, now
        self.counts: dict[str, int] = {}

    def run(self) -> dict[str, int]:
        self._directory()
        self._accounts()
        self._criteria()
        self._projects()
        # A site without a manager of its own has its gates decided by the network office.
        deciders = {slug: self.managers.get(slug, self.admin) for slug in self.sites}
        counts = write_history(self.projects, self.members, deciders, self.criteria, self.now)
        self.counts.update(counts)
        self.counts["report_highlights"] = seed_highlights(
            self.sites, self.managers, self.admin, self.now
        )
        self.counts.update(
            seed_matchmaking(
                self.orgs, self.sites, self.themes, [p for p, _, _ in self.projects],
                self.members, self.password_hash, self.now,
            )
        )  # fmt: skip
        self.echo(
            "history: {stage_events} stage events, {gate_reviews} gate reviews "
            "({pending_reviews} pending), {gate_conditions} conditions, "
            "{gate_confirmations} confirmations".format(**counts)
        )
        self.echo(
            "activity: {updates} updates, {milestones} milestones, {criterion_ticks} criterion "
            "ticks, {notifications} notifications, {nudges} nudges, "
            "{audit_events} audit events".format(**self.counts)
        )
        return self.counts

    def _add(self, name: str, rows: list) -> None:
        db.session.add_all(rows)
        db.session.flush()
        self.counts[name] = len(rows)

    def _directory(self) -> None:
        self.themes = {
            slug: Theme(slug=slug, name=name, **_translated("name", data.THEME_NAMES[slug]))
            for slug, name in data.THEMES
        }
        self._add("themes", list(self.themes.values()))
        self.sites = {}
        for spec in data.SITES:
            fields = {k: v for k, v in spec.items() if k != "themes"}
            names = _translated("name", data.SITE_NAMES[spec["slug"]])
            site = Site(**fields, **names, themes=[self.themes[t] for t in spec["themes"]])
            self.sites[spec["slug"]] = site
        self._add("sites", list(self.sites.values()))
        self.echo(f"sites: {len(self.sites)}, themes: {len(self.themes)}")
        joined = self.now - timedelta(days=760)
        self.orgs = {}
        for spec in data.ORGANIZATIONS:
            since = spec["member_since"]
            self.orgs[spec["name"]] = Organization(
                **{k: spec[k] for k in ("name", "kind", "country", "city", "website")},
                description=spec["description"],
                member_since=date.fromisoformat(since) if since else None,
                created_at=joined,
                sites=[self.sites[s] for s in spec["sites"]],
                themes=[self.themes[t] for t in spec["themes"]],
            )
        self._add("organizations", list(self.orgs.values()))
        countries = {o.country for o in self.orgs.values()}
        kinds = {o.kind for o in self.orgs.values()}
        self.echo(
            f"organizations: {len(self.orgs)} from {len(countries)} countries, {len(kinds)} kinds"
        )

    def _user(self, email: str, name: str, role: str, **fields) -> User:
        return User(
            email=email,
            display_name=name,
            role=role,
            password_hash=self.password_hash,
            locale=None,
            active=True,
            created_at=self.now - timedelta(days=750),
            **fields,
        )

    def _accounts(self) -> None:
        admin = self._user(ADMIN_EMAIL, "Network Office", "admin")
        patron = self._user(PATRON_EMAIL, "Dr. Helga Sonnenfeld", "patron")
        self.managers = {
            slug: self._user(email, name, "site_manager", managed_sites=[self.sites[slug]])
            for email, name, slug in MANAGERS
        }
        names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
        picked = self.rng.sample(names, len(data.ORGANIZATIONS))
        self.members = {
            spec["name"]: self._user(
                spec["member_email"], name, "member", organization=self.orgs[spec["name"]]
            )
            for spec, name in zip(data.ORGANIZATIONS, picked, strict=True)
        }
        self.admin = admin
        users = [admin, *self.managers.values(), patron, *self.members.values()]
        self._add("users", users)
        self.echo(
            f"users: {len(users)} (1 admin, {len(self.managers)} site managers, 1 patron, "
            f"{len(self.members)} members)"
        )

    def _criteria(self) -> None:
        self.criteria = {
            stage: [
                StageCriterion(
                    stage=stage,
                    site_id=None,
                    title=title,
                    position=position,
                    **_translated("title", data.CRITERION_TITLES[title]),
                )
                for position, title in enumerate(titles)
            ]
            for stage, titles in data.DEFAULT_CRITERIA.items()
        }
        self._add("stage_criteria", [c for rows in self.criteria.values() for c in rows])
        self.echo(f"default exit criteria: {self.counts['stage_criteria']}")

    def _projects(self) -> None:
        self.projects: list[tuple[Project, dict, Plan]] = []
        audits = []
        for spec in data.PROJECTS:
            plan = plan_project(spec["path"], self.rng, self.now)
            project = self._project(spec, plan)
            self.projects.append((project, spec, plan))
        self._add("projects", [p for p, _, _ in self.projects])
        for project, spec, plan in self.projects:
            creator = self.members[spec["lead"]]
            audits.append(
                AuditEvent(
                    actor_id=creator.id,
                    action="project_created",
                    object_type="project",
                    object_id=project.id,
                    project_id=project.id,
                    at=plan.created_at,
                    changes={"title": [None, project.title]},
                )
            )
        db.session.add_all(audits)
        self.counts["audit_events"] = len(audits)
        stages = {(p.stage, p.status) for p, _, _ in self.projects}
        self.echo(f"projects: {len(self.projects)} in {len(stages)} stage/status combinations")

    def _project(self, spec: dict, plan: Plan) -> Project:
        lead = self.orgs[spec["lead"]]
        participations = [Participation(organization=lead, role="lead", created_at=plan.created_at)]
        participations += [
            Participation(organization=self.orgs[name], role=role, created_at=plan.created_at)
            for name, role in spec["partners"]
        ]
        entered = plan.stage_entered_at
        return Project(
            title=spec["title"],
            summary=spec["summary"],
            description=spec["description"],
            site=self.sites[spec["site"]],
            lead_organization=lead,
            kind=spec["kind"],
            stage=plan.stage,
            status=plan.status,
            visibility=spec["visibility"],
            themes=[self.themes[t] for t in spec["themes"]],
            participations=participations,
            target_test_on=(entered + timedelta(days=200)).date()
            if plan.stage == "develop"
            else None,
            target_market_on=(entered + timedelta(days=300)).date()
            if plan.stage != "market"
            else None,
            launched_on=plan.launched_on,
            created_by_id=self.members[spec["lead"]].id,
            created_at=plan.created_at,
            updated_at=plan.last_activity_at,
            last_activity_at=plan.last_activity_at,
            stage_entered_at=entered,
        )
