"""Board queries: bounded columns, counts and card facts in a fixed number of queries."""

import base64
import binascii
import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from babel.dates import format_date
from flask_babel import get_locale, get_translations
from sqlalchemy.orm import aliased

from tracker.auth import permissions
from tracker.boards.filters import BoardFilters, apply
from tracker.extensions import db
from tracker.i18n import number
from tracker.models import (
    GateCondition,
    GateReview,
    Milestone,
    Organization,
    Participation,
    Project,
    Site,
    Theme,
    User,
    utcnow,
)
from tracker.models.base import STAGES, next_stage, reader_language
from tracker.models.project import project_themes
from tracker.overdue import is_overdue, today_utc

# Cards per column before 'show more' (which loads the next ones in place). 15: the cards are
# most of the board's cost, and since each column scrolls on its own inside the window (design
# §16), 15 compact cards fill it about three times over (25 before cost 3 ms more per board).
COLUMN_SIZE = 15
# Column counts stop at this many (one LIMIT per stage): reading every visible project to say
# "12,345" cost more than the cards at 100,000 projects; the column then says "999+".
COUNT_CAP = 1000


@dataclass
class CardProject:
    """What a card shows and the permission predicates read (visibility, site, lead, the
    participating organizations), from plain rows: building ORM entities with their site,
    lead, themes and participations cost more than the rest of the board."""

    id: int
    title: str
    summary: str
    stage: str
    status: str
    visibility: str
    site_id: int
    lead_organization_id: int
    last_activity_at: datetime
    stage_entered_at: datetime
    site_name: str
    lead_name: str
    pending_review_id: int | None
    target_test_on: date | None = None
    target_market_on: date | None = None
    next_milestone_on: date | None = None  # the earliest milestone not done
    overdue: bool = False  # a milestone, condition or target date passed (tracker.overdue)
    theme_names: list[str] = field(default_factory=list)
    participating_organization_ids: set[int] = field(default_factory=set)
    partner_kinds: set[str] = field(default_factory=set)


@dataclass
class Card:
    project: CardProject
    days_in_stage: int
    stalled: bool
    pending_review_id: int | None
    partner_kinds: list[str]  # organization kinds of the partners (not the lead), sorted
    can_request: bool
    can_decide: bool
    summary_only: bool
    due_on: date | None = None  # the next milestone or the current stage's target date
    due_text: str = ""  # due_on in the reader's locale
    days_text: str = ""  # "5 days in stage", in the reader's language


@dataclass
class Column:
    stage: str
    count: int  # at most COUNT_CAP
    cards: list[Card] = field(default_factory=list)
    next_cursor: str | None = None
    count_text: str = ""  # set by the view: the count in the reader's locale, or "999+"

    @property
    def capped(self) -> bool:
        return self.count >= COUNT_CAP


class BadCursor(ValueError):
    """A 'show more' cursor that cannot be read."""


def encode_cursor(project: CardProject) -> str:
    raw = f"{project.last_activity_at.isoformat()}|{project.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, ident = raw.partition("|")
        moment, number = datetime.fromisoformat(when), int(ident)
        # Stored times are UTC and ids fit an INTEGER: anything else was made up.
        if moment.tzinfo is None or not 0 < number < 2**31:
            raise ValueError(raw)
        return moment, number
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise BadCursor("This 'show more' link is not valid any more.") from error


# Joins a card's organizations and themes into one text each (SQLite group_concat,
# PostgreSQL string_agg): a character no name contains.
SEPARATOR = "\x1f"


