"""Directory pages: organizations (list, detail, create, edit) and sites with their pipeline."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import keyset
from tracker.auth import permissions
from tracker.directory import services
from tracker.directory.blueprint import bp
from tracker.directory.countries import countries, country_name
from tracker.directory.forms import ORG_KIND_LABELS, organization_form
from tracker.loaders import get_organization_or_404


@bp.app_context_processor
def directory_helpers():
    return {"org_kind_label": ORG_KIND_LABELS.get, "country_name": country_name}


def _user():
    return current_user._get_current_object()


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


@bp.route("/organizations")
@login_required
def organizations():
    _require(permissions.can_view_directory(_user()))
    filters = services.OrganizationFilters.from_args(request.args)
    page = keyset.requested_page(
        services.listed_organizations(filters), services.ORGANIZATION_KEYS, services.PER_PAGE
    )
    if not isinstance(page, keyset.Page):  # an old numbered link, redirected
        return page
    return render_template(
        "directory/organizations.html",
        page=page,
        filters=filters,
        sites=services.all_sites(),
        themes=services.all_themes(),
        kinds=ORG_KIND_LABELS,
        countries=countries(),
        can_create=permissions.can_create_organization(_user()),
    )


@bp.route("/organizations/<int:organization_id>")
@login_required
def organization(organization_id: int):
    user = _user()
    _require(permissions.can_view_directory(user))
    org = get_organization_or_404(organization_id)
    return render_template(
        "directory/organization.html",
        org=org,
        projects=services.organization_projects(user, org),
        can_edit=permissions.can_edit_organization(user, org),
        own_org=user.organization_id == org.id,
    )


@bp.route("/organizations/new", methods=["GET", "POST"])
@login_required
def new_organization():
    user = _user()
    _require(permissions.can_create_organization(user))
    sites = services.all_sites() if permissions.is_admin(user) else user.managed_sites
    domains = permissions.can_edit_email_domains(user)
    form = organization_form(sites, services.all_themes(), standing=True, email_domains=domains)
    if form.validate_on_submit():
        try:
            org = services.create_organization(user, form.values())
        except services.DirectoryError as error:
            _field_error(form, error)
        else:
            flash(_("%(org_name)s is added to the directory.", org_name=org.name), "success")
            return redirect(url_for("directory.organization", organization_id=org.id))
    return render_template("directory/organization_form.html", form=form, org=None)


@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organization(organization_id: int):
    user = _user()
    _require(permissions.can_view_directory(user))
    org = get_organization_or_404(organization_id)
    _require(permissions.can_edit_organization(user, org))
    standing = permissions.can_edit_organization_standing(user, org)
    sites = services.all_sites() if permissions.is_admin(user) else user.managed_sites
    domains = permissions.can_edit_email_domains(user)
    form = organization_form(sites, services.all_themes(), standing, org, email_domains=domains)
    conflict = None
    if form.validate_on_submit():
        try:
            changes = services.update_organization(user, org, form.values(), form.read_version())
        except services.OrganizationConflict as error:
            conflict = error
            form.version.data = str(error.current_version)  # a deliberate second save works
        except services.DirectoryError as error:
            _field_error(form, error)
        else:
            if changes:
                flash(
                    _(
                        "Saved %(org_name)s: %(changes)s changed.",
                        org_name=org.name,
                        changes=", ".join(sorted(changes)),
                    ),
                    "success",
                )
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("directory.organization", organization_id=org.id))
    kept = [s for s in org.sites if s.id not in {site.id for site in sites}]
    page = render_template(
        "directory/organization_form.html", form=form, org=org, kept_sites=kept, conflict=conflict
    )
    return page, 409 if conflict else 200


def _field_error(form, error: services.DirectoryError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        flash(str(error), "danger")


@bp.route("/sites")
@login_required
def sites():
    user = _user()
    return render_template(
        "directory/sites.html",
        sites=services.sites_with_themes(),
        counts=services.pipeline_by_site(user),
        empty_counts=services.empty_counts(),
    )


@bp.route("/sites/<slug>")
@login_required
def site(slug: str):
    user = _user()
    site = services.get_site(slug)
    if site is None:
        abort(404)
    show_orgs = permissions.can_view_directory(user)
    return render_template(
        "directory/site.html",
        site=site,
        pipeline=services.site_pipeline(user, site),
        managers=services.site_managers_of(site),
        organizations=services.site_organizations(site),
        show_orgs=show_orgs,
        can_manage_criteria=permissions.can_manage_criteria(user, site),
    )
