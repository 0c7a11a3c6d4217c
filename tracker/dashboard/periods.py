"""Calendar quarters and the dashboard's period filter (all, last quarter, this year, a quarter)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import LazyString, format_date
from flask_babel import lazy_gettext as _l

from tracker.models import utcnow

QUARTER_KEY = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def containing(cls, moment: datetime | date) -> "Quarter":
        return cls(moment.year, (moment.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, key: str | None) -> "Quarter | None":
        match = QUARTER_KEY.match((key or "").strip())
        if not match or not 1900 < int(match.group(1)) < 3000:
            return None
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        """The quarter as the reader writes it: 'Q4 2026', 'K4 2026' in Swedish."""
        return format_date(self.first_day, "QQQ y")

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return datetime(self.year, 3 * self.number - 2, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first moment of the next quarter (periods are half-open)."""
        return self.next().start

    def next(self) -> "Quarter":
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> "Quarter":
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def last(self, count: int) -> list["Quarter"]:
        """count quarters ending with this one, oldest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return list(reversed(quarters))


def quarter_label(key: str) -> str:
    """A quarter's key ("2026-Q4", as URLs, CSV files and stored reports write it) as the
    reader writes the quarter (Quarter.label); anything else, a year say, as it is."""
    quarter = Quarter.parse(key)
    return quarter.label if quarter else key


@dataclass(frozen=True)
class Period:
    """A half-open time range [start, end); start None means 'since the beginning'."""

    key: str
    label: str
    start: datetime | None = None
    end: datetime | None = None
    token: str = ""  # how links to /projects name it: "", "2026", "2026-Q3"
    last_quarter: Quarter | None = None  # the quarter the throughput chart ends with

    @property
    def bounded(self) -> bool:
        return self.start is not None


def parse_period(key: str | None, now: datetime | None = None) -> Period:
    """?period=all|last_quarter|this_year|YYYY-Qn; anything else means all time."""
    now = now or utcnow()
    current = Quarter.containing(now)
    key = (key or "all").strip()
    if key == "last_quarter":
        return _quarter_period(current.previous(), key, "last_quarter")
    if key == "this_year":
        start = datetime(now.year, 1, 1, tzinfo=UTC)
        end = datetime(now.year + 1, 1, 1, tzinfo=UTC)
        return Period(
            key, _l("This year (%(year)s)", year=now.year), start, end, str(now.year), current
        )
    quarter = Quarter.parse(key)
    if quarter is not None:
        return _quarter_period(quarter, quarter.key, quarter.key)
    return Period("all", _l("All time"), token="", last_quarter=current)


YEAR_TOKEN = re.compile(r"^\d{4}$")


def parse_token(token: str | None) -> Period | None:
    """The period a /projects link names (Period.token): "", "2026" or "2026-Q3"; else None."""
    token = (token or "").strip()
    if not token:
        return Period("all", _l("All time"), token="")
    quarter = Quarter.parse(token)
    if quarter is not None:
        return _quarter_period(quarter, quarter.key, quarter.key)
    if YEAR_TOKEN.match(token) and 1900 < int(token) < 3000:
        year = int(token)
        start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
        return Period(token, token, start, end, token, Quarter(year, 4))
    return None


def _quarter_period(quarter: Quarter, key: str, label: str) -> Period:
    """label "last_quarter" names the previous quarter in words; any other shows the key."""
    shown = (
        _l("Last quarter (%(quarter)s)", quarter=LazyString(lambda: quarter.label))
        if label == "last_quarter"
        else LazyString(lambda: quarter.label)
    )
    return Period(key, shown, quarter.start, quarter.end, quarter.key, quarter)


def period_choices(now: datetime | None = None) -> list[tuple[str, str]]:
    current = Quarter.containing(now or utcnow())
    quarters = [(q.key, q.label) for q in reversed(current.last(8))]
    fixed = [
        ("all", _l("All time")),
        ("this_year", _l("This year")),
        ("last_quarter", _l("Last quarter")),
    ]
    return [*fixed, *quarters]
