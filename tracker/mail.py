"""Optional outgoing mail through TRACKER_SMTP_URL; a failure is logged and never blocks."""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app

log = logging.getLogger("tracker.mail")
TIMEOUT_SECONDS = 10


def mail_configured() -> bool:
    return bool(current_app.config.get("TRACKER_SMTP_URL"))


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message; True when the server accepted it, False otherwise."""
    url = current_app.config.get("TRACKER_SMTP_URL")
    if not url:
        return False
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    message = EmailMessage()
    message["From"] = current_app.config.get("TRACKER_MAIL_FROM", "tracker@localhost")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        _deliver(parts, host, message)
    except (OSError, smtplib.SMTPException, ValueError) as error:
        # Only the server address and the error class: the URL may carry a password.
        log.warning("mail to %s via %s:%s failed: %s", to, host, parts.port, type(error).__name__)
        return False
    return True


def deliver(message: EmailMessage) -> None:
    """Hand a message to the configured SMTP server; raises on any failure (the outbox worker
    retries it)."""
    url = current_app.config.get("TRACKER_SMTP_URL")
    if not url:
        raise ValueError("TRACKER_SMTP_URL is not set")
    parts = urlsplit(url)
    _deliver(parts, parts.hostname or "localhost", message)


def _deliver(parts, host: str, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    if parts.scheme == "smtps":
        server = smtplib.SMTP_SSL(host, parts.port or 465, timeout=TIMEOUT_SECONDS, context=context)
    elif parts.scheme == "smtp":
        server = smtplib.SMTP(host, parts.port or 25, timeout=TIMEOUT_SECONDS)
    else:
        raise ValueError("TRACKER_SMTP_URL must start with smtp:// or smtps://")
    with server:
        server.ehlo_or_helo_if_needed()
        if parts.scheme == "smtp" and server.has_extn("starttls"):
            server.starttls(context=context)
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
        server.send_message(message)
