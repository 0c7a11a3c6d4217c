"""People as pages and replies name them: display names by user id, in one statement."""

from collections.abc import Iterable

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import User


def user_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """{id: display name} of the given users (None and repeats ignored); {} without a query
    when there are none."""
    ids = sorted({uid for uid in user_ids if uid is not None})
    if not ids:
        return {}
    query = sa.select(User.id, User.display_name).where(User.id.in_(ids))
    return dict(db.session.execute(query).tuples().all())
