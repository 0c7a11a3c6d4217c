"""Exit criteria of a project's current stage: which apply, which are ticked, tick and untick."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from tracker.activity import audit
from tracker.auth import permissions
from tracker.database import transaction
from tracker.extensions import db
from tracker.models import CriterionTick, Project, StageCriterion, User, utcnow
from tracker.models.base import EXIT_STAGES
from tracker.projects.progress import touch
from tracker.projects.services import ProjectError, ProjectForbidden


def applicable(stage, site_id) -> sa.ColumnElement:
    """The one rule of which exit criteria apply to a project in stage at site_id: the active
    criteria of that stage (none after the last stage), the site's own when it has any for the
    stage, else the network defaults. stage and site_id are values (a project page) or
    columns of an enclosing query (the review queue counts them per request)."""
    own = sa.orm.aliased(StageCriterion)
    site_has_own = (
        sa.select(own.id)
        .where(own.stage == stage, own.active.is_(True), own.site_id == site_id)
        .correlate_except(own)
        .exists()
    )
    return sa.and_(
        StageCriterion.stage == stage,
        StageCriterion.stage.in_(EXIT_STAGES),
        StageCriterion.active.is_(True),
        sa.or_(
            StageCriterion.site_id == site_id,
            sa.and_(StageCriterion.site_id.is_(None), ~site_has_own),
        ),
    )


def _applicable(project: Project) -> sa.Select:
    return (
        sa.select(StageCriterion)
        .where(applicable(project.stage, project.site_id))
        .order_by(StageCriterion.position, StageCriterion.id)
    )


def criteria_for(project: Project) -> list[StageCriterion]:
    """Active exit criteria of the project's current stage, ordered by position (one query)."""
    return list(db.session.scalars(_applicable(project)))


def criteria_status(project: Project) -> list[tuple[StageCriterion, CriterionTick | None]]:
    """Each applicable criterion with the project's tick, or None (one query)."""
    query = (
        _applicable(project)
        .add_columns(CriterionTick)
        .outerjoin(
            CriterionTick,
            sa.and_(
                CriterionTick.criterion_id == StageCriterion.id,
                CriterionTick.project_id == project.id,
            ),
        )
    )
    return [tuple(row) for row in db.session.execute(query)]


def _applying(actor: User, project: Project, criterion_id: int) -> StageCriterion:
    if not permissions.can_contribute(actor, project):
        raise ProjectForbidden(_("Only participating organizations may tick criteria."))
    for criterion in criteria_for(project):
        if criterion.id == criterion_id:
            return criterion
    raise ProjectError(_("This criterion does not apply to the project's current stage."))


def _existing_tick(project: Project, criterion_id: int) -> CriterionTick | None:
    return db.session.scalar(
        sa.select(CriterionTick).where(
            CriterionTick.project_id == project.id, CriterionTick.criterion_id == criterion_id
        )
    )


def tick(actor: User, project: Project, criterion_id: int) -> bool:
    """Tick a criterion; False (and nothing written) when it was already ticked."""
    criterion = _applying(actor, project, criterion_id)
    if _existing_tick(project, criterion_id) is not None:
        return False
    try:
        with transaction():
            db.session.add(
                CriterionTick(
                    project_id=project.id,
                    criterion_id=criterion.id,
                    ticked_by_id=actor.id,
                    ticked_at=utcnow(),
                )
            )
            changes = {criterion.title_en: ["open", "ticked"]}
            audit(actor, "criterion_ticked", criterion, changes, project_id=project.id)
            touch(project)
    except IntegrityError:  # ticked by someone else at the same moment: same outcome
        return False
    return True


def untick(actor: User, project: Project, criterion_id: int) -> bool:
    """Untick a criterion; False (and nothing written) when it was not ticked."""
    criterion = _applying(actor, project, criterion_id)
    existing = _existing_tick(project, criterion_id)
    if existing is None:
        return False
    with transaction():
        db.session.delete(existing)
        changes = {criterion.title_en: ["ticked", "open"]}
        audit(actor, "criterion_unticked", criterion, changes, project_id=project.id)
        touch(project)
    return True
