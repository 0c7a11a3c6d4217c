"""Due dates of the conditions of a conditional go (design §12, §13): written with the
decision, in its transaction."""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import GateCondition, GateReview


def set_due_dates(review: GateReview, due_dates: Sequence[date | None]) -> None:
    """Give the review's conditions (in the order they were given) their due dates."""
    db.session.flush()
    rows = db.session.scalars(
        sa.select(GateCondition)
        .where(GateCondition.gate_review_id == review.id)
        .order_by(GateCondition.id)
    )
    for condition, due_on in zip(rows, due_dates, strict=False):
        condition.due_on = due_on
