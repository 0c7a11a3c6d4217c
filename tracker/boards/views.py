"""The board pages: /board (network or ?site=) and one column's further cards."""

import sqlalchemy as sa
from flask import abort, current_app, flash, render_template, request
from flask_babel import format_decimal as format_number
from flask_login import current_user, login_required

from tracker import disclosure
from tracker.auth import permissions
from tracker.boards import services
from tracker.boards.blueprint import bp
from tracker.boards.filters import STATUS_CHOICES, BoardFilters
from tracker.extensions import db
from tracker.models import Organization, Site, Theme
from tracker.models.base import PROJECT_KINDS, STAGES


def _filters(user) -> BoardFilters:
    filters, problems = BoardFilters.from_args(request.args)
    if permissions.is_patron(user):
        # Patrons filter by site and theme only (design §11): the rest is ignored, and every
        # status shows, so a card's presence says nothing about a hold or a stop.
        return BoardFilters(site=filters.site, theme=filters.theme, status="all")
    for problem in problems:
        flash(problem, "warning")
    return filters


def _choices(user) -> dict:
    """Options for the filter form: small tables, one query each."""
    choices = {
        "sites": db.session.scalars(sa.select(Site).order_by(Site.name)).all(),
        "themes": db.session.scalars(sa.select(Theme).order_by(Theme.name)).all(),
        "kinds": PROJECT_KINDS,
        "statuses": STATUS_CHOICES,
        "organizations": [],
    }
    if permissions.can_view_directory(user):
        choices["organizations"] = db.session.execute(
            sa.select(Organization.id, Organization.name).order_by(Organization.name)
        ).all()
    return choices


@bp.route("/board")
@login_required
def board():
    user = current_user._get_current_object()
    filters = _filters(user)
    stalled_days = current_app.config["TRACKER_STALLED_DAYS"]
    columns = services.board_columns(user, filters, stalled_days)
    choices = _choices(user)
    if permissions.is_patron(user):
        _patron_counts(columns, filters, choices)
    site = next((s for s in choices["sites"] if s.slug == filters.site), None)
    return render_template(
        "boards/board.html",
        columns=columns,
        filters=filters,
        choices=choices,
        site=site,
        stalled_days=stalled_days,
    )


@bp.route("/board/<stage>")
@login_required
def column(stage: str):
    if stage not in STAGES:
        abort(404)
    user = current_user._get_current_object()
    filters = _filters(user)
    try:
        col = services.more_cards(
            user,
            stage,
            filters,
            request.args.get("cursor", ""),
            current_app.config["TRACKER_STALLED_DAYS"],
        )
    except services.BadCursor as error:
        abort(400, description=str(error))
    if permissions.is_patron(user):
        _patron_counts([col], filters, _choices(user))
    template = "boards/_cards.html" if request.args.get("fragment") == "1" else "boards/column.html"
    return render_template(template, column=col, filters=filters)


def _patron_counts(columns, filters: BoardFilters, choices: dict) -> None:
    """A patron's column counts: every project of the stage (consortium ones too, as on the
    dashboard) through tracker.disclosure, so the same figure reads the same everywhere."""
    site = next((s for s in choices["sites"] if s.slug == filters.site), None)
    theme = next((t for t in choices["themes"] if t.slug == filters.theme), None)
    unknown = (filters.site and site is None) or (filters.theme and theme is None)
    counts = disclosure.pipeline_counts(theme.id if theme else None)
    for column in columns:
        key = (site.id if site else disclosure.ALL, column.stage, disclosure.ALL)
        column.count = 0 if unknown else (counts.value(key) or 0)
        column.count_text = "0" if unknown else counts.text(key, number=format_number)
