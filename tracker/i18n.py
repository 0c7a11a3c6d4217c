"""Languages: locale choice, the language switch, localized dates and numbers."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from weakref import WeakKeyDictionary

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_timedelta
from flask import (
    Blueprint,
    Flask,
    g,
    has_app_context,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import (
    format_date,
    format_decimal,
    format_percent,
    get_locale,
    get_translations,
    gettext,
    refresh,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from tracker.database import transaction
from tracker.extensions import babel
from tracker.vocabulary import ORG_KIND_LABELS, PROJECT_KIND_LABELS, STAGE_LABELS, STATUS_LABELS

LANGUAGES = {"en": "English", "de": "Deutsch", "sv": "Svenska"}
DEFAULT_LOCALE = "en"

bp = Blueprint("i18n", __name__)


def select_locale() -> str | None:
    """The user's setting, then the switch kept in the session, then Accept-Language.

    API calls: a language in Accept-Language, else the token user's setting, else English
    (programs rarely send the header, so the setting decides unless the caller asks).
    """
    if not has_request_context():
        return None
    if request.blueprint == "api" or (
        request.url_rule is None and request.path.startswith("/api/")
    ):
        asked = request.accept_languages.best_match(list(LANGUAGES))
        api_user = g.get("api_user")
        setting = getattr(api_user, "locale", None)
        return asked or (setting if setting in LANGUAGES else DEFAULT_LOCALE)
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in LANGUAGES and current_user.is_authenticated:
        return user_locale
    if session.get("locale") in LANGUAGES:
        return session["locale"]
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LOCALE


def set_user_locale(user, code: str) -> None:
    """Remember the language on the account, so it follows the user to other devices."""
    with transaction():
        user.locale = code


@bp.route("/language", methods=["POST"])
def switch():
    code = request.form.get("lang", "")
    if code in LANGUAGES:
        session["locale"] = code
        if current_user.is_authenticated:
            set_user_locale(current_user._get_current_object(), code)
    from tracker.auth.views import safe_next

    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))


STAGE_NAMES = STAGE_LABELS


def stage_name(stage: str) -> str:
    return str(STAGE_NAMES.get(stage, stage))


PROJECT_KIND_NAMES = PROJECT_KIND_LABELS
# What the audit log's action names mean on a project's history; unknown ones show as stored.
ACTION_NAMES = {
    "project_created": _l("Project created"),
    "project_updated": _l("Project updated"),
    "partner_added": _l("Partner added"),
    "partner_request_created": _l("Partner request opened"),
    "partner_request_closed": _l("Partner request closed"),
    "partner_interest_created": _l("Interest in a partner request"),
    "partner_interest_declined": _l("Interest declined"),
    "organization_profile_updated": _l("Offer, seek and contacts updated"),
    "update_posted": _l("Update posted"),
    "update_edited": _l("Update edited"),
    "update_deleted": _l("Update deleted"),
    "milestone_added": _l("Milestone added"),
    "milestone_edited": _l("Milestone edited"),
    "milestone_deleted": _l("Milestone deleted"),
    "milestone_done": _l("Milestone done"),
    "milestone_reopened": _l("Milestone reopened"),
    "criterion_ticked": _l("Criterion ticked"),
    "criterion_unticked": _l("Criterion unticked"),
    "gate_requested": _l("Gate requested"),
    "gate_confirmed": _l("Gate request confirmed"),
    "gate_decided": _l("Gate decided"),
    "condition_completed": _l("Condition completed"),
    "condition_reopened": _l("Condition reopened"),
    "project_put_on_hold": _l("Put on hold"),
    "project_stopped": _l("Stopped"),
    "project_reactivated": _l("Reactivated"),
    "project_sent_back": _l("Sent back one stage"),
    "project_withdrawn": _l("Withdrawn"),
    "project_nudged": _l("Nudged by the site's manager"),
    "user_created": _l("User created"),
    "user_updated": _l("User updated"),
}


STATUS_NAMES = STATUS_LABELS
# The audited fields (keys of AuditEvent.changes) as histories and logs name them; keys that
# are content (a criterion's or milestone's title) are not listed and show as stored.
FIELD_NAMES = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "site": _l("Site"),
    "kind": _l("Kind"),
    "visibility": _l("Visibility"),
    "themes": _l("Themes"),
    "target_test_on": _l("Target date for test"),
    "target_market_on": _l("Target date for market"),
    "lead_organization": _l("Lead organization"),
    "partners": _l("Partners"),
    "stage": _l("Stage"),
    "status": _l("Status"),
    "decision": _l("Decision"),
    "reason": _l("Reason"),
    "conditions": _l("Conditions"),
    "closed_gate_review_id": _l("Closed gate request"),
    "gate_review_id": _l("Gate request"),
    "organization_id": _l("Organization"),
    "update": _l("Update"),
    "milestone": _l("Milestone"),
    "due_on": _l("Due"),
    "message": _l("Message"),
    "done_at": _l("Done"),
    "email": _l("E-mail"),
    "role": _l("Role"),
    "organization": _l("Organization"),
    "managed_sites": _l("Managed sites"),
    "display_name": _l("Display name"),
    "active": _l("Active"),
    "ip": _l("IP address"),
    "codes_left": _l("Recovery codes left"),
    "by_admin": _l("By an admin"),
    "name": _l("Name"),
    "name_de": _l("Name in German"),
    "name_sv": _l("Name in Swedish"),
    "title_de": _l("Title in German"),
    "title_sv": _l("Title in Swedish"),
    "slug": _l("Slug"),
    "position": _l("Position"),
    "country": _l("Country"),
    "city": _l("City"),
    "website": _l("Website"),
    "member_since": _l("Member since"),
    "sites": _l("Sites"),
    "closes_on": _l("Closes on"),
    "offer": _l("What we offer"),
    "seek": _l("What we seek"),
    "contacts": _l("Contact persons"),
}


def status_name(status: str) -> str:
    return str(STATUS_NAMES.get(status, status.replace("_", " ")))


def field_name(name: str) -> str:
    label = FIELD_NAMES.get(name)
    return str(label) if label is not None else name.replace("_", " ")


# The stored values of a tick's or milestone's state in the audit log.
STATE_NAMES = {"open": _l("open"), "ticked": _l("ticked"), "done": _l("done")}
STATE_ACTIONS = {"criterion_ticked", "criterion_unticked", "milestone_done", "milestone_reopened"}


def audit_value(action: str, name: str, value):
    """A value of an audit change as people read it: names of stages, statuses, kinds,
    visibilities, decisions, roles and tick states in the current language, the rest as is."""
    if not isinstance(value, str):
        return value
    if action in STATE_ACTIONS and value in STATE_NAMES:
        return str(STATE_NAMES[value])
    if action == "role_changed" and name == "role":
        from tracker.admin.forms import ROLE_CHOICES  # imported late: forms import models

        return str(dict(ROLE_CHOICES).get(value, value))
    if name == "decision":
        from tracker.reviews.rules import DECISION_LABELS  # imported late: rules import models

        label = DECISION_LABELS.get(value)
        return str(label) if label is not None else value
    names = {
        "stage": STAGE_NAMES,
        "status": STATUS_NAMES,
        "kind": PROJECT_KIND_NAMES,
        "visibility": VISIBILITY_NAMES,
    }.get(name)
    label = names.get(value) if names else None
    return str(label) if label is not None else value


def kind_name(kind: str) -> str:
    return str(PROJECT_KIND_NAMES.get(kind, kind))


VISIBILITY_NAMES = {"network": _l("Network"), "consortium": _l("Consortium")}


def visibility_name(visibility: str) -> str:
    return str(VISIBILITY_NAMES.get(visibility, visibility))


def org_kind_name(kind: str) -> str:
    return str(ORG_KIND_LABELS.get(kind, kind.replace("_", " ")))


def participation_role_name(role: str) -> str:
    from tracker.vocabulary import PARTICIPATION_ROLE_LABELS as ROLE_LABELS

    return str(ROLE_LABELS.get(role, role.replace("_", " ")))


def action_name(action: str) -> str:
    from tracker.admin.security import SECURITY_ACTIONS  # imported late: it imports models

    label = ACTION_NAMES.get(action, SECURITY_ACTIONS.get(action))
    return str(label) if label is not None else action.replace("_", " ").capitalize()


def ago(value: datetime | date | None, now: datetime | None = None) -> str:
    """'3 days ago', 'vor 3 Tagen', 'för 3 dagar sedan', 'just now'."""
    if value is None:
        return "—"
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    delta = value - (now or datetime.now(UTC))
    if abs(delta.total_seconds()) < 60:
        return gettext("just now")
    return format_timedelta(
        delta, add_direction=True, locale=get_locale() or DEFAULT_LOCALE, threshold=1
    )


def decimal(value: float | None, digits: int = 1) -> str:
    """A decimal in the reader's locale with a fixed number of digits: 8,0 · 1.234,5 · 8.0."""
    if value is None:
        return "—"
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern)


