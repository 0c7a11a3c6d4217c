"""Deterministic rows of a generated network: directory, accounts, projects and their history."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random

from tracker.demo import data

PASSWORD_ACCOUNTS = {  # e-mail -> (role, managed site slug)
    "bench.admin@bench.example": ("admin", None),
    "bench.manager@bench.example": ("site_manager", "lingen"),
    "bench.patron@bench.example": ("patron", None),
    "bench.member@bench.example": ("member", None),
}
SITE_WEIGHTS = {"berlin": 4, "stockholm": 2, "erlangen-nuernberg": 2, "lingen": 2}
STAGE_WEIGHTS = (("develop", 45), ("test", 33), ("market", 22))
ORG_KINDS = (
    ("member_company", 40),
    ("startup", 25),
    ("research_institution", 20),
    ("partner", 10),
    ("public_body", 5),
)
ROLE_FOR_KIND = {
    "startup": "startup",
    "research_institution": "research_partner",
    "member_company": "pilot_customer",
}
COUNTRIES = ("DE", "DE", "DE", "SE", "FI", "NO", "DK", "NL", "AT", "CH", "FR", "PL", "EE", "IT")
WORDS = (
    "Hydrogen", "Vision", "Forecast", "Grid", "Fleet", "Harvest", "Clinic", "Twin", "Sensor",
    "Routing", "Campus", "Edge", "Carbon", "Quality", "Maintenance", "Language", "Robot", "Water",
)  # fmt: skip
NOUNS = ("Pilot", "Platform", "Assistant", "Network", "Lab", "Service", "Study", "Toolkit")
STOP_NOTE = "Stopped: the pilot customer withdrew and no replacement was found."


@dataclass(frozen=True)
class Size:
    name: str
    projects: int
    organizations: int
    users: int
    history: int  # stage events + updates, about


SIZES = {
    "S": Size("S", 1_000, 200, 1_000, 10_000),
    "M": Size("M", 10_000, 1_000, 5_000, 100_000),
    "L": Size("L", 100_000, 1_000, 5_000, 1_000_000),
}
# Stage events per project on average (see _Timeline); the rest of the history is updates.
EVENTS_PER_PROJECT = 3.0


def weighted(rng: Random, pairs) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class Batch:
    """Rows of every table for one chunk of projects, in insertion order."""

    tables: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: str, row: dict) -> None:
        self.tables.setdefault(table, []).append(row)


class Network:
    """The whole generated network; same seed, size and anchor give the same rows."""

    def __init__(self, size: Size, seed: int, anchor: datetime, password_hash: str):
        self.size, self.anchor, self.password_hash = size, anchor, password_hash
        self.rng = Random(seed)
        self.site_slugs = [s["slug"] for s in data.SITES]
        self.site_ids = {slug: i + 1 for i, slug in enumerate(self.site_slugs)}
        self.theme_ids = {slug: i + 1 for i, (slug, _name) in enumerate(data.THEMES)}
        self.site_themes = {
            self.site_ids[s["slug"]]: [self.theme_ids[t] for t in s["themes"]] for s in data.SITES
        }
        self.org_kinds: list[str] = []
        self.members: dict[int, list[int]] = {}
        self.managers: dict[int, int] = {}
        self.criteria: dict[str, list[int]] = {}
        self.ids = dict.fromkeys(
            ("participations", "stage_events", "gate_reviews", "updates", "criterion_ticks",
             "milestones", "audit_events"),
            0,
        )  # fmt: skip

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # --- directory and accounts ---------------------------------------------------------

    def directory(self) -> Batch:
        batch = Batch()
        for slug, name in data.THEMES:
            batch.add("themes", {"id": self.theme_ids[slug], "slug": slug, "name": name})
        for spec in data.SITES:
            row = {k: spec[k] for k in ("slug", "name", "city", "country", "kind", "focus")}
            batch.add("sites", {"id": self.site_ids[spec["slug"]], **row})
            for theme in spec["themes"]:
                batch.add(
                    "site_themes",
                    {"site_id": self.site_ids[spec["slug"]], "theme_id": self.theme_ids[theme]},
                )
        self._criteria(batch)
        for org_id in range(1, self.size.organizations + 1):
            self._organization(batch, org_id)
        return batch

    def _criteria(self, batch: Batch) -> None:
        ident = 0
        for stage, titles in data.DEFAULT_CRITERIA.items():
            for position, title in enumerate(titles):
                ident += 1
                self.criteria.setdefault(stage, []).append(ident)
                batch.add(
                    "stage_criteria",
                    {"id": ident, "stage": stage, "site_id": None, "title": title,
                     "position": position, "active": True},
                )  # fmt: skip

    def _organization(self, batch: Batch, org_id: int) -> None:
        rng = self.rng
        kind = "member_company" if org_id == 1 else weighted(rng, ORG_KINDS)
        self.org_kinds.append(kind)
        name = (
            "Bench Lead Organization"
            if org_id == 1
            else (f"{rng.choice(WORDS)} {rng.choice(NOUNS)} {kind.split('_')[0].title()} {org_id}")
        )
        joined = self.anchor - timedelta(days=rng.randint(100, 2000))
        batch.add(
            "organizations",
            {"id": org_id, "name": name, "kind": kind, "country": rng.choice(COUNTRIES),
             "city": "", "website": f"https://org{org_id}.bench.example", "description": "",
             "member_since": None if kind in ("partner", "public_body") else joined.date(),
             "created_at": joined},
        )  # fmt: skip
        sites = {1 + (org_id % 4)} if org_id > 1 else {self.site_ids["lingen"]}
        if rng.random() < 0.3:
            sites.add(rng.randint(1, len(self.site_slugs)))
        for site_id in sorted(sites):
            batch.add("organization_sites", {"organization_id": org_id, "site_id": site_id})
        for theme_id in sorted(set(rng.sample(list(self.theme_ids.values()), rng.randint(1, 3)))):
            batch.add("organization_themes", {"organization_id": org_id, "theme_id": theme_id})

    def accounts(self) -> Batch:
        batch = Batch()
        fixed = list(PASSWORD_ACCOUNTS.items())
        for slug in self.site_slugs:
            if slug != "lingen":
                fixed.append((f"bench.manager.{slug}@bench.example", ("site_manager", slug)))
        for user_id in range(1, self.size.users + 1):
            if user_id <= len(fixed):
                email, (role, site) = fixed[user_id - 1]
                org = 1 if role == "member" else None
            else:
                email, role, site = f"bench.user{user_id}@bench.example", "member", None
                org = 1 + user_id % self.size.organizations
            if org is not None:
                self.members.setdefault(org, []).append(user_id)
            if site is not None:
                self.managers[self.site_ids[site]] = user_id
                batch.add("site_managers", {"user_id": user_id, "site_id": self.site_ids[site]})
            batch.add("users", self._user(user_id, email, role, org))
        return batch

    def _user(self, user_id: int, email: str, role: str, org: int | None) -> dict:
        return {
            "id": user_id, "email": email, "display_name": f"Bench User {user_id}",
            "password_hash": self.password_hash, "role": role, "organization_id": org,
            "locale": None, "active": True, "failed_logins": 0, "locked_until": None,
            "session_version": 1, "created_at": self.anchor - timedelta(days=800),
            "last_login_at": None, "totp_secret": None,
        }  # fmt: skip

    # --- projects -----------------------------------------------------------------------

    def projects(self, chunk: int) -> Iterator[tuple[int, Batch]]:
        """Batches of chunk projects each, with everything that hangs off them."""
        avg_updates = max(0.0, self.size.history / self.size.projects - EVENTS_PER_PROJECT)
        batch = Batch()
        for project_id in range(1, self.size.projects + 1):
            _Project(self, batch, project_id, avg_updates).build()
            if project_id % chunk == 0 or project_id == self.size.projects:
                yield project_id, batch
                batch = Batch()

    def notifications(self) -> Batch:
        batch = Batch()
        manager = self.managers[self.site_ids["lingen"]]
        for ident in range(1, 301):
            at = self.anchor - timedelta(hours=ident * 7)
            batch.add(
                "notifications",
                {"id": ident, "user_id": manager, "kind": "gate_requested",
                 "project_id": self.rng.randint(1, self.size.projects),
                 "message": "A gate was requested.", "created_at": at,
                 "read_at": None if ident % 2 else at},
            )  # fmt: skip
        return batch

    def author(self, org_ids: list[int], site_id: int) -> int:
        candidates = [u for org in org_ids for u in self.members.get(org, ())]
        return self.rng.choice(candidates) if candidates else self.managers[site_id]


class _Project:
    """One project: its row, participants, themes, stage history, updates, ticks, milestones."""

    def __init__(self, net: Network, batch: Batch, project_id: int, avg_updates: float):
        self.net, self.batch, self.id, self.rng = net, batch, project_id, net.rng
        self.avg_updates = avg_updates

    def build(self) -> None:
        net, rng = self.net, self.rng
        self.site_id = net.site_ids[weighted(rng, SITE_WEIGHTS.items())]
        lead = 1 if rng.random() < 0.02 else rng.randint(1, net.size.organizations)
        self.orgs = [lead]
        self.stage = weighted(rng, STAGE_WEIGHTS)
        stopped, on_hold = (0.05, 0.05) if self.stage == "market" else (0.15, 0.13)
        roll = rng.random()
        self.status = (
            "stopped" if roll < stopped else "on_hold" if roll < stopped + on_hold else "active"
        )
        self.created = net.anchor - timedelta(days=rng.uniform(30, 1100))
        quiet = timedelta(days=rng.uniform(70, 300)) if rng.random() < 0.12 else timedelta()
        self.end = max(self.created + timedelta(days=1), net.anchor - quiet)
        self._participants(lead)
        events = self._history()
        last = max([events[-1]["at"], *self._updates(), *self._ticks(), *self._pending()])
        self._project_row(lead, last)
        self._milestones()

    def _participants(self, lead: int) -> None:
        net, rng = self.net, self.rng
        count = rng.choices((0, 1, 2, 3, 4), (15, 35, 30, 15, 5))[0]
        partners = {rng.randint(1, net.size.organizations) for _ in range(count)} - {lead}
        self.orgs += sorted(partners)
        for org in self.orgs:
            role = "lead" if org == lead else ROLE_FOR_KIND.get(net.org_kinds[org - 1], "partner")
            self.batch.add(
                "participations",
                {"id": net.next_id("participations"), "project_id": self.id,
                 "organization_id": org, "role": role, "created_at": self.created},
            )  # fmt: skip
        themes = net.site_themes[self.site_id]
        for theme_id in sorted(set(rng.sample(themes, min(len(themes), rng.randint(1, 3))))):
            self.batch.add("project_themes", {"project_id": self.id, "theme_id": theme_id})

    def _times(self, count: int) -> list[datetime]:
        span = (self.end - self.created).total_seconds()
        offsets = sorted(self.rng.uniform(0, span) for _ in range(count - 1))
        return [self.created, *(self.created + timedelta(seconds=s) for s in offsets)]

    def _history(self) -> list[dict]:
        """Stage events consistent with the final stage and status (advances through gates)."""
        rng = self.rng
        steps = ["advance"] * ("develop", "test", "market").index(self.stage)
        steps += ["pause"] * rng.choices((0, 1, 2), (60, 30, 10))[0]
        rng.shuffle(steps)
        moves = [("create",)] + [
            m for s in steps for m in ([("advance",)] if s == "advance" else [("hold",), ("back",)])
        ]
        if self.status != "active":
            moves.append(("final",))
        stage, status, events = None, None, []
        self.entered = self.created
        self.launched = None
        for (move,), at in zip(moves, self._times(len(moves)), strict=True):
            new_stage, new_status, review, note = stage or "develop", status or "active", None, ""
            if move == "advance":
                new_stage = ("develop", "test", "market")[("develop", "test").index(stage) + 1]
                review = self._decided_review(stage, new_stage, at)
                self.entered = at
                self.launched = at.date() if new_stage == "market" else self.launched
            elif move in ("hold", "back"):
                new_status = "on_hold" if move == "hold" else "active"
            elif move == "final":
                new_status, note = self.status, STOP_NOTE if self.status == "stopped" else ""
            events.append(self._event(stage, new_stage, status, new_status, at, review, note))
            stage, status = new_stage, new_status
        return events

    def _event(self, from_stage, to_stage, from_status, to_status, at, review, note) -> dict:
        row = {
            "id": self.net.next_id("stage_events"), "project_id": self.id,
            "from_stage": from_stage, "to_stage": to_stage, "from_status": from_status,
            "to_status": to_status, "actor_id": self.net.managers[self.site_id], "at": at,
            "note": note, "gate_review_id": review,
        }  # fmt: skip
        self.batch.add("stage_events", row)
        return row

    def _review(self, from_stage, to_stage, requested, decision, decided=None) -> int:
        ident = self.net.next_id("gate_reviews")
        self.batch.add(
            "gate_reviews",
            {"id": ident, "project_id": self.id, "from_stage": from_stage, "to_stage": to_stage,
             "requested_by_id": self.net.author(self.orgs[:1], self.site_id),
             "requested_at": requested, "evidence": "Criteria met; pilot results attached.",
             "decision": decision,
             "decided_by_id": self.net.managers[self.site_id] if decided else None,
             "decided_at": decided, "reason": "Evidence convincing." if decided else ""},
        )  # fmt: skip
        return ident

    def _decided_review(self, from_stage, to_stage, at) -> int:
        requested = at - timedelta(days=self.rng.uniform(0.5, 20))
        return self._review(from_stage, to_stage, requested, "go", at)

    def _pending(self) -> list[datetime]:
        if self.status != "active" or self.stage == "market" or self.rng.random() >= 0.1:
            return []
        at = self.end - timedelta(hours=self.rng.uniform(0, 48))
        at = max(at, self.entered)
        self._review(self.stage, "test" if self.stage == "develop" else "market", at, "pending")
        return [at]

    def _updates(self) -> list[datetime]:
        count = self.rng.randint(0, round(2 * self.avg_updates))
        times = self._times(count + 1)[1:]
        for at in times:
            ident = self.net.next_id("updates")
            self.batch.add(
                "updates",
                {"id": ident, "project_id": self.id,
                 "author_id": self.net.author(self.orgs, self.site_id),
                 "body": f"{self.rng.choice(data.UPDATES)} (update {ident})", "created_at": at},
            )  # fmt: skip
        return times

    def _ticks(self) -> list[datetime]:
        times = []
        for criterion in self.net.criteria.get(self.stage, []):
            if self.rng.random() < 0.4:
                at = self.entered + (self.end - self.entered) * self.rng.random()
                times.append(at)
                self.batch.add(
                    "criterion_ticks",
                    {"id": self.net.next_id("criterion_ticks"), "project_id": self.id,
                     "criterion_id": criterion,
                     "ticked_by_id": self.net.author(self.orgs, self.site_id), "ticked_at": at},
                )  # fmt: skip
        return times

    def _project_row(self, lead: int, last: datetime) -> None:
        rng, net = self.rng, self.net
        word, noun = rng.choice(WORDS), rng.choice(NOUNS)
        self.batch.add(
            "projects",
            {"id": self.id, "title": f"{word} {noun} {self.id}",
             "summary": f"A {noun.lower()} on {word.lower()} data with partners of the network.",
             "description": "Generated for benchmarks.", "site_id": self.site_id,
             "lead_organization_id": lead, "kind": rng.choice(("strategy", "product", "service")),
             "stage": self.stage, "status": self.status,
             "visibility": "consortium" if rng.random() < 0.3 else "network",
             "target_test_on": None, "target_market_on": None, "launched_on": self.launched,
             "created_by_id": net.author([lead], self.site_id), "created_at": self.created,
             "updated_at": last, "last_activity_at": last, "stage_entered_at": self.entered,
             "version": 1},
        )  # fmt: skip
        self.batch.add(
            "audit_events",
            {"id": net.next_id("audit_events"), "actor_id": None, "action": "project_created",
             "object_type": "project", "object_id": self.id, "project_id": self.id,
             "at": self.created, "changes": {"title": [None, f"{word} {noun} {self.id}"]}},
        )  # fmt: skip

    def _milestones(self) -> None:
        for _ in range(self.rng.randint(0, 3)):
            due = (self.created + timedelta(days=self.rng.randint(30, 400))).date()
            done = self.rng.random() < 0.4 and due < self.net.anchor.date()
            self.batch.add(
                "milestones",
                {"id": self.net.next_id("milestones"), "project_id": self.id,
                 "title": f"{self.rng.choice(NOUNS)} ready", "due_on": due,
                 "done_at": datetime.combine(due, datetime.min.time(), self.created.tzinfo)
                 if done else None, "created_at": self.created},
            )  # fmt: skip


def anchor_day(today: date | None = None) -> datetime:
    """Midnight UTC of today: timestamps are relative to it, so 'days in stage' stay realistic."""
    from datetime import UTC

    day = today or datetime.now(UTC).date()
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
