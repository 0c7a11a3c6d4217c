"""The /dashboard page's content: every §6 figure for one reader and one selection."""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from tracker import disclosure
from tracker.auth.permissions import visible_projects
from tracker.dashboard import flows, kept, metrics
from tracker.dashboard.figures import Figure, Presenter, audience_for
from tracker.dashboard.filters import Selection
from tracker.dashboard.periods import quarter_label
from tracker.disclosure import ALL
from tracker.extensions import db
from tracker.i18n import ngettext
from tracker.models import Project
from tracker.models.base import ORG_KINDS, STAGES, STATUSES
from tracker.vocabulary import DECISION_LABELS, STAGE_LABELS

KIND_LABELS = {
    "member_company": _l("Member companies"),
    "startup": _l("Start-ups"),
    "research_institution": _l("Research institutions"),
    "partner": _l("Partners"),
    "public_body": _l("Public bodies"),
}
COOPERATION = (
    ("startup", _l("With a start-up"), _l("a start-up organization takes part, or a partner "
     "has the start-up role")),
    ("research", _l("With a research partner"), _l("a research institution takes part, or a "
     "partner has the research-partner role")),
    ("cross_site", _l("Cross-site"), _l("the participating organizations (lead included) are "
     "affiliated, together, with at least two different sites")),
    ("cross_country", _l("Cross-country"), _l("the participating organizations (lead included) "
     "come from at least two countries")),
)  # fmt: skip
STALLED_LIST_LIMIT = 10


def entries_on(events: int, projects: int) -> str:
    """ "4 stage entries on 3 projects": what an entry figure counts, and on how many."""
    on = ngettext("on %(num)s project", "on %(num)s projects", projects)
    return ngettext("%(num)s stage entry %(on)s", "%(num)s stage entries %(on)s", events, on=on)


def decisions_on(events: int, projects: int) -> str:
    """ "19 decisions on 13 projects": what a decision figure counts, and on how many."""
    on = ngettext("on %(num)s project", "on %(num)s projects", projects)
    return ngettext("%(num)s decision %(on)s", "%(num)s decisions %(on)s", events, on=on)


@dataclass
class Row:
    label: str
    cells: dict[str, Figure] = field(default_factory=dict)
    key: str = ""
    note: str = ""


def _at(stage: str, period) -> str:
    return f"{stage}:{period.token}" if period.token else stage


def dashboard(user, selection: Selection) -> dict:
    """Everything /dashboard shows, from a fixed number of aggregate queries."""
    scope = selection.scope
    audience = audience_for(user, scope.site_ids)
    show = Presenter(audience, selection.link_args)
    if audience.withhold_small:
        return _patron_dashboard(audience, show, selection)
    quarters = selection.period.last_quarter.last(flows.THROUGHPUT_QUARTERS)
    # Kept counts (tracker.dashboard.kept): a few rows per site whatever the data's size;
    # projects changed since the last fold are folded first. Stalled depends on the clock.
    kept.refresh()
    found = kept.figures(scope, quarters)
    counts = found.counts
    totals = counts.summary
    dimensions = found.dimensions
    context = {
        "audience": audience,
        "total": show.count(totals["total"], {}),
        "stage_status": _stage_status(show, counts.by_stage_status),
        "by_site": _by_site(show, selection, counts.by_site_stage),
        "by_theme": _by_theme(show, selection, dimensions["theme"]),
        "funnel": _funnel(show, totals),
        "cooperation": _cooperation(show, totals),
        "time_in_stage": _time_in_stage(show, found.time_in_stage, selection.period),
        "throughput": _throughput(show, found.throughput),
        "stalled": show.count(metrics.stalled_count(scope), {"stalled": "1"}),
        "stalled_days": current_app.config["TRACKER_STALLED_DAYS"],
        "stalled_projects": _stalled_projects(user, scope) if audience.names else [],
    }
    context.update(_participants(show, dimensions))
    context.update(_decisions(show, found.decisions, selection.period))
    return context


