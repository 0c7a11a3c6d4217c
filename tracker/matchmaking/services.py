"""Partner requests and interests: create, answer, accept (through the project edit service)
and decline. Services take the acting user and own the transaction; callers pass plain values.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from tracker.activity import audit, members_of, notify
from tracker.auth import permissions
from tracker.database import keep, transaction
from tracker.extensions import db
from tracker.models import (
    Organization,
    PartnerInterest,
    PartnerRequest,
    Project,
    Site,
    Theme,
    User,
    utcnow,
)
from tracker.models.matchmaking import ROLE_FOR_KIND, SOUGHT_KINDS
from tracker.models.user import site_managers
from tracker.projects.domain import PARTNER_ROLES, ROLE_KINDS, ProjectError
from tracker.refusal import Refused
from tracker.vocabulary import ORG_KIND_LABELS, PARTICIPATION_ROLE_LABELS

DESCRIPTION_LIMIT = 2000
MESSAGE_LIMIT = 2000
LONGEST_OPEN_DAYS = 366


class MatchError(Refused):
    """A refused request or answer; field says which input is wrong (None: the state)."""


class MatchForbidden(MatchError):
    """The actor may see it but not do this."""


def _stale(_error: Exception) -> MatchError:
    return MatchError(_("Someone else changed this at the same time; please try again."))


def today() -> date:
    return utcnow().date()


# --- reading ---------------------------------------------------------------------------------


def request_query() -> sa.Select:
    """Requests with their project (site, lead, participants), site and themes loaded."""
    return sa.select(PartnerRequest, Project).join(Project, Project.id == PartnerRequest.project_id)


def load_request(user: User, request_id: int) -> tuple[PartnerRequest, Project] | None:
    """The request and its project, or None when it does not exist or user may not list
    requests. A consortium project's request is listed too (without its title)."""
    if not permissions.can_view_partner_requests(user):
        return None
    # One statement: the request, its site and themes, the project with everything the
    # permission checks, the page and the edit service need.
    row = (
        db.session.execute(
            request_query()
            .where(PartnerRequest.id == request_id)
            .options(
                joinedload(PartnerRequest.themes),
                joinedload(PartnerRequest.site),
                *_joined_project(),
            )
            .execution_options(populate_existing=True)
        )
        .unique()
        .one_or_none()
    )
    return (row[0], row[1]) if row else None


def load_interest(
    user: User, interest_id: int
) -> tuple[PartnerInterest, PartnerRequest, Project] | None:
    """The interest with its request and project in one statement, if user may decide it
    (the requesting side) or gave it (its organization's members); None otherwise."""
    if not permissions.can_view_partner_requests(user):
        return None
    row = db.session.execute(
        sa.select(PartnerInterest, PartnerRequest, Project)
        .join(PartnerRequest, PartnerRequest.id == PartnerInterest.partner_request_id)
        .join(Project, Project.id == PartnerRequest.project_id)
        .where(PartnerInterest.id == interest_id)
        .options(joinedload(PartnerInterest.organization), *_joined_project())
        .execution_options(populate_existing=True)
    ).unique().one_or_none()  # fmt: skip
    if row is None:
        return None
    interest, partner_request, project = row
    if not (
        permissions.can_decide_partner_interest(user, project)
        or (user.organization_id is not None and user.organization_id == interest.organization_id)
    ):
        return None
    return interest, partner_request, project


def _joined_project():
    """The project's site, lead, themes and participants joined into the same statement (the
    edit service needs them all)."""
    from tracker.models import Participation

    return (
        joinedload(Project.site),
        joinedload(Project.lead_organization),
        joinedload(Project.themes),
        joinedload(Project.participations).joinedload(Participation.organization),
    )


def interests_of(partner_request: PartnerRequest) -> list[PartnerInterest]:
    return list(
        db.session.scalars(
            sa.select(PartnerInterest)
            .where(PartnerInterest.partner_request_id == partner_request.id)
            .options(joinedload(PartnerInterest.organization))
            .order_by(PartnerInterest.created_at, PartnerInterest.id)
        )
    )