def number(value: float | None) -> str:
    """A count or a measure in the reader's locale: whole numbers without decimals, others
    with one (1.234 · 8,5 in German; 1,234 · 8.5 in English; 1 234 · 8,5 in Swedish)."""
    if value is None:
        return "—"
    if type(value) is int and 0 <= value < 1000:
        return str(value)  # the same in every language of LANGUAGES, without asking Babel
    return decimal(value, 0 if float(value).is_integer() else 1)


def signed(value: float | None) -> str:
    """A change with its sign in the reader's locale: +3, ±0, and a fall with a real minus sign
    (U+2212, where Babel writes a hyphen in English and German and the minus sign in Swedish)."""
    if value is None:
        return "—"
    if not value:
        return "±0"
    return ("+" if value > 0 else "\u2212") + format_decimal(abs(value))


def percent(value: float | None) -> str:
    """A percentage given as 0 to 100 in the reader's locale ('42 %' in German, '42%' English)."""
    if value is None:
        return "—"
    return format_percent(value / 100, format=None)


def duration(value: timedelta) -> str:
    """A length of time without direction, for sentences that say 'for …': '1 week',
    '1 Woche', '1 vecka' (never 'vor 1 Woche' inside 'seit …')."""
    return format_timedelta(value, locale=get_locale() or DEFAULT_LOCALE, threshold=1)


