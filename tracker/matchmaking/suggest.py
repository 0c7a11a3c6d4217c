"""Partner suggestions for a project or a partner request: up to ten organizations not yet in
the project, each with a score and the reasons behind it.

Two halves. gather() reads, with a fixed number of statements and only from what the asking
user may see, the facts about each candidate (shared themes, kind, the wanted site, work with
a current participant on a visible project, recent activity). score() turns facts into a score
with fixed weights; rank() sorts (score, then name, then id: deterministic). bench/quality.py
feeds score() facts built from the whole data set with one partner hidden, to measure it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import Organization, Participation, Project, Site, User, utcnow
from tracker.models.directory import organization_sites, organization_themes

LIMIT = 10
ACTIVE_DAYS = 180
# One shared theme weighs most; the sought kind more than a theme; each current participant
# the candidate already worked with (at most three count), the wanted site, recent activity.
WEIGHTS = {"theme": 3.0, "kind": 4.0, "coworker": 2.0, "site": 1.5, "active": 1.0}
MAX_COWORKERS = 3


@dataclass(frozen=True)
class Target:
    """What is sought: themes, kind (requests only), site, and who is in already."""

    theme_ids: frozenset[int]
    kind: str | None
    site_id: int | None
    participants: frozenset[int]
    project_id: int | None = None


@dataclass
class Facts:
    """What is known about one candidate organization (only from visible projects)."""

    kind: str = ""
    themes: set[int] = field(default_factory=set)
    at_site: bool = False
    # current participant id -> (project id, title) of the latest visible project together
    coworked: dict[int, tuple[int, str]] = field(default_factory=dict)
    active: bool = False


@dataclass
class Suggestion:
    organization_id: int
    name: str
    kind: str
    score: float
    reasons: list[str]


def score(target: Target, facts: Facts) -> float:
    value = WEIGHTS["theme"] * len(facts.themes & target.theme_ids)
    if target.kind and facts.kind == target.kind:
        value += WEIGHTS["kind"]
    value += WEIGHTS["coworker"] * min(len(facts.coworked), MAX_COWORKERS)
    if facts.at_site:
        value += WEIGHTS["site"]
    if facts.active:
        value += WEIGHTS["active"]
    return round(value, 2)


def rank(
    target: Target, facts: dict[int, Facts], names: dict[int, str], limit: int = LIMIT
) -> list[tuple[int, float]]:
    """(organization id, score) of the best candidates: positive score, not in the project."""
    scored = [
        (org_id, s)
        for org_id, f in facts.items()
        if org_id not in target.participants and (s := score(target, f)) > 0
    ]
    scored.sort(key=lambda pair: (-pair[1], names.get(pair[0], "").lower(), pair[0]))
    return scored[:limit]


# --- reading the facts -------------------------------------------------------------------------


def target_for_project(project: Project) -> Target:
    """A project (themes and participants loaded) seeks partners like itself, at its site."""
    return Target(
        theme_ids=frozenset(t.id for t in project.themes),
        kind=None,
        site_id=project.site_id,
        participants=frozenset(project.participating_organization_ids),
        project_id=project.id,
    )


def target_for_request(partner_request, project: Project) -> Target:
    return Target(
        theme_ids=frozenset(t.id for t in partner_request.themes),
        kind=partner_request.kind,
        site_id=partner_request.site_id or project.site_id,
        participants=frozenset(project.participating_organization_ids),
        project_id=project.id,
    )


def gather(user: User, target: Target) -> dict[int, Facts]:
    """Facts about every candidate with at least one, in five statements whatever the size
    (the kind of each is filled in by the caller, which reads names and kinds together)."""
    # The kind sought: the one fact that needs the organizations table.
    kind_ids = select_kind(target.kind) if target.kind else None
    facts: dict[int, Facts] = {}

    def of(org_id: int) -> Facts:
        return facts.setdefault(org_id, Facts())

    excluded = sorted(target.participants) or [0]
    if target.theme_ids:
        rows = db.session.execute(
            sa.select(organization_themes.c.organization_id, organization_themes.c.theme_id).where(
                organization_themes.c.theme_id.in_(sorted(target.theme_ids)),
                organization_themes.c.organization_id.not_in(excluded),
            )
        )
        for org_id, theme_id in rows:
            of(org_id).themes.add(theme_id)
    if target.site_id is not None:
        rows = db.session.execute(
            sa.select(organization_sites.c.organization_id).where(
                organization_sites.c.site_id == target.site_id,
                organization_sites.c.organization_id.not_in(excluded),
            )
        )
        for (org_id,) in rows:
            of(org_id).at_site = True
    if target.participants:
        _gather_coworkers(user, target, excluded, of)
    _gather_active(user, excluded, of)
    if kind_ids is not None:
        for (org_id,) in db.session.execute(kind_ids.where(Organization.id.not_in(excluded))):
            of(org_id).kind = target.kind
    return facts


def select_kind(kind: str) -> sa.Select:
    return sa.select(Organization.id).where(Organization.kind == kind)


def _gather_coworkers(user, target: Target, excluded: list[int], of) -> None:
    """Candidates that share a visible project (not this one) with a current participant."""
    mine, theirs = aliased(Participation), aliased(Participation)
    query = (
        permissions.visible_projects(user)
        .with_only_columns(theirs.organization_id, mine.organization_id, Project.id, Project.title)
        .select_from(Project)
        .join(mine, mine.project_id == Project.id)
        .join(theirs, theirs.project_id == Project.id)
        .where(
            mine.organization_id.in_(sorted(target.participants)),
            theirs.organization_id.not_in(excluded),
            Project.id != (target.project_id or 0),
        )
        .order_by(Project.id.desc())
    )
    for candidate, partner, project_id, title in db.session.execute(query):
        of(candidate).coworked.setdefault(partner, (project_id, title))


def _gather_active(user, excluded: list[int], of) -> None:
    """Organizations with a visible project active lately: per organization, stop at the
    first such project (an EXISTS; a DISTINCT over every recent participation took 200 ms at
    10,000 projects)."""
    cutoff = utcnow() - timedelta(days=ACTIVE_DAYS)
    recent = (
        permissions.visible_projects(user)
        .with_only_columns(sa.literal(1))
        .select_from(Project)
        .join(Participation, Participation.project_id == Project.id)
        .where(Participation.organization_id == Organization.id, Project.last_activity_at >= cutoff)
    )
    query = sa.select(Organization.id).where(Organization.id.not_in(excluded), recent.exists())
    for (org_id,) in db.session.execute(query):
        of(org_id).active = True


# --- explaining ----------------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    from tracker.directory.forms import ORG_KIND_LABELS

    return str(ORG_KIND_LABELS.get(kind, kind))


def reasons(
    target: Target,
    facts: Facts,
    theme_names: dict[int, str],
    participant_names: dict[int, str],
    site_name: str | None,
) -> list[str]:
    out = []
    shared = sorted(theme_names[t] for t in facts.themes & target.theme_ids if t in theme_names)
    if shared:
        out.append(_("Shares themes: %(themes)s", themes=", ".join(shared)))
    if target.kind and facts.kind == target.kind:
        out.append(_("Is a %(kind)s, as sought", kind=_kind_label(facts.kind)))
    for partner_id, (_project_id, title) in sorted(
        facts.coworked.items(), key=lambda item: participant_names.get(item[0], "")
    )[:MAX_COWORKERS]:
        out.append(
            _(
                "Worked with %(organization)s on “%(project_title)s”",
                organization=participant_names.get(partner_id, "?"),
                project_title=title,
            )
        )
    if facts.at_site and site_name:
        out.append(_("Affiliated with the %(site)s site", site=site_name))
    if facts.active:
        out.append(_("Active in a project in the last six months"))
    return out


def suggest(
    user: User,
    target: Target,
    theme_names: dict[int, str],
    participant_names: dict[int, str],
    limit: int = LIMIT,
) -> list[Suggestion]:
    """The best candidates for user, explained; seven statements at most."""
    facts = gather(user, target)
    scores = {o: v for o, f in facts.items() if (v := score(target, f)) > 0}
    if not scores:
        return []
    # Names only for the candidates that can make the list: the ten best scores and every
    # candidate tied with the tenth (ties go by name).
    threshold = sorted(scores.values(), reverse=True)[:limit][-1]
    shortlist = [o for o, v in scores.items() if v >= threshold]
    names = {}
    for org_id, name, kind in db.session.execute(
        sa.select(Organization.id, Organization.name, Organization.kind).where(
            Organization.id.in_(shortlist)
        )
    ):
        names[org_id] = name
        facts[org_id].kind = kind
    facts = {o: facts[o] for o in shortlist}
    site_name = None
    if target.site_id is not None:
        site = db.session.get(Site, target.site_id)
        site_name = site.name if site else None
    best = rank(target, facts, names, limit)
    return [
        Suggestion(
            org_id,
            names[org_id],
            facts[org_id].kind,
            value,
            reasons(target, facts[org_id], theme_names, participant_names, site_name),
        )
        for org_id, value in best
    ]


def for_project(user: User, project: Project, limit: int = LIMIT) -> list[Suggestion]:
    return suggest(
        user,
        target_for_project(project),
        {t.id: t.name for t in project.themes},
        _participant_names(project),
        limit,
    )


def for_request(user: User, partner_request, project: Project, limit: int = LIMIT):
    return suggest(
        user,
        target_for_request(partner_request, project),
        {t.id: t.name for t in partner_request.themes},
        _participant_names(project),
        limit,
    )


def _participant_names(project: Project) -> dict[int, str]:
    return {p.organization_id: p.organization.name for p in project.participations}


def as_json(suggestions: Iterable[Suggestion]) -> dict:
    return {
        "items": [
            {
                "organization": {"id": s.organization_id, "name": s.name, "kind": s.kind},
                "score": s.score,
                "reasons": s.reasons,
            }
            for s in suggestions
        ]
    }
