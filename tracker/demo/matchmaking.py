"""Demo matchmaking: contact persons and offer/seek texts of named organizations, open partner
requests at every site with answers in every state, and two member organizations without a
project (they show on /network as members without a project in 12 months)."""

from datetime import date, datetime, timedelta

from tracker.extensions import db
from tracker.models import (
    Contact,
    Organization,
    Participation,
    PartnerInterest,
    PartnerRequest,
    Project,
    Site,
    Theme,
    User,
)
from tracker.models.matchmaking import ROLE_FOR_KIND

PROFILES = {
    "Krone Group": {
        "offer": "Agricultural machinery fleets and test fields for pilots; data from balers and "
        "forage harvesters.",
        "seek": "Research partners for sensor data and green-hydrogen drives for farm machinery.",
        "contacts": [
            ("Hanna Lögering", "Head of digital innovation", "h.loegering@krone.example"),
            ("Jens Tiemann", "Project lead smart farming", "j.tiemann@krone.example"),
        ],
    },
    "Cornexion GmbH": {
        "offer": "Start-up scouting, curated start-up profiles and follow-up meetings with "
        "established companies.",
        "seek": "Companies with a concrete challenge for a start-up pilot.",
        "contacts": [("Mira Albers", "Start-up partnerships", "m.albers@cornexion.example")],
    },
    "IT-Campus Lingen": {
        "offer": "Research on AI for energy systems, load-profile models, student projects.",
        "seek": "Industrial data and pilot sites for theses and joint research projects.",
        "contacts": [
            ("Prof. Dr. Karin Wessels", "Research coordinator", "k.wessels@itcampus.example"),
            ("Tobias Brink", "Transfer office", "t.brink@itcampus.example"),
        ],
    },
    "Emsvolt Wasserstoff GmbH": {
        "offer": "Electrolyser operation data and a hydrogen test site in the Emsland.",
        "seek": "Sensor start-ups and forecasting partners for stack degradation.",
        "contacts": [("Sven Hilbers", "Head of operations", "s.hilbers@emsvolt.example")],
    },
    "Institut für Wasserstoffsysteme Nordwest": {
        "offer": "Electrolysis, hydrogen storage and sector-coupling research.",
        "seek": "Operators who share plant data for joint research.",
        "contacts": [("Dr. Lea Tammen", "Group leader electrolysis", "l.tammen@iwn.example")],
    },
    "Kungsholm Institute for Applied AI": {
        "offer": "Applied machine-learning research, from forecasting to computer vision.",
        "seek": "Industrial partners with data for co-funded research.",
        "contacts": [("Dr. Elin Berg", "Industry liaison", "elin.berg@kungsholm.example")],
    },
    "Agentur für Digitale Verwaltung Berlin-Brandenburg": {
        "offer": "Public-sector use cases and test users in citizen services.",
        "seek": "Research partners for multilingual language models.",
        "contacts": [("Anja Rother", "Innovation unit", "a.rother@digitale-verwaltung.example")],
    },
}

# (site, project title, kind sought, themes, description, days until closing, answers)
# answers: (organization, state, message); an accepted one joins the project.
REQUESTS = [
    ("lingen", "Emission-free AI data centre on green hydrogen", "startup",
     ["green-hydrogen", "energy"],
     "A sensor start-up to monitor the hydrogen supply of the data centre in real time.", 40,
     [("Dinkel Sensor Systems B.V.", "pending",
       "Our sensors already watch hydrogen installations in Twente; happy to pilot in Lingen.")]),
    ("lingen", "Hydrogen refuelling station anomaly detection", "research_institution",
     ["green-hydrogen", "ai"],
     "A research partner for anomaly models on refuelling-station data.", 25,
     [("IT-Campus Lingen", "declined", "We could supervise a master's thesis on it."),
      ("Institut für Wasserstoffsysteme Nordwest", "pending",
       "Our group models station behaviour; we would bring two researchers.")]),
    ("berlin", "Multilingual citizen-service assistant", "research_institution",
     ["ai", "public-sector"],
     "A research institution for evaluating multilingual language models with real users.", 30,
     [("Kungsholm Institute for Applied AI", "pending",
       "We evaluate Nordic-language models and can extend the test set."),
      ("Hochschule für Datentechnik Mittelfranken", "declined",
       "Students could run the user studies.")]),
    ("stockholm", "Port congestion forecasting", "research_institution",
     ["logistics", "ai"],
     "A maritime research partner for AIS-based congestion models.", 20,
     [("Delta Institute for Maritime Autonomy", "accepted",
       "We maintain an AIS archive of the Baltic and can start next month.")]),
    ("erlangen-nuernberg", "Operating-room scheduling optimisation", "startup",
     ["health", "ai"],
     "A start-up with optimisation software for hospital scheduling.", 35,
     [("Polderdata B.V.", "pending", "Our planning engine schedules staff for three hospitals.")]),
    ("erlangen-nuernberg", "Post-market surveillance assistant for medical devices",
     "research_institution", ["health"],
     "A research institution with clinical NLP experience.", 50, []),
]  # fmt: skip

