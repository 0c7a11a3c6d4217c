"""Dashboard pages: /dashboard and the quarterly progress report with its CSV and PDF."""

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.dashboard import bp, export, overview
from tracker.dashboard.filters import read_selection
from tracker.dashboard.periods import Quarter
from tracker.dashboard.report import find_site, quarterly_report, site_choices
from tracker.models import utcnow


@bp.route("/dashboard")
@login_required
def index():
    user = current_user._get_current_object()
    selection = read_selection(user, request.args)
    context = overview.dashboard(user, selection)
    note = overview.selection_note(context["audience"], selection)
    return render_template("dashboard/index.html", selection=selection, note=note, **context)


def _report_from_args():
    """The report the URL asks for, plus what was wrong with the URL (shown on the page)."""
    problems = []
    current = Quarter.containing(utcnow())
    quarter = Quarter.parse(request.args.get("quarter"))
    if request.args.get("quarter") and quarter is None:
        problems.append(
            _("Give the quarter as YYYY-Qn, for example 2026-Q3; showing this quarter.")
        )
    slug = request.args.get("site", "").strip()
    site = find_site(slug)
    if slug and site is None:
        problems.append(
            _("There is no site “%(site)s”; showing the whole network.", site=slug[:60])
        )
    user = current_user._get_current_object()
    return quarterly_report(user, quarter or current, site), problems


@bp.route("/dashboard/report")
@login_required
def report():
    found, problems = _report_from_args()
    current = Quarter.containing(utcnow())
    quarters = [q.key for q in reversed(current.last(8))]
    if found.quarter.key not in quarters:
        quarters.append(found.quarter.key)
    return render_template(
        "dashboard/report.html",
        report=found,
        problems=problems,
        quarters=quarters,
        sites=site_choices(),
    )


def _download(body: bytes, mimetype: str, report, extension: str) -> Response:
    name = f"progress-report-{report.quarter.key}-{report.site_slug or 'network'}.{extension}"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.route("/dashboard/report.csv")
@login_required
def report_csv():
    found, _ = _report_from_args()
    return _download(export.report_csv(found), "text/csv", found, "csv")


@bp.route("/dashboard/report.pdf")
@login_required
def report_pdf():
    found, _ = _report_from_args()
    return _download(export.report_pdf(found), "application/pdf", found, "pdf")
