"""Organization pickers (design §16): a search-as-you-type combobox instead of a <select>.

A picker sends two fields: ``<name>`` (the chosen organization's id, set by the script) and
``<name>_name`` (the text in the box). Without JavaScript only the text is typed; the server
matches it here. So a page carries one organization name, however large the directory."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from markupsafe import Markup
from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from tracker.database import like_pattern
from tracker.extensions import db
from tracker.models import Organization

LIMIT = 20  # options per answer of the search endpoint
TEXT_SUFFIX = "_name"
_MAX_TEXT = 200
_SHOWN_CANDIDATES = 5


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    kind: str


def _scoped(query: sa.Select, within: sa.Select | None) -> sa.Select:
    """Narrow to the organizations of ``within`` (a SELECT of Organization), if given."""
    if within is None:
        return query
    return query.where(Organization.id.in_(within.with_only_columns(Organization.id)))


def search(text: str, limit: int = LIMIT, within: sa.Select | None = None) -> list[Choice]:
    """Organizations whose name contains the text; names starting with it first."""
    text = (text or "").strip()[:_MAX_TEXT]
    lower = sa.func.lower(Organization.name)
    query = _scoped(sa.select(Organization.id, Organization.name, Organization.kind), within)
    if text:
        starts = lower.like(like_pattern(text.lower())[1:], escape="\\")
        query = query.where(lower.like(like_pattern(text.lower()), escape="\\")).order_by(
            sa.case((starts, 0), else_=1)
        )
    rows = db.session.execute(query.order_by(lower, Organization.id).limit(limit))
    return [Choice(*row) for row in rows]


def by_ids(ids, within: sa.Select | None = None) -> dict[int, Choice]:
    """Name and kind of the given organizations, in one query."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    query = sa.select(Organization.id, Organization.name, Organization.kind)
    rows = db.session.execute(_scoped(query.where(Organization.id.in_(wanted)), within))
    return {row.id: Choice(*row) for row in rows}


@dataclass
class Resolved:
    choice: Choice | None = None
    problem: str | None = None


def match(text: str, within: sa.Select | None = None) -> Resolved:
    """The one organization a typed text means: the exact name, else the only one containing it."""
    text = text.strip()[:_MAX_TEXT]
    found = search(text, limit=_SHOWN_CANDIDATES + 1, within=within)
    exact = [c for c in found if c.name.lower() == text.lower()]
    if len(exact) == 1 or len(found) == 1:
        return Resolved((exact or found)[0])
    if not found:
        return Resolved(problem=_("No organization matches “%(text)s”.", text=text))
    names = ", ".join(c.name for c in found[:_SHOWN_CANDIDATES])
    more = "…" if len(found) > _SHOWN_CANDIDATES else ""
    return Resolved(
        problem=_(
            "“%(text)s” matches several organizations (%(names)s%(more)s): type more of the name.",
            text=text,
            names=names,
            more=more,
        )
    )


def resolve(
    id_text: str | None,
    text: str | None,
    known: dict[int, Choice] | None = None,
    within: sa.Select | None = None,
):
    """What a picker's two fields mean. No text field (an old link, a script): the id.
    An empty text: none. A text that is the chosen id's name: that one. Else: a match."""
    org_id = int(id_text) if id_text and id_text.strip().isdigit() else None
    if org_id is not None and org_id > 2**31:
        org_id = None
    if text is None:
        if org_id is None:
            return Resolved()
        choice = (known if known is not None else by_ids([org_id], within)).get(org_id)
        if choice is None and within is not None:
            return Resolved(problem=_("This organization cannot be chosen here."))
        return Resolved(choice, None if choice else _("This organization does not exist."))
    if not text.strip():
        return Resolved()
    if org_id is not None:
        choice = (known if known is not None else by_ids([org_id], within)).get(org_id)
        if choice is not None and choice.name.strip().lower() == text.strip().lower():
            return Resolved(choice)
    return match(text, within)


class OrganizationField(Field):
    """A WTForms field for one organization, rendered as the combobox of
    templates/_macros/combobox.html; ``data`` is the id or None."""

    def __init__(self, label=None, validators=None, placeholder=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.placeholder = placeholder
        # Only these organizations may be chosen (a SELECT of Organization; None: all), and
        # the search endpoint's scope that offers the same ones (search_views.SCOPES).
        self.within: sa.Select | None = None
        self.scope = ""
        self.choice: Choice | None = None
        self._raw: tuple[str | None, str | None] | None = None
        self._problem: str | None = None

    def process(self, formdata, data=unset_value, extra_filters=None):
        # the text box beside ours is part of this field: read it before the id
        self._text = None
        if formdata is not None and self.name + TEXT_SUFFIX in formdata:
            self._text = formdata.get(self.name + TEXT_SUFFIX)
        super().process(formdata, data, extra_filters)

    def process_formdata(self, valuelist):
        self._raw = (valuelist[0] if valuelist else None, self._text)
        self.data = None

    def settle(self, known: dict[int, Choice]) -> None:
        """Resolve what was sent (or the initial id) with the names in ``known``."""
        if self._raw is not None:
            found = resolve(*self._raw, known=known, within=self.within)
            self.choice, self._problem = found.choice, found.problem
            self.data = found.choice.id if found.choice else None
        elif self.data:
            self.choice = known.get(self.data)

    def wanted_id(self) -> int | None:
        raw = self._raw[0] if self._raw is not None else self.data
        return int(raw) if str(raw or "").isdigit() and len(str(raw)) < 10 else None

    def pre_validate(self, form):
        if self._problem:
            raise ValidationError(self._problem)

    @property
    def text(self) -> str:
        if self._raw is not None and self._raw[1] is not None and self._problem:
            return self._raw[1]
        return self.choice.name if self.choice else ""

    def __call__(self, **kwargs) -> Markup:
        page = render_template("_macros/combobox_field.html", field=self, attrs=kwargs)
        return Markup(page)  # noqa: S704  (an autoescaped template's output)


def settle_fields(fields, within: sa.Select | None = None) -> None:
    """Resolve several pickers (of one scope) with one query for the ids they name."""
    fields = list(fields)
    known = by_ids((f.wanted_id() for f in fields), within)
    for field in fields:
        field.settle(known)


def filter_value(
    args, name: str, org_id: int | None
) -> tuple[int | None, Choice | None, str | None]:
    """An organization filter of a GET form (board, project list): the id it settles on, the
    chosen organization (for the box's text) and a problem to show, if any."""
    text = args.get(name + TEXT_SUFFIX)
    if text is None:  # a link with the id only: filter by it as before
        return org_id, by_ids([org_id]).get(org_id) if org_id else None, None
    found = resolve(str(org_id) if org_id else None, text)
    return (found.choice.id if found.choice else None), found.choice, found.problem
