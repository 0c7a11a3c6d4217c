"""Demo highlights of the quarterly report: each site's text for the last complete quarter,
written by its manager (the network office for a site without one). They name international
visitors in their own scripts, so the report shows Latin, Greek, Cyrillic, CJK and Arabic text.
"""

from datetime import datetime

from tracker.dashboard.periods import Quarter
from tracker.extensions import db
from tracker.models import ReportHighlight, User

HIGHLIGHTS = {
    "berlin": (
        "Two consortium pilots moved into test and the quarterly partner day drew 140 "
        "guests. A delegation of the Εθνικό Μετσόβιο Πολυτεχνείο (Athens) and the "
        "Киевский политехнический институт discussed joint data-centre projects.\n"
        "Next quarter: the first market launch of the cooling-loop twin."
    ),
    "stockholm": (
        "Heat-pump fault detection found two new partners. Visitors from 東京工業大学 "
        "(Tokyo) and 서울대학교 (Seoul) saw the Skärgård pilot; a joint call is planned."
    ),
    "erlangen-nuernberg": (
        "The cross-site vision benchmark signed four partners, one of them from another site. "
        "Guests from Łódź and from Zürich joined the review of the quality-inspection models."
    ),
    "lingen": (
        "Two hydrogen projects reached the market. A delegation of مدينة مصدر (Masdar City, "
        "Abu Dhabi) and of 深圳市氢能产业协会 (Shenzhen) visited the electrolyser test field; "
        "Krone Group presented the yard-logistics results."
    ),
}


def seed_highlights(sites: dict, managers: dict, admin: User, now: datetime) -> int:
    """Add the highlights of the quarter before now's (flushes; the caller commits)."""
    quarter = Quarter.containing(now).previous()
    rows = [
        ReportHighlight(
            quarter=quarter.key,
            site_id=site.id,
            text=HIGHLIGHTS[slug],
            updated_by_id=managers.get(slug, admin).id,
            updated_at=now,
            version=1,
        )
        for slug, site in sites.items()
        if slug in HIGHLIGHTS
    ]
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)
