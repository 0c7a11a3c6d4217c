"""/admin/users/import: upload a CSV, see every row's problems or a preview, then confirm."""

from flask import make_response, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import mail
from tracker.admin import user_import
from tracker.admin.blueprint import bp
from tracker.auth import permissions
from tracker.auth.views import require
from tracker.directory.imports import ConfirmImportForm, ImportForm, pack, unpack
from tracker.exports.csvfile import MAX_BYTES, CsvError

REFUSALS = (CsvError, user_import.ImportRefused)


def _page(form, check=None, filename=None):
    return render_template(
        "admin/users_import.html",
        form=form,
        check=check,
        filename=filename,
        columns=user_import.COLUMNS,
    )


def _refuse(form: ImportForm, message: str):
    form.file.errors = [*form.file.errors, message]
    return _page(form)


@bp.route("/users/import", methods=["GET", "POST"])
@login_required
def import_users():
    actor = current_user._get_current_object()
    require(permissions.can_import_users(actor))
    confirm = ConfirmImportForm()
    if confirm.content.data:
        return _confirm(actor, confirm)
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form)
    upload = form.file.data
    filename, data = (upload.filename or "")[:200], upload.read(MAX_BYTES + 1)
    try:
        check = user_import.check_user_import(actor, filename, data)
    except REFUSALS as error:
        return _refuse(form, str(error))
    if check.problems:
        return _page(form, check, filename)
    confirm = ConfirmImportForm(formdata=None, content=pack(data), filename=filename)
    return render_template(
        "admin/users_import_preview.html", check=check, confirm=confirm, filename=filename
    )


def _confirm(actor, confirm: ConfirmImportForm):
    form = ImportForm(formdata=None)
    if not confirm.validate():
        return _refuse(form, _("The confirmation was incomplete. Please upload the file again."))
    filename = confirm.filename.data[:200]
    try:
        check, invitations = user_import.import_users(
            actor,
            filename,
            unpack(confirm.content.data),
            lambda token: url_for("auth.redeem", token=token, _external=True),
        )
    except REFUSALS as error:
        return _refuse(form, str(error))
    if check.problems:
        return _page(form, check, filename)
    # The links are shown once, right after the POST, and never stored in clear elsewhere
    # than in the outbox's mails; the page must not be cached.
    response = make_response(
        render_template(
            "admin/users_import_done.html",
            invitations=invitations,
            filename=filename,
            mailed=mail.mail_configured(),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
