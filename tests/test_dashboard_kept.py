"""The dashboard's kept counts (tracker.dashboard.kept) equal the live computation after every
kind of write: create (form service and bulk import), gate decisions and stage changes, hold,
stop (reasons of every category), reactivate, withdraw, site change, theme and partner changes,
organization kind, country and site changes (the directory import's writes), deletion,
backdated history (stage changes, stops, decisions, partners joining), visibility. The
quarterly report's event counts (entries, stops by category, new cooperations same- and
cross-site, decisions, the moves of consortium projects per site and quarter) too:
report.event_counts equals report.live_event_counts."""

import contextlib
from datetime import timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from tests.bulk import add_projects
from tracker import disclosure
from tracker.dashboard import flows, kept, metrics
from tracker.dashboard import report as quarterly
from tracker.dashboard.metrics import Scope
from tracker.dashboard.periods import Quarter, parse_period
from tracker.extensions import db
from tracker.loaders import get_visible_project_or_404
from tracker.models import (
    GateReview,
    Organization,
    Participation,
    Project,
    Site,
    StageEvent,
    Theme,
    utcnow,
)
from tracker.models.base import STAGES
from tracker.models.directory import organization_sites
from tracker.projects import services as project_services
from tracker.projects.domain import ProjectError
from tracker.reviews import services as review_services
from tracker.reviews import status as review_status
from tracker.reviews import withdraw as review_withdraw
from tracker.reviews.base import GateError

PROPERTY = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
OPERATIONS = (
    "create",
    "import",
    "request_and_decide",
    "hold",
    "stop",
    "reactivate",
    "withdraw",
    "site",
    "theme",
    "partner",
    "organization",
    "organization_site",
    "history",
    "joined",
    "visibility",
    "delete",
)
# Stop reasons: one of each category (English, German, Swedish, upper case) and none.
REASONS = (
    "because",
    "Permit refused",
    "KEINE DATEN",
    "Tekniken räckte inte",
    "No buyer",
    "Budget cut",
    "Konsortium zerfallen",
    "",
)


class Net:
    def __init__(self):
        self.sites = [f.make_site(), f.make_site(), f.make_site()]
        self.themes = [f.make_theme(), f.make_theme()]
        self.orgs = [
            f.make_org(sites=[self.sites[0]], kind="member_company", country="DE"),
            f.make_org(sites=[self.sites[1]], kind="startup", country="SE"),
            f.make_org(sites=[], kind="research_institution", country="DE"),
            f.make_org(sites=[self.sites[2], self.sites[0]], kind="partner", country="FR"),
        ]
        self.admin = f.make_user("admin")
        for i in range(4):
            f.make_project(
                self.sites[i % 3],
                self.orgs[i % 4],
                partners=[(self.orgs[(i + 1) % 4], "partner")],
                themes=self.themes[: i % 3],
                stage=STAGES[i % 3],
            )


def _projects() -> list[Project]:
    return list(db.session.scalars(sa.select(Project).order_by(Project.id)))


def _pick(items: list, n: int):
    return items[n % len(items)] if items else None


