"""The board's filter chips: each active filter as a short label with a link that removes it."""

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _

from tracker.boards.filters import WHOLE_NETWORK, BoardFilters
from tracker.i18n import kind_name


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str


def status_labels() -> dict[str, str]:
    """The status filter's choices in the reader's language."""
    return {
        "open": _("Open (active, on hold)"),
        "all": _("All"),
        "active": _("Active"),
        "on_hold": _("On hold"),
        "stopped": _("Stopped"),
    }


def _without(filters: BoardFilters, stage: str | None, **change) -> str:
    args = filters.as_args(**change)
    if stage:
        args["stage"] = stage
    return url_for("boards.board", **args)


def filter_chips(filters: BoardFilters, choices: dict, own_sites: list, stage=None) -> list[Chip]:
    """One chip per active filter (design §16: the filters fold into a bar of chips)."""
    chips = []
    names = {s.slug: s.name for s in choices["sites"]}
    if own_sites:
        sites = ", ".join(s.name for s in own_sites)
        label = _("My sites: %(sites)s", sites=sites)
        chips.append(Chip(label, _without(filters, stage, site=WHOLE_NETWORK)))
    elif filters.site_slug:
        site = names.get(filters.site_slug, filters.site_slug)
        chips.append(Chip(_("Site: %(site)s", site=site), _without(filters, stage, site="")))
    if filters.theme:
        theme = next((t.name for t in choices["themes"] if t.slug == filters.theme), filters.theme)
        chips.append(Chip(_("Theme: %(theme)s", theme=theme), _without(filters, stage, theme="")))
    if filters.org:
        chosen = choices.get("organization")
        name = chosen.name if chosen else str(filters.org)
        label = _("Organization: %(name)s", name=name)
        chips.append(Chip(label, _without(filters, stage, org=None)))
    if filters.kind:
        label = _("Kind: %(kind)s", kind=kind_name(filters.kind))
        chips.append(Chip(label, _without(filters, stage, kind="")))
    if filters.status != "open":
        label = _("Status: %(status)s", status=status_labels()[filters.status])
        chips.append(Chip(label, _without(filters, stage, status="open")))
    if filters.q:
        chips.append(Chip(_("Text: “%(text)s”", text=filters.q), _without(filters, stage, q="")))
    for key, label in (
        ("mine", _("My organization")),
        ("needs_review", _("Needs review")),
        ("stalled", _("Stalled")),
    ):
        if getattr(filters, key):
            chips.append(Chip(label, _without(filters, stage, **{key: False})))
    return chips
