"""Checks on project input that need the database or the acting user's rights."""

from datetime import date

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import Organization, Site, Theme, User
from tracker.models.base import PROJECT_KINDS, VISIBILITIES, utcnow
from tracker.projects.domain import (
    PARTNER_ROLES,
    ROLE_KINDS,
    TEXT_LIMITS,
    PartnerInput,
    ProjectData,
    ProjectError,
    ProjectForbidden,
)
from tracker.vocabulary import ORG_KIND_LABELS, PARTICIPATION_ROLE_LABELS


def check_fields(data: ProjectData) -> None:
    data.title = (data.title or "").strip()
    data.summary = (data.summary or "").strip()
    data.description = (data.description or "").strip()
    if not data.title:
        raise ProjectError(_("Give the project a title."), field="title")
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(data, name)) > limit:
            raise ProjectError(_("At most %(limit)s characters.", limit=limit), field=name)
    if data.kind not in PROJECT_KINDS:
        raise ProjectError(
            _("Choose one of: %(project_kinds)s.", project_kinds=", ".join(PROJECT_KINDS)),
            field="kind",
        )
    if data.visibility not in VISIBILITIES:
        raise ProjectError(
            _("Choose one of: %(visibilities)s.", visibilities=", ".join(VISIBILITIES)),
            field="visibility",
        )
    check_target_dates(data)
    test, market = data.target_test_on, data.target_market_on
    if test and market and market < test:
        raise ProjectError(
            _("The market date cannot be before the test date."), field="target_market_on"
        )


TARGET_YEARS = 10  # how far ahead a target date may lie


def latest_target(today: date) -> date:
    try:
        return today.replace(year=today.year + TARGET_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + TARGET_YEARS, day=28)


def check_target_dates(data: ProjectData) -> None:
    """A new target date lies after the project's start (today for a new project) and at
    most 10 years ahead; a stored date the change leaves as it was is not checked again."""
    today = utcnow().date()
    start, latest = data.started_on or today, latest_target(today)
    for name, stored in zip(
        ("target_test_on", "target_market_on"), data.stored_targets, strict=True
    ):
        value = getattr(data, name)
        if value is None or value == stored:
            continue
        if value <= start:
            raise ProjectError(
                _(
                    "A target date must lie after the project's start (%(date)s).",
                    date=format_date(start),
                ),
                field=name,
            )
        if value > latest:
            raise ProjectError(
                _(
                    "A target date must lie within 10 years (by %(date)s).",
                    date=format_date(latest),
                ),
                field=name,
            )


def host_site(actor: User, site_id: int | None, current: int | None = None) -> Site:
    site = db.session.get(Site, site_id) if site_id is not None else None
    if site is None:
        raise ProjectError(_("Choose a host site."), field="site_id")
    if site.id != current and not permissions.can_create_project(actor, site.id):
        # a site the actor may see but not host at: forbidden (403 on the API), not invalid
        raise ProjectForbidden(_("You may not host projects at this site."), field="site_id")
    return site


def themes(theme_ids: list[int]) -> list[Theme]:
    ids = set(theme_ids)
    themes = db.session.scalars(sa.select(Theme).where(Theme.id.in_(ids))).all() if ids else []
    if len(themes) != len(ids):
        raise ProjectError(_("One of the themes does not exist."), field="theme_ids")
    return list(themes)


def lead_id(actor: User, requested: int | None, current: int | None) -> int:
    """Members lead with their own organization; only managers and admins choose."""
    if permissions.can_choose_lead(actor):
        lead_id = requested or current or actor.organization_id
        if lead_id is None:
            raise ProjectError(_("Choose the lead organization."), field="lead_organization_id")
        return lead_id
    default = current or actor.organization_id
    if requested is not None and requested != default:
        raise ProjectForbidden(
            _("Only a site manager or an admin may change the lead organization."),
            field="lead_organization_id",
        )
    return default


def role_refusal(organization: Organization, role: str) -> str | None:
    """Why an organization cannot take a partner role (its kind does not fit), or None."""
    kinds = ROLE_KINDS.get(role)
    if kinds is None or organization.kind in kinds:
        return None
    return _(
        "%(organization)s is registered as “%(kind)s”; the role “%(role)s” is for "
        "“%(kinds)s” organizations. Choose another role, such as “%(partner)s”.",
        organization=organization.name,
        kind=ORG_KIND_LABELS[organization.kind],
        role=PARTICIPATION_ROLE_LABELS[role],
        kinds=", ".join(str(ORG_KIND_LABELS[kind]) for kind in kinds),
        partner=PARTICIPATION_ROLE_LABELS["partner"],
    )


def organizations(
    lead_id: int, partners: list[PartnerInput], kept: frozenset[tuple[int, str]] = frozenset()
) -> tuple[Organization, list[tuple[Organization, str]]]:
    """The lead and partner organizations, checked: known, no duplicates, lead not a partner,
    each role fitting the organization's kind (pairs in ``kept``, stored already, are not
    checked again)."""
    seen: set[int] = set()
    for row, partner in enumerate(partners):
        if partner.role not in PARTNER_ROLES:
            raise ProjectError(
                _("Choose one of: %(partner_roles)s.", partner_roles=", ".join(PARTNER_ROLES)),
                "partners",
                row,
            )
        if partner.organization_id == lead_id:
            raise ProjectError(
                _("The lead organization cannot also be a partner."), "partners", row
            )
        if partner.organization_id in seen:
            raise ProjectError(_("This organization is listed twice."), "partners", row)
        seen.add(partner.organization_id)
    wanted = seen | {lead_id}
    found = {o.id: o for o in db.session.scalars(sa.select(Organization).where(
        Organization.id.in_(wanted)))}  # fmt: skip
    if lead_id not in found:
        raise ProjectError(_("The lead organization does not exist."), field="lead_organization_id")
    for row, partner in enumerate(partners):
        if partner.organization_id not in found:
            raise ProjectError(_("This organization does not exist."), "partners", row)
        refusal = (partner.organization_id, partner.role) not in kept and role_refusal(
            found[partner.organization_id], partner.role
        )
        if refusal:
            raise ProjectError(refusal, "partners", row)
    return found[lead_id], [(found[p.organization_id], p.role) for p in partners]