def _apply(net: Net, operation: str, n: int, seconds: int) -> None:
    """One write of the given kind, through the app's services where there is one; refused
    writes (a rule says no) write nothing and are fine."""
    admin = db.session.get(type(net.admin), net.admin.id)
    project = _pick(_projects(), n)
    now = utcnow()
    with contextlib.suppress(GateError, ProjectError):
        if operation == "create":
            project_services.create_project(
                admin,
                {
                    "title": f"Created {n}",
                    "site_id": _pick(net.sites, n).id,
                    "lead_organization_id": _pick(net.orgs, n).id,
                    "theme_ids": [_pick(net.themes, n).id],
                    "partners": [{"organization_id": _pick(net.orgs, n + 1).id, "role": "startup"}],
                },
            )
        elif operation == "import":
            lead = db.session.get(Organization, _pick(net.orgs, n).id)
            partner = db.session.get(Organization, _pick(net.orgs, n + 2).id)
            site = db.session.get(Site, _pick(net.sites, n).id)
            theme = db.session.get(Theme, _pick(net.themes, n).id)
            add_projects(1 + n % 3, site, lead, partner, theme, status="active")
            if db.engine.dialect.name == "postgresql":  # add_projects writes the ids itself
                db.session.execute(
                    sa.text("SELECT setval(pg_get_serial_sequence('projects', 'id'), max(id)) "
                            "FROM projects")
                )  # fmt: skip
                db.session.commit()
        elif project is None:
            return
        elif operation == "request_and_decide":
            review = review_services.request_gate(admin, project, "evidence")
            decision = ("go", "conditional_go", "recycle", "hold", "stop")[n % 5]
            conditions = ["A condition"] if decision == "conditional_go" else []
            review_services.decide(admin, review, decision, "because", conditions)
        elif operation in ("hold", "stop", "reactivate"):
            reason = REASONS[n % len(REASONS)] or "because"
            review_status.change_status(admin, project, operation, reason)
        elif operation == "withdraw":
            review_withdraw.withdraw(admin, project, "because")
        elif operation == "site":
            project = get_visible_project_or_404(admin, project.id)
            project_services.update_project(
                admin, project, {"site_id": _pick(net.sites, n + 1).id}, project.version
            )
        elif operation == "theme":
            theme_ids = [t.id for t in net.themes if (n >> t.id) & 1]
            project = get_visible_project_or_404(admin, project.id)
            project_services.update_project(
                admin, project, {"theme_ids": theme_ids}, project.version
            )
        elif operation == "partner":
            participation = db.session.scalar(
                sa.select(Participation).where(
                    Participation.project_id == project.id, Participation.role != "lead"
                )
            )
            if participation is not None and n % 2:
                db.session.delete(participation)
            elif participation is None:
                org = _pick(net.orgs, n)
                if org.id != project.lead_organization_id:
                    db.session.add(
                        Participation(
                            project_id=project.id, organization_id=org.id, role="research_partner"
                        )
                    )
            else:
                participation.role = ("partner", "startup", "research_partner")[n % 3]
            db.session.commit()
        elif operation == "organization":
            org = db.session.get(Organization, _pick(net.orgs, n).id)
            org.kind = ("member_company", "startup", "research_institution", "partner")[n % 4]
            org.country = ("DE", "SE", "FR")[seconds % 3]
            db.session.commit()
        elif operation == "organization_site":
            org_id, site_id = _pick(net.orgs, n).id, _pick(net.sites, seconds).id
            link = organization_sites.c
            deleted = db.session.execute(
                organization_sites.delete().where(
                    link.organization_id == org_id, link.site_id == site_id
                )
            ).rowcount
            if not deleted:
                db.session.execute(
                    organization_sites.insert().values(organization_id=org_id, site_id=site_id)
                )
            db.session.commit()
        elif operation == "history":
            # Backdated history, seconds apart: stays and turnarounds across day and quarter
            # boundaries, a hold inside a stage (no new entry), a stop with a reason (or a
            # stop of a stopped project, no new stop), a partner that joined back then.
            at = now - timedelta(seconds=seconds)
            stage = STAGES[n % 3]
            if n % 2:
                db.session.add(
                    StageEvent(
                        project_id=project.id,
                        from_stage=stage,
                        to_stage=stage,
                        from_status=("active", "stopped", None)[n % 3],
                        to_status="stopped",
                        at=at + timedelta(seconds=n),
                        note=REASONS[n % len(REASONS)],
                    )
                )
            org = _pick(net.orgs, n + seconds)
            joined = db.session.scalar(
                sa.select(Participation).where(
                    Participation.project_id == project.id,
                    Participation.organization_id == org.id,
                )
            )
            if joined is None:
                db.session.add(
                    Participation(
                        project_id=project.id, organization_id=org.id, role="partner", created_at=at
                    )
                )
            db.session.add_all(
                [
                    StageEvent(
                        project_id=project.id,
                        from_stage=project.stage,
                        to_stage=stage,
                        to_status="active",
                        at=at,
                        note="",
                    ),
                    GateReview(
                        project_id=project.id,
                        from_stage="develop",
                        to_stage="test",
                        decision=("go", "recycle", "stop")[n % 3],
                        requested_at=at - timedelta(seconds=seconds // 3 + n),
                        decided_at=at,
                    ),
                ]
            )
            db.session.commit()
        elif operation == "joined":
            # only the date a partner joined corrected: the cooperation moves to another quarter
            partners = db.session.scalars(
                sa.select(Participation)
                .join(Project, Project.id == Participation.project_id)
                .where(Participation.role != "lead", Project.status != "withdrawn")
                .order_by(Participation.id)
            ).all()
            joined = _pick(partners, n)
            if joined is not None:
                joined.created_at = now - timedelta(days=100, seconds=seconds)
                db.session.commit()
        elif operation == "visibility":
            # network <-> consortium (the report's rows some readers may not open)
            project = get_visible_project_or_404(admin, project.id)
            visibility = "network" if project.visibility == "consortium" else "consortium"
            project_services.update_project(
                admin, project, {"visibility": visibility}, project.version
            )
        elif operation == "delete":
            db.session.delete(project)
            db.session.commit()
    db.session.rollback()


def _nonzero(counts: dict) -> dict:
    return {key: value for key, value in counts.items() if value}


def _rounded(value):
    """Medians and p90s as the two sides compute them, to the millionth of a day."""
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return round(value, 6) if isinstance(value, float) else value


def _scopes(net: Net) -> list[Scope]:
    now = utcnow()
    periods = [
        parse_period("all"),
        parse_period("this_year"),
        parse_period("last_quarter"),
        parse_period(Quarter.containing(now).key),
    ]
    sites = [None, (net.sites[0].id,), (net.sites[1].id, net.sites[2].id)]
    themes = [None, net.themes[0].id]
    pairs = [(site_ids, theme_id) for site_ids in sites for theme_id in themes]
    # every site and theme choice, each with a period; the network with every period
    return [Scope(s, t, periods[i % len(periods)]) for i, (s, t) in enumerate(pairs)] + [
        Scope(None, None, period) for period in periods[1:]
    ]


def assert_kept_equals_live(net: Net) -> None:
    kept.refresh()
    assert not kept.pending()
    quarters = Quarter.containing(utcnow()).last(flows.THROUGHPUT_QUARTERS)
    for scope in _scopes(net):
        found = kept.figures(scope, quarters)
        live = metrics.project_counts(scope)
        summary = {k: v for k, v in live.summary.items() if k != "stalled"}
        assert found.counts.summary == summary, scope
        assert _nonzero(found.counts.by_stage_status) == _nonzero(live.by_stage_status)
        assert _nonzero(found.counts.by_site_stage) == _nonzero(live.by_site_stage)
        dimensions = metrics.dimension_counts(scope)
        for name in ("kind", "country", "theme"):
            assert _nonzero(found.dimensions[name]) == _nonzero(dimensions[name]), (name, scope)
        assert _rounded(found.time_in_stage) == _rounded(flows.time_in_stage(scope, whole=True))
        assert found.throughput == flows.throughput(scope, quarters, projects=True)
        live_decisions = flows.decisions(scope, whole=True)
        assert _rounded(found.decisions) == _rounded(live_decisions), scope
    for theme_id in (None, net.themes[0].id):  # per site: what the report and patrons read
        cells, flags, entries = kept.site_counts(theme_id, quarters)
        live = metrics.project_counts(Scope(theme_id=theme_id)).cells
        assert cells == {key: counts["total"] for key, counts in live.items()}
        for flag in kept.FLAGS:
            per_site = {site: counts[flag] for (site, _, _), counts in live.items()}
            summed = {s: sum(c[flag] for k, c in live.items() if k[0] == s) for s in per_site}
            assert flags[flag] == _nonzero(summed), flag
        assert entries == {
            key: _nonzero(per_site)
            for key, per_site in disclosure.throughput_by_site(theme_id, quarters).items()
        }
    # The report's event counts of every quarter the history reaches (800 days back).
    history = Quarter.containing(utcnow()).last(10)
    assert quarterly.event_counts(history) == quarterly.live_event_counts(history)


@PROPERTY
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(OPERATIONS),
            st.integers(0, 1000),
            st.integers(0, 800 * 86400),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_kept_counts_equal_the_live_ones_after_every_kind_of_write(app, steps):
    with app.app_context():
        net = Net()
        try:
            assert_kept_equals_live(net)
            for operation, n, seconds in steps:
                _apply(net, operation, n, seconds)
                assert_kept_equals_live(net)
        finally:
            db.session.rollback()
            from tests.conftest import _empty_tables

            _empty_tables()


def test_every_operation_runs_and_changes_something(app):
    """Each kind of write, once, in order: the property test's steps each do something."""
    with app.app_context():
        net = Net()
        for i, operation in enumerate(OPERATIONS):
            _apply(net, operation, i + 1, 86400 * (i + 3) + 7)
            assert_kept_equals_live(net)
            if operation == "withdraw":
                statuses = set(db.session.scalars(sa.select(Project.status)))
                assert "withdrawn" in statuses


def test_rebuild_gives_what_folding_gave(app):
    with app.app_context():
        net = Net()
        for i, operation in enumerate(OPERATIONS * 2):
            _apply(net, operation, i * 7 + 3, 86400 * (i + 40) + 11)
        kept.refresh()
        quarters = Quarter.containing(utcnow()).last(flows.THROUGHPUT_QUARTERS)
        before = [kept.figures(scope, quarters) for scope in _scopes(net)]
        with db.engine.begin() as connection:
            kept.rebuild(connection)
        after = [kept.figures(scope, quarters) for scope in _scopes(net)]
        assert before == after


def test_the_worker_folds_changed_projects_every_minute(app, monkeypatch):
    from tracker.outbox import queue

    with app.app_context():
        net = Net()
        monkeypatch.setattr(queue, "_app", app)
        assert kept.pending()
        assert queue.fold_dashboard_counts.call_local() >= 4
        db.session.rollback()  # a fresh snapshot: the worker folded on a session of its own
        assert not kept.pending()
        assert queue.fold_dashboard_counts.call_local() == 0
        assert_kept_equals_live(net)
