"""Dashboard pages: /dashboard and the quarterly progress report (page, CSV, PDF), the sites'
highlight texts and the publication of a quarter."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from tracker.auth import permissions
from tracker.dashboard import export, overview
from tracker.dashboard import report as model
from tracker.dashboard.blueprint import bp
from tracker.dashboard.filters import read_selection
from tracker.dashboard.periods import Quarter
from tracker.models import utcnow

HIGHLIGHT_MAX = 4000


@bp.route("/dashboard")
@login_required
def index():
    user = current_user._get_current_object()
    selection = read_selection(user, request.args)
    context = overview.dashboard(user, selection)
    note = overview.selection_note(context["audience"], selection)
    return render_template("dashboard/index.html", selection=selection, note=note, **context)


def _quarter_from_args(problems: list) -> Quarter:
    current = Quarter.containing(utcnow())
    quarter = Quarter.parse(request.args.get("quarter"))
    if request.args.get("quarter") and quarter is None:
        problems.append(
            _("Give the quarter as YYYY-Qn, for example 2026-Q3; showing this quarter.")
        )
    return quarter or current


def _report_from_args(limit: int | None = None, sites=None):
    """The report the URL asks for, plus what was wrong with the URL (shown on the page);
    limit: rows per list (the page), None for every row (the files)."""
    problems = []
    quarter = _quarter_from_args(problems)
    slug = request.args.get("site", "").strip()
    site = model.find_site(slug)
    if slug and site is None:
        problems.append(
            _("There is no site “%(site)s”; showing the whole network.", site=slug[:60])
        )
    user = current_user._get_current_object()
    return model.build(user, quarter, site, limit=limit, sites=sites), problems


def _editable_sites(user, content, sites) -> list[tuple[str, str]]:
    """Sites whose highlight user may still write for this report's quarter."""
    if content.published_at:
        return []
    return [
        (slug, name)
        for site_id, slug, name in sites
        if content.site_slug in ("", slug) and permissions.can_edit_report_highlight(user, site_id)
    ]


@bp.route("/dashboard/report")
@login_required
def report():
    sites = model.site_rows()
    content, problems = _report_from_args(model.LIST_LIMIT, sites)
    user = current_user._get_current_object()
    current = Quarter.containing(utcnow())
    quarters = list(reversed(current.last(8)))
    if content.quarter_obj not in quarters:
        quarters.append(content.quarter_obj)
    return render_template(
        "dashboard/report.html",
        report=content,
        tables={table.key: table for table in export.tables(content)},
        charts=export.chart_svgs(content),
        problems=problems,
        quarters=quarters,
        sites=[("", _("Whole network"))] + [(slug, name) for _id, slug, name in sites],
        editable=_editable_sites(user, content, sites),
        may_publish=permissions.can_publish_report(user) and not content.published_at,
        labels=model,
        cell_text=export.cell_text,
        change_text=export.change_text,
        day=export.day,
        moment=export.moment,
    )


def _download(body: bytes, mimetype: str, name: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/dashboard/report.csv")
@login_required
def report_csv():
    """?table=<key>: that table as one CSV file; without it every table, one file each, in a
    zip."""
    content, _problems = _report_from_args()
    key = request.args.get("table", "").strip()
    if key:
        table = export.table_named(content, key)
        if table is None:
            abort(404)
        name = f"{export.file_stem(content)}-{table.key}.csv"
        return _download(export.table_csv(table), "text/csv", name)
    return _download(export.report_zip(content), "application/zip",
                     f"{export.file_stem(content)}-csv.zip")  # fmt: skip


@bp.route("/dashboard/report.pdf")
@login_required
def report_pdf():
    content, _problems = _report_from_args()
    return _download(export.report_pdf(content), "application/pdf",
                     f"{export.file_stem(content)}.pdf")  # fmt: skip


class HighlightForm(FlaskForm):
    text = TextAreaField(
        _l("Highlight of the quarter"),
        validators=[
            Length(max=HIGHLIGHT_MAX, message=_l("At most %(max)d characters.", max=HIGHLIGHT_MAX))
        ],
    )


@bp.route("/dashboard/report/highlights/<slug>", methods=["GET", "POST"])
@login_required
def highlight(slug: str):
    user = current_user._get_current_object()
    site = model.find_site(slug)
    if site is None:
        abort(404)
    if not permissions.can_edit_report_highlight(user, site.id):
        abort(403)
    problems = []
    quarter = _quarter_from_args(problems)
    published = model.publication(quarter)
    row = model.highlight_of(quarter, site)
    form = HighlightForm(data={"text": row.text if row else ""})
    back = url_for("dashboard.report", quarter=quarter.key, site=site.slug)
    if request.method == "POST" and published is None and form.validate_on_submit():
        try:
            model.save_highlight(user, quarter, site, (form.text.data or "").strip())
        except model.AlreadyPublished:
            published = model.publication(quarter)
        else:
            flash(_("The highlight of %(site)s for %(quarter)s is saved.", site=site.name,
                    quarter=quarter.label), "success")  # fmt: skip
            return redirect(back)
    status = 409 if request.method == "POST" and published is not None else 200
    return render_template(
        "dashboard/report_highlight.html",
        form=form,
        site=site,
        quarter=quarter,
        published=published,
        problems=problems,
        back=back,
        row=row,
        maximum=HIGHLIGHT_MAX,
    ), status


@bp.route("/dashboard/report/publish", methods=["GET", "POST"])
@login_required
def publish():
    user = current_user._get_current_object()
    if not permissions.can_publish_report(user):
        abort(403)
    problems = []
    quarter = _quarter_from_args(problems)
    published = model.publication(quarter)
    form = FlaskForm()
    if request.method == "POST" and published is None and form.validate_on_submit():
        try:
            model.publish(user, quarter)
        except model.AlreadyPublished:
            pass
        else:
            flash(_("The report for %(quarter)s is published; its figures and highlights are "
                    "now frozen.", quarter=quarter.label), "success")  # fmt: skip
            return redirect(url_for("dashboard.report", quarter=quarter.key))
        published = model.publication(quarter)
    return render_template(
        "dashboard/report_publish.html",
        form=form,
        quarter=quarter,
        published=published,
        problems=problems,
        highlights=model.highlight_count(quarter),
    ), (409 if request.method == "POST" and published is not None else 200)