def own_interest(user: User, partner_request: PartnerRequest) -> PartnerInterest | None:
    if user.organization_id is None:
        return None
    return db.session.scalar(
        sa.select(PartnerInterest).where(
            PartnerInterest.partner_request_id == partner_request.id,
            PartnerInterest.organization_id == user.organization_id,
        )
    )


def own_interests(user: User, request_ids: list[int]) -> dict[int, PartnerInterest]:
    """The user's organization's answers to these requests, by request id (one statement)."""
    if user.organization_id is None or not request_ids:
        return {}
    rows = db.session.scalars(
        sa.select(PartnerInterest).where(
            PartnerInterest.partner_request_id.in_(request_ids),
            PartnerInterest.organization_id == user.organization_id,
        )
    )
    return {i.partner_request_id: i for i in rows}


@dataclass
class RequestFilters:
    kind: str | None = None
    site_id: int | None = None
    theme_id: int | None = None
    q: str = ""
    closed: bool = False  # include filled, withdrawn and past-date requests

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> "RequestFilters":
        def number(name):
            value = args.get(name)
            return int(value) if isinstance(value, str) and value.isdigit() else value

        kind = args.get("kind") or None
        site_id = number("site") or None
        theme_id = number("theme") or None
        return cls(
            kind=kind if kind in SOUGHT_KINDS else None,
            site_id=site_id if isinstance(site_id, int) else None,
            theme_id=theme_id if isinstance(theme_id, int) else None,
            q=(args.get("q") or "").strip()[:200],
            closed=args.get("closed") in ("1", "on", "true", True),
        )


def list_requests(user: User, filters: RequestFilters, limit: int = 200) -> list[tuple]:
    """(request, project) pairs a user may list, newest first; open ones unless closed."""
    if not permissions.can_view_partner_requests(user):
        return []
    query = request_query().options(
        selectinload(PartnerRequest.themes),
        joinedload(PartnerRequest.site),
        joinedload(Project.site),
        selectinload(Project.participations),  # who may see the title
    )
    if not filters.closed:
        query = query.where(PartnerRequest.status == "open", PartnerRequest.closes_on >= today())
    if filters.kind:
        query = query.where(PartnerRequest.kind == filters.kind)
    if filters.site_id:
        query = query.where(
            sa.or_(PartnerRequest.site_id == filters.site_id, Project.site_id == filters.site_id)
        )
    if filters.theme_id:
        from tracker.models.matchmaking import partner_request_themes as prt

        query = query.where(
            sa.exists().where(
                prt.c.partner_request_id == PartnerRequest.id, prt.c.theme_id == filters.theme_id
            )
        )
    if filters.q:
        # Only public text: the description (a consortium project's title is never searched).
        pattern = f"%{filters.q.lower()}%"
        query = query.where(sa.func.lower(PartnerRequest.description).like(pattern))
    query = query.order_by(PartnerRequest.created_at.desc(), PartnerRequest.id.desc())
    return [tuple(row) for row in db.session.execute(query.limit(limit)).all()]


# --- writing ---------------------------------------------------------------------------------


def _requesters(project: Project) -> sa.Select:
    """SELECT of the ids of the active users who answer for a request: the lead organization's
    members and the host site's managers."""
    managers = sa.select(site_managers.c.user_id).where(site_managers.c.site_id == project.site_id)
    return sa.select(User.id).where(
        User.active.is_(True),
        sa.or_(User.organization_id == project.lead_organization_id, User.id.in_(managers)),
    )


