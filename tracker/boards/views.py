"""The board pages: /board (network or ?site=) and one column's further cards."""

import functools

import sqlalchemy as sa
from flask import abort, current_app, flash, render_template, request
from flask_babel import format_decimal as format_number
from flask_babel import get_locale
from flask_login import current_user, login_required

from tracker import disclosure
from tracker.auth import permissions
from tracker.boards import services
from tracker.boards.blueprint import bp
from tracker.boards.chips import filter_chips, status_labels
from tracker.boards.filters import STATUS_CHOICES, BoardFilters
from tracker.directory import picker
from tracker.extensions import db
from tracker.i18n import number
from tracker.models import Site, Theme
from tracker.models.base import PROJECT_KINDS, STAGES, reader_language


def _filters(user) -> BoardFilters:
    filters, problems = BoardFilters.from_args(request.args)
    if permissions.is_patron(user):
        # Patrons filter by site and theme only (design §11): the rest is ignored, and every
        # status shows, so a card's presence says nothing about a hold or a stop.
        return BoardFilters(site=filters.site, theme=filters.theme, status="all")
    if not filters.site and permissions.is_site_manager(user):
        # A site manager's board opens on their own sites, in place (design §16).
        filters.own_sites = tuple(permissions.managed_site_ids(user))
    if "org_name" in request.args:  # the organization picker's text (tracker.directory.picker)
        filters.org, _choice, problem = picker.filter_value(request.args, "org", filters.org)
        problems = [*problems, problem] if problem else problems
    for problem in problems:
        flash(problem, "warning")
    return filters


@functools.lru_cache(maxsize=8)
def _choice_statements(language: str | None) -> tuple[sa.Select, sa.Select]:
    """Sites and themes by name in the reader's language (the order differs per language),
    built once per language: building and keying them cost more than running them."""
    return sa.select(Site).order_by(Site.name), sa.select(Theme).order_by(Theme.name)


def _choices(user, filters: BoardFilters) -> dict:
    """Options for the filter form: small tables, one query each."""
    sites, themes = _choice_statements(reader_language())
    choices = {
        "sites": db.session.scalars(sites).all(),
        "themes": db.session.scalars(themes).all(),
        "kinds": PROJECT_KINDS,
        "statuses": STATUS_CHOICES,
        "organizations": permissions.can_view_directory(user),  # a picker, not a list (§16)
        "organization": None,
    }
    if choices["organizations"] and filters.org:
        choices["organization"] = picker.by_ids([filters.org]).get(filters.org)
    return choices


def _card_parts():
    """What every card shares (words, chips, icons, link prefixes: boards/_card_parts.html),
    made once per process for each language. They depend on the language and the app's URLs
    only, nothing of a user, and building them cost every board about a millisecond
    (issue 21)."""
    template = current_app.jinja_env.get_template("boards/_card_parts.html")
    if current_app.jinja_env.auto_reload:  # debug: an edited template shows at once
        return template.make_module()
    made = current_app.extensions.setdefault("tracker.board_card_parts", {})
    key = (str(get_locale()), request.script_root)
    parts = made.get(key)
    if parts is None:
        if len(made) > 16:  # a bound, should script roots ever vary
            made.clear()
        parts = made[key] = template.make_module()
    return parts


@bp.route("/board")
@login_required
def board():
    user = current_user._get_current_object()
    filters = _filters(user)
    stalled_days = current_app.config["TRACKER_STALLED_DAYS"]
    columns = services.board_columns(user, filters, stalled_days)
    choices = _choices(user, filters)
    patron = permissions.is_patron(user)
    if patron:
        _patron_counts(columns, filters, choices)
    else:
        _count_texts(columns)
    site = next((s for s in choices["sites"] if s.slug == filters.site_slug), None)
    own_sites = [s for s in choices["sites"] if s.id in filters.own_sites]
    # A patron's status filter is fixed to "all" (design §11): not theirs to see as a chip or clear.
    chosen = BoardFilters(site=filters.site, theme=filters.theme) if patron else filters
    stage = request.args.get("stage")
    stage = stage if stage in STAGES else STAGES[0]  # the column shown on a phone (tabs)
    return render_template(
        "boards/board.html",
        columns=columns,
        filters=filters,
        choices=choices,
        site=site or (own_sites[0] if len(own_sites) == 1 else None),
        own_sites=own_sites,
        chips=filter_chips(chosen, choices, own_sites, stage if stage != STAGES[0] else None),
        filters_active=chosen.active,
        status_labels=status_labels(),
        stage=stage,
        stalled_days=stalled_days,
        parts=_card_parts(),
    )


def _count_texts(columns) -> None:
    for column in columns:
        column.count_text = (
            f"{number(services.COUNT_CAP - 1)}+" if column.capped else number(column.count)
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
        _patron_counts([col], filters, _choices(user, filters))
    else:
        _count_texts([col])
    template = "boards/_cards.html" if request.args.get("fragment") == "1" else "boards/column.html"
    return render_template(template, column=col, filters=filters, parts=_card_parts())


def _patron_counts(columns, filters: BoardFilters, choices: dict) -> None:
    """A patron's column counts: every project of the stage (consortium ones too, as on the
    dashboard) through tracker.disclosure, so the same figure reads the same everywhere."""
    site = next((s for s in choices["sites"] if s.slug == filters.site_slug), None)
    theme = next((t for t in choices["themes"] if t.slug == filters.theme), None)
    unknown = (filters.site_slug and site is None) or (filters.theme and theme is None)
    counts = disclosure.pipeline_counts(theme.id if theme else None)
    for column in columns:
        key = (site.id if site else disclosure.ALL, column.stage, disclosure.ALL)
        column.count = 0 if unknown else (counts.value(key) or 0)
        column.count_text = "0" if unknown else counts.text(key, number=format_number)