def _patron_dashboard(audience, show: Presenter, selection: Selection) -> dict:
    """The patron's dashboard: every count from tracker.disclosure (one protected table per
    theme over every site, so a site's figures and the network's agree and no withheld count
    can be worked out from the others). No decision mix, kinds or countries; no names."""
    scope = selection.scope
    site = scope.site_ids[0] if scope.site_ids else ALL
    quarters = selection.period.last_quarter.last(flows.THROUGHPUT_QUARTERS)
    view = disclosure.pipeline_view(scope.theme_id, quarters, site_ids=list(selection.site_names))
    counts, flags = view.counts, view.flags
    total = show.disclosed(counts, (site, ALL, ALL))
    stage_status = []
    for stage in [*STAGES, ALL]:
        label = STAGE_LABELS[stage] if stage != ALL else _("All stages")
        row = Row(label, key=stage if stage != ALL else "total")
        for status in STATUSES:
            row.cells[status] = show.disclosed(counts, (site, stage, status))
        row.cells["total"] = show.disclosed(counts, (site, stage, ALL))
        stage_status.append(row)
    by_site = []
    for site_id, (slug, name) in selection.site_names.items():
        if scope.site_ids is not None and site_id not in scope.site_ids:
            continue
        row = Row(name, key=slug)
        for stage in STAGES:
            row.cells[stage] = show.disclosed(counts, (site_id, stage, ALL))
        row.cells["total"] = show.disclosed(counts, (site_id, ALL, ALL))
        by_site.append(row)
    themes = disclosure.theme_totals(list(selection.theme_names), list(selection.site_names))
    by_theme = [
        Row(name, {"n": show.disclosed(themes[theme_id], (site, ALL, ALL))}, key=slug)
        for theme_id, (slug, name) in selection.theme_names.items()
    ]
    steps = (
        ("develop", _("Entered develop"), total),
        ("test", _("Reached test"), show.disclosed(flags, ("reached_test", site))),
        ("market", _("Reached market"), show.disclosed(flags, ("reached_market", site))),
    )
    funnel = [
        Row(label, {"n": n, "share": show.disclosed_share(n, total)}, key=stage)
        for stage, label, n in steps
    ]
    cooperation = []
    for key, label, definition in COOPERATION:
        n = show.disclosed(flags, (key, site))
        cells = {"n": n, "share": show.disclosed_share(n, total)}
        cooperation.append(Row(label, cells, key=key, note=definition))
    throughput = [
        Row(
            quarter.label,
            {
                s: show.disclosed(view.throughput, (s, quarter.key, site))
                for s in ("test", "market")
            },
            key=quarter.key,
        )
        for quarter in quarters
    ]
    found = flows.decisions(scope)
    return {
        "audience": audience,
        "total": total,
        "stage_status": stage_status,
        "by_site": by_site,
        "by_theme": by_theme,
        "funnel": funnel,
        "cooperation": cooperation,
        "time_in_stage": _time_in_stage(show, flows.time_in_stage(scope), selection.period),
        "throughput": throughput,
        "stalled": show.disclosed(flags, ("stalled", site)),
        "stalled_days": current_app.config["TRACKER_STALLED_DAYS"],
        "stalled_projects": [],
        "by_kind": [],
        "by_country": [],
        "decisions": [],
        "decided": None,
        "turnaround": show.days(found["median"], found["n"]),
    }


def _stage_status(show: Presenter, counts: dict) -> list[Row]:
    rows = []
    for stage in STAGES:
        row = Row(STAGE_LABELS[stage], key=stage)
        for status in STATUSES:
            n = counts.get((stage, status), 0)
            row.cells[status] = show.count(n, {"stage": stage, "status": status})
        total = sum(counts.get((stage, status), 0) for status in STATUSES)
        row.cells["total"] = show.count(total, {"stage": stage})
        rows.append(row)
    footer = Row(_("All stages"), key="total")
    for status in STATUSES:
        n = sum(counts.get((stage, status), 0) for stage in STAGES)
        footer.cells[status] = show.count(n, {"status": status})
    footer.cells["total"] = show.count(sum(counts.values()), {})
    return [*rows, footer]


def _by_site(show: Presenter, selection: Selection, counts: dict) -> list[Row]:
    site_ids = selection.scope.site_ids
    rows = []
    for site_id, (slug, name) in selection.site_names.items():
        if site_ids is not None and site_id not in site_ids:
            continue
        row = Row(name, key=slug)
        for stage in STAGES:
            row.cells[stage] = show.count(
                counts.get((site_id, stage), 0), {"site": slug, "stage": stage}
            )
        total = sum(counts.get((site_id, stage), 0) for stage in STAGES)
        row.cells["total"] = show.count(total, {"site": slug})
        rows.append(row)
    return rows


