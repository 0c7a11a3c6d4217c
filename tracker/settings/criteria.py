"""Stage exit criteria: network defaults (site None) and sites' own, each change audited."""

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.activity import audit
from tracker.auth import permissions
from tracker.database import transaction
from tracker.extensions import db
from tracker.models import Site, StageCriterion, User
from tracker.models.base import EXIT_STAGES
from tracker.settings.services import SettingsError, changed_values


def _scope(site: Site | None):
    return StageCriterion.site_id.is_(None) if site is None else StageCriterion.site_id == site.id


def criteria_by_stage(site: Site | None) -> dict[str, list[StageCriterion]]:
    """stage -> the scope's criteria, active ones first in their order, then inactive ones."""
    rows = db.session.scalars(
        sa.select(StageCriterion)
        .where(_scope(site))
        .order_by(StageCriterion.active.desc(), StageCriterion.position, StageCriterion.id)
    )
    grouped: dict[str, list[StageCriterion]] = {stage: [] for stage in EXIT_STAGES}
    for criterion in rows:
        if criterion.stage in grouped:  # market is the last stage: it has no exit criteria
            grouped[criterion.stage].append(criterion)
    return grouped


def site_of(criterion: StageCriterion) -> Site | None:
    return db.session.get(Site, criterion.site_id) if criterion.site_id is not None else None


def _require(actor: User, site: Site | None) -> None:
    if not permissions.can_manage_criteria(actor, site):
        raise SettingsError(_("You may not change these criteria."))


def _siblings(criterion: StageCriterion) -> list[StageCriterion]:
    """Active criteria of the same stage and scope, in their order."""
    return list(
        db.session.scalars(
            sa.select(StageCriterion)
            .where(
                StageCriterion.stage == criterion.stage,
                StageCriterion.active.is_(True),
                StageCriterion.site_id.is_(None)
                if criterion.site_id is None
                else StageCriterion.site_id == criterion.site_id,
            )
            .order_by(StageCriterion.position, StageCriterion.id)
        )
    )


def add_criterion(
    actor: User, site: Site | None, stage: str, title: str, translations: dict | None = None
) -> StageCriterion:
    """translations: title_de and title_sv, each optional."""
    _require(actor, site)
    titles = {key: value for key, value in (translations or {}).items() if value}
    if stage not in EXIT_STAGES:
        raise SettingsError(_("Only stages a project can leave have exit criteria."), "stage")
    last = db.session.scalar(
        sa.select(sa.func.max(StageCriterion.position)).where(
            _scope(site), StageCriterion.stage == stage
        )
    )
    with transaction():
        criterion = StageCriterion(
            stage=stage,
            site_id=site.id if site else None,
            title=title,
            position=(last or 0) + 1,
            **titles,
        )
        db.session.add(criterion)
        db.session.flush()
        audit(
            actor,
            "criterion.create",
            criterion,
            {
                "stage": [None, stage],
                "site": [None, site.slug if site else None],
                "title": [None, title],
            }
            | {key: [None, value] for key, value in titles.items()},
        )
    return criterion


def rename_criterion(
    actor: User, criterion: StageCriterion, title: str, translations: dict | None = None
) -> bool:
    """True when the English title or a translation given in translations changed."""
    _require(actor, site_of(criterion))
    changes = changed_values(criterion, {"title": title} | (translations or {}))
    if not changes:
        return False
    with transaction():
        audit(actor, "criterion.rename", criterion, changes)
        for key, (_old, new) in changes.items():
            setattr(criterion, key, new)
    return True


def move_criterion(actor: User, criterion: StageCriterion, direction: str) -> bool:
    """Swap with the neighbour above or below; False when already at that end."""
    _require(actor, site_of(criterion))
    order = _siblings(criterion)
    if criterion not in order:
        raise SettingsError(_("Only active criteria can be moved."))
    index = order.index(criterion)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(order):
        return False
    with transaction():
        order[index], order[target] = order[target], order[index]
        old = criterion.position
        for position, item in enumerate(order, start=1):
            item.position = position  # renumbered, so equal or gapped positions heal too
        audit(actor, "criterion.move", criterion, {"position": [old, criterion.position]})
    return True


def set_active(actor: User, criterion: StageCriterion, active: bool) -> bool:
    """Deactivate (existing ticks stay in the history) or reactivate; True when it changed."""
    _require(actor, site_of(criterion))
    if criterion.active == active:
        return False
    with transaction():
        if active:
            # Back at the end of the active list rather than at an old, possibly taken, place.
            criterion.position = max((c.position for c in _siblings(criterion)), default=0) + 1
        criterion.active = active
        action = "criterion.reactivate" if active else "criterion.deactivate"
        audit(actor, action, criterion, {"active": [not active, active]})
    return True
