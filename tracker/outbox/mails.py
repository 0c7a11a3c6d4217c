"""E-mails of the outbox: rendered when sent, in the recipient's language, text and HTML.

Every mail carries X-Tracker-Event and a Message-ID unique to its outbox row (the same on a
retry, so a receiver can drop a repeat); notification and digest mails carry a one-click
unsubscribe (RFC 8058) for their event group that works without sign-in.
"""

import email.policy
import socket
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from tracker import mail as smtp
from tracker import outbox
from tracker.extensions import db
from tracker.i18n import DEFAULT_LOCALE, LANGUAGES
from tracker.models import Notification, Project, User
from tracker.models.outbox import OutboxMessage
from tracker.outbox import preferences
from tracker.outbox.message import Mail

UNSUBSCRIBE_SALT = "tracker.unsubscribe"


# --- unsubscribe tokens ----------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, group: str) -> str:
    return _serializer().dumps([user_id, group])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        user_id, group = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or (group != "digest" and group not in preferences.GROUPS):
        return None
    return user_id, group


# --- the mails -------------------------------------------------------------------------------

SUBJECTS = {
    "update_posted": lambda: _("New update"),
    "gate_requested": lambda: _("Gate requested"),
    "gate_confirmed": lambda: _("Gate request confirmed"),
    "gate_decided": lambda: _("Gate decided"),
    "status_changed": lambda: _("Status changed"),
    "partner_added": lambda: _("Added as a partner"),
    "due_soon": lambda: _("Due soon"),
    "overdue": lambda: _("Overdue"),
    "nudge": lambda: _("A site manager asks about progress"),
    "stalled": lambda: _("Project stalled"),
    "partner_interest": lambda: _("Interest in your partner request"),
}


def _notification_mail(row: OutboxMessage, user: User) -> Mail:
    from tracker.notifications.display import notification_text

    notification = (
        db.session.get(Notification, row.notification_id) if row.notification_id else None
    )
    if notification is None:
        raise outbox.Permanent("the notification no longer exists")
    project = db.session.get(Project, notification.project_id) if notification.project_id else None
    subject = SUBJECTS.get(notification.kind, lambda: _("Notification"))()
    if project is not None:
        subject = f"{project.title}: {subject}"
        link = url_for("projects.detail", project_id=project.id, _external=True)
        label = _("Open the project")
    else:
        link = url_for("notifications.index", _external=True)
        label = _("Open your notifications")
    group = preferences.KIND_GROUP.get(notification.kind)
    return Mail(
        subject=subject,
        paragraphs=[notification_text(notification)],
        link=link,
        link_label=label,
        group=group,
    )


def _link_mail(row: OutboxMessage, user: User) -> Mail:
    params = row.params or {}
    if not params.get("url"):
        raise outbox.Permanent("the link is no longer kept")
    hours = params.get("hours", current_app.config.get("TRACKER_LINK_HOURS", 72))
    if row.template == "invitation":
        subject = _("Your invitation to the Innovation Tracker")
        intro = _("You are invited to the Innovation Tracker. Choose your password here:")
        label = _("Choose your password")
    else:
        subject = _("Reset your Innovation Tracker password")
        intro = _("A new password was requested for your account. Choose it here:")
        label = _("Choose a new password")
    works = _("The link works once and for %(hours)s hours.", hours=hours)
    return Mail(
        subject=subject, paragraphs=[intro], link=params["url"], link_label=label, footer=works
    )


def _digest_mail(row: OutboxMessage, user: User) -> Mail:
    from tracker.outbox import digests

    return digests.digest_mail(row, user)


TEMPLATES = {
    "notification": _notification_mail,
    "invitation": _link_mail,
    "password_reset": _link_mail,
    "digest": _digest_mail,
}


def _locale(user: User, row: OutboxMessage | None = None) -> str:
    """The recipient's language; else the one the mail was written in (an invitation: the
    inviter's); else English."""
    fallback = (row.params or {}).get("locale") if row is not None else None
    for code in (user.locale, fallback):
        if code in LANGUAGES:
            return code
    return DEFAULT_LOCALE


def build(row: OutboxMessage) -> EmailMessage:
    """The e-mail of an outbox row, ready to send (needs a request context for the links)."""
    user = db.session.get(User, row.user_id) if row.user_id else None
    if user is None or not user.email:
        raise outbox.Permanent("the recipient no longer exists")
    make = TEMPLATES.get(row.template)
    if make is None:
        raise outbox.Permanent(f"unknown mail template {row.template!r}")
    lang = _locale(user, row)
    with force_locale(lang):
        content = make(row, user)
        settings_url = url_for("outbox.notification_settings", _external=True)
        unsubscribe_url = None
        if content.group:
            token = unsubscribe_token(user.id, content.group)
            unsubscribe_url = url_for("outbox.unsubscribe", token=token, _external=True)
        context = {
            "mail": content,
            "user": user,
            "settings_url": settings_url if content.group else None,
            "unsubscribe_url": unsubscribe_url,
            "group_name": _group_name(content.group),
        }
        text = render_template("email/mail.txt", **context)
        html = render_template("email/mail.html", **context, lang=lang)
    # Header lines up to RFC 5322's 998 characters: a long List-Unsubscribe address must stay
    # one plain <URL>, not be folded into encoded words that clients cannot use.
    message = EmailMessage(policy=email.policy.SMTP.clone(max_line_length=998))
    sender = current_app.config.get("TRACKER_MAIL_FROM", "tracker@localhost")
    message["From"] = formataddr(("Innovation Tracker", sender))
    message["To"] = formataddr((user.display_name, user.email))
    message["Subject"] = content.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = message_id(row)
    message["X-Tracker-Event"] = row.event
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _group_name(group: str | None) -> str | None:
    if group is None:
        return None
    if group == "digest":
        return _("Digest")
    return str(preferences.GROUP_NAMES[group])


def message_id(row: OutboxMessage) -> str:
    """Unique per outbox row and stable over retries."""
    sender = current_app.config.get("TRACKER_MAIL_FROM", "tracker@localhost")
    domain = sender.rpartition("@")[2] or socket.getfqdn()
    stamp = row.created_at.strftime("%Y%m%d%H%M%S%f")
    return f"<tracker.{row.id}.{stamp}@{domain}>"


def send_email(row: OutboxMessage) -> dict | None:
    """The outbox sender of channel "email": kept when no SMTP server is configured."""
    if not smtp.mail_configured():
        raise outbox.Keep("no SMTP server configured (TRACKER_SMTP_URL)")
    base = current_app.config["TRACKER_BASE_URL"]
    with current_app.test_request_context("/", base_url=base):
        message = build(row)
    smtp.deliver(message)
    if row.template in ("invitation", "password_reset"):
        # The one-time link is kept in readable form only until it went out.
        kept = {key: (row.params or {}).get(key) for key in ("hours", "locale")}
        return {"params": kept}
    return None
