"""Organizations' e-mail domains: whoever signs in through single sign-on with a verified address
at one of them may ask to join that organization. Checked here, set by admins only."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.extensions import db
from tracker.models import Organization

MAX_DOMAINS = 20
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN = re.compile(rf"^(?=.{{4,253}}$)(?:{LABEL}\.)+[a-z][a-z0-9-]{{1,62}}$")
# Addresses anyone can get: naming one would let the whole world ask to join.
PUBLIC_MAIL = frozenset(
    {
        "aol.com",
        "gmail.com",
        "gmx.at",
        "gmx.de",
        "gmx.net",
        "googlemail.com",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "outlook.com",
        "outlook.de",
        "posteo.de",
        "proton.me",
        "protonmail.com",
        "t-online.de",
        "web.de",
        "yahoo.com",
        "yahoo.de",
        "yandex.ru",
    }
)


class DomainError(ValueError):
    """A refused list of domains; the message is for the user."""


def split(text: str) -> list[str]:
    """The domains typed in a field: separated by commas, semicolons, spaces or lines."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def checked(domains: list[str], organization_id: int | None) -> list[str]:
    """Lower-case, without a leading @, each once; raises DomainError naming the problem."""
    result: list[str] = []
    for raw in domains:
        domain = str(raw).strip().lower().removeprefix("@").rstrip(".")
        if not DOMAIN.match(domain):
            raise DomainError(_("%(domain)s is not a domain such as example.org.", domain=raw))
        if domain in PUBLIC_MAIL:
            raise DomainError(
                _(
                    "%(domain)s is a public mail service: anyone could ask to join with it.",
                    domain=domain,
                )
            )
        if domain not in result:
            result.append(domain)
    if len(result) > MAX_DOMAINS:
        raise DomainError(_("At most %(count)s domains.", count=MAX_DOMAINS))
    for domain in result:
        owner = _owner(domain, organization_id)
        if owner is not None:
            raise DomainError(
                _("%(domain)s belongs to %(name)s already.", domain=domain, name=owner)
            )
    return result


def _owner(domain: str, organization_id: int | None) -> str | None:
    """The name of another organization that lists domain, if any."""
    query = sa.select(Organization.name, Organization.email_domains).where(
        sa.cast(Organization.email_domains, sa.Text).contains(f'"{domain}"')
    )
    if organization_id is not None:
        query = query.where(Organization.id != organization_id)
    for name, domains in db.session.execute(query):
        if domain in (domains or []):
            return name
    return None