@transaction(conflict=_stale)
def create_request(actor: User, project: Project, data: Mapping[str, Any]) -> PartnerRequest:
    """A new open request for the project (loaded with its participants)."""
    if not permissions.can_ask_for_partner(actor, project):
        raise MatchForbidden(_("You may not ask for partners for this project."))
    if project.status == "stopped":
        raise MatchError(_("A stopped project cannot ask for partners."))
    kind = data.get("kind")
    if kind not in SOUGHT_KINDS:
        raise MatchError(
            _("Choose one of: %(kinds)s.", kinds=", ".join(SOUGHT_KINDS)), field="kind"
        )
    role = data.get("role") or ROLE_FOR_KIND[kind]
    if role not in PARTNER_ROLES:
        raise MatchError(
            _("Choose one of: %(partner_roles)s.", partner_roles=", ".join(PARTNER_ROLES)),
            field="role",
        )
    if kind not in ROLE_KINDS.get(role, (kind,)):
        # the answer could never join in that role (projects.validation.role_refusal)
        raise MatchError(
            _(
                "The role “%(role)s” is for “%(kinds)s” organizations, not for “%(kind)s”.",
                role=PARTICIPATION_ROLE_LABELS[role],
                kinds=", ".join(str(ORG_KIND_LABELS[k]) for k in ROLE_KINDS[role]),
                kind=ORG_KIND_LABELS[kind],
            ),
            field="role",
        )
    description = data.get("description")
    description = description.strip() if isinstance(description, str) else ""
    if not description:
        raise MatchError(_("Describe the partner you are looking for."), field="description")
    if len(description) > DESCRIPTION_LIMIT:
        raise MatchError(
            _("At most %(limit)s characters.", limit=DESCRIPTION_LIMIT), field="description"
        )
    closes_on = data.get("closes_on")
    if type(closes_on) is not date:
        raise MatchError(_("Enter a date."), field="closes_on")
    if closes_on < today():
        raise MatchError(_("The closing date cannot be in the past."), field="closes_on")
    if closes_on > today() + timedelta(days=LONGEST_OPEN_DAYS):
        raise MatchError(_("A request stays open for at most a year."), field="closes_on")
    theme_ids = data.get("theme_ids") or []
    if not isinstance(theme_ids, list | tuple) or not all(
        type(t) is int and 0 < t < 2**31 for t in theme_ids
    ):
        raise MatchError(_("One of the themes does not exist."), field="theme_ids")
    site_id = data.get("site_id")
    wanted = set(theme_ids)
    themes = (
        list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(wanted)))) if wanted else []
    )
    if len(themes) != len(wanted):
        raise MatchError(_("One of the themes does not exist."), field="theme_ids")
    if site_id is not None and (
        type(site_id) is not int or not 0 < site_id < 2**31 or db.session.get(Site, site_id) is None
    ):
        raise MatchError(_("Choose one from the list."), field="site_id")
    partner_request = PartnerRequest(
        project_id=project.id,
        kind=kind,
        role=role,
        site_id=site_id,
        description=description,
        closes_on=closes_on,
        status="open",
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    partner_request.themes = themes
    db.session.add(partner_request)
    db.session.flush()
    audit(
        actor,
        "partner_request_created",
        partner_request,
        {"kind": [None, kind], "role": [None, role], "closes_on": [None, closes_on]},
        project_id=project.id,
    )
    return partner_request


@transaction(conflict=_stale)
def express_interest(
    actor: User, partner_request: PartnerRequest, project: Project, message: str
) -> PartnerInterest:
    """The actor's organization answers "interested"; the requesting side is told."""
    if not permissions.can_answer_partner_request(actor, project):
        if actor.organization_id in project.participating_organization_ids:
            raise MatchError(_("Your organization already takes part in this project."))
        raise MatchForbidden(_("Only members of an organization can answer a partner request."))
    if not partner_request.is_open(today()):
        raise MatchError(_("This partner request is closed."))
    message = message.strip() if isinstance(message, str) else ""
    if not message:
        raise MatchError(_("Tell the requester why your organization fits."), field="message")
    if len(message) > MESSAGE_LIMIT:
        raise MatchError(_("At most %(limit)s characters.", limit=MESSAGE_LIMIT), field="message")
    if own_interest(actor, partner_request) is not None:
        raise MatchError(_("Your organization has already answered this request."))
    interest = PartnerInterest(
        partner_request_id=partner_request.id,
        organization_id=actor.organization_id,
        user_id=actor.id,
        message=message,
        status="pending",
        created_at=utcnow(),
    )
    db.session.add(interest)
    db.session.flush()
    organization = db.session.get(Organization, actor.organization_id)
    audit(actor, "partner_interest_created", interest, project_id=project.id)
    # The requesting side may see the project (lead members, host-site managers): its title.
    notify(
        _requesters(project),
        "partner_interest",
        f"{organization.name} is interested in the partner request for “{project.title}”.",
        project,
        skip=actor,
    )
    return interest


def _check_decidable(actor: User, interest: PartnerInterest, project: Project) -> None:
    if not permissions.can_decide_partner_interest(actor, project):
        raise MatchForbidden(_("You may not decide on partners for this project."))
    if interest.status != "pending":
        raise MatchError(_("This answer has already been decided."))


@transaction(conflict=_stale)
def accept_interest(
    actor: User, interest: PartnerInterest, partner_request: PartnerRequest, project: Project
) -> PartnerInterest:
    """The interested organization joins the project in the sought role, through the project
    edit service (its rules, notifications, audit and version check); the request is filled."""
    from tracker.projects.services import update_project

    _check_decidable(actor, interest, project)
    if interest.organization_id in project.participating_organization_ids:
        raise MatchError(_("This organization already takes part in this project."))
    if partner_request.status == "withdrawn":
        raise MatchError(_("This partner request was withdrawn."))
    now = utcnow()
    interest.status, interest.decided_at, interest.decided_by_id = "accepted", now, actor.id
    # The request stays open (a project may take more than one partner) until its closing
    # date or until the requester closes it.
    partners = [
        {"organization_id": p.organization_id, "role": p.role}
        for p in project.participations
        if p.role != "lead"
    ]
    partners.append({"organization_id": interest.organization_id, "role": partner_request.role})
    # The reply and the actor's permission checks read nothing back after the commit.
    keep(actor, interest, relationships=True)
    keep(interest.organization)
    try:
        # Joins this transaction: the interest and the new participation commit together;
        # the edit service tells the joining organization's members (partner_added).
        update_project(actor, project, {"partners": partners}, project.version)
    except ProjectError as error:
        raise MatchError(error.message) from None
    return interest


@transaction(conflict=_stale)
def decline_interest(
    actor: User, interest: PartnerInterest, partner_request: PartnerRequest, project: Project
) -> PartnerInterest:
    """The requesting side says no; the interested organization is told (without the title
    of a project it may not see)."""
    _check_decidable(actor, interest, project)
    interest.status, interest.decided_at, interest.decided_by_id = "declined", utcnow(), actor.id
    audit(actor, "partner_interest_declined", interest, project_id=project.id)
    shown = project if project.visibility == "network" else None
    excerpt = partner_request.description[:80]
    notify(
        members_of([interest.organization_id]),
        "partner_interest_declined",
        f"{interest.organization.name}'s interest in the partner request “{excerpt}” was declined.",
        shown,
        skip=actor,
    )
    keep(actor, interest, relationships=True)
    keep(interest.organization)
    return interest


@transaction(conflict=_stale)
def close_request(actor: User, partner_request: PartnerRequest, project: Project) -> str:
    """The requester closes an open request: "filled" when an answer was accepted, else
    "withdrawn". Returns the new status."""
    if not permissions.can_ask_for_partner(actor, project):
        raise MatchForbidden(_("You may not ask for partners for this project."))
    if partner_request.status != "open":
        raise MatchError(_("This partner request is closed."))
    accepted = db.session.scalar(
        sa.select(sa.func.count(PartnerInterest.id)).where(
            PartnerInterest.partner_request_id == partner_request.id,
            PartnerInterest.status == "accepted",
        )
    )
    partner_request.status = "filled" if accepted else "withdrawn"
    audit(
        actor,
        "partner_request_closed",
        partner_request,
        {"status": ["open", partner_request.status]},
        project_id=project.id,
    )
    status = partner_request.status
    return status
