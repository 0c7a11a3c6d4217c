"""Settings pages under /admin: sites and themes (admins), stage exit criteria (and managers)."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import Site, StageCriterion, Theme
from tracker.settings import criteria, services
from tracker.settings.blueprint import bp
from tracker.settings.forms import (
    ConfirmForm,
    CriterionForm,
    MoveCriterionForm,
    RenameCriterionForm,
    RenameThemeForm,
    ThemeForm,
    site_form,
    translations,
)
from tracker.vocabulary import STAGE_LABELS

NAMES = ("name_de", "name_sv")
TITLES = ("title_de", "title_sv")


@bp.app_context_processor
def settings_helpers():
    return {"stage_label": STAGE_LABELS.get}


def _user():
    return current_user._get_current_object()


def _require_admin() -> None:
    if not permissions.can_manage_sites_and_themes(_user()):
        abort(403)


def _field_error(form, error: services.SettingsError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        flash(str(error), "danger")


# --- sites ----------------------------------------------------------------------------------


@bp.route("/sites")
@login_required
def sites():
    _require_admin()
    return render_template("settings/sites.html", sites=services.sites())


@bp.route("/sites/new", methods=["GET", "POST"])
@login_required
def new_site():
    _require_admin()
    form = site_form(_all_themes())
    if form.validate_on_submit():
        try:
            site = services.create_site(_user(), form.values())
        except services.SettingsError as error:
            _field_error(form, error)
        else:
            flash(_("Site %(site_name)s is created.", site_name=site.name), "success")
            return redirect(url_for("settings.sites"))
    return render_template("settings/site_form.html", form=form, site=None)


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@login_required
def edit_site(site_id: int):
    _require_admin()
    site = services.get_site(site_id) or abort(404)
    form = site_form(_all_themes(), site)
    if form.validate_on_submit():
        try:
            changes = services.update_site(_user(), site, form.values())
        except services.SettingsError as error:
            _field_error(form, error)
        else:
            if changes:
                flash(
                    _(
                        "Saved %(site_name)s: %(changes)s changed.",
                        site_name=site.name,
                        changes=", ".join(sorted(changes)),
                    ),
                    "success",
                )
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("settings.sites"))
    return render_template("settings/site_form.html", form=form, site=site)


def _all_themes() -> list[Theme]:
    return list(db.session.scalars(sa.select(Theme).order_by(Theme.name)))


# --- themes ---------------------------------------------------------------------------------


@bp.route("/themes", methods=["GET", "POST"])
@login_required
def themes():
    _require_admin()
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            names = translations(form, NAMES)
            theme = services.create_theme(_user(), form.slug.data, form.name.data, names)
        except services.SettingsError as error:
            _field_error(form, error)
        else:
            flash(_("Theme %(theme_name)s is created.", theme_name=theme.name), "success")
            return redirect(url_for("settings.themes"))
    return render_template("settings/themes.html", form=form, rows=services.themes_with_usage())


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@login_required
def edit_theme(theme_id: int):
    _require_admin()
    theme = db.get_or_404(Theme, theme_id)
    form = RenameThemeForm(data={"name": theme.name_en, **{k: getattr(theme, k) for k in NAMES}})
    if form.validate_on_submit():
        old = theme.name
        try:
            names = translations(form, NAMES)
            changed = services.rename_theme(_user(), theme, form.name.data, names)
        except services.SettingsError as error:
            _field_error(form, error)
        else:
            flash(
                _("Renamed “%(old)s” to “%(new)s”.", old=old, new=theme.name)
                if changed
                else _("Nothing was changed.")
            )
            return redirect(url_for("settings.themes"))
    return render_template("settings/theme_form.html", form=form, theme=theme)


@bp.route("/themes/<int:theme_id>/delete", methods=["GET", "POST"])
@login_required
def delete_theme(theme_id: int):
    _require_admin()
    theme = db.get_or_404(Theme, theme_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = theme.name
        try:
            services.delete_theme(_user(), theme)
        except services.SettingsError as error:
            flash(str(error), "danger")
        else:
            flash(_("Theme %(name)s is deleted.", name=name), "success")
        return redirect(url_for("settings.themes"))
    return render_template(
        "settings/theme_delete.html",
        form=form,
        theme=theme,
        usage=services.theme_usage(theme),
        used_by=services.used_by_text,
    )


# --- stage criteria -------------------------------------------------------------------------


def _criteria_scope() -> Site | None:
    """The site named by ?site=, or None for the network defaults; 403 when not allowed."""
    slug = request.args.get("site", "")
    site = None
    if slug:
        site = db.session.scalar(sa.select(Site).where(Site.slug == slug)) or abort(404)
    if not permissions.can_manage_criteria(_user(), site):
        abort(403)
    return site


def _criterion_or_403(criterion_id: int) -> StageCriterion:
    criterion = db.get_or_404(StageCriterion, criterion_id)
    if not permissions.can_manage_criteria(_user(), criteria.site_of(criterion)):
        abort(403)
    return criterion


def _back_to(criterion: StageCriterion):
    site = criteria.site_of(criterion)
    return redirect(url_for("settings.criteria", site=site.slug if site else None))


@bp.route("/criteria", endpoint="criteria")
@login_required
def criteria_page():
    user = _user()
    if not request.args.get("site") and not permissions.is_admin(user):
        if permissions.is_site_manager(user) and user.managed_sites:
            return redirect(url_for("settings.criteria", site=user.managed_sites[0].slug))
        abort(403)
    return _render_criteria(_criteria_scope(), CriterionForm(formdata=None))


def _render_criteria(site: Site | None, add_form: CriterionForm, status: int = 200):
    user = _user()
    scopes = services.sites() if permissions.is_admin(user) else user.managed_sites
    return render_template(
        "settings/criteria.html",
        site=site,
        scopes=scopes,
        grouped=criteria.criteria_by_stage(site),
        defaults=criteria.criteria_by_stage(None) if site else None,
        add_form=add_form,
        rename_form=RenameCriterionForm(formdata=None),
        move_form=MoveCriterionForm(formdata=None),
    ), status


@bp.route("/criteria/add", methods=["POST"])
@login_required
def add_criterion():
    site = _criteria_scope()
    form = CriterionForm()
    if not form.validate():
        return _render_criteria(site, form, 422)
    titles = translations(form, TITLES)
    criterion = criteria.add_criterion(_user(), site, form.stage.data, form.title.data, titles)
    where = site.name if site else _("the network defaults")
    flash(
        _(
            "Added “%(criterion_title)s” to %(stage)s at %(where)s.",
            criterion_title=criterion.title,
            stage=STAGE_LABELS[criterion.stage],
            where=where,
        ),
        "success",
    )
    return redirect(url_for("settings.criteria", site=site.slug if site else None))


@bp.route("/criteria/<int:criterion_id>/rename", methods=["POST"])
@login_required
def rename_criterion(criterion_id: int):
    criterion = _criterion_or_403(criterion_id)
    form = RenameCriterionForm()
    if not form.validate():
        flash(
            _("A criterion needs a title of at most 200 characters; nothing was changed."), "danger"
        )
    elif criteria.rename_criterion(_user(), criterion, form.title.data, translations(form, TITLES)):
        flash(
            _("Renamed the criterion to “%(criterion_title)s”.", criterion_title=criterion.title),
            "success",
        )
    return _back_to(criterion)


@bp.route("/criteria/<int:criterion_id>/move", methods=["POST"])
@login_required
def move_criterion(criterion_id: int):
    criterion = _criterion_or_403(criterion_id)
    form = MoveCriterionForm()
    if form.validate() and criteria.move_criterion(_user(), criterion, form.direction.data):
        flash(
            _(
                "Moved “%(criterion_title)s” %(data)s.",
                criterion_title=criterion.title,
                data=_("up") if form.direction.data == "up" else _("down"),
            ),
            "success",
        )
    else:
        flash(
            _(
                "“%(criterion_title)s” cannot move further that way.",
                criterion_title=criterion.title,
            ),
            "info",
        )
    return _back_to(criterion)


@bp.route("/criteria/<int:criterion_id>/deactivate", methods=["GET", "POST"])
@login_required
def deactivate_criterion(criterion_id: int):
    criterion = _criterion_or_403(criterion_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        if criteria.set_active(_user(), criterion, False):
            flash(
                _(
                    "“%(criterion_title)s” is deactivated; existing ticks stay in the history.",
                    criterion_title=criterion.title,
                )
            )
        return _back_to(criterion)
    site = criteria.site_of(criterion)
    return render_template(
        "settings/criterion_deactivate.html", form=form, criterion=criterion, site=site
    )


@bp.route("/criteria/<int:criterion_id>/reactivate", methods=["POST"])
@login_required
def reactivate_criterion(criterion_id: int):
    criterion = _criterion_or_403(criterion_id)
    if ConfirmForm().validate() and criteria.set_active(_user(), criterion, True):
        flash(
            _("“%(criterion_title)s” is active again.", criterion_title=criterion.title), "success"
        )
    return _back_to(criterion)