def local_date(value: date | datetime | None, style: str = "medium") -> str:
    """A date in the reader's locale ('7 Dec 2026', '07.12.2026', '7 dec. 2026')."""
    if value is None:
        return "—"
    return format_date(value, style)


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """flask_babel's ngettext with %(num)s in the reader's locale (1.234 Projekte)."""
    variables.setdefault("num", number(num))
    return get_translations().ungettext(singular, plural, num) % variables


def time_in_stage(stage: str, since: datetime | None, now: datetime | None = None) -> str:
    """'in Test for 170 days' · 'seit 170 Tagen in der Phase Test' · 'i fasen Test i 170
    dagar'; on the first day 'since today' (never 'seit 0 Tagen')."""
    days = max(0, ((now or datetime.now(UTC)) - since).days) if since else 0
    name = stage_name(stage)
    if days == 0:
        return gettext("in %(stage)s since today", stage=name)
    return ngettext(
        "in %(stage)s for %(num)s day", "in %(stage)s for %(num)s days", days, stage=name
    )


def _counts(message: str, variables: dict) -> dict:
    """Whole numbers among a message's values in the reader's locale (1.234 in German,
    1 234 in Swedish); identifiers (id, …_id, index) and %(name)d placeholders stay."""
    return {
        key: number(value)
        if type(value) is int
        and key not in {"id", "index"}
        and not key.endswith("_id")
        and f"%({key})s" in message
        else value
        for key, value in variables.items()
    }


# Messages kept per catalog by the templates' gettext: more than the templates' texts, a bound.
MADE_MESSAGES = 5000


def _catalog():
    """flask_babel.get_translations(), kept on flask_babel's context of the request while its
    locale object stays the same (force_locale and refresh change it): get_translations
    looks the context up through flask.g five times, about 10 µs a message."""
    try:
        babel_context = g._flask_babel
        locale, translations = babel_context.tracker_catalog
        if locale is babel_context.babel_locale:
            return translations
    except (AttributeError, RuntimeError):  # not made yet, refreshed, or no app context
        pass
    translations = get_translations()
    babel_context = g.get("_flask_babel") if has_app_context() else None
    if babel_context is not None:
        locale = getattr(babel_context, "babel_locale", None)
        babel_context.tracker_catalog = (locale, translations)
    return translations


