"""Every dashboard metric against a small hand-built network whose answers are known."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.projects_support import advance
from tracker.dashboard import flows, metrics
from tracker.dashboard.metrics import Scope
from tracker.dashboard.periods import Quarter, parse_period
from tracker.extensions import db
from tracker.models import GateReview, Organization, Participation, Project, utcnow
from tracker.models.directory import organization_sites


def review(project, decision: str, decided_at, days: float, from_stage="develop") -> None:
    to_stage = "test" if from_stage == "develop" else "market"
    db.session.add(
        GateReview(
            project_id=project.id,
            from_stage=from_stage,
            to_stage=to_stage,
            requested_at=decided_at - timedelta(days=days),
            decision=decision,
            decided_at=decided_at if decision != "pending" else None,
        )
    )
    db.session.commit()


@pytest.fixture
def net(app):
    """Five projects with known stays, entries, reviews, participants and activity.

    P1 develop 10 days → test (previous quarter), with a start-up; theme ai.
    P2 develop 20 days → test, 30 days later → market (two quarters ago), with a Swedish
       research institution at Stockholm; theme ai.
    P3 develop 40 days → test (previous quarter), with a Berlin company; theme ai.
    P4 at Berlin, still in develop, no activity for 100 days (stalled); theme h2.
    P5 in develop, put on hold; a Berlin company as research partner (by role).
    """
    now = utcnow()
    q1 = Quarter.containing(now).previous()
    q2 = q1.previous()
    lingen = f.make_site("lingen", name="Lingen")
    berlin = f.make_site("berlin", name="Berlin")
    stockholm = f.make_site("stockholm", name="Stockholm", country="SE")
    ai, h2 = f.make_theme("ai", "AI"), f.make_theme("h2", "Hydrogen")
    lead = f.make_org("Lead", sites=[lingen])
    startup = f.make_org("Startup", kind="startup", sites=[lingen])
    research = f.make_org("Institute", kind="research_institution", country="SE", sites=[stockholm])
    berlin_co = f.make_org("Berlin Co", sites=[berlin])

    def project(site, partners, themes, test_at, develop_days, **fields):
        p = f.make_project(
            site, lead, partners, themes, stage_entered_at=test_at - timedelta(days=develop_days),
            **fields,
        )  # fmt: skip
        return p

    t1, t2, t3 = (
        q1.start + timedelta(days=5),
        q2.start + timedelta(days=1),
        q1.start + timedelta(days=50),
    )
    p1 = project(lingen, [(startup, "partner")], [ai], t1, 10)
    p2 = project(lingen, [(research, "research_partner")], [ai], t2, 20)
    p3 = project(lingen, [(berlin_co, "partner")], [ai], t3, 40)
    p4 = project(berlin, [], [h2], now, 120, last_activity_at=now - timedelta(days=100))
    p5 = project(lingen, [(berlin_co, "research_partner")], [], now, 30)
    advance(p1, "test", t1)
    advance(p2, "test", t2)
    advance(p2, "market", t2 + timedelta(days=30))
    advance(p3, "develop", t3 - timedelta(days=20), status="on_hold")  # a hold inside develop
    advance(p3, "develop", t3 - timedelta(days=10), status="active")
    advance(p3, "test", t3)
    advance(p5, "develop", now - timedelta(days=1), status="on_hold")
    p5.last_activity_at = now - timedelta(days=200)
    db.session.commit()
    review(p1, "go", t1, 4)
    review(p2, "go", t2, 2)
    review(p3, "go", t3, 10)
    review(p4, "recycle", q1.start + timedelta(days=2), 6)
    review(p5, "pending", now, 1)
    return SimpleNamespace(
        q1=q1, q2=q2, lingen=lingen, berlin=berlin, ai=ai, h2=h2, projects=[p1, p2, p3, p4, p5]
    )


def test_median_and_p90_days_in_develop_come_from_completed_stays(net):
    stays = flows.time_in_stage(Scope())
    assert stays["develop"] == {"n": 3, "median": pytest.approx(20), "p90": pytest.approx(36)}
    assert stays["test"] == {"n": 1, "median": pytest.approx(30), "p90": pytest.approx(30)}
    assert stays["market"]["n"] == 0 and stays["market"]["median"] is None


def test_time_in_stage_counts_a_stay_in_the_period_it_ended(net):
    stays = flows.time_in_stage(Scope(period=parse_period(net.q1.key)))
    assert stays["develop"]["n"] == 2  # P1 (10 days) and P3 (40 days) left develop in q1
    assert stays["develop"]["median"] == pytest.approx(25)
    assert stays["test"]["n"] == 0


def test_p90_interpolates_between_ranks(app):
    site, org = f.make_site(), f.make_org()
    start = utcnow() - timedelta(days=400)
    for days in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100):
        p = f.make_project(site, org, stage_entered_at=start)
        advance(p, "test", start + timedelta(days=days))
    develop = flows.time_in_stage(Scope())["develop"]
    assert develop["median"] == pytest.approx(6)
    assert develop["p90"] == pytest.approx(10)  # rank 1 + 0.9·10 = 10 exactly
    assert flows.time_in_stage(Scope())["develop"]["n"] == 11


def test_counts_by_stage_status_site_and_theme(net):
    counts = metrics.project_counts(Scope())
    assert counts.by_stage_status == {
        ("develop", "active"): 1,
        ("develop", "on_hold"): 1,
        ("test", "active"): 2,
        ("market", "active"): 1,
    }
    assert counts.by_site_stage == {
        (net.lingen.id, "develop"): 1,
        (net.lingen.id, "test"): 2,
        (net.lingen.id, "market"): 1,
        (net.berlin.id, "develop"): 1,
    }
    assert metrics.dimension_counts(Scope())["theme"] == {net.ai.id: 3, net.h2.id: 1}


def test_counts_by_organization_kind_and_country(net):
    counts = metrics.dimension_counts(Scope())
    assert counts["kind"] == {"member_company": 5, "startup": 1, "research_institution": 1}
    assert counts["country"] == {"DE": 5, "SE": 1}


def test_funnel_cooperation_mix_and_stalled(net):
    totals = metrics.project_counts(Scope()).summary
    assert totals["total"] == 5
    assert (totals["reached_test"], totals["reached_market"]) == (3, 1)
    assert totals["startup"] == 1  # P1, by organization kind
    assert totals["research"] == 2  # P2 by kind, P5 by role
    assert totals["cross_site"] == 3  # P2 Lingen+Stockholm, P3 and P5 Lingen+Berlin
    assert totals["cross_country"] == 1  # P2 DE+SE
    assert totals["stalled"] == 1  # P4; P5 is on hold, not stalled


def test_scope_narrows_every_count_to_site_and_theme(net):
    berlin = Scope(site_ids=(net.berlin.id,))
    assert metrics.project_counts(berlin).summary["total"] == 1
    assert metrics.project_counts(berlin).summary["stalled"] == 1
    ai = Scope(theme_id=net.ai.id)
    assert metrics.project_counts(ai).summary["total"] == 3
    assert metrics.project_counts(ai).by_stage_status == {
        ("test", "active"): 2,
        ("market", "active"): 1,
    }
    assert flows.time_in_stage(Scope(theme_id=net.h2.id))["develop"]["n"] == 0


def test_throughput_places_entries_in_their_quarters_with_zeros_filled(net):
    quarters = Quarter.containing(utcnow()).last(8)
    counts = flows.throughput(Scope(), quarters)
    assert list(counts) == [q.key for q in quarters]
    assert counts[net.q1.key] == {"test": 2, "market": 0}
    assert counts[net.q2.key] == {"test": 1, "market": 1}
    assert sum(c["test"] + c["market"] for c in counts.values()) == 4


def test_gate_decision_mix_and_median_turnaround(net):
    found = flows.decisions(Scope())
    assert found["mix"] == {
        "go": 3,
        "conditional_go": 0,
        "recycle": 1,
        "hold": 0,
        "stop": 0,
    }
    assert found["n"] == 4
    assert found["median"] == pytest.approx(5)  # 2, 4, 6, 10 days
    # and the projects they were on ("4 decisions on N projects"), counted by hand
    from tracker.extensions import db as database
    from tracker.models import GateReview

    on = {
        key: database.session.scalar(
            sa.select(sa.func.count(sa.distinct(GateReview.project_id))).where(
                GateReview.decision == key
            )
        )
        for key in metrics.DECIDED
    }
    assert found["projects"] == on
    assert 0 < found["on_projects"] <= found["n"]
    in_q1 = flows.decisions(Scope(period=parse_period(net.q1.key)))
    assert in_q1["mix"]["go"] == 2 and in_q1["mix"]["recycle"] == 1
    assert in_q1["median"] == pytest.approx(6)  # 4, 6, 10 days


def test_empty_network_gives_zeros_not_errors(app):
    assert metrics.project_counts(Scope()).summary == dict.fromkeys(("total", *metrics.SUMMED), 0)
    assert metrics.dimension_counts(Scope()) == {"kind": {}, "country": {}, "theme": {}}
    assert flows.decisions(Scope()) == {
        "mix": dict.fromkeys(metrics.DECIDED, 0),
        "projects": dict.fromkeys(metrics.DECIDED, 0),
        "on_projects": 0,
        "n": 0,
        "median": None,
    }
    assert flows.time_in_stage(Scope())["develop"] == {"n": 0, "median": None, "p90": None}


def test_periods_parse_quarters_years_and_fall_back_to_all_time():
    assert parse_period("2026-Q3").start.month == 7 and parse_period("2026-Q3").end.month == 10
    assert parse_period("2026-Q4").end.year == 2027
    assert parse_period("nonsense").key == "all" and not parse_period("nonsense").bounded
    assert parse_period("this_year").token == str(utcnow().year)
    assert Quarter(2026, 1).last(3) == [Quarter(2025, 3), Quarter(2025, 4), Quarter(2026, 1)]


@pytest.fixture
def cooperations(app):
    """Projects at the edges of the cooperation definitions (ids in the comments' order).

    alone: the lead only (one site); two_sites: one organization affiliated with two sites;
    same_site: two organizations of one site; unsited: the lead plus an organization of no
    site; nowhere: only organizations of no site, from two countries, one a start-up;
    across: Lingen lead, Berlin research institution; by_role: start-up role on a company;
    empty: no participations at all (counted, never flagged).
    """
    lingen = f.make_site("lingen", name="Lingen")
    berlin = f.make_site("berlin", name="Berlin")
    lead = f.make_org("Lead", sites=[lingen])
    two_sites = f.make_org("Two Sites", sites=[lingen, berlin])
    also_lingen = f.make_org("Also Lingen", sites=[lingen])
    no_site = f.make_org("No Site")
    swedish_startup = f.make_org("Swedish Startup", kind="startup", country="SE")
    institute = f.make_org("Institute", kind="research_institution", sites=[berlin])
    ai, h2 = f.make_theme("ai", "AI"), f.make_theme("h2", "Hydrogen")
    projects = {
        "alone": f.make_project(lingen, lead),
        "two_sites": f.make_project(berlin, two_sites, visibility="consortium"),
        "same_site": f.make_project(lingen, lead, [(also_lingen, "partner")]),
        "unsited": f.make_project(lingen, lead, [(no_site, "partner")]),
        "nowhere": f.make_project(berlin, no_site, [(swedish_startup, "partner")], [ai]),
        "across": f.make_project(
            lingen, lead, [(institute, "partner")], [ai, h2], visibility="consortium"
        ),
        "by_role": f.make_project(berlin, lead, [(also_lingen, "startup")]),
        "empty": f.make_project(lingen, lead),
    }
    db.session.execute(
        sa.delete(Participation).where(Participation.project_id == projects["empty"].id)
    )
    db.session.commit()
    return SimpleNamespace(lingen=lingen, berlin=berlin, ai=ai, h2=h2, projects=projects)


def _reference_flags(project_id: int) -> dict[str, bool]:
    """The cooperation definitions, computed in Python from the rows themselves."""
    rows = db.session.execute(
        sa.select(Participation.role, Organization)
        .join(Organization, Organization.id == Participation.organization_id)
        .where(Participation.project_id == project_id)
    ).all()
    sites = {
        site_id
        for _role, org in rows
        for site_id in db.session.scalars(
            sa.select(organization_sites.c.site_id).where(
                organization_sites.c.organization_id == org.id
            )
        )
    }
    return {
        "startup": any(org.kind == "startup" or role == "startup" for role, org in rows),
        "research": any(
            org.kind == "research_institution" or role == "research_partner" for role, org in rows
        ),
        "cross_site": len(sites) >= 2,
        "cross_country": len({org.country for _role, org in rows}) >= 2,
    }


def test_cooperation_flags_at_their_edges(cooperations):
    named = {project.id: name for name, project in cooperations.projects.items()}

    def flagged(flag: str) -> set[str]:
        ids = db.session.scalars(sa.select(Project.id).where(metrics.project_flag(flag)))
        return {named[i] for i in ids}

    assert flagged("cross_site") == {"two_sites", "across"}
    assert flagged("cross_country") == {"nowhere"}
    assert flagged("startup") == {"nowhere", "by_role"}
    assert flagged("research") == {"across"}
    for project_id, name in named.items():
        reference = _reference_flags(project_id)
        assert {flag for flag, on in reference.items() if on} == {
            flag for flag in metrics.COOPERATION_FLAGS if name in flagged(flag)
        }, name
    totals = metrics.project_counts(Scope()).summary
    assert totals["total"] == 8  # consortium projects and the one without participants too
    assert (totals["cross_site"], totals["cross_country"]) == (2, 1)
    assert (totals["startup"], totals["research"]) == (2, 1)


def test_cooperation_counts_follow_the_scope(cooperations):
    berlin = metrics.project_counts(Scope(site_ids=(cooperations.berlin.id,))).summary
    assert berlin["total"] == 3  # two_sites, nowhere, by_role
    assert (berlin["cross_site"], berlin["cross_country"], berlin["startup"]) == (1, 1, 2)
    lingen = metrics.project_counts(Scope(site_ids=(cooperations.lingen.id,)))
    assert lingen.summary["total"] == 5
    assert (lingen.summary["cross_site"], lingen.summary["research"]) == (1, 1)
    assert lingen.by_site_stage == {(cooperations.lingen.id, "develop"): 5}
    both = Scope(site_ids=(cooperations.lingen.id, cooperations.berlin.id))
    assert metrics.project_counts(both).summary == metrics.project_counts(Scope()).summary


def test_counts_by_cell_add_up_to_the_summary(net):
    counts = metrics.project_counts(Scope())
    assert sum(counts.by_stage_status.values()) == counts.summary["total"]
    assert sum(counts.by_site_stage.values()) == counts.summary["total"]
    per_cell = {name: sum(c[name] for c in counts.cells.values()) for name in metrics.SUMMED}
    assert per_cell == {name: counts.summary[name] for name in metrics.SUMMED}
    # P4 at Berlin is the stalled one; the cell says so.
    assert counts.cells[(net.berlin.id, "develop", "active")]["stalled"] == 1


def test_kind_country_and_theme_counts_count_a_project_once_per_value(cooperations):
    counts = metrics.dimension_counts(Scope())
    # same_site has two member companies: one project, counted once.
    assert counts["kind"] == {"member_company": 7, "startup": 1, "research_institution": 1}
    assert counts["country"] == {"DE": 7, "SE": 1}
    assert counts["theme"] == {cooperations.ai.id: 2, cooperations.h2.id: 1}
    berlin = metrics.dimension_counts(Scope(site_ids=(cooperations.berlin.id,)))
    assert berlin["kind"] == {"member_company": 3, "startup": 1}
    assert berlin["theme"] == {cooperations.ai.id: 1}  # nowhere
    ai = metrics.dimension_counts(Scope(theme_id=cooperations.ai.id))
    assert ai["kind"] == {"member_company": 2, "startup": 1, "research_institution": 1}
    assert ai["country"] == {"DE": 2, "SE": 1}
    # Themes of the projects in scope: across also has h2.
    assert ai["theme"] == {cooperations.ai.id: 2, cooperations.h2.id: 1}
    assert metrics.project_counts(Scope(theme_id=cooperations.ai.id)).summary["cross_site"] == 1


def test_scoped_reached_counts_match_the_filters_and_the_network(net):
    """The scoped counts read the scope's own events (a recycled project still counts as
    having reached test; one with two entries into test counts once) and agree with the
    /projects filters and, summed over the sites, with the whole network."""
    p1, p2 = net.projects[0], net.projects[1]
    advance(p1, "develop", utcnow() - timedelta(days=3))  # recycled: reached by its event only
    advance(p1, "test", utcnow() - timedelta(days=2))  # a second entry into test
    advance(p1, "develop", utcnow() - timedelta(days=1))
    advance(p2, "develop", utcnow() - timedelta(hours=1))  # recycled from market
    scopes = [Scope(site_ids=(net.lingen.id,)), Scope(site_ids=(net.berlin.id,))]
    scopes.append(Scope(theme_id=net.ai.id))
    scopes.append(Scope(site_ids=(net.lingen.id,), theme_id=net.ai.id))
    for scope in scopes:
        summary = metrics.project_counts(scope).summary
        for flag in ("reached_test", "reached_market", *metrics.COOPERATION_FLAGS):
            expected = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Project)
                .where(metrics.project_flag(flag), *metrics.project_conditions(scope))
            )
            assert summary[flag] == expected, (scope, flag)
    lingen, berlin = (metrics.project_counts(s).summary for s in scopes[:2])
    assert (lingen["reached_test"], lingen["reached_market"]) == (3, 1)
    network = metrics.project_counts(Scope()).summary
    assert {k: lingen[k] + berlin[k] for k in network} == network