def _by_theme(show: Presenter, selection: Selection, counts: dict) -> list[Row]:
    return [
        Row(name, {"n": show.count(counts.get(theme_id, 0), {"theme": slug})}, key=slug)
        for theme_id, (slug, name) in selection.theme_names.items()
    ]


def _participants(show: Presenter, counts: dict) -> dict:
    kinds = [
        Row(KIND_LABELS[k], {"n": show.count(counts["kind"].get(k, 0), {"org_kind": k})}, key=k)
        for k in ORG_KINDS
    ]
    by_size = sorted(counts["country"].items(), key=lambda item: (-item[1], item[0]))
    countries = [
        Row(code, {"n": show.count(n, {"country": code})}, key=code) for code, n in by_size
    ]
    return {"by_kind": kinds, "by_country": countries}


def _funnel(show: Presenter, totals: dict) -> list[Row]:
    total = totals["total"]
    steps = (
        ("develop", _("Entered develop"), total, {}),
        ("test", _("Reached test"), totals["reached_test"], {"reached": "test"}),
        ("market", _("Reached market"), totals["reached_market"], {"reached": "market"}),
    )
    return [
        Row(label, {"n": show.count(n, link), "share": show.share(n, total, link)}, key=stage)
        for stage, label, n, link in steps
    ]


def _cooperation(show: Presenter, totals: dict) -> list[Row]:
    total = totals["total"]
    return [
        Row(
            label,
            {
                "n": show.count(totals[key], {"coop": key}),
                "share": show.share(totals[key], total, {"coop": key}),
            },
            key=key,
            note=definition,
        )
        for key, label, definition in COOPERATION
    ]


def _time_in_stage(show: Presenter, stays: dict, period) -> list[Row]:
    rows = []
    for stage in STAGES:
        stay = stays[stage]
        link = {"completed": _at(stage, period)}
        cells = {
            "n": show.count(stay["n"], link),
            "median": show.days(stay["median"], stay["n"], link),
            "p90": show.days(stay["p90"], stay["n"], link),
        }
        rows.append(Row(STAGE_LABELS[stage], cells, key=stage))
    return rows


def _throughput(show: Presenter, counts: dict) -> list[Row]:
    """Stage entries are events: linked figures say on how many projects ("4 stage entries
    on 3 projects"); the chart draws the number alone."""
    return [
        Row(
            quarter_label(quarter),
            {
                stage: show.events(
                    counts[quarter][stage],
                    counts[quarter].get(f"{stage}_projects", 0),
                    {"entered": f"{stage}:{quarter}"},
                    entries_on,
                )
                for stage in ("test", "market")
            },
            key=quarter,
        )
        for quarter in counts
    ]


def _decisions(show: Presenter, found: dict, period) -> dict:
    """Decisions are events: a linked figure says how many projects they were on ("19
    decisions on 13 projects"), as the list it opens does."""
    mix, projects = found["mix"], found.get("projects", {})
    rows = [
        Row(
            label,
            {
                "n": show.events(
                    mix[key], projects.get(key, 0), {"decision": _at(key, period)}, decisions_on
                )
            },
            key=key,
        )
        for key, label in DECISION_LABELS.items()
    ]
    decided = sum(mix.values())
    return {
        "decisions": rows,
        "decided": show.events(
            decided, found.get("on_projects", 0), {"decision": _at("any", period)}, decisions_on
        ),
        "turnaround": show.days(found["median"], found["n"], {"decision": _at("any", period)}),
    }


def _stalled_projects(user, scope) -> list[Project]:
    query = (
        visible_projects(user)
        .where(metrics.project_flag("stalled"), *metrics.project_conditions(scope))
        .options(joinedload(Project.site))
        .order_by(Project.last_activity_at, Project.id)
        .limit(STALLED_LIST_LIMIT)
    )
    return list(db.session.scalars(query))


def selection_note(audience, selection: Selection) -> str:
    """Why a linked list may show fewer projects than the figure counts."""
    if audience.withhold_small or audience.complete:
        return ""
    return _(
        "Figures count every project in this view, including consortium projects you cannot "
        "open; the linked project lists show the ones you can."
    )