def _numbers_in_messages(plain_gettext, plain_ngettext):
    """Templates' gettext and ngettext with their counts written through Babel.

    In HTML templates they ask the catalog themselves and do what Jinja's newstyle gettext
    does (the text as Markup, variables escaped, always formatted) without its layers of
    calls, and gettext keeps each message without variables once made, per catalog (per
    language and process: nothing of a user). Those layers and look-ups cost 20 µs a
    message, one or two milliseconds of a page (issue 21)."""
    made: WeakKeyDictionary = WeakKeyDictionary()

    @pass_context
    def gettext(context, string, **variables):
        if not context.eval_ctx.autoescape:
            return plain_gettext(context, string, **_counts(string, variables))
        translations = _catalog()
        # The catalog's texts are ours (messages.po), as in Jinja's own gettext.
        if variables:
            return Markup(translations.ugettext(string)) % _counts(string, variables)  # noqa: S704
        texts = made.get(translations)
        if texts is None:
            texts = made[translations] = {}
        text = texts.get(string)
        if text is None:
            text = Markup(translations.ugettext(string)) % {}  # noqa: S704
            if len(texts) < MADE_MESSAGES:
                texts[string] = text
        return text

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        if isinstance(num, int | float) and "%(num)d" not in singular + plural:
            variables.setdefault("num", number(num))
        variables = _counts(singular + plural, variables)
        if not context.eval_ctx.autoescape:
            return plain_ngettext(context, singular, plural, num, **variables)
        variables.setdefault("num", num)
        text = _catalog().ungettext(singular, plural, num)
        return Markup(text) % variables  # noqa: S704

    return gettext, ngettext


def moment(value: datetime | None, style: str | None = None) -> str:
    """A date and time in the reader's locale, 24-hour, in UTC: 'Dec 7, 2026, 14:05',
    '07.12.2026, 14:05', '2026-12-07 14:05' (never '12/7/26, 2:05 PM' to a German reader).
    style is accepted for the filter's old callers and ignored: one way to show a moment."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    locale = Locale.parse(get_locale() or DEFAULT_LOCALE)
    value = value.astimezone(UTC)
    day = babel_format_date(value.date(), "medium", locale=locale)
    return str(locale.datetime_formats["medium"]).format(value.strftime("%H:%M"), day)


def compile_catalogs(directory: Path) -> None:
    """Build missing or stale .mo files from the .po files; `make` does this at set-up, and a
    read-only checkout without them still starts (in English)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in directory.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            with mo.open("wb") as target:
                write_mo(target, catalog)
        except OSError:
            continue


def _before_request() -> None:
    # The test client reuses one app context across requests: choose the locale afresh.
    refresh()
    g.locale = str(get_locale() or DEFAULT_LOCALE)


def init_app(app: Flask) -> None:
    directory = Path(app.root_path).parent / "translations"
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(directory))
    compile_catalogs(directory)
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_before_request)
    app.register_blueprint(bp)
    env = app.jinja_env
    env.globals["gettext"], env.globals["ngettext"] = _numbers_in_messages(
        env.globals["gettext"], env.globals["ngettext"]
    )
    # _() straight to it: Jinja's _ looks gettext up in the context and calls it again.
    env.globals["_"] = env.globals["gettext"]
    env.filters["ago"] = ago
    env.filters["date"] = format_date
    env.filters["datetime"] = moment
    env.filters["number"] = format_decimal
    env.filters["decimal"] = decimal
    env.filters["percent"] = percent
    env.filters["signed"] = signed
    env.filters["duration"] = duration
    env.filters["local_date"] = local_date
    env.globals["languages"] = LANGUAGES
    env.globals["stage_name"] = stage_name
    env.globals["kind_name"] = kind_name
    env.globals["action_name"] = action_name
    env.globals["visibility_name"] = visibility_name
    env.globals["org_kind_name"] = org_kind_name
    env.globals["participation_role_name"] = participation_role_name
    env.globals["status_name"] = status_name
    env.globals["time_in_stage"] = time_in_stage
    env.globals["field_name"] = field_name
    env.globals["audit_value"] = audit_value
