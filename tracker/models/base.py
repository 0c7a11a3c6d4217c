"""Declarative base with a naming convention, shared column helpers and allowed values."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STAGES = ("develop", "test", "market")
# Stages a project can leave, so the stages with exit criteria: market is the last one.
EXIT_STAGES = STAGES[:-1]
STATUSES = ("active", "on_hold", "stopped")
# Every status a project can have: withdrawn ones (by their lead, design §16) leave boards,
# lists and counts, which iterate over STATUSES, and stay reachable by their URL.
ALL_STATUSES = (*STATUSES, "withdrawn")
TOKEN_SCOPES = ("read", "write")
VISIBILITIES = ("network", "consortium")
PROJECT_KINDS = ("strategy", "product", "service")
ROLES = ("admin", "site_manager", "member", "patron")
ORG_KINDS = ("member_company", "startup", "research_institution", "partner", "public_body")
PARTICIPATION_ROLES = ("lead", "partner", "research_partner", "startup", "pilot_customer")
SITE_KINDS = ("headquarters", "satellite")
DECISIONS = ("pending", "go", "conditional_go", "recycle", "hold", "stop")


# Languages besides English in which admins may name sites, themes and criteria (design §16).
NAME_LANGUAGES = ("de", "sv")


def reader_language() -> str | None:
    """The language of the page, mail or file being made (de, sv, en), None outside one.

    Outside a request only a language set with force_locale (mails, the worker) counts:
    asking Babel there would choose and cache English for the whole app context."""
    from flask import g, has_app_context, has_request_context
    from flask_babel import get_locale

    if not has_app_context():
        return None
    chosen = getattr(g.get("_flask_babel"), "babel_locale", None)  # force_locale's or cached
    if chosen is None and has_request_context():
        chosen = get_locale()
    return chosen.language if chosen else None


def localized(obj, field: str) -> str:
    """obj.<field>_<reader's language> when given, else the English obj.<field>_en."""
    language = reader_language()
    if language in NAME_LANGUAGES:
        value = getattr(obj, f"{field}_{language}")
        if value:
            return value
    return getattr(obj, f"{field}_en")


def localized_column(cls, field: str):
    """The SQL of a localized name or title, labelled as the field: the reader's language's
    column where given, else the English one, so selects, filters and sorts follow the reader
    as the attribute does."""
    language = reader_language()
    english = getattr(cls, f"{field}_en")
    if language in NAME_LANGUAGES:
        return sa.func.coalesce(getattr(cls, f"{field}_{language}"), english).label(field)
    return english.label(field)


def utcnow() -> datetime:
    """The current time in UTC; used as a callable default, never evaluated at import."""
    return datetime.now(UTC)


def next_stage(stage: str) -> str | None:
    index = STAGES.index(stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


def previous_stage(stage: str) -> str | None:
    index = STAGES.index(stage)
    return STAGES[index - 1] if index > 0 else None


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps no offset by itself)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use tracker.models.base.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def choice(name: str, values: tuple[str, ...]) -> sa.Enum:
    """A string column restricted to values by a CHECK constraint on every database."""
    return sa.Enum(
        *values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(v) for v in values),
        validate_strings=True,
    )


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )
