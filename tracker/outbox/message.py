"""What an e-mail says, before it is rendered as text and HTML (tracker/outbox/mails.py)."""

from dataclasses import dataclass, field


@dataclass
class Mail:
    subject: str
    paragraphs: list[str]
    link: str | None = None
    link_label: str | None = None
    sections: list[tuple[str, list[tuple[str, str | None]]]] = field(default_factory=list)
    group: str | None = None  # the event group a one-click unsubscribe turns off
    footer: str | None = None