QUIET_ORGANIZATIONS = [
    {
        "name": "Emstal Landtechnik GmbH",
        "kind": "member_company",
        "country": "DE",
        "city": "Meppen",
        "website": "https://emstal-landtechnik.example",
        "description": "Dealer and workshop for agricultural machinery in the Emsland.",
        "member_since": "2025-03-01",
        "sites": ["lingen"],
        "themes": ["agriculture", "manufacturing"],
        "member_email": "member.emstal@demo.example",
        "member_name": "Bernd Kuhlmann",
    },
    {
        "name": "Saaletal Bioinformatik GmbH",
        "kind": "startup",
        "country": "DE",
        "city": "Erlangen",
        "website": "https://saaletal-bio.example",
        "description": "Start-up for genome data pipelines in clinical research.",
        "member_since": "2025-06-15",
        "sites": ["erlangen-nuernberg"],
        "themes": ["health", "ai"],
        "member_email": "member.saaletal@demo.example",
        "member_name": "Dr. Nele Hartung",
    },
]


def seed_matchmaking(
    orgs: dict[str, Organization],
    sites: dict[str, Site],
    themes: dict[str, Theme],
    projects: list[Project],
    members: dict[str, User],
    password_hash: str,
    now: datetime,
) -> dict[str, int]:
    """Add the rows (flushes; the caller commits); returns counts."""
    contacts = []
    for name, profile in PROFILES.items():
        org = orgs[name]
        org.offer, org.seek = profile["offer"], profile["seek"]
        for position, (person, role, email) in enumerate(profile["contacts"]):
            contacts.append(
                Contact(organization_id=org.id, name=person, role=role, email=email,
                        position=position)
            )  # fmt: skip
    quiet_users = []
    for spec in QUIET_ORGANIZATIONS:
        org = Organization(
            **{k: spec[k] for k in ("name", "kind", "country", "city", "website", "description")},
            member_since=date.fromisoformat(spec["member_since"]),
            created_at=now - timedelta(days=300),
            sites=[sites[s] for s in spec["sites"]],
            themes=[themes[t] for t in spec["themes"]],
        )
        orgs[spec["name"]] = org
        db.session.add(org)
        db.session.flush()
        quiet_users.append(
            User(
                email=spec["member_email"], display_name=spec["member_name"], role="member",
                password_hash=password_hash, locale=None, active=True, organization_id=org.id,
                created_at=now - timedelta(days=290),
            )
        )  # fmt: skip
    db.session.add_all(contacts + quiet_users)
    by_title = {p.title: p for p in projects}
    requests, interests, joined = 0, 0, 0
    for index, (site, title, kind, slugs, text, days, answers) in enumerate(REQUESTS):
        project = by_title[title]
        assert project.site_id == sites[site].id, title
        created = now - timedelta(days=10 + index * 3)
        lead_member = members.get(project.lead_organization.name)
        wanted = PartnerRequest(
            project_id=project.id, kind=kind, role=ROLE_FOR_KIND[kind], site_id=sites[site].id,
            description=text, closes_on=(now + timedelta(days=days)).date(), status="open",
            created_by_id=lead_member.id if lead_member else None, created_at=created,
        )  # fmt: skip
        wanted.themes = [themes[s] for s in slugs]
        db.session.add(wanted)
        db.session.flush()
        requests += 1
        for offset, (name, state, message) in enumerate(answers):
            org = orgs[name]
            answered = created + timedelta(days=1 + offset)
            member = members.get(name)
            db.session.add(
                PartnerInterest(
                    partner_request_id=wanted.id, organization_id=org.id,
                    user_id=member.id if member else None, message=message, status=state,
                    created_at=answered,
                    decided_at=answered + timedelta(days=2) if state != "pending" else None,
                    decided_by_id=lead_member.id if state != "pending" and lead_member else None,
                )
            )  # fmt: skip
            interests += 1
            if state == "accepted":
                db.session.add(
                    Participation(
                        project_id=project.id, organization_id=org.id, role=wanted.role,
                        created_at=answered + timedelta(days=2),
                    )
                )  # fmt: skip
                joined += 1
    db.session.flush()
    return {
        "contacts": len(contacts),
        "partner_requests": requests,
        "partner_interests": interests,
        "quiet_members": len(quiet_users),
        "joined_by_request": joined,
    }
