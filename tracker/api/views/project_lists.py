"""The project list's additions for members' systems: withdrawn projects left out unless
asked for, `mine`, `updated_since` and `sort` (design §13, §16)."""

import sqlalchemy as sa

from tracker.api import keyset
from tracker.auth import permissions
from tracker.models import Participation, Project


def listed(query: sa.Select, user, args: dict) -> sa.Select:
    """Narrow the visible, filtered projects as the API's list arguments ask."""
    if args.get("status") != "withdrawn":
        # A withdrawn project leaves lists unless filtered by that status (design §16).
        query = query.where(Project.status != "withdrawn")
    if args.get("mine"):
        mine = []
        if user.organization_id is not None:
            mine.append(
                Project.participations.any(Participation.organization_id == user.organization_id)
            )
        if permissions.managed_site_ids(user):
            mine.append(Project.site_id.in_(permissions.managed_site_ids(user)))
        query = query.where(sa.or_(*mine) if mine else sa.false())
    if args.get("updated_since") is not None:
        query = query.where(Project.updated_at >= args["updated_since"])
    return query


_KEYS = {
    "id": None,
    "created_at": Project.created_at,
    "updated_at": Project.updated_at,
    "last_activity_at": Project.last_activity_at,
}


def sorted_page(query: sa.Select, args: dict) -> dict:
    sort = args.get("sort") or "id"
    descending = sort.startswith("-")
    key = _KEYS[sort.lstrip("-")]
    return keyset.page(query, key, Project.id, args.get("cursor"), args["limit"], descending)
