"""Organization import from CSV: upload, a row-by-row report or a preview, then confirm."""

import base64
import binascii
import zlib

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from tracker.auth import permissions
from tracker.directory.blueprint import bp
from tracker.exports import org_import
from tracker.exports.csvfile import MAX_BYTES, CsvError
from tracker.exports.rows import ORGANIZATION_COLUMNS

PREVIEW_ROWS = 100


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import."))])


class ConfirmImportForm(FlaskForm):
    # The checked file travels back compressed; it is read and checked again on confirm.
    content = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[DataRequired()])


def pack(data: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii")


def unpack(text: str) -> bytes:
    """The packed file, refusing anything that inflates beyond the upload limit."""
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(base64.urlsafe_b64decode(text.encode("ascii")), MAX_BYTES + 1)
    except (binascii.Error, ValueError, zlib.error) as error:
        raise CsvError(
            _("The checked file could not be read back. Please upload it again.")
        ) from error
    if inflater.unconsumed_tail or not inflater.eof:
        raise CsvError(_("The file is larger than 1 MB. Split it into smaller files."))
    return data


def _refuse(form: ImportForm, message: str) -> None:
    # Errors are a tuple until the form has been validated.
    form.file.errors = [*form.file.errors, message]


def _user():
    return current_user._get_current_object()


@bp.route("/organizations/import", methods=["GET", "POST"])
@login_required
def import_organizations():
    user = _user()
    if not permissions.can_create_organization(user):
        abort(403)
    confirm = ConfirmImportForm()
    if confirm.content.data:
        return _confirm(user, confirm)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename, data = (upload.filename or "")[:200], upload.read(MAX_BYTES + 1)
        try:
            check = org_import.check_import(user, filename, data)
        except (CsvError, org_import.ImportRefused) as error:
            _refuse(form, str(error))
        else:
            if check.errors:
                return _report(form, check, filename)
            confirm = ConfirmImportForm(formdata=None, content=pack(data), filename=filename)
            return render_template(
                "directory/import_preview.html",
                check=check,
                confirm=confirm,
                filename=filename,
                shown=check.rows[:PREVIEW_ROWS],
            )
    return render_template("directory/import.html", form=form, columns=ORGANIZATION_COLUMNS)


def _confirm(user, confirm: ConfirmImportForm):
    form = ImportForm(formdata=None)
    if not confirm.validate():
        _refuse(form, _("The confirmation was incomplete. Please upload the file again."))
        return render_template("directory/import.html", form=form, columns=ORGANIZATION_COLUMNS)
    filename = confirm.filename.data[:200]
    try:
        check = org_import.import_organizations(user, filename, unpack(confirm.content.data))
    except (CsvError, org_import.ImportRefused) as error:
        _refuse(form, str(error))
        return render_template("directory/import.html", form=form, columns=ORGANIZATION_COLUMNS)
    if check.errors:
        return _report(form, check, filename)
    count = len(check.rows)
    flash(
        ngettext(
            "Imported %(num)s organization from %(filename)s.",
            "Imported %(num)s organizations from %(filename)s.",
            count,
            filename=filename,
        ),
        "success",
    )
    return redirect(url_for("directory.organizations"))


def _report(form: ImportForm, check: org_import.ImportCheck, filename: str):
    return render_template(
        "directory/import.html",
        form=form,
        columns=ORGANIZATION_COLUMNS,
        check=check,
        filename=filename,
    )
