"""Every access rule of the tracker: predicates per action and the scoping of project lists.

A leaf module: views, templates, the API and exports ask here and nowhere else. Predicates
that look at participants expect `project.participations` to be loaded (the loaders do it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.models import GateReview, Organization, Participation, Project, Site, User

if TYPE_CHECKING:
    from flask_login import AnonymousUserMixin

    Actor = User | AnonymousUserMixin | None


def _signed_in(user: Actor) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user: Actor) -> bool:
    return _signed_in(user) and user.role == "admin"


def is_patron(user: Actor) -> bool:
    return _signed_in(user) and user.role == "patron"


def is_member(user: Actor) -> bool:
    return _signed_in(user) and user.role == "member"


def is_site_manager(user: Actor) -> bool:
    return _signed_in(user) and user.role == "site_manager"


def managed_site_ids(user: Actor) -> list[int]:
    """The sites a site manager runs, sorted; empty for everyone else."""
    return sorted(user.managed_site_ids) if is_site_manager(user) else []


def role_needs_organization(role: str) -> bool:
    """A member account belongs to an organization (its people work on its projects)."""
    return role == "member"


def role_manages_sites(role: str) -> bool:
    """Only site managers are given sites to manage."""
    return role == "site_manager"


def may_hear_of_projects() -> sa.ColumnElement[bool]:
    """SQL: users who may be told of a project at all: active, and never a patron (patrons
    see no project's details)."""
    return sa.and_(User.active.is_(True), User.role != "patron")


def manages_sites_sql() -> sa.ColumnElement[bool]:
    """SQL: site manager accounts (with managed sites joined, a site's managers)."""
    return User.role == "site_manager"


def must_use_two_factor(user: Actor, required: bool) -> bool:
    """With TRACKER_REQUIRE_2FA on, admins and site managers must set up two-factor sign-in."""
    return required and user is not None and user.role in ("admin", "site_manager")


def can_view_review_queue(user: Actor) -> bool:
    """The review queue: admins (every site) and site managers (their sites)."""
    return is_admin(user) or is_site_manager(user)


def can_list_projects(user: Actor) -> bool:
    """The project list, lessons and the sites' pages: members, site managers and admins."""
    return is_admin(user) or is_site_manager(user) or is_member(user)


def can_host_at_any_site(user: Actor) -> bool:
    """Admins and members choose any host site for a project; site managers their own."""
    return is_admin(user) or is_member(user)


def can_open_criteria_settings(user: Actor) -> bool:
    """The stage-criteria settings: admins (network defaults, every site) and site managers."""
    return is_admin(user) or is_site_manager(user)


def manages_site(user: Actor, site_id: int | None) -> bool:
    return (
        _signed_in(user)
        and user.role == "site_manager"
        and site_id is not None
        and site_id in user.managed_site_ids
    )


def _supervises(user: Actor, project: Project) -> bool:
    """Admins everywhere, site managers on their own sites."""
    return is_admin(user) or manages_site(user, project.site_id)


def _org_participates(user: Actor, project: Project) -> bool:
    return (
        _signed_in(user)
        and user.organization_id is not None
        and user.role in {"member", "site_manager"}
        and user.organization_id in project.participating_organization_ids
    )


def _in_lead_org(user: Actor, project: Project) -> bool:
    return (
        _signed_in(user)
        and user.role == "member"
        and user.organization_id is not None
        and user.organization_id == project.lead_organization_id
    )


# --- projects -----------------------------------------------------------------------------


def visible_projects(user: Actor) -> sa.Select:
    """SELECT of the projects user may see at all (patrons: network projects, summary only)."""
    query = sa.select(Project)
    if not _signed_in(user):
        return query.where(sa.false())
    if user.role == "admin":
        return query
    network = Project.visibility == "network"
    if user.role == "patron":
        return query.where(network)
    allowed = [network]
    if user.organization_id is not None:
        # An alias, so callers may join Participation themselves without it being correlated.
        own = aliased(Participation)
        allowed.append(
            sa.exists().where(
                own.project_id == Project.id, own.organization_id == user.organization_id
            )
        )
    if user.role == "site_manager" and user.managed_site_ids:
        allowed.append(Project.site_id.in_(sorted(user.managed_site_ids)))
    return query.where(sa.or_(*allowed))


@dataclass(frozen=True)
class Sight:
    """visible_projects(user) as parts, for figures kept per site and visibility (the
    quarterly report counts the rows a reader may not open from them): every project
    (everything), else the network projects (network), every project of site_ids and every
    project organization_id takes part in."""

    everything: bool
    network: bool
    site_ids: tuple[int, ...] = ()
    organization_id: int | None = None


def sight(user: Actor) -> Sight:
    """The same rule as visible_projects (tests/test_permissions.py checks them together)."""
    if not _signed_in(user):
        return Sight(False, False)
    if user.role == "admin":
        return Sight(True, True)
    if user.role == "patron":
        return Sight(False, True)
    sites = ()
    if user.role == "site_manager" and user.managed_site_ids:
        sites = tuple(sorted(user.managed_site_ids))
    return Sight(False, True, sites, user.organization_id)


def can_view(user: Actor, project: Project) -> bool:
    if not _signed_in(user):
        return False
    if project.visibility == "network" or is_admin(user):
        return True
    if user.role == "patron":
        return False
    return manages_site(user, project.site_id) or _org_participates(user, project)


def can_view_details(user: Actor, project: Project) -> bool:
    """Partners, updates, criteria, history: everything beyond title, summary and stage."""
    return can_view(user, project) and not is_patron(user)


# Filters of project lists that name what only details reveal (participants, status, text):
# patrons filter by site, theme and period only (design §11).
PATRON_REFUSED_FILTERS = ("stage", "status", "organization", "org", "kind", "q", "mine")


def refused_filters(user: Actor, given) -> list[str]:
    """The filters among given (names with a value) that user may not use."""
    if not is_patron(user):
        return []
    return sorted(set(given) & set(PATRON_REFUSED_FILTERS))


def can_make_reset_link(user: Actor, mail_configured: bool) -> bool:
    """A reset link for an account in use: mailed to its owner when an e-mail server is set
    (then anyone who may issue links may ask for one); without one the link is shown to its
    maker, so only an admin may make it (issue 14, finding 4)."""
    return mail_configured or is_admin(user)


def reset_link_shown(mail_configured: bool) -> bool:
    """Whether the maker of a reset link sees it: only when it cannot be mailed."""
    return not mail_configured


def has_no_organization(role: str) -> bool:
    """Patron accounts belong to no organization (design §11): an organization would make
    them a participant of its projects."""
    return role == "patron"


def sees_summary_only(user: Actor) -> bool:
    """Patrons: of a project they may see only title, summary, site, stage, themes and days
    in stage (design §11); every other detail answers 404, a detail action 403."""
    return is_patron(user)


def users_viewing_details(project: Project) -> sa.Select:
    """SELECT of the ids of the users for whom can_view_details(user, project) holds (who may
    be told of it: notifications reach no one else). Patrons never."""
    from tracker.models.user import site_managers

    insiders = User.role.in_(("member", "site_manager"))
    allowed = [User.role == "admin"]
    if project.visibility == "network":
        allowed.append(insiders)
    else:
        participants = sa.select(Participation.organization_id).where(
            Participation.project_id == project.id
        )
        managers = sa.select(site_managers.c.user_id).where(
            site_managers.c.site_id == project.site_id
        )
        allowed.append(sa.and_(insiders, User.organization_id.in_(participants)))
        allowed.append(sa.and_(User.role == "site_manager", User.id.in_(managers)))
    return sa.select(User.id).where(User.active.is_(True), sa.or_(*allowed))


def can_create_project(user: Actor, site_id: int | None = None) -> bool:
    if is_admin(user):
        return True
    if _signed_in(user) and user.role == "site_manager":
        return site_id is None or manages_site(user, site_id)
    return _signed_in(user) and user.role == "member" and user.organization_id is not None


def can_choose_lead(user: Actor) -> bool:
    """Only site managers and admins may set or change a project's lead organization."""
    return is_admin(user) or (_signed_in(user) and user.role == "site_manager")


def can_edit(user: Actor, project: Project) -> bool:
    return can_view(user, project) and (_supervises(user, project) or _in_lead_org(user, project))


def can_contribute(user: Actor, project: Project) -> bool:
    """Post updates, tick criteria, manage milestones."""
    return can_view(user, project) and (
        _supervises(user, project) or _org_participates(user, project)
    )


def can_request_gate(user: Actor, project: Project) -> bool:
    """Who may ask; whether the project may move now is a service rule (gate_refusal)."""
    return can_view(user, project) and (_supervises(user, project) or _in_lead_org(user, project))


def can_confirm_gate(user: Actor, project: Project, review: GateReview) -> bool:
    return (
        review.decision == "pending"
        and review.project_id == project.id
        and _org_participates(user, project)
    )


def can_decide_gate(user: Actor, project: Project) -> bool:
    return _supervises(user, project)


can_change_status = can_decide_gate

# An update's author may change or delete it for this long after posting (design §16).
UPDATE_EDIT_WINDOW = timedelta(hours=24)


def can_mend_update(user: Actor, project: Project, update, now: datetime) -> bool:
    """Edit or delete a progress update: its author, within UPDATE_EDIT_WINDOW."""
    return (
        can_view_details(user, project)
        and update.author_id is not None
        and update.author_id == user.id
        and now - update.created_at <= UPDATE_EDIT_WINDOW
    )


def can_withdraw(user: Actor, project: Project) -> bool:
    """Withdraw a project (status withdrawn): its lead organization's members or an admin."""
    return can_view(user, project) and (is_admin(user) or _in_lead_org(user, project))


def can_write_with_token(scope: str | None) -> bool:
    """An API token with the read scope may only read (GET, HEAD); write tokens do all the
    user may."""
    return scope != "read"


def can_register_webhook(user: Actor) -> bool:
    """Webhooks: members for their organization's projects, site managers for their sites',
    admins for all; never patrons (they see no project details)."""
    return _signed_in(user) and user.role in {"member", "site_manager", "admin"}


def webhook_projects(user: Actor) -> sa.Select:
    """SELECT of the ids of projects whose events user's webhooks receive: projects user may
    see in detail that are theirs (a member's organization's, a site manager's sites' and
    organization's), every project for admins."""
    ids = visible_projects(user).with_only_columns(Project.id)
    if not _signed_in(user) or user.role == "patron":
        return ids.where(sa.false())
    if is_admin(user):
        return ids
    theirs = []
    if user.organization_id is not None:
        own = aliased(Participation)
        theirs.append(
            sa.exists().where(
                own.project_id == Project.id, own.organization_id == user.organization_id
            )
        )
    if user.role == "site_manager" and user.managed_site_ids:
        theirs.append(Project.site_id.in_(sorted(user.managed_site_ids)))
    return ids.where(sa.or_(*theirs) if theirs else sa.false())


def can_nudge(user: Actor, project: Project) -> bool:
    """Ask a quiet project's lead organization: the host site's managers and admins."""
    return _supervises(user, project)


# --- directory, dashboards, administration --------------------------------------------------


def can_view_directory(user: Actor) -> bool:
    return _signed_in(user) and user.role != "patron"


def can_view_dashboard(user: Actor) -> bool:
    return _signed_in(user)


def dashboard_sites(user: Actor) -> set[int] | None:
    """Sites a user may drill into: None means all, an empty set means the overview only."""
    if is_admin(user):
        return None
    if _signed_in(user) and user.role == "site_manager":
        return set(user.managed_site_ids)
    return set()


def can_create_organization(user: Actor) -> bool:
    return is_admin(user) or (_signed_in(user) and user.role == "site_manager")


def can_edit_organization(user: Actor, organization: Organization) -> bool:
    if is_admin(user):
        return True
    if not _signed_in(user):
        return False
    if user.role == "site_manager":
        return bool({s.id for s in organization.sites} & user.managed_site_ids)
    return user.role == "member" and user.organization_id == organization.id


def can_edit_organization_standing(user: Actor, organization: Organization) -> bool:
    """Kind, membership date and affiliated sites: admins and its sites' managers, not members."""
    return can_edit_organization(user, organization) and can_create_organization(user)


def can_manage_users(user: Actor) -> bool:
    """The user list and role changes: admins only."""
    return is_admin(user)


def can_invite(user: Actor, organization: Organization | None = None, role: str = "member") -> bool:
    """Admins invite anyone; site managers invite members of their sites' organizations."""
    if is_admin(user):
        return True
    if not (_signed_in(user) and user.role == "site_manager") or role != "member":
        return False
    if organization is None:
        return True
    return bool({s.id for s in organization.sites} & user.managed_site_ids)


def can_view_users(user: Actor) -> bool:
    """The user list: admins see everyone, site managers their sites' organizations' people."""
    return is_admin(user) or (_signed_in(user) and user.role == "site_manager")


def can_view_security_log(user: Actor) -> bool:
    """Sign-ins, lock-outs, role, token and two-factor changes of every account: admins only."""
    return is_admin(user)


def _managed_organization_ids(user: Actor) -> sa.Select:
    from tracker.models.directory import organization_sites

    return sa.select(organization_sites.c.organization_id).where(
        organization_sites.c.site_id.in_(sorted(user.managed_site_ids))
    )


def visible_users(user: Actor) -> sa.Select:
    """SELECT of the users a user may list in the administration."""
    query = sa.select(User)
    if is_admin(user):
        return query
    if _signed_in(user) and user.role == "site_manager" and user.managed_site_ids:
        return query.where(User.organization_id.in_(_managed_organization_ids(user)))
    return query.where(sa.false())


def assignable_organizations(user: Actor) -> sa.Select:
    """SELECT of the organizations a user may put people into (invite or edit)."""
    query = sa.select(Organization)
    if is_admin(user):
        return query
    if _signed_in(user) and user.role == "site_manager" and user.managed_site_ids:
        return query.where(Organization.id.in_(_managed_organization_ids(user)))
    return query.where(sa.false())


def can_issue_link(user: Actor, target: User) -> bool:
    """Reset or re-invite: admins for anyone, site managers for their sites' members.

    Expects `target.organization.sites` loaded.
    """
    if is_admin(user):
        return True
    return (
        target.role == "member"
        and target.organization is not None
        and can_invite(user, target.organization, "member")
    )


def can_approve_account(user: Actor, target: User) -> bool:
    """An account made by single sign-on, waiting: admins, or a manager of one of its
    organization's sites. Expects `target.organization.sites` loaded."""
    waiting = target.approval_requested_at is not None and not target.active
    return waiting and can_issue_link(user, target)


def can_import_users(user: Actor) -> bool:
    """Bulk onboarding from a CSV: admins; site managers for their sites' organizations' members
    (each row is checked with can_invite)."""
    return can_invite(user)


def can_edit_email_domains(user: Actor) -> bool:
    """An organization's e-mail domains let people ask to join it through single sign-on."""
    return is_admin(user)


def can_manage_sites_and_themes(user: Actor) -> bool:
    return is_admin(user)


def can_edit_report_highlight(user: Actor, site_id: int) -> bool:
    """A site's highlight in the quarterly report: written by its manager (or an admin)."""
    return is_admin(user) or manages_site(user, site_id)


def can_publish_report(user: Actor) -> bool:
    """Publishing (freezing) a quarter's report: admins only."""
    return is_admin(user)


def can_manage_criteria(user: Actor, site: Site | None) -> bool:
    """Network defaults (site None) by admins; a site's own criteria by its managers too."""
    if is_admin(user):
        return True
    return site is not None and manages_site(user, site.id)


# --- matchmaking: partner requests, suggestions, contacts, the network ------------------------


def can_view_partner_requests(user: Actor) -> bool:
    """The list of open partner requests: every member, manager and admin; not patrons."""
    return _signed_in(user) and user.role != "patron"


def can_ask_for_partner(user: Actor, project: Project) -> bool:
    """Open a partner request: the lead organization's members, the host site's managers."""
    return can_edit(user, project)


def can_answer_partner_request(user: Actor, project: Project) -> bool:
    """Say "interested" for one's own organization, which must not be in the project yet."""
    return (
        _signed_in(user)
        and user.role in {"member", "site_manager"}
        and user.organization_id is not None
        and user.organization_id not in project.participating_organization_ids
    )


def can_decide_partner_interest(user: Actor, project: Project) -> bool:
    """Accept or decline an interest: whoever may manage the project's partners."""
    return can_edit(user, project)


def can_see_request_title(user: Actor, project: Project) -> bool:
    """A consortium project's request shows its description and site, never its title."""
    return can_view(user, project)


def can_view_contacts(user: Actor) -> bool:
    """Contact persons of organizations: members, managers and admins; never patrons."""
    return can_view_directory(user)


def can_view_suggestions(user: Actor, project: Project) -> bool:
    return can_view_details(user, project)


def network_detail(user: Actor) -> str:
    """What /network shows: "organizations" (edges of visible projects) or "sites" (patrons:
    sites and kinds only, small counts withheld); "none" when signed out."""
    if not _signed_in(user):
        return "none"
    return "sites" if user.role == "patron" else "organizations"