@functools.lru_cache(maxsize=8)
def _card_statement(language: str | None) -> sa.Select:
    """The cards of the projects whose ids are bound as "ids", most recently active first, in
    one statement: the projects with site, lead, pending review, next milestone and condition,
    their organizations (id, role, kind) and their themes. Separate statements for
    organizations and themes cost more in Python than the rows themselves (issue 21).

    Built once per process and reader's language (site and theme names are the reader's:
    Site.name and Theme.name are that language's columns), with nothing of a user or a
    request in it: SQLAlchemy keeps its cache key and compiled form, where building, keying
    and compiling the statement afresh cost more than running it (issue 21)."""
    lead = aliased(Organization)
    pending = (
        sa.select(GateReview.id)
        .where(GateReview.project_id == Project.id, GateReview.decision == "pending")
        .order_by(GateReview.id)
        .limit(1)
        .scalar_subquery()
    )
    next_milestone = (
        sa.select(sa.func.min(Milestone.due_on))
        .where(Milestone.project_id == Project.id, Milestone.done_at.is_(None))
        .scalar_subquery()
    )
    next_condition = (
        sa.select(sa.func.min(GateCondition.due_on))
        .where(GateCondition.project_id == Project.id, GateCondition.done_at.is_(None))
        .scalar_subquery()
    )
    members = (
        sa.select(
            sa.func.aggregate_strings(
                sa.cast(Participation.organization_id, sa.String)
                + ":"
                + Participation.role
                + ":"
                + Organization.kind,
                SEPARATOR,
            )
        )
        .join(Organization, Organization.id == Participation.organization_id)
        .where(Participation.project_id == Project.id)
        .scalar_subquery()
    )
    themes = (
        sa.select(sa.func.aggregate_strings(Theme.name, SEPARATOR))
        .select_from(project_themes)
        .join(Theme, Theme.id == project_themes.c.theme_id)
        .where(project_themes.c.project_id == Project.id)
        .scalar_subquery()
    )
    return (
        sa.select(
            Project.id,
            Project.title,
            Project.summary,
            Project.stage,
            Project.status,
            Project.visibility,
            Project.site_id,
            Project.lead_organization_id,
            Project.last_activity_at,
            Project.stage_entered_at,
            Site.name.label("site_name"),
            lead.name.label("lead_name"),
            pending.label("pending_review_id"),
            Project.target_test_on,
            Project.target_market_on,
            next_milestone.label("next_milestone_on"),
            next_condition.label("next_condition_on"),
            members.label("members"),
            themes.label("themes"),
        )
        .join(Site, Site.id == Project.site_id)
        .join(lead, lead.id == Project.lead_organization_id)
        .where(Project.id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(*_order())
    )


def _card_rows(ids: list[int]) -> list[CardProject]:
    """The cards of these projects, most recently active first (one statement)."""
    if not ids:
        return []
    today = today_utc()
    projects = []
    # Plain rows through the session's connection: the ORM's execution of a statement of
    # columns added 0.2 ms and nothing else (issue 21).
    statement = _card_statement(reader_language())
    for row in db.session.connection().execute(statement, {"ids": ids}):
        (*fields, next_condition_on, members, themes) = row
        project = CardProject(*fields)
        project.overdue = is_overdue(project, (project.next_milestone_on, next_condition_on), today)
        for member in members.split(SEPARATOR) if members else ():
            organization_id, role, kind = member.split(":", 2)
            project.participating_organization_ids.add(int(organization_id))
            if role != "lead":
                project.partner_kinds.add(kind)
        project.theme_names = sorted(themes.split(SEPARATOR)) if themes else []
        projects.append(project)
    return projects


def _order():
    return (Project.last_activity_at.desc(), Project.id.desc())


def board_columns(user: User, filters: BoardFilters, stalled_days: int) -> list[Column]:
    """All three columns, each holding its most recently active cards."""
    scoped = apply(permissions.visible_projects(user), filters, user, stalled_days)
    heads, counts = _heads_and_counts(scoped, STAGES)
    projects = _card_rows(heads)
    columns = {stage: Column(stage=stage, count=counts.get(stage, 0)) for stage in STAGES}
    by_stage: dict[str, list[CardProject]] = {stage: [] for stage in STAGES}
    for project in projects:
        by_stage[project.stage].append(project)
    for stage, items in by_stage.items():
        shown = items[:COLUMN_SIZE]
        columns[stage].cards = _cards(user, shown, stalled_days)
        if len(items) > COLUMN_SIZE:
            columns[stage].next_cursor = encode_cursor(shown[-1])
    return [columns[stage] for stage in STAGES]


def _heads_and_counts(
    scoped: sa.Select, stages, after: sa.ColumnElement[bool] | None = None
) -> tuple[list[int], dict[str, int]]:
    """Ids of each column's next COLUMN_SIZE + 1 cards (after a 'show more' cursor, if
    given) and each column's count, up to COUNT_CAP, in one statement.

    One LIMIT per stage walks the (stage, last_activity_at) index and stops, where ranking
    every visible project grew with the data (180 ms at 100,000 projects on PostgreSQL);
    the counts likewise stop at the cap instead of reading every visible project. Each
    limited SELECT sits in a subquery: SQLite refuses LIMIT inside a bare UNION ALL."""
    parts = []
    for stage in stages:
        in_stage = scoped.with_only_columns(Project.id).where(Project.stage == stage)
        next_ones = in_stage if after is None else in_stage.where(after)
        head = next_ones.order_by(*_order()).limit(COLUMN_SIZE + 1).subquery()
        parts.append(sa.select(sa.literal(stage), sa.literal("card"), head.c.id))
        capped = in_stage.limit(COUNT_CAP).subquery()
        parts.append(
            sa.select(sa.literal(stage), sa.literal("count"), sa.func.count()).select_from(capped)
        )
    ids, counts = [], {}
    for stage, what, value in db.session.connection().execute(sa.union_all(*parts)):
        if what == "card":
            ids.append(value)
        else:
            counts[stage] = value
    return ids, counts


def more_cards(
    user: User, stage: str, filters: BoardFilters, cursor: str, stalled_days: int
) -> Column:
    """The next page of one column after cursor (keyset on last activity, id)."""
    when, ident = decode_cursor(cursor)
    scoped = apply(permissions.visible_projects(user), filters, user, stalled_days)
    after = sa.or_(
        Project.last_activity_at < when,
        sa.and_(Project.last_activity_at == when, Project.id < ident),
    )
    heads, counts = _heads_and_counts(scoped, (stage,), after)
    projects = _card_rows(heads)
    shown = projects[:COLUMN_SIZE]
    column = Column(stage=stage, count=counts.get(stage, 0))
    column.cards = _cards(user, shown, stalled_days)
    if len(projects) > COLUMN_SIZE:
        column.next_cursor = encode_cursor(shown[-1])
    return column


def _due_on(project: CardProject) -> date | None:
    target = {"develop": project.target_test_on, "test": project.target_market_on}.get(
        project.stage
    )
    dates = [d for d in (project.next_milestone_on, target) if d is not None]
    return min(dates) if dates else None


@functools.lru_cache(maxsize=4096)
def _medium_date(day: date, locale: str) -> str:
    """A due date as the cards write it, kept per process: Babel takes 10 µs a date, and a
    date reads the same in a language for everybody."""
    return format_date(day, "medium", locale=locale)


def _cards(user: User, projects: list[CardProject], stalled_days: int) -> list[Card]:
    now = utcnow()
    stalled_before = now - timedelta(days=stalled_days)
    summary_only = permissions.is_patron(user)
    # The catalog and the locale looked up once, each text made once per value: the cards are
    # most of the board's rendering time (issue 21).
    ngettext, locale = get_translations().ungettext, str(get_locale())
    days_texts: dict[int, str] = {}
    due_texts: dict[date, str] = {}
    cards = []
    for project in projects:
        days = max(0, (now - project.stage_entered_at).days)
        if days not in days_texts:
            num = str(days) if days < 1000 else number(days)
            days_texts[days] = ngettext("%(num)s day in stage", "%(num)s days in stage", days) % {
                "num": num
            }
        due_on = None if summary_only else _due_on(project)
        if due_on is not None and due_on not in due_texts:
            due_texts[due_on] = _medium_date(due_on, locale)
        pending = project.pending_review_id
        movable = project.status == "active" and next_stage(project.stage) is not None
        cards.append(
            Card(
                project=project,
                days_in_stage=days,
                days_text=days_texts[days],
                due_on=due_on,
                due_text=due_texts.get(due_on, ""),
                stalled=project.status == "active"
                and project.stage != "market"
                and project.last_activity_at < stalled_before,
                pending_review_id=pending,
                partner_kinds=[] if summary_only else sorted(project.partner_kinds),
                can_request=movable
                and pending is None
                and permissions.can_request_gate(user, project),
                can_decide=pending is not None and permissions.can_decide_gate(user, project),
                summary_only=summary_only,
            )
        )
    return cards
