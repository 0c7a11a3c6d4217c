"""Demo data for the seed-demo command: sites, themes, organizations, projects and texts."""

SITES = [
    {
        "slug": "berlin",
        "name": "Berlin",
        "city": "Berlin",
        "country": "DE",
        "kind": "headquarters",
        "focus": (
            "The network's main site and home of the network office. Berlin runs the "
            "cross-site programme and brings corporate members, start-ups and research "
            "institutions together on AI strategy, mobility, health and public-sector services."
        ),
        "themes": ["ai", "mobility", "health", "public-sector", "manufacturing", "logistics"],
    },
    {
        "slug": "stockholm",
        "name": "Stockholm",
        "city": "Stockholm",
        "country": "SE",
        "kind": "satellite",
        "focus": (
            "The Nordic satellite, connecting members from Sweden, Finland, Norway, Denmark and "
            "the Baltic states. Its projects apply AI to energy systems, maritime logistics, "
            "forestry and health data."
        ),
        "themes": ["ai", "energy", "logistics", "climate", "health"],
    },
    {
        "slug": "erlangen-nuernberg",
        "name": "Erlangen-Nürnberg",
        "city": "Erlangen",
        "country": "DE",
        "kind": "satellite",
        "focus": (
            "The satellite in the Nuremberg metropolitan region, with strong medical-technology "
            "and industrial-automation clusters. Projects focus on AI in healthcare, "
            "manufacturing quality and automotive supply chains."
        ),
        "themes": ["ai", "health", "manufacturing", "mobility"],
    },
    {
        "slug": "lingen",
        "name": "Lingen",
        "city": "Lingen (Ems)",
        "country": "DE",
        "kind": "satellite",
        "focus": (
            "The newest satellite (since late 2024), combining artificial intelligence with "
            "green hydrogen in the Emsland energy region. Its next flagship is an emission-free "
            "AI data centre run on green hydrogen, with IT-Campus Lingen as research partner; "
            "Krone Group was the site's first member."
        ),
        "themes": ["ai", "green-hydrogen", "energy", "agriculture", "manufacturing"],
    },
]

THEMES = [
    ("ai", "Artificial intelligence"),
    ("green-hydrogen", "Green hydrogen"),
    ("mobility", "Mobility"),
    ("agriculture", "Agriculture"),
    ("manufacturing", "Manufacturing"),
    ("health", "Health"),
    ("energy", "Energy"),
    ("logistics", "Logistics"),
    ("public-sector", "Public sector"),
    ("climate", "Climate"),
]

# German and Swedish names of the sites, themes and default criteria (design §16).
SITE_NAMES = {
    "berlin": ("Berlin", "Berlin"),
    "stockholm": ("Stockholm", "Stockholm"),
    "erlangen-nuernberg": ("Erlangen-Nürnberg", "Erlangen-Nürnberg"),
    "lingen": ("Lingen", "Lingen"),
}
THEME_NAMES = {
    "ai": ("Künstliche Intelligenz", "Artificiell intelligens"),
    "green-hydrogen": ("Grüner Wasserstoff", "Grön vätgas"),
    "mobility": ("Mobilität", "Mobilitet"),
    "agriculture": ("Landwirtschaft", "Jordbruk"),
    "manufacturing": ("Produktion", "Tillverkning"),
    "health": ("Gesundheit", "Hälsa"),
    "energy": ("Energie", "Energi"),
    "logistics": ("Logistik", "Logistik"),
    "public-sector": ("Öffentlicher Sektor", "Offentlig sektor"),
    "climate": ("Klima", "Klimat"),
}
CRITERION_TITLES = {
    "Data-sharing agreement signed": (
        "Vereinbarung zur Datennutzung unterzeichnet",
        "Avtal om datadelning undertecknat",
    ),
    "Problem statement agreed by all partners": (
        "Problemstellung von allen Partnern abgestimmt",
        "Problemformulering godkänd av alla partner",
    ),
    "Prototype demonstrated": ("Prototyp vorgeführt", "Prototyp demonstrerad"),
    "Data-protection assessment completed": (
        "Datenschutz-Folgenabschätzung abgeschlossen",
        "Konsekvensbedömning för dataskydd genomförd",
    ),
    "Test site booked": ("Teststandort gebucht", "Testplats bokad"),
    "Pilot customer confirmed": ("Pilotkunde bestätigt", "Pilotkund bekräftad"),
    "Evaluation metrics met": ("Bewertungskennzahlen erreicht", "Utvärderingsmått uppnådda"),
    "Operating costs estimated": ("Betriebskosten geschätzt", "Driftkostnader uppskattade"),
}

ORGANIZATIONS = [
    # --- Organizations named in the association's announcement (Lingen) ---
    {
        "name": "Krone Group",
        "kind": "member_company",
        "country": "DE",
        "city": "Spelle",
        "website": "https://www.krone.de",
        "description": (
            "Family-owned group from Spelle near Lingen building agricultural machinery and "
            "commercial vehicle trailers. The first member of the Lingen site."
        ),
        "member_since": "2024-11-15",
        "sites": ["lingen"],
        "themes": ["ai", "agriculture", "manufacturing", "logistics"],
        "member_email": "member.krone@demo.example",
    },
    {
        "name": "Cornexion GmbH",
        "kind": "partner",
        "country": "DE",
        "city": "Lingen (Ems)",
        "website": "https://www.cornexion.de",
        "description": (
            "Start-up facilitator connecting the German innovation and start-up scene with "
            "established companies. Played a key role in bringing the network to Lingen."
        ),
        "member_since": None,
        "sites": ["lingen"],
        "themes": ["ai", "public-sector"],
        "member_email": "member.cornexion@demo.example",
    },
    {
        "name": "IT-Campus Lingen",
        "kind": "research_institution",
        "country": "DE",
        "city": "Lingen (Ems)",
        "website": "https://www.it-campus-lingen.de",
        "description": (
            "Research and teaching campus for computer science and digital technologies in "
            "Lingen. Research partner of the site's emission-free AI data centre."
        ),
        "member_since": "2024-12-09",
        "sites": ["lingen"],
        "themes": ["ai", "energy", "green-hydrogen"],
        "member_email": "member.itcampus@demo.example",
    },
    # --- Fictional member companies ---
    {
        "name": "Havelstahl Industrietechnik GmbH",
        "kind": "member_company",
        "country": "DE",
        "city": "Potsdam",
        "website": "https://havelstahl.example",
        "description": (
            "Mid-sized steel processor running rolling mills and heavy machining lines. "
            "Uses AI to cut unplanned downtime."
        ),
        "member_since": "2020-03-02",
        "sites": ["berlin"],
        "themes": ["manufacturing", "ai"],
        "member_email": "member.havelstahl@demo.example",
    },
    {
        "name": "Kiezwerk Mobility AG",
        "kind": "member_company",
        "country": "DE",
        "city": "Berlin",
        "website": "https://kiezwerk-mobility.example",
        "description": (
            "Operator of on-demand shuttles and shared e-vehicle fleets in German cities."
        ),
        "member_since": "2019-11-18",
        "sites": ["berlin"],
        "themes": ["mobility", "energy", "ai"],
        "member_email": "member.kiezwerk@demo.example",
    },
    {
        "name": "Tiergarten Health Systems SE",
        "kind": "member_company",
        "country": "DE",
        "city": "Berlin",
        "website": "https://tiergarten-health.example",
        "description": (
            "Private hospital operator with eleven clinics in northern and eastern Germany."
        ),
        "member_since": "2021-06-14",
        "sites": ["berlin"],
        "themes": ["health"],
        "member_email": "member.tiergarten@demo.example",
    },
    {
        "name": "Rhodanie Énergie SAS",
        "kind": "member_company",
        "country": "FR",
        "city": "Lyon",
        "website": "https://rhodanie-energie.example",
        "description": (
            "Independent power producer operating solar parks and small hydro plants in the "
            "Rhône valley."
        ),
        "member_since": "2022-02-01",
        "sites": ["berlin"],
        "themes": ["energy", "climate"],
        "member_email": "member.rhodanie@demo.example",
    },
    {
        "name": "Warta Cargo Systems S.A.",
        "kind": "member_company",
        "country": "PL",
        "city": "Poznań",
        "website": "https://warta-cargo.example",
        "description": (
            "Contract logistics provider with cross-dock hubs between Germany, Poland and the "
            "Baltic states."
        ),
        "member_since": "2022-09-12",
        "sites": ["berlin"],
        "themes": ["logistics"],
        "member_email": "member.warta@demo.example",
    },
    {
        "name": "Alpenkamm Versicherung AG",
        "kind": "member_company",
        "country": "AT",
        "city": "Vienna",
        "website": "https://alpenkamm-versicherung.example",
        "description": (
            "Property and agricultural insurer modelling weather and climate risk for "
            "Central Europe."
        ),
        "member_since": "2021-10-04",
        "sites": ["berlin"],
        "themes": ["climate", "agriculture", "ai"],
        "member_email": "member.alpenkamm@demo.example",
    },
    {
        "name": "Limmat Präzisionstechnik AG",
        "kind": "member_company",
        "country": "CH",
        "city": "Winterthur",
        "website": "https://limmat-praezision.example",
        "description": (
            "Supplier of precision-welded assemblies for rail vehicles and machine tools."
        ),
        "member_since": "2023-01-16",
        "sites": ["berlin", "erlangen-nuernberg"],
        "themes": ["manufacturing"],
        "member_email": "member.limmat@demo.example",
    },
    {
        "name": "Copperline Compute Inc.",
        "kind": "member_company",
        "country": "US",
        "city": "Boston",
        "website": "https://copperline-compute.example",
        "description": (
            "Operator of GPU cloud capacity for research and industry, with European data "
            "centres in Frankfurt and Stockholm."
        ),
        "member_since": "2023-05-22",
        "sites": ["berlin", "stockholm"],
        "themes": ["ai", "energy"],
        "member_email": "member.copperline@demo.example",
    },
    {
        "name": "Skärgård Energi AB",
        "kind": "member_company",
        "country": "SE",
        "city": "Västerås",
        "website": "https://skargard-energi.example",
        "description": (
            "Regional utility running district heating networks and a battery storage business."
        ),
        "member_since": "2021-04-19",
        "sites": ["stockholm"],
        "themes": ["energy", "green-hydrogen", "climate"],
        "member_email": "member.skargard@demo.example",
    },
    {
        "name": "Mälardalen Freight AB",
        "kind": "member_company",
        "country": "SE",
        "city": "Södertälje",
        "website": "https://malardalen-freight.example",
        "description": "Road and rail freight operator serving the Stockholm-Mälaren region.",
        "member_since": "2022-03-07",
        "sites": ["stockholm"],
        "themes": ["logistics", "mobility"],
        "member_email": "member.malardalen@demo.example",
    },
    {
        "name": "Fjordvik Maritime AS",
        "kind": "member_company",
        "country": "NO",
        "city": "Bergen",
        "website": "https://fjordvik-maritime.example",
        "description": (
            "Ferry and short-sea shipping company electrifying its fleet along the Norwegian coast."
        ),
        "member_since": "2022-11-28",
        "sites": ["stockholm"],
        "themes": ["logistics", "energy", "climate"],
        "member_email": "member.fjordvik@demo.example",
    },
    {
        "name": "Øresund Health Partners A/S",
        "kind": "member_company",
        "country": "DK",
        "city": "Copenhagen",
        "website": "https://oresund-health.example",
        "description": (
            "Provider of home-care and telemedicine services for municipalities in Denmark and "
            "southern Sweden."
        ),
        "member_since": "2023-03-13",
        "sites": ["stockholm"],
        "themes": ["health"],
        "member_email": "member.oresund@demo.example",
    },
    {
        "name": "Vestkyst Vind A/S",
        "kind": "member_company",
        "country": "DK",
        "city": "Esbjerg",
        "website": "https://vestkyst-vind.example",
        "description": (
            "Offshore wind operator investing in power-to-hydrogen projects around the North Sea."
        ),
        "member_since": "2023-08-21",
        "sites": ["stockholm"],
        "themes": ["energy", "green-hydrogen"],
        "member_email": "member.vestkyst@demo.example",
    },
    {
        "name": "Pegnitz Medizintechnik GmbH",
        "kind": "member_company",
        "country": "DE",
        "city": "Erlangen",
        "website": "https://pegnitz-medtech.example",
        "description": "Manufacturer of MRI coils and imaging workstations for hospitals.",
        "member_since": "2020-07-01",
        "sites": ["erlangen-nuernberg"],
        "themes": ["health", "ai"],
        "member_email": "member.pegnitz@demo.example",
    },
    {
        "name": "Frankenwerk Automotive GmbH",
        "kind": "member_company",
        "country": "DE",
        "city": "Nürnberg",
        "website": "https://frankenwerk-automotive.example",
        "description": ("Tier-1 supplier of electric drive components and battery housings."),
        "member_since": "2020-10-12",
        "sites": ["erlangen-nuernberg"],
        "themes": ["mobility", "manufacturing"],
        "member_email": "member.frankenwerk@demo.example",
    },
    {
        "name": "Kaiserburg Klinikverbund gGmbH",
        "kind": "member_company",
        "country": "DE",
        "city": "Nürnberg",
        "website": "https://kaiserburg-kliniken.example",
        "description": (
            "Non-profit hospital group with four acute-care hospitals in Middle Franconia."
        ),
        "member_since": "2021-09-20",
        "sites": ["erlangen-nuernberg"],
        "themes": ["health"],
        "member_email": "member.kaiserburg@demo.example",
    },
    {
        "name": "Donau Antriebstechnik GmbH",
        "kind": "member_company",
        "country": "AT",
        "city": "Linz",
        "website": "https://donau-antrieb.example",
        "description": (
            "Maker of industrial gearboxes and drive trains, also running its own foundry."
        ),
        "member_since": "2022-05-30",
        "sites": ["erlangen-nuernberg"],
        "themes": ["manufacturing", "energy"],
        "member_email": "member.donau@demo.example",
    },
    {
        "name": "Emsvolt Wasserstoff GmbH",
        "kind": "member_company",
        "country": "DE",
        "city": "Lingen (Ems)",
        "website": "https://emsvolt.example",
        "description": (
            "Energy company producing green hydrogen with wind-powered electrolysers in "
            "Emsland. Lead developer of the emission-free AI data centre."
        ),
        "member_since": "2025-01-20",
        "sites": ["lingen"],
        "themes": ["green-hydrogen", "energy", "climate"],
        "member_email": "member.emsvolt@demo.example",
    },
    {
        "name": "Dollart Rechenzentrumsbau GmbH",
        "kind": "member_company",
        "country": "DE",
        "city": "Leer",
        "website": "https://dollart-rz.example",
        "description": ("Engineering firm planning and building energy-efficient data centres."),
        "member_since": "2025-02-10",
        "sites": ["lingen"],
        "themes": ["energy", "ai"],
        "member_email": "member.dollart@demo.example",
    },
    {
        "name": "Hunze Waterstof B.V.",
        "kind": "member_company",
        "country": "NL",
        "city": "Groningen",
        "website": "https://hunze-waterstof.example",
        "description": (
            "Hydrogen network operator building pipelines and storage between Groningen and "
            "Emsland."
        ),
        "member_since": "2025-04-01",
        "sites": ["lingen"],
        "themes": ["green-hydrogen", "energy"],
        "member_email": "member.hunze@demo.example",
    },
    # --- Fictional start-ups ---
    {
        "name": "Quellwerk Analytics GmbH",
        "kind": "startup",
        "country": "DE",
        "city": "Berlin",
        "website": "https://quellwerk.example",
        "description": (
            "Start-up building language-model assistants for public administration and SMEs."
        ),
        "member_since": "2022-01-10",
        "sites": ["berlin"],
        "themes": ["ai", "public-sector"],
        "member_email": "member.quellwerk@demo.example",
    },
    {
        "name": "Tensorfeld Labs GmbH",
        "kind": "startup",
        "country": "DE",
        "city": "Berlin",
        "website": "https://tensorfeld.example",
        "description": "Machine-learning start-up specialising in clinical prediction models.",
        "member_since": "2023-02-06",
        "sites": ["berlin"],
        "themes": ["ai", "health"],
        "member_email": "member.tensorfeld@demo.example",
    },
    {
        "name": "Polderdata B.V.",
        "kind": "startup",
        "country": "NL",
        "city": "Rotterdam",
        "website": "https://polderdata.example",
        "description": "Routing and forecasting engine for freight, ports and shared mobility.",
        "member_since": "2023-06-19",
        "sites": ["berlin"],
        "themes": ["logistics", "mobility", "ai"],
        "member_email": "member.polderdata@demo.example",
    },
    {
        "name": "Cascina Digitale S.r.l.",
        "kind": "startup",
        "country": "IT",
        "city": "Bologna",
        "website": "https://cascina-digitale.example",
        "description": "Drone and satellite imagery analytics for vineyards and orchards.",
        "member_since": "2023-09-04",
        "sites": ["berlin"],
        "themes": ["agriculture", "ai"],
        "member_email": "member.cascina@demo.example",
    },
    {
        "name": "Ebro Analítica S.L.",
        "kind": "startup",
        "country": "ES",
        "city": "Zaragoza",
        "website": "https://ebro-analitica.example",
        "description": "Climate-risk and irrigation models for farms and rural lenders.",
        "member_since": "2024-01-15",
        "sites": ["berlin"],
        "themes": ["agriculture", "climate"],
        "member_email": "member.ebro@demo.example",
    },
    {
        "name": "Virumaa Data OÜ",
        "kind": "startup",
        "country": "EE",
        "city": "Tallinn",
        "website": "https://virumaa-data.example",
        "description": (
            "Start-up offering data-quality and fraud-detection services for e-government "
            "platforms."
        ),
        "member_since": "2023-11-06",
        "sites": ["stockholm", "berlin"],
        "themes": ["public-sector", "ai"],
        "member_email": "member.virumaa@demo.example",
    },
    {
        "name": "Nordlicht Robotics AB",
        "kind": "startup",
        "country": "SE",
        "city": "Stockholm",
        "website": "https://nordlicht-robotics.example",
        "description": "Builds vision-guided collaborative robots and inspection drones.",
        "member_since": "2022-06-13",
        "sites": ["stockholm"],
        "themes": ["manufacturing", "ai", "logistics"],
        "member_email": "member.nordlicht@demo.example",
    },
    {
        "name": "Saimaa Forest Intelligence Oy",
        "kind": "startup",
        "country": "FI",
        "city": "Lappeenranta",
        "website": "https://saimaa-forest.example",
        "description": "Satellite and lidar analytics for forest carbon and harvest planning.",
        "member_since": "2023-04-24",
        "sites": ["stockholm"],
        "themes": ["climate", "agriculture"],
        "member_email": "member.saimaa@demo.example",
    },
    {
        "name": "Pohjola Health Data Oy",
        "kind": "startup",
        "country": "FI",
        "city": "Oulu",
        "website": "https://pohjola-health.example",
        "description": "Secure health-data platform for remote monitoring and clinical research.",
        "member_since": "2024-02-12",
        "sites": ["stockholm"],
        "themes": ["health"],
        "member_email": "member.pohjola@demo.example",
    },
    {
        "name": "Regnitz Sensorik GmbH",
        "kind": "startup",
        "country": "DE",
        "city": "Fürth",
        "website": "https://regnitz-sensorik.example",
        "description": "Retrofit vibration and acoustic sensors with on-device anomaly detection.",
        "member_since": "2022-10-17",
        "sites": ["erlangen-nuernberg"],
        "themes": ["manufacturing", "energy"],
        "member_email": "member.regnitz@demo.example",
    },
    {
        "name": "Klinotext GmbH",
        "kind": "startup",
        "country": "DE",
        "city": "Erlangen",
        "website": "https://klinotext.example",
        "description": "Clinical natural-language processing for German-language medical records.",
        "member_since": "2023-07-03",
        "sites": ["erlangen-nuernberg"],
        "themes": ["health", "ai"],
        "member_email": "member.klinotext@demo.example",
    },
    {
        "name": "Morava Vision s.r.o.",
        "kind": "startup",
        "country": "CZ",
        "city": "Brno",
        "website": "https://morava-vision.example",
        "description": "Few-shot computer vision for quality inspection on production lines.",
        "member_since": "2024-03-18",
        "sites": ["erlangen-nuernberg"],
        "themes": ["manufacturing", "ai"],
        "member_email": "member.morava@demo.example",
    },
    {
        "name": "Moorland AgriTech GmbH",
        "kind": "startup",
        "country": "DE",
        "city": "Meppen",
        "website": "https://moorland-agritech.example",
        "description": "Crop and grassland analytics from cameras mounted on farm machinery.",
        "member_since": "2025-03-04",
        "sites": ["lingen"],
        "themes": ["agriculture", "ai"],
        "member_email": "member.moorland@demo.example",
    },
    {
        "name": "Dinkel Sensor Systems B.V.",
        "kind": "startup",
        "country": "NL",
        "city": "Enschede",
        "website": "https://dinkel-sensors.example",
        "description": (
            "Sensor start-up from Twente monitoring hydrogen installations and machinery."
        ),
        "member_since": "2025-05-12",
        "sites": ["lingen"],
        "themes": ["green-hydrogen", "manufacturing"],
        "member_email": "member.dinkel@demo.example",
    },
    # --- Fictional research institutions ---
    {
        "name": "Institut für Angewandte Lernende Systeme",
        "kind": "research_institution",
        "country": "DE",
        "city": "Berlin",
        "website": "https://ials-berlin.example",
        "description": (
            "Applied research institute for machine learning, trustworthy AI and AI strategy "
            "for industry."
        ),
        "member_since": "2019-12-02",
        "sites": ["berlin"],
        "themes": ["ai", "manufacturing", "public-sector"],
        "member_email": "member.ials@demo.example",
    },
    {
        "name": "Kungsholm Institute for Applied AI",
        "kind": "research_institution",
        "country": "SE",
        "city": "Stockholm",
        "website": "https://kungsholm-ai.example",
        "description": "Research institute for AI in energy systems, health and robotics.",
        "member_since": "2021-02-15",
        "sites": ["stockholm"],
        "themes": ["ai", "energy", "health"],
        "member_email": "member.kungsholm@demo.example",
    },
    {
        "name": "Institut für Medizinische Bildverarbeitung Franken",
        "kind": "research_institution",
        "country": "DE",
        "city": "Erlangen",
        "website": "https://imbf-erlangen.example",
        "description": "Research institute for medical image reconstruction and analysis.",
        "member_since": "2020-06-08",
        "sites": ["erlangen-nuernberg"],
        "themes": ["health", "ai"],
        "member_email": "member.imbf@demo.example",
    },
    {
        "name": "Hochschule für Datentechnik Mittelfranken",
        "kind": "research_institution",
        "country": "DE",
        "city": "Nürnberg",
        "website": "https://hs-datentechnik.example",
        "description": (
            "University of applied sciences with labs for industrial AI, sensor data and "
            "operations research."
        ),
        "member_since": "2021-01-25",
        "sites": ["erlangen-nuernberg"],
        "themes": ["ai", "manufacturing", "energy"],
        "member_email": "member.hdm-franken@demo.example",
    },
    {
        "name": "Institut für Wasserstoffsysteme Nordwest",
        "kind": "research_institution",
        "country": "DE",
        "city": "Oldenburg",
        "website": "https://wasserstoff-nordwest.example",
        "description": "Research institute for electrolysis, hydrogen storage and sector coupling.",
        "member_since": "2025-02-26",
        "sites": ["lingen"],
        "themes": ["green-hydrogen", "energy"],
        "member_email": "member.iwn@demo.example",
    },
    {
        "name": "Institut Méridien de Robotique",
        "kind": "research_institution",
        "country": "FR",
        "city": "Toulouse",
        "website": "https://meridien-robotique.example",
        "description": (
            "Research institute for robot perception, synthetic data and safe autonomy."
        ),
        "member_since": "2022-04-11",
        "sites": ["berlin", "erlangen-nuernberg"],
        "themes": ["ai", "manufacturing", "mobility"],
        "member_email": "member.meridien@demo.example",
    },
    {
        "name": "Delta Institute for Maritime Autonomy",
        "kind": "research_institution",
        "country": "NL",
        "city": "Delft",
        "website": "https://delta-maritime.example",
        "description": "Research institute for autonomous vessels, port operations and routing.",
        "member_since": "2023-10-09",
        "sites": ["stockholm", "berlin"],
        "themes": ["logistics", "mobility", "ai"],
        "member_email": "member.delta@demo.example",
    },
    # --- Fictional partners (non-members) ---
    {
        "name": "Kanalhaus Ventures GmbH",
        "kind": "partner",
        "country": "DE",
        "city": "Berlin",
        "website": "https://kanalhaus-ventures.example",
        "description": "Early-stage investor and venture studio for applied-AI start-ups.",
        "member_since": None,
        "sites": ["berlin", "lingen"],
        "themes": ["ai"],
        "member_email": "member.kanalhaus@demo.example",
    },
    {
        "name": "Lodestar Nordic Accelerator AB",
        "kind": "partner",
        "country": "SE",
        "city": "Stockholm",
        "website": "https://lodestar-nordic.example",
        "description": "Accelerator programme for Nordic health-tech and climate-tech start-ups.",
        "member_since": None,
        "sites": ["stockholm"],
        "themes": ["health", "climate"],
        "member_email": "member.lodestar@demo.example",
    },
    {
        "name": "Frankenland Innovationsagentur e. V.",
        "kind": "partner",
        "country": "DE",
        "city": "Nürnberg",
        "website": "https://frankenland-innovation.example",
        "description": (
            "Regional innovation agency helping SMEs in Franconia adopt digital technologies."
        ),
        "member_since": None,
        "sites": ["erlangen-nuernberg"],
        "themes": ["manufacturing", "ai"],
        "member_email": "member.frankenland@demo.example",
    },
    {
        "name": "Baltic Bridge Tech Transfer OÜ",
        "kind": "partner",
        "country": "EE",
        "city": "Tartu",
        "website": "https://balticbridge.example",
        "description": (
            "Technology-transfer office linking Baltic universities and start-ups with Nordic "
            "industry."
        ),
        "member_since": None,
        "sites": ["stockholm"],
        "themes": ["public-sector", "energy"],
        "member_email": "member.balticbridge@demo.example",
    },
    # --- Fictional public bodies (non-members) ---
    {
        "name": "Agentur für Digitale Verwaltung Berlin-Brandenburg",
        "kind": "public_body",
        "country": "DE",
        "city": "Berlin",
        "website": "https://adv-berlin-brandenburg.example",
        "description": (
            "Public agency modernising citizen services for the administrations of two "
            "federal states."
        ),
        "member_since": None,
        "sites": ["berlin"],
        "themes": ["public-sector"],
        "member_email": "member.adv@demo.example",
    },
    {
        "name": "Mälarregionens Innovationsråd",
        "kind": "public_body",
        "country": "SE",
        "city": "Eskilstuna",
        "website": "https://malarregionen-innovation.example",
        "description": (
            "Regional council coordinating innovation funding and open data for municipalities "
            "around Lake Mälaren."
        ),
        "member_since": None,
        "sites": ["stockholm"],
        "themes": ["public-sector", "climate"],
        "member_email": "member.innovationsradet@demo.example",
    },
    {
        "name": "Regionalagentur Ems-Hase für Innovation",
        "kind": "public_body",
        "country": "DE",
        "city": "Meppen",
        "website": "https://ems-hase-innovation.example",
        "description": (
            "Regional development agency supporting companies settling in Emsland and the "
            "hydrogen economy."
        ),
        "member_since": None,
        "sites": ["lingen"],
        "themes": ["public-sector", "green-hydrogen", "energy"],
        "member_email": "member.emshase@demo.example",
    },
]

# Short aliases keep the project list readable; they are plain strings, not lookups.
_KRONE = "Krone Group"
_CORNEXION = "Cornexion GmbH"
_ITCAMPUS = "IT-Campus Lingen"
_IWN = "Institut für Wasserstoffsysteme Nordwest"
_IALS = "Institut für Angewandte Lernende Systeme"
_IMBF = "Institut für Medizinische Bildverarbeitung Franken"
_HDM = "Hochschule für Datentechnik Mittelfranken"
_ADV = "Agentur für Digitale Verwaltung Berlin-Brandenburg"
_EMSHASE = "Regionalagentur Ems-Hase für Innovation"

PROJECTS = [
    # ------------------------------------------------------------------ Lingen
    {
        "title": "Emission-free AI data centre on green hydrogen",
        "summary": "Design the Lingen flagship: an AI data centre run entirely on green hydrogen.",
        "description": (
            "Fuel cells fed from local electrolysers supply the compute halls, with grid power "
            "only as a green-certified backup. IT-Campus Lingen models load profiles and "
            "waste-heat reuse; Cornexion brings in start-ups for monitoring and cooling."
        ),
        "site": "lingen",
        "lead": "Emsvolt Wasserstoff GmbH",
        "partners": [
            (_ITCAMPUS, "research_partner"),
            (_CORNEXION, "partner"),
            (_KRONE, "pilot_customer"),
            ("Dollart Rechenzentrumsbau GmbH", "partner"),
            (_EMSHASE, "partner"),
        ],
        "kind": "product",
        "themes": ["ai", "green-hydrogen", "energy", "climate"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 210,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Predictive maintenance for forage harvester fleets",
        "summary": "Forecast drive-train failures on forage harvesters from machine telemetry.",
        "description": (
            "Telemetry from harvesters in the field is combined with service records to predict "
            "failures before the harvest window is lost. IT-Campus Lingen develops the models; "
            "Moorland AgriTech integrates the alerts into the contractor app."
        ),
        "site": "lingen",
        "lead": _KRONE,
        "partners": [
            (_ITCAMPUS, "research_partner"),
            ("Moorland AgriTech GmbH", "startup"),
        ],
        "kind": "product",
        "themes": ["ai", "agriculture", "manufacturing"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 300,
            "days_in_stages": [140],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "Field trial on 12 harvesters over the grass season: 81% of drive-train failures "
                "were flagged at least 48 hours ahead, with one false alarm per machine-month. "
                "Two dealers have confirmed they will use the alert workflow."
            ),
        },
    },
    {
        "title": "Baler sensor data platform for contractor fleets",
        "summary": "A shared data platform for baler sensor data across agricultural contractors.",
        "description": (
            "Contractors run mixed fleets and lose data between machines and seasons. The "
            "platform collects bale weight, moisture and machine load in one place and feeds "
            "later AI services such as yield mapping."
        ),
        "site": "lingen",
        "lead": _KRONE,
        "partners": [
            ("Dinkel Sensor Systems B.V.", "startup"),
            (_CORNEXION, "partner"),
        ],
        "kind": "service",
        "themes": ["ai", "agriculture", "logistics"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 180,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "Data-sharing agreement signed with five contractors; a prototype ingests data "
                "from 40 balers and was demonstrated at the partner meeting."
            ),
        },
    },
    {
        "title": "Computer-vision grass yield estimation",
        "summary": "Estimate grassland yield and quality from cameras mounted on mowers.",
        "description": (
            "Images captured while mowing are turned into yield and dry-matter maps per field. "
            "Farmers use the maps to plan fertilisation and silage storage."
        ),
        "site": "lingen",
        "lead": "Moorland AgriTech GmbH",
        "partners": [
            (_KRONE, "pilot_customer"),
            (_ITCAMPUS, "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "agriculture"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 260,
            "days_in_stages": [110],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Electrolyser stack degradation forecasting",
        "summary": "Predict electrolyser stack degradation to plan maintenance and stack swaps.",
        "description": (
            "Voltage, temperature and load histories from PEM electrolysers train a degradation "
            "model. Operators can then shift load away from ageing stacks and order spare stacks "
            "in time."
        ),
        "site": "lingen",
        "lead": "Emsvolt Wasserstoff GmbH",
        "partners": [
            (_IWN, "research_partner"),
            ("Dinkel Sensor Systems B.V.", "startup"),
            ("Hunze Waterstof B.V.", "partner"),
        ],
        "kind": "product",
        "themes": ["ai", "green-hydrogen", "energy"],
        "visibility": "consortium",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 320,
            "days_in_stages": [150],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "Six-month test on two 5 MW stacks: remaining-life forecast within 8% of measured "
                "degradation. The operator team has adopted the weekly load-shift recommendation."
            ),
        },
    },
    {
        "title": "Start-up matchmaking assistant for Emsland SMEs",
        "summary": "An AI assistant that matches regional SMEs with suitable start-ups.",
        "description": (
            "SMEs describe a challenge in plain language; the assistant proposes suitable "
            "start-ups from the network and prepares an introduction. Cornexion curates the "
            "start-up profiles and runs the follow-up meetings."
        ),
        "site": "lingen",
        "lead": _CORNEXION,
        "partners": [
            (_ITCAMPUS, "research_partner"),
            (_EMSHASE, "partner"),
            ("Quellwerk Analytics GmbH", "startup"),
        ],
        "kind": "service",
        "themes": ["ai", "public-sector"],
        "visibility": "network",
        "path": {
            "stage": "market",
            "status": "active",
            "started_days_ago": 330,
            "days_in_stages": [90, 120],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Hydrogen start-up scouting radar",
        "summary": "Track and rank European hydrogen start-ups for settlement in Lingen.",
        "description": (
            "Funding rounds, patents and job postings are mined to find hydrogen start-ups "
            "that fit the Lingen ecosystem. The results feed the site's settlement pipeline."
        ),
        "site": "lingen",
        "lead": _CORNEXION,
        "partners": [
            ("Kanalhaus Ventures GmbH", "partner"),
            ("Hunze Waterstof B.V.", "pilot_customer"),
        ],
        "kind": "service",
        "themes": ["ai", "green-hydrogen"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 150,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "AI curriculum for the Lingen skills academy",
        "summary": "A modular AI training curriculum for employees of regional companies.",
        "description": (
            "Short modules on data literacy, machine learning and AI in agriculture and energy "
            "are taught on campus and online. The first cohort comes from member companies."
        ),
        "site": "lingen",
        "lead": _ITCAMPUS,
        "partners": [
            (_CORNEXION, "partner"),
            (_KRONE, "partner"),
            (_EMSHASE, "partner"),
        ],
        "kind": "strategy",
        "themes": ["ai", "public-sector"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 240,
            "days_in_stages": [120],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Waste-heat reuse model for hydrogen-powered compute",
        "summary": "Model how waste heat from fuel cells and servers can supply nearby consumers.",
        "description": (
            "The study simulates heat flows from fuel cells and compute halls and matches them "
            "with greenhouses and district heating nearby. It informs the siting of the planned "
            "data centre."
        ),
        "site": "lingen",
        "lead": _ITCAMPUS,
        "partners": [
            ("Dollart Rechenzentrumsbau GmbH", "partner"),
            (_IWN, "research_partner"),
        ],
        "kind": "strategy",
        "themes": ["energy", "climate", "green-hydrogen"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 140,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Green hydrogen demand forecasting for the Ems corridor",
        "summary": "Forecast industrial hydrogen demand along the Ems corridor up to 2035.",
        "description": (
            "Demand scenarios combine company surveys, heat-demand data and fuel-switch "
            "announcements. The forecast is meant to size pipelines and storage between "
            "Groningen and Lingen."
        ),
        "site": "lingen",
        "lead": "Hunze Waterstof B.V.",
        "partners": [
            ("Emsvolt Wasserstoff GmbH", "partner"),
            ("Vestkyst Vind A/S", "partner"),
            (_IWN, "research_partner"),
        ],
        "kind": "strategy",
        "themes": ["green-hydrogen", "energy"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "on_hold",
            "started_days_ago": 200,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Autonomous yard logistics for a machinery plant",
        "summary": "Autonomous tugs moving machine components between halls of a plant.",
        "description": (
            "Vision-guided tugs were to move components between assembly halls and the yard. "
            "The project tested navigation in mixed traffic with forklifts and trucks."
        ),
        "site": "lingen",
        "lead": _KRONE,
        "partners": [
            ("Nordlicht Robotics AB", "startup"),
            (_ITCAMPUS, "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "logistics", "manufacturing"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "stopped",
            "started_days_ago": 310,
            "days_in_stages": [120],
            "stop_reason": (
                "Localisation in the mixed-traffic yard never got below 30 cm accuracy without "
                "UWB infrastructure that the business case could not carry. Lesson: validate "
                "localisation on site before committing to a vehicle platform."
            ),
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Manure nutrient analysis with NIR sensors and ML",
        "summary": "Measure nutrients in liquid manure during spreading with NIR sensors and ML.",
        "description": (
            "An NIR sensor on the spreader was to estimate nitrogen and phosphorus in real time "
            "so that application rates can follow the fertiliser regulations exactly."
        ),
        "site": "lingen",
        "lead": "Moorland AgriTech GmbH",
        "partners": [
            (_ITCAMPUS, "research_partner"),
            (_KRONE, "pilot_customer"),
        ],
        "kind": "product",
        "themes": ["ai", "agriculture", "climate"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "stopped",
            "started_days_ago": 220,
            "days_in_stages": [],
            "stop_reason": (
                "Spectra from the moving spreader were too noisy to reach lab-grade accuracy, "
                "and no model closed the gap. Lesson: run a cheap sensor-feasibility test "
                "before investing in model development."
            ),
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Hydrogen refuelling station anomaly detection",
        "summary": "Detect compressor and dispenser anomalies at hydrogen refuelling stations.",
        "description": (
            "Pressure and temperature signals from the stations are monitored by an anomaly "
            "model that alerts the operator before a station goes offline. The service now runs "
            "at three stations in Emsland."
        ),
        "site": "lingen",
        "lead": "Emsvolt Wasserstoff GmbH",
        "partners": [
            ("Dinkel Sensor Systems B.V.", "startup"),
            (_EMSHASE, "pilot_customer"),
        ],
        "kind": "service",
        "themes": ["ai", "green-hydrogen", "mobility"],
        "visibility": "network",
        "path": {
            "stage": "market",
            "status": "active",
            "started_days_ago": 320,
            "days_in_stages": [100, 120],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Predictive grid balancing for electrolyser operation",
        "summary": "Run electrolysers when wind power is abundant, using price and wind forecasts.",
        "description": (
            "Wind, price and grid-congestion forecasts decide when electrolysers ramp up. The "
            "Danish and Swedish partners bring offshore-wind data and forecasting models."
        ),
        "site": "lingen",
        "lead": "Vestkyst Vind A/S",
        "partners": [
            ("Emsvolt Wasserstoff GmbH", "partner"),
            (_ITCAMPUS, "research_partner"),
            ("Kungsholm Institute for Applied AI", "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "green-hydrogen", "energy"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "on_hold",
            "started_days_ago": 290,
            "days_in_stages": [130],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Digital twin for the data-centre cooling loop",
        "summary": "A digital twin of the cooling loop of the hydrogen-powered data centre.",
        "description": (
            "The twin simulates coolant flows, fuel-cell heat and server load so that operators "
            "can test control strategies before the building exists."
        ),
        "site": "lingen",
        "lead": "Dollart Rechenzentrumsbau GmbH",
        "partners": [
            (_ITCAMPUS, "research_partner"),
            ("Emsvolt Wasserstoff GmbH", "partner"),
        ],
        "kind": "product",
        "themes": ["ai", "energy", "green-hydrogen"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 100,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "The twin reproduces measured temperatures of a comparable reference site within "
                "1.5 K. The problem statement and data access are agreed by all partners."
            ),
        },
    },
    {
        "title": "Acoustic leak detection for hydrogen pipelines",
        "summary": "Find small hydrogen leaks from acoustic signatures along pipelines.",
        "description": (
            "Fibre-optic and acoustic sensors along a test pipeline produce training data for a "
            "leak classifier. The goal is to detect leaks far below the current alarm threshold."
        ),
        "site": "lingen",
        "lead": "Dinkel Sensor Systems B.V.",
        "partners": [
            ("Hunze Waterstof B.V.", "pilot_customer"),
            (_IWN, "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "green-hydrogen"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 120,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Citizen information assistant for regional energy projects",
        "summary": "Answer residents' questions about planned wind, hydrogen and grid projects.",
        "description": (
            "A chat assistant explains planning documents in plain language and routes open "
            "questions to the responsible authority. The pilot covers two municipalities."
        ),
        "site": "lingen",
        "lead": _EMSHASE,
        "partners": [
            ("Quellwerk Analytics GmbH", "startup"),
            (_CORNEXION, "partner"),
        ],
        "kind": "service",
        "themes": ["ai", "public-sector", "energy"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 330,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    # ------------------------------------------------------------------ Berlin
    {
        "title": "Clinical discharge letter summarisation",
        "summary": "Draft discharge letters from the patient record with a language model.",
        "description": (
            "Physicians get a draft letter that cites the underlying record entries, which they "
            "review and sign. The pilot measures writing time and correction rates on two wards."
        ),
        "site": "berlin",
        "lead": "Tiergarten Health Systems SE",
        "partners": [
            ("Tensorfeld Labs GmbH", "startup"),
            (_IALS, "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "health"],
        "visibility": "consortium",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 420,
            "days_in_stages": [180],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "On two internal-medicine wards, writing time per letter fell from 24 to 9 "
                "minutes; 92% of drafts needed only minor edits. The works council and data "
                "protection officer have approved the roll-out."
            ),
        },
    },
    {
        "title": "Predictive maintenance for rolling mills",
        "summary": "Predict roll and bearing failures in a hot rolling mill from vibration data.",
        "description": (
            "Retrofit sensors stream vibration and temperature data to a model that forecasts "
            "failures days ahead. The service is now sold to other steel processors."
        ),
        "site": "berlin",
        "lead": "Havelstahl Industrietechnik GmbH",
        "partners": [
            ("Regnitz Sensorik GmbH", "startup"),
            (_IALS, "research_partner"),
        ],
        "kind": "service",
        "themes": ["ai", "manufacturing"],
        "visibility": "network",
        "path": {
            "stage": "market",
            "status": "active",
            "started_days_ago": 640,
            "days_in_stages": [200, 230],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Demand-responsive shuttle routing for outer districts",
        "summary": "Route on-demand shuttles in low-density districts to cut waiting times.",
        "description": (
            "Requests are pooled and routed in real time, with connections to commuter trains. "
            "The district administration provides stop data and evaluates accessibility."
        ),
        "site": "berlin",
        "lead": "Kiezwerk Mobility AG",
        "partners": [
            ("Polderdata B.V.", "startup"),
            (_ADV, "pilot_customer"),
            (_IALS, "research_partner"),
        ],
        "kind": "service",
        "themes": ["ai", "mobility", "public-sector"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 510,
            "days_in_stages": [190],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Multilingual citizen-service assistant",
        "summary": "Answer citizen questions about administrative services in twelve languages.",
        "description": (
            "The assistant answers from verified service descriptions only and hands over to "
            "staff when unsure. It starts with registration and residence-permit services."
        ),
        "site": "berlin",
        "lead": _ADV,
        "partners": [
            ("Quellwerk Analytics GmbH", "startup"),
            ("Virumaa Data OÜ", "startup"),
            (_IALS, "research_partner"),
        ],
        "kind": "service",
        "themes": ["ai", "public-sector"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 200,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "Prototype answers 87% of 600 test questions correctly with sources; staff from "
                "two citizen offices tested it. Test site booked at the central citizen office."
            ),
        },
    },
    {
        "title": "Hail damage prediction for insurance portfolios",
        "summary": "Predict hail damage per building and field from radar and claims data.",
        "description": (
            "Radar nowcasts and historical claims feed a damage model used for pricing and for "
            "warning policyholders before storms. The model is in use for the Austrian portfolio."
        ),
        "site": "berlin",
        "lead": "Alpenkamm Versicherung AG",
        "partners": [
            ("Ebro Analítica S.L.", "startup"),
            (_IALS, "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "climate", "agriculture"],
        "visibility": "consortium",
        "path": {
            "stage": "market",
            "status": "on_hold",
            "started_days_ago": 700,
            "days_in_stages": [210, 260],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Cross-border freight ETA prediction",
        "summary": "Predict arrival times of cross-border trucks including border and hub delays.",
        "description": (
            "GPS tracks, border waiting times and hub schedules feed an ETA model for shippers. "
            "Dispatchers see updated arrival times and can reschedule dock slots."
        ),
        "site": "berlin",
        "lead": "Warta Cargo Systems S.A.",
        "partners": [
            ("Polderdata B.V.", "startup"),
            ("Mälardalen Freight AB", "partner"),
        ],
        "kind": "product",
        "themes": ["ai", "logistics"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 450,
            "days_in_stages": [200],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Vineyard disease detection from drone imagery",
        "summary": "Detect downy mildew early in vineyards from multispectral drone images.",
        "description": (
            "Weekly drone flights were to spot infection hotspots so that spraying can be "
            "targeted. Labelled images came from Italian and Spanish partner vineyards."
        ),
        "site": "berlin",
        "lead": "Cascina Digitale S.r.l.",
        "partners": [
            ("Ebro Analítica S.L.", "startup"),
            ("Institut Méridien de Robotique", "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "agriculture", "climate"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "stopped",
            "started_days_ago": 380,
            "days_in_stages": [],
            "stop_reason": (
                "After two seasons the labelled imagery covered only three grape varieties, too "
                "few for a model that generalises across vineyards. Lesson: secure a multi-region "
                "data partner before starting a vision project."
            ),
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Grid-aware scheduling of AI training jobs",
        "summary": "Shift AI training jobs to hours with low-carbon, low-price electricity.",
        "description": (
            "A scheduler uses grid-carbon and price forecasts to place flexible training jobs. "
            "The solar partner provides generation forecasts for a direct supply contract."
        ),
        "site": "berlin",
        "lead": "Copperline Compute Inc.",
        "partners": [
            ("Rhodanie Énergie SAS", "partner"),
            (_IALS, "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "energy", "climate"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 160,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "Simulation on three months of job logs shows 23% lower emissions and 11% lower "
                "energy cost with no deadline misses. Prototype demonstrated to both partners."
            ),
        },
    },
    {
        "title": "Solar park output nowcasting",
        "summary": "Nowcast solar park output from sky cameras and satellite images.",
        "description": (
            "Fifteen-minute forecasts reduce balancing costs for the park operator. The service "
            "runs on all parks of the lead partner and is offered to other operators."
        ),
        "site": "berlin",
        "lead": "Rhodanie Énergie SAS",
        "partners": [
            ("Institut Méridien de Robotique", "research_partner"),
            ("Quellwerk Analytics GmbH", "startup"),
        ],
        "kind": "service",
        "themes": ["ai", "energy", "climate"],
        "visibility": "network",
        "path": {
            "stage": "market",
            "status": "active",
            "started_days_ago": 600,
            "days_in_stages": [150, 210],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Welding seam inspection with few-shot vision",
        "summary": "Inspect welding seams with a vision model trained from a few examples.",
        "description": (
            "Small batch sizes make classic vision training impractical; few-shot models learn "
            "new seam types from a handful of images. Tests run on a rail-vehicle line."
        ),
        "site": "berlin",
        "lead": "Limmat Präzisionstechnik AG",
        "partners": [
            ("Morava Vision s.r.o.", "startup"),
            ("Institut Méridien de Robotique", "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "manufacturing"],
        "visibility": "consortium",
        "path": {
            "stage": "test",
            "status": "on_hold",
            "started_days_ago": 480,
            "days_in_stages": [170],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "AI strategy playbook for mid-sized manufacturers",
        "summary": "A practical playbook that helps mid-sized manufacturers plan AI adoption.",
        "description": (
            "The playbook covers use-case selection, data readiness, skills and governance, "
            "with worked examples from member companies. It is offered as a guided workshop."
        ),
        "site": "berlin",
        "lead": _IALS,
        "partners": [
            ("Havelstahl Industrietechnik GmbH", "partner"),
            ("Limmat Präzisionstechnik AG", "partner"),
            ("Kanalhaus Ventures GmbH", "partner"),
        ],
        "kind": "strategy",
        "themes": ["ai", "manufacturing"],
        "visibility": "network",
        "path": {
            "stage": "market",
            "status": "active",
            "started_days_ago": 560,
            "days_in_stages": [120, 180],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Warehouse slotting optimisation",
        "summary": "Re-slot warehouse articles nightly to shorten picking routes.",
        "description": (
            "Order forecasts drive a nightly re-slotting plan that the robots execute during "
            "quiet hours. The pilot warehouse is a cross-dock hub near Poznań."
        ),
        "site": "berlin",
        "lead": "Warta Cargo Systems S.A.",
        "partners": [("Nordlicht Robotics AB", "startup")],
        "kind": "product",
        "themes": ["ai", "logistics"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "on_hold",
            "started_days_ago": 300,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Sepsis early-warning model for emergency departments",
        "summary": "Warn emergency staff of likely sepsis from vital signs and lab values.",
        "description": (
            "A gradient-boosted model scored patients every 15 minutes in a silent prospective "
            "trial at three hospitals. Clinicians reviewed every alert against final diagnoses."
        ),
        "site": "berlin",
        "lead": "Tensorfeld Labs GmbH",
        "partners": [
            ("Tiergarten Health Systems SE", "pilot_customer"),
            ("Kaiserburg Klinikverbund gGmbH", "pilot_customer"),
            (_IMBF, "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "health"],
        "visibility": "consortium",
        "path": {
            "stage": "test",
            "status": "stopped",
            "started_days_ago": 690,
            "days_in_stages": [260],
            "stop_reason": (
                "In the silent trial the model did not outperform the hospitals' existing "
                "early-warning score, so no clinical benefit could be shown. Lesson: benchmark "
                "against the incumbent clinical score from the first sprint."
            ),
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Procurement document classification for public tenders",
        "summary": "Classify and route incoming tender documents in public procurement offices.",
        "description": (
            "A classifier sorts bids and supporting documents and flags missing forms. The "
            "procurement office has not yet provided enough labelled historical tenders."
        ),
        "site": "berlin",
        "lead": "Quellwerk Analytics GmbH",
        "partners": [
            (_ADV, "pilot_customer"),
            ("Virumaa Data OÜ", "startup"),
        ],
        "kind": "product",
        "themes": ["ai", "public-sector"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 600,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Fleet charging planner for shared e-vehicles",
        "summary": "Plan charging stops for shared e-vehicles against occupancy and prices.",
        "description": (
            "The planner was to decide which vehicles to send to which charge points, and when, "
            "to keep the fleet available at minimum cost."
        ),
        "site": "berlin",
        "lead": "Kiezwerk Mobility AG",
        "partners": [
            ("Rhodanie Énergie SAS", "partner"),
            ("Polderdata B.V.", "startup"),
        ],
        "kind": "product",
        "themes": ["ai", "mobility", "energy"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "stopped",
            "started_days_ago": 330,
            "days_in_stages": [],
            "stop_reason": (
                "Charge-point operators would not share real-time occupancy data, leaving the "
                "planner blind to the main constraint. Lesson: sign data-access agreements "
                "before the develop stage starts."
            ),
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Due-diligence assistant for deep-tech start-ups",
        "summary": "Support investors in technical due diligence of AI start-ups.",
        "description": (
            "The assistant reviews pitch decks, papers and code repositories and drafts a "
            "technical risk report for the investment committee."
        ),
        "site": "berlin",
        "lead": "Kanalhaus Ventures GmbH",
        "partners": [
            ("Tensorfeld Labs GmbH", "startup"),
            (_IALS, "research_partner"),
        ],
        "kind": "service",
        "themes": ["ai"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 400,
            "days_in_stages": [150],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "Used on 14 live deals: analysts report 40% less preparation time and the "
                "committee rated report quality 4.2 of 5. Pricing model drafted."
            ),
        },
    },
    {
        "title": "Flood risk scoring for agricultural loans",
        "summary": "Score flood and drought risk of farmland for rural lenders.",
        "description": (
            "Hydrological models and satellite soil moisture produce a risk score per parcel. "
            "Lenders and insurers use it when pricing loans and policies."
        ),
        "site": "berlin",
        "lead": "Alpenkamm Versicherung AG",
        "partners": [
            ("Ebro Analítica S.L.", "startup"),
            ("Saimaa Forest Intelligence Oy", "startup"),
        ],
        "kind": "product",
        "themes": ["ai", "climate", "agriculture"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 90,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Federated learning across hospital imaging archives",
        "summary": "Train imaging models across hospitals without moving patient data.",
        "description": (
            "Models travel to the hospitals' imaging archives instead of the data travelling to "
            "a central server. The first use case is lung nodule detection in CT."
        ),
        "site": "berlin",
        "lead": "Tiergarten Health Systems SE",
        "partners": [
            (_IMBF, "research_partner"),
            ("Pegnitz Medizintechnik GmbH", "partner"),
            ("Pohjola Health Data Oy", "startup"),
        ],
        "kind": "product",
        "themes": ["ai", "health"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "on_hold",
            "started_days_ago": 520,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Synthetic training data for rail crossing safety",
        "summary": "Generate synthetic scenes to train obstacle detection at level crossings.",
        "description": (
            "Rare hazards such as stalled cars or fallen trees are rendered synthetically to "
            "train detectors. Validation uses recordings from real crossings."
        ),
        "site": "berlin",
        "lead": "Kiezwerk Mobility AG",
        "partners": [
            ("Institut Méridien de Robotique", "research_partner"),
            ("Morava Vision s.r.o.", "startup"),
        ],
        "kind": "product",
        "themes": ["ai", "mobility"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 700,
            "days_in_stages": [220],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    # --------------------------------------------------------------- Stockholm
    {
        "title": "Autonomous ferry docking assistance",
        "summary": "Assist ferry captains with automated docking in wind and current.",
        "description": (
            "Lidar, radar and GNSS data guide the ferry into the berth while the captain "
            "supervises. Trials run on an electric ferry route near Bergen."
        ),
        "site": "stockholm",
        "lead": "Fjordvik Maritime AS",
        "partners": [
            ("Delta Institute for Maritime Autonomy", "research_partner"),
            ("Nordlicht Robotics AB", "startup"),
        ],
        "kind": "product",
        "themes": ["ai", "logistics", "mobility"],
        "visibility": "consortium",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 540,
            "days_in_stages": [240],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "412 assisted dockings without incident; docking energy use fell 9%. The "
                "classification society has accepted the safety case for commercial operation."
            ),
        },
    },
    {
        "title": "Forest carbon stock estimation from satellite data",
        "summary": "Estimate forest carbon stocks per stand from satellite and lidar data.",
        "description": (
            "Carbon estimates support forest owners in carbon-credit schemes and utilities in "
            "biomass sourcing. The service covers Finland and central Sweden."
        ),
        "site": "stockholm",
        "lead": "Saimaa Forest Intelligence Oy",
        "partners": [
            ("Kungsholm Institute for Applied AI", "research_partner"),
            ("Skärgård Energi AB", "pilot_customer"),
        ],
        "kind": "service",
        "themes": ["ai", "climate"],
        "visibility": "network",
        "path": {
            "stage": "market",
            "status": "active",
            "started_days_ago": 620,
            "days_in_stages": [180, 200],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Cobot bin-picking for mixed parts",
        "summary": "Let collaborative robots pick unsorted mixed parts from bins.",
        "description": (
            "Vision-guided cobots pick parts of varying shape and surface from bins for "
            "machine loading. The pilot line belongs to a Swiss precision supplier."
        ),
        "site": "stockholm",
        "lead": "Nordlicht Robotics AB",
        "partners": [
            ("Limmat Präzisionstechnik AG", "pilot_customer"),
            ("Kungsholm Institute for Applied AI", "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "manufacturing"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 380,
            "days_in_stages": [160],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Heat pump fault detection for district heating",
        "summary": "Detect faults in large heat pumps of district heating networks early.",
        "description": (
            "Operating data from large heat pumps train a fault model that flags refrigerant "
            "leaks and compressor wear. Alerts go to the utility's control room."
        ),
        "site": "stockholm",
        "lead": "Skärgård Energi AB",
        "partners": [
            ("Kungsholm Institute for Applied AI", "research_partner"),
            ("Baltic Bridge Tech Transfer OÜ", "partner"),
        ],
        "kind": "service",
        "themes": ["ai", "energy"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 130,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "Prototype detected all 7 historical faults in back-testing, five of them more "
                "than a week ahead. A test site at the Västerås plant is booked."
            ),
        },
    },
    {
        "title": "Truck platooning energy model",
        "summary": "Model energy savings of truck platoons on Swedish trunk roads.",
        "description": (
            "The model was to predict savings per route and load, and a road test was to "
            "validate it with three trucks."
        ),
        "site": "stockholm",
        "lead": "Mälardalen Freight AB",
        "partners": [
            ("Delta Institute for Maritime Autonomy", "research_partner"),
            ("Polderdata B.V.", "startup"),
        ],
        "kind": "strategy",
        "themes": ["ai", "logistics", "mobility"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "stopped",
            "started_days_ago": 450,
            "days_in_stages": [],
            "stop_reason": (
                "The public-road test route did not receive a platooning permit within the "
                "funding period. Lesson: clarify regulatory approval paths before committing "
                "to road tests."
            ),
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Remote patient monitoring triage model",
        "summary": "Prioritise alerts from home-monitored patients for telemedicine nurses.",
        "description": (
            "Readings from blood-pressure cuffs, scales and pulse oximeters are scored so that "
            "nurses see the most urgent patients first. The service runs in three municipalities."
        ),
        "site": "stockholm",
        "lead": "Øresund Health Partners A/S",
        "partners": [
            ("Pohjola Health Data Oy", "startup"),
            ("Kungsholm Institute for Applied AI", "research_partner"),
        ],
        "kind": "service",
        "themes": ["ai", "health"],
        "visibility": "consortium",
        "path": {
            "stage": "market",
            "status": "on_hold",
            "started_days_ago": 680,
            "days_in_stages": [220, 260],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Offshore wind turbine blade inspection with drones",
        "summary": "Inspect offshore turbine blades with drones and automated damage detection.",
        "description": (
            "Drones fly standard inspection patterns and a vision model classifies erosion and "
            "cracks. Reports go straight into the maintenance planning system."
        ),
        "site": "stockholm",
        "lead": "Vestkyst Vind A/S",
        "partners": [
            ("Nordlicht Robotics AB", "startup"),
            ("Delta Institute for Maritime Autonomy", "research_partner"),
        ],
        "kind": "service",
        "themes": ["ai", "energy"],
        "visibility": "network",
        "path": {
            "stage": "market",
            "status": "active",
            "started_days_ago": 710,
            "days_in_stages": [200, 240],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Open data quality checker for municipalities",
        "summary": "Check municipal open-data sets for errors and missing metadata automatically.",
        "description": (
            "The checker validates schemas, spots outliers and suggests metadata before "
            "publication. Five municipalities around Lake Mälaren take part."
        ),
        "site": "stockholm",
        "lead": "Mälarregionens Innovationsråd",
        "partners": [
            ("Virumaa Data OÜ", "startup"),
            ("Baltic Bridge Tech Transfer OÜ", "partner"),
        ],
        "kind": "service",
        "themes": ["ai", "public-sector"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 300,
            "days_in_stages": [130],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "In the test, 38% fewer data sets were published with errors and metadata "
                "completeness rose to 96%. Three municipalities want to continue paying for it."
            ),
        },
    },
    {
        "title": "Port congestion forecasting",
        "summary": "Forecast berth and gate congestion in Nordic ports several days ahead.",
        "description": (
            "AIS vessel positions, weather and terminal schedules feed a congestion forecast. "
            "Shipping lines and hauliers use it to adjust arrival times."
        ),
        "site": "stockholm",
        "lead": "Fjordvik Maritime AS",
        "partners": [
            ("Polderdata B.V.", "startup"),
            ("Mälardalen Freight AB", "partner"),
        ],
        "kind": "product",
        "themes": ["ai", "logistics"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 100,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Health-data sandbox for Nordic start-ups",
        "summary": "A secure sandbox where start-ups can train models on synthetic health data.",
        "description": (
            "Start-ups get synthetic patient data and compute in a controlled environment before "
            "negotiating access to real data. The accelerator selects the participating teams."
        ),
        "site": "stockholm",
        "lead": "Lodestar Nordic Accelerator AB",
        "partners": [
            ("Pohjola Health Data Oy", "startup"),
            ("Øresund Health Partners A/S", "partner"),
            ("Kungsholm Institute for Applied AI", "research_partner"),
        ],
        "kind": "strategy",
        "themes": ["ai", "health"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "on_hold",
            "started_days_ago": 400,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Second-life battery grading with ML",
        "summary": "Grade used EV batteries for second-life storage from their charge curves.",
        "description": (
            "A model estimated the remaining capacity of used battery modules from a short "
            "charge test, replacing a full cycle test."
        ),
        "site": "stockholm",
        "lead": "Skärgård Energi AB",
        "partners": [
            ("Regnitz Sensorik GmbH", "startup"),
            ("Kungsholm Institute for Applied AI", "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "energy", "climate"],
        "visibility": "consortium",
        "path": {
            "stage": "test",
            "status": "stopped",
            "started_days_ago": 560,
            "days_in_stages": [200],
            "stop_reason": (
                "Grading was accurate, but buyers of second-life storage insisted on cell-level "
                "certification that an ML grade cannot replace, so there was no market. Lesson: "
                "test willingness to pay before technical validation."
            ),
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Snow-load forecasting for rail infrastructure",
        "summary": "Forecast snow and ice loads on switches and overhead lines.",
        "description": (
            "Weather forecasts and sensor data predict where switch heaters and clearing crews "
            "are needed. Progress has stalled while the rail operator reviews data access."
        ),
        "site": "stockholm",
        "lead": "Kungsholm Institute for Applied AI",
        "partners": [
            ("Mälardalen Freight AB", "pilot_customer"),
            ("Saimaa Forest Intelligence Oy", "startup"),
        ],
        "kind": "product",
        "themes": ["ai", "climate", "mobility"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 560,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Hydrogen fuel demand model for Nordic shipping",
        "summary": "Model green hydrogen and e-fuel demand of Nordic ferry and coastal routes.",
        "description": (
            "Route profiles and fleet renewal plans are combined into a demand model for "
            "bunkering sites. The results guide investment in electrolyser capacity."
        ),
        "site": "stockholm",
        "lead": "Fjordvik Maritime AS",
        "partners": [
            ("Skärgård Energi AB", "partner"),
            ("Vestkyst Vind A/S", "partner"),
            ("Kungsholm Institute for Applied AI", "research_partner"),
        ],
        "kind": "strategy",
        "themes": ["green-hydrogen", "logistics", "climate"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 200,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "Demand model validated against bunkering data of two ports; all partners agreed "
                "the scenarios. Pilot customer for the bunkering study confirmed."
            ),
        },
    },
    {
        "title": "E-invoicing fraud scoring",
        "summary": "Score incoming e-invoices for fraud risk before payment by public bodies.",
        "description": (
            "The model flags unusual suppliers, bank-account changes and duplicate invoices. "
            "It is licensed to municipalities as a service."
        ),
        "site": "stockholm",
        "lead": "Virumaa Data OÜ",
        "partners": [
            ("Mälarregionens Innovationsråd", "pilot_customer"),
            ("Baltic Bridge Tech Transfer OÜ", "partner"),
        ],
        "kind": "service",
        "themes": ["ai", "public-sector"],
        "visibility": "network",
        "path": {
            "stage": "market",
            "status": "stopped",
            "started_days_ago": 500,
            "days_in_stages": [140, 190],
            "stop_reason": (
                "Withdrawn from the market after launch: the new EU e-invoicing rules moved fraud "
                "checks into the tax office's own platform, so customers no longer paid for them."
            ),
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Clinical trial recruitment matching",
        "summary": "Match patients to open clinical trials from their health records.",
        "description": (
            "NLP was to read eligibility criteria and patient records and suggest candidates to "
            "study nurses."
        ),
        "site": "stockholm",
        "lead": "Pohjola Health Data Oy",
        "partners": [
            ("Øresund Health Partners A/S", "pilot_customer"),
            ("Klinotext GmbH", "startup"),
        ],
        "kind": "product",
        "themes": ["ai", "health"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "stopped",
            "started_days_ago": 260,
            "days_in_stages": [],
            "stop_reason": (
                "Hospitals could not approve secondary use of patient records for recruitment "
                "under their existing consent forms. Lesson: involve data-protection officers "
                "and ethics boards before writing the first line of code."
            ),
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Ice-class route optimisation for Baltic feeder vessels",
        "summary": "Optimise winter routes of feeder vessels through Baltic sea ice.",
        "description": (
            "Ice charts and vessel performance data produce fuel-optimal routes that respect "
            "ice-class limits. The feeder operator tests the routes on two vessels."
        ),
        "site": "stockholm",
        "lead": "Delta Institute for Maritime Autonomy",
        "partners": [
            ("Fjordvik Maritime AS", "pilot_customer"),
            ("Baltic Bridge Tech Transfer OÜ", "partner"),
        ],
        "kind": "product",
        "themes": ["ai", "logistics", "climate"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "on_hold",
            "started_days_ago": 470,
            "days_in_stages": [190],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    # ------------------------------------------------------ Erlangen-Nürnberg
    {
        "title": "MRI reconstruction acceleration with deep learning",
        "summary": "Cut MRI scan times with deep-learning reconstruction of undersampled data.",
        "description": (
            "A reconstruction network restores image quality from undersampled scans, cutting "
            "knee and spine protocols by about 40%. It ships with the lead partner's workstations."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Pegnitz Medizintechnik GmbH",
        "partners": [
            (_IMBF, "research_partner"),
            ("Tensorfeld Labs GmbH", "startup"),
        ],
        "kind": "product",
        "themes": ["ai", "health"],
        "visibility": "consortium",
        "path": {
            "stage": "market",
            "status": "active",
            "started_days_ago": 720,
            "days_in_stages": [230, 250],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Radiology report structuring with clinical NLP",
        "summary": "Turn free-text radiology reports into structured findings.",
        "description": (
            "Findings, measurements and recommendations are extracted from German reports and "
            "stored as structured data for follow-up tracking and registries."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Klinotext GmbH",
        "partners": [
            ("Kaiserburg Klinikverbund gGmbH", "pilot_customer"),
            (_IMBF, "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "health"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 410,
            "days_in_stages": [170],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "On 5,000 reports the extraction reached an F1 of 0.93; radiologists confirmed "
                "that follow-up recommendations are no longer missed. Pricing per report agreed."
            ),
        },
    },
    {
        "title": "Predictive quality for e-motor winding lines",
        "summary": "Predict winding defects in e-motor stators before end-of-line testing.",
        "description": (
            "Process data from winding machines predicts insulation defects, so faulty stators "
            "are removed early instead of at the end-of-line test."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Frankenwerk Automotive GmbH",
        "partners": [
            ("Regnitz Sensorik GmbH", "startup"),
            (_HDM, "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "manufacturing", "mobility"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 520,
            "days_in_stages": [210],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Gearbox condition monitoring retrofit kit",
        "summary": "A retrofit kit that monitors industrial gearboxes and predicts wear.",
        "description": (
            "A clip-on sensor and edge model detect gear and bearing wear in existing "
            "gearboxes. The kit is sold with service contracts."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Donau Antriebstechnik GmbH",
        "partners": [
            ("Regnitz Sensorik GmbH", "startup"),
            (_HDM, "research_partner"),
            ("Limmat Präzisionstechnik AG", "pilot_customer"),
        ],
        "kind": "product",
        "themes": ["ai", "manufacturing"],
        "visibility": "network",
        "path": {
            "stage": "market",
            "status": "active",
            "started_days_ago": 690,
            "days_in_stages": [190, 260],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Operating-room scheduling optimisation",
        "summary": "Schedule operating rooms using predicted procedure durations.",
        "description": (
            "Procedure durations are predicted from case data and surgeon history, and an "
            "optimiser builds the weekly OR plan. Overtime and cancellations are the target "
            "metrics."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Kaiserburg Klinikverbund gGmbH",
        "partners": [
            (_HDM, "research_partner"),
            ("Quellwerk Analytics GmbH", "startup"),
        ],
        "kind": "product",
        "themes": ["ai", "health"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 230,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "Duration predictions beat the current estimates by 31% on a year of cases. "
                "The OR management of one hospital agreed to a three-month test."
            ),
        },
    },
    {
        "title": "Visual inspection of battery housings",
        "summary": "Detect sealing and weld defects on battery housings with computer vision.",
        "description": (
            "Cameras at the end of the housing line detect sealing gaps and weld spatter. "
            "Testing paused while the line is rebuilt for a new housing generation."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Frankenwerk Automotive GmbH",
        "partners": [
            ("Morava Vision s.r.o.", "startup"),
            ("Institut Méridien de Robotique", "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "manufacturing", "mobility"],
        "visibility": "consortium",
        "path": {
            "stage": "test",
            "status": "on_hold",
            "started_days_ago": 460,
            "days_in_stages": [200],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Regional AI readiness check for SMEs",
        "summary": "A guided self-assessment of AI readiness for small and mid-sized companies.",
        "description": (
            "SMEs answer a short questionnaire and get a readiness profile with next steps and "
            "matching network partners. It is offered through regional chambers."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Frankenland Innovationsagentur e. V.",
        "partners": [
            (_HDM, "research_partner"),
            (_CORNEXION, "partner"),
        ],
        "kind": "strategy",
        "themes": ["ai", "manufacturing"],
        "visibility": "network",
        "path": {
            "stage": "market",
            "status": "active",
            "started_days_ago": 540,
            "days_in_stages": [100, 160],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Safety certification toolkit for autonomous forklifts",
        "summary": "Tooling to certify learned perception in autonomous forklifts.",
        "description": (
            "The toolkit was to generate test scenarios and evidence for the safety case of "
            "camera-based person detection on forklifts."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Morava Vision s.r.o.",
        "partners": [
            ("Nordlicht Robotics AB", "startup"),
            ("Institut Méridien de Robotique", "research_partner"),
            ("Donau Antriebstechnik GmbH", "pilot_customer"),
        ],
        "kind": "product",
        "themes": ["ai", "manufacturing", "logistics"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "stopped",
            "started_days_ago": 350,
            "days_in_stages": [],
            "stop_reason": (
                "The certification body required deterministic safety functions that the learned "
                "perception stack could not provide. Lesson: agree the certification route for "
                "ML components with the notified body early."
            ),
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Hospital supply demand forecasting",
        "summary": "Forecast consumption of medical supplies per ward to automate reordering.",
        "description": (
            "Daily forecasts per ward and article were to replace manual stock checks and feed "
            "order proposals to the purchasing department."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Kaiserburg Klinikverbund gGmbH",
        "partners": [
            ("Warta Cargo Systems S.A.", "partner"),
            ("Polderdata B.V.", "startup"),
        ],
        "kind": "service",
        "themes": ["ai", "health", "logistics"],
        "visibility": "network",
        "path": {
            "stage": "test",
            "status": "stopped",
            "started_days_ago": 600,
            "days_in_stages": [230],
            "stop_reason": (
                "Forecasts were accurate, but the purchasing system could not ingest daily order "
                "proposals and the integration cost exceeded the expected savings. Lesson: "
                "assess integration effort with hospital IT before the test stage."
            ),
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Compressed-air leak detection in factories",
        "summary": "Locate compressed-air leaks from ultrasonic sensor data.",
        "description": (
            "Ultrasonic sensors on the production floor locate leaks that waste up to a third of "
            "compressed-air energy. Maintenance teams receive a ranked repair list."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Regnitz Sensorik GmbH",
        "partners": [
            ("Frankenwerk Automotive GmbH", "pilot_customer"),
            (_HDM, "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "energy", "manufacturing"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 170,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "Prototype found 23 leaks in one hall, 19 confirmed by the maintenance team, "
                "worth about 60 MWh a year. Test site in the Nürnberg plant booked."
            ),
        },
    },
    {
        "title": "Dermatology image triage for general practices",
        "summary": "Triage skin-lesion photos from general practices for dermatology referral.",
        "description": (
            "GPs upload dermatoscope images and receive an urgency estimate for referral. "
            "The project is on hold until medical-device classification is clarified."
        ),
        "site": "erlangen-nuernberg",
        "lead": _IMBF,
        "partners": [
            ("Pegnitz Medizintechnik GmbH", "partner"),
            ("Pohjola Health Data Oy", "startup"),
        ],
        "kind": "product",
        "themes": ["ai", "health"],
        "visibility": "consortium",
        "path": {
            "stage": "develop",
            "status": "on_hold",
            "started_days_ago": 380,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Post-market surveillance assistant for medical devices",
        "summary": "Screen complaints and literature for medical-device safety signals.",
        "description": (
            "NLP screens complaint tickets and publications for safety signals and drafts "
            "periodic safety reports. Progress has stalled on access to the complaint system."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Pegnitz Medizintechnik GmbH",
        "partners": [("Klinotext GmbH", "startup")],
        "kind": "service",
        "themes": ["ai", "health"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 650,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Foundry energy optimisation",
        "summary": "Optimise melting schedules in a foundry to cut peak power and energy use.",
        "description": (
            "Melting and holding furnaces are scheduled against production orders and "
            "electricity prices. A solar partner supplies price and generation forecasts."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Donau Antriebstechnik GmbH",
        "partners": [
            ("Rhodanie Énergie SAS", "partner"),
            (_HDM, "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "energy", "manufacturing"],
        "visibility": "consortium",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 330,
            "days_in_stages": [140],
            "stop_reason": None,
            "pending_gate": True,
            "evidence": (
                "Eight weeks of live operation: peak load down 18% and energy cost per tonne "
                "down 7% with no missed deliveries. Go-to-market owner named."
            ),
        },
    },
    {
        "title": "Speech documentation for clinical ward rounds",
        "summary": "Turn spoken ward-round notes into structured nursing documentation.",
        "description": (
            "Speech recognition tuned to clinical vocabulary and regional accents drafts the "
            "documentation, which nurses confirm on a tablet."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Klinotext GmbH",
        "partners": [
            ("Kaiserburg Klinikverbund gGmbH", "pilot_customer"),
            (_HDM, "research_partner"),
        ],
        "kind": "product",
        "themes": ["ai", "health"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 75,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Cross-site benchmark of vision models for quality inspection",
        "summary": "Benchmark vision models for quality inspection on shared industrial data.",
        "description": (
            "Member companies contribute anonymised defect images to a shared benchmark. "
            "Start-ups and institutes test their models on the same data under one protocol."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Institut Méridien de Robotique",
        "partners": [
            ("Morava Vision s.r.o.", "startup"),
            ("Limmat Präzisionstechnik AG", "partner"),
            ("Frankenwerk Automotive GmbH", "partner"),
            ("Nordlicht Robotics AB", "startup"),
        ],
        "kind": "strategy",
        "themes": ["ai", "manufacturing"],
        "visibility": "network",
        "path": {
            "stage": "develop",
            "status": "active",
            "started_days_ago": 120,
            "days_in_stages": [],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
    {
        "title": "Rehabilitation progress tracking with wearables",
        "summary": "Track patients' rehabilitation progress at home with wearable sensors.",
        "description": (
            "Wearables record movement after knee and hip surgery and a model flags patients "
            "who fall behind their expected recovery curve."
        ),
        "site": "erlangen-nuernberg",
        "lead": "Pohjola Health Data Oy",
        "partners": [
            ("Kaiserburg Klinikverbund gGmbH", "pilot_customer"),
            (_IMBF, "research_partner"),
        ],
        "kind": "service",
        "themes": ["ai", "health"],
        "visibility": "consortium",
        "path": {
            "stage": "test",
            "status": "active",
            "started_days_ago": 350,
            "days_in_stages": [150],
            "stop_reason": None,
            "pending_gate": False,
            "evidence": None,
        },
    },
]

UPDATES = [
    "Kick-off workshop held with all partners; roles, data owners and a meeting rhythm agreed.",
    "First data extract received and profiled; about 12% of records need cleaning.",
    "Baseline model trained; it beats the current rule-based approach on the holdout set.",
    "Data-protection impact assessment submitted to the partners' data-protection officers.",
    "Prototype demonstrated at the site's partner meeting; feedback collected for the backlog.",
    "Labelling guidelines revised after disagreements between annotators; relabelling started.",
    "Hardware for the test installation delivered and commissioned on site.",
    "Evaluation metrics and acceptance thresholds agreed with the pilot customer.",
    "Model retrained on the extended data set; error rate down by a third since last month.",
    "Integration with the partner's existing system tested end to end in the staging setup.",
    "User interviews with operators done; the alert screen will be simplified.",
    "Partner meeting postponed by two weeks because of the holiday season.",
    "Start-up partner delivered the first API version; documentation is still incomplete.",
    "Research partner submitted a workshop paper on the method with all partners' approval.",
    "Budget for the test phase approved by the steering committee.",
    "Monitoring dashboard live; weekly reports now go to all partners automatically.",
    "Drift detected after a process change at the pilot site; retraining scheduled.",
    "Security review of the cloud setup completed with two minor findings, both fixed.",
    "Go-to-market options discussed: licence, service contract or joint venture.",
    "Lessons from the last test cycle documented and shared with the site manager.",
]

MILESTONES = [
    "Kick-off with all partners",
    "Data-sharing agreement signed",
    "Problem statement agreed",
    "First data delivery",
    "Baseline model evaluated",
    "Prototype demonstrated",
    "Test site ready",
    "Pilot started",
    "Evaluation report delivered",
    "Business case approved",
    "Pricing and licensing agreed",
    "Market launch",
]

DEFAULT_CRITERIA = {
    "develop": [
        "Data-sharing agreement signed",
        "Problem statement agreed by all partners",
        "Prototype demonstrated",
        "Data-protection assessment completed",
    ],
    "test": [
        "Test site booked",
        "Pilot customer confirmed",
        "Evaluation metrics met",
        "Operating costs estimated",
    ],
}

GATE_DECISIONS_REASONS = {
    "go": [
        "All exit criteria are met and every partner has confirmed; the evidence is convincing.",
        "Results exceed the agreed metrics, and the pilot customer is ready for the next stage.",
        "Strong evidence and a clear plan for the next stage; the open risks are manageable.",
    ],
    "conditional_go": [
        "Results are good, but the data-protection assessment must be completed within 30 days.",
        "Advance on condition that the pilot customer confirms the test site in writing.",
        "Go, provided the partners agree a budget for operations before the next gate.",
    ],
    "recycle": [
        "The evaluation covered too few cases; please extend the test and resubmit.",
        "The problem statement is not yet shared by all partners; align and request again.",
        "Metrics are close but below threshold; improve the model and bring new evidence.",
    ],
    "hold": [
        "Paused until the funding for the next phase is confirmed.",
        "On hold while the lead partner reorganises the responsible team.",
        "Waiting for the regulatory opinion before investing further.",
    ],
    "stop": [
        "No partner is willing to carry the product into the market; resources go elsewhere.",
        "The required data cannot be obtained under current legal conditions.",
        "A commercial product now solves the problem at lower cost than our solution.",
    ],
}


if __name__ == "__main__":
    import re
    from collections import Counter
    from datetime import date

    site_slugs = {s["slug"] for s in SITES}
    theme_slugs = {slug for slug, _ in THEMES}
    stages = ("develop", "test", "market")
    org_kinds = {"member_company", "startup", "research_institution", "partner", "public_body"}
    role_for_kind = {
        "startup": {"startup"},
        "research_institution": {"research_partner"},
        "member_company": {"partner", "pilot_customer"},
        "partner": {"partner", "pilot_customer"},
        "public_body": {"partner", "pilot_customer"},
    }

    # Sites and themes
    assert site_slugs == {"berlin", "stockholm", "erlangen-nuernberg", "lingen"}
    assert len(SITES) == 4
    assert [s["slug"] for s in SITES if s["kind"] == "headquarters"] == ["berlin"]
    assert {"ai", "green-hydrogen", "mobility", "agriculture", "manufacturing", "health"} <= (
        theme_slugs
    )
    assert {"energy", "logistics", "public-sector", "climate"} <= theme_slugs
    assert dict(THEMES)["ai"] == "Artificial intelligence"
    assert dict(THEMES)["green-hydrogen"] == "Green hydrogen"
    assert len(theme_slugs) == len(THEMES)
    for s in SITES:
        assert set(s) == {"slug", "name", "city", "country", "kind", "focus", "themes"}
        assert set(s["themes"]) <= theme_slugs, s["slug"]
    assert {s["slug"]: s["country"] for s in SITES}["stockholm"] == "SE"

    # Organizations
    orgs = {o["name"]: o for o in ORGANIZATIONS}
    assert len(orgs) == len(ORGANIZATIONS), "duplicate organization names"
    assert len(ORGANIZATIONS) >= 44
    org_keys = {
        "name", "kind", "country", "city", "website", "description",
        "member_since", "sites", "themes", "member_email",
    }  # fmt: skip
    real = {"Krone Group", "Cornexion GmbH", "IT-Campus Lingen"}
    email_re = re.compile(r"^member\.[a-z0-9]+(-[a-z0-9]+)*@demo\.example$")
    for o in ORGANIZATIONS:
        assert set(o) == org_keys, o["name"]
        assert o["kind"] in org_kinds, o["name"]
        assert re.fullmatch(r"[A-Z]{2}", o["country"]), o["name"]
        assert o["website"].startswith("https://"), o["name"]
        assert o["name"] in real or o["website"].endswith(".example"), o["name"]
        assert o["sites"] and set(o["sites"]) <= site_slugs, o["name"]
        assert o["themes"] and set(o["themes"]) <= theme_slugs, o["name"]
        assert email_re.match(o["member_email"]), o["member_email"]
        if o["member_since"] is not None:
            date.fromisoformat(o["member_since"])
        if o["kind"] in ("partner", "public_body"):
            assert o["member_since"] is None, o["name"]
    emails = [o["member_email"] for o in ORGANIZATIONS]
    assert len(set(emails)) == len(emails), "duplicate member e-mails"
    countries = Counter(o["country"] for o in ORGANIZATIONS)
    assert len(countries) >= 12, countries
    kinds = Counter(o["kind"] for o in ORGANIZATIONS)
    assert kinds["member_company"] >= 10 and kinds["startup"] >= 6, kinds
    assert kinds["research_institution"] >= 5 and kinds["partner"] >= 4, kinds
    assert 2 <= kinds["public_body"] <= 3, kinds
    krone, cornexion, itcampus = (
        orgs["Krone Group"],
        orgs["Cornexion GmbH"],
        orgs["IT-Campus Lingen"],
    )
    assert krone["kind"] == "member_company" and krone["country"] == "DE"
    assert krone["member_since"] == "2024-11-15" and "lingen" in krone["sites"]
    assert krone["member_email"] == "member.krone@demo.example"
    assert cornexion["kind"] == "partner" and cornexion["member_since"] is None
    assert cornexion["member_email"] == "member.cornexion@demo.example"
    assert itcampus["kind"] == "research_institution"
    assert itcampus["member_email"] == "member.itcampus@demo.example"
    lingen_members = [
        o for o in ORGANIZATIONS if "lingen" in o["sites"] and o["member_since"] is not None
    ]
    assert min(lingen_members, key=lambda o: o["member_since"])["name"] == "Krone Group"

    # Projects
    proj_keys = {
        "title", "summary", "description", "site", "lead", "partners",
        "kind", "themes", "visibility", "path",
    }  # fmt: skip
    path_keys = {
        "stage", "status", "started_days_ago", "days_in_stages",
        "stop_reason", "pending_gate", "evidence",
    }  # fmt: skip
    titles = [p["title"] for p in PROJECTS]
    assert len(set(titles)) == len(titles), "duplicate project titles"
    assert len(PROJECTS) >= 66
    combos = Counter()
    pending = Counter()
    visibilities = {slug: Counter() for slug in site_slugs}
    stop_reasons = []
    stalled = []
    for p in PROJECTS:
        t = p["title"]
        assert set(p) == proj_keys, t
        assert p["site"] in site_slugs, t
        assert p["lead"] in orgs, (t, p["lead"])
        assert p["kind"] in ("strategy", "product", "service"), t
        assert p["themes"] and set(p["themes"]) <= theme_slugs, t
        assert p["visibility"] in ("network", "consortium"), t
        partner_names = [name for name, _ in p["partners"]]
        assert len(set(partner_names)) == len(partner_names), t
        assert p["lead"] not in partner_names, t
        for name, role in p["partners"]:
            assert name in orgs, (t, name)
            assert role in role_for_kind[orgs[name]["kind"]], (t, name, role)
        path = p["path"]
        assert set(path) == path_keys, t
        stage, status = path["stage"], path["status"]
        assert stage in stages and status in ("active", "on_hold", "stopped"), t
        assert 60 <= path["started_days_ago"] <= 730, t
        assert len(path["days_in_stages"]) == stages.index(stage), t
        assert all(d > 0 for d in path["days_in_stages"]), t
        assert sum(path["days_in_stages"]) < path["started_days_ago"], t
        if status == "stopped":
            assert path["stop_reason"] and len(path["stop_reason"]) > 40, t
            stop_reasons.append(path["stop_reason"])
        else:
            assert path["stop_reason"] is None, t
        if path["pending_gate"]:
            assert status == "active" and stage != "market", t
            assert path["evidence"], t
            pending[p["site"]] += 1
        else:
            assert path["evidence"] is None, t
        combos[(stage, status)] += 1
        visibilities[p["site"]][p["visibility"]] += 1
        in_stage = path["started_days_ago"] - sum(path["days_in_stages"])
        if status == "active" and stage != "market" and in_stage >= 300:
            stalled.append(t)
    expected = {(s, st) for s in stages for st in ("active", "on_hold", "stopped")}
    assert expected <= set(combos), expected - set(combos)
    assert len(stop_reasons) >= 6 and len(set(stop_reasons)) == len(stop_reasons)
    for slug in site_slugs:
        assert pending[slug] >= 2, (slug, pending)
        assert visibilities[slug]["network"] and visibilities[slug]["consortium"], slug
    consortium = [p for p in PROJECTS if p["visibility"] == "consortium"]
    assert 0.25 <= len(consortium) / len(PROJECTS) <= 0.45, len(consortium)
    assert len(stalled) >= 3, stalled

    def participants(project):
        return {project["lead"], *(name for name, _ in project["partners"])}

    for name in sorted(real):
        led = [p for p in PROJECTS if p["lead"] == name]
        assert any(p["visibility"] == "network" for p in led), name
        assert any(p["visibility"] == "consortium" for p in led), name
        assert any(name not in participants(p) for p in consortium), name
        lingen_partner = [
            p for p in PROJECTS if p["site"] == "lingen" and name in dict(p["partners"])
        ]
        assert len(lingen_partner) >= 2, name

    flagship = next(p for p in PROJECTS if p["title"].startswith("Emission-free AI data centre"))
    assert flagship["site"] == "lingen" and flagship["visibility"] == "network"
    assert flagship["lead"] in ("Krone Group", "Emsvolt Wasserstoff GmbH")
    assert dict(flagship["partners"])["IT-Campus Lingen"] == "research_partner"
    assert dict(flagship["partners"])["Cornexion GmbH"] == "partner"
    assert (flagship["path"]["stage"], flagship["path"]["status"]) == ("develop", "active")

    # Texts
    assert 18 <= len(UPDATES) <= 25 and len(set(UPDATES)) == len(UPDATES)
    assert 10 <= len(MILESTONES) <= 14
    assert set(DEFAULT_CRITERIA) == set(stages[:-1])  # market is the last stage: no exit
    assert all(3 <= len(v) <= 4 for v in DEFAULT_CRITERIA.values())
    assert "Data-sharing agreement signed" in DEFAULT_CRITERIA["develop"]
    assert "Test site booked" in DEFAULT_CRITERIA["test"]
    assert set(SITE_NAMES) == site_slugs and set(THEME_NAMES) == theme_slugs
    assert set(CRITERION_TITLES) == {t for titles in DEFAULT_CRITERIA.values() for t in titles}
    assert set(GATE_DECISIONS_REASONS) == {"go", "conditional_go", "recycle", "hold", "stop"}
    assert all(len(v) == 3 for v in GATE_DECISIONS_REASONS.values())

    print(f"sites: {len(SITES)}, themes: {len(THEMES)}")
    print(f"organizations: {len(ORGANIZATIONS)} from {len(countries)} countries; {dict(kinds)}")
    print(f"projects: {len(PROJECTS)} ({len(consortium)} consortium)")
    print(f"per site: { {s: dict(v) for s, v in sorted(visibilities.items())} }")
    print(f"stage x status: { {f'{a}/{b}': n for (a, b), n in sorted(combos.items())} }")
    print(f"pending gates per site: {dict(sorted(pending.items()))}")
    print(f"stopped: {len(stop_reasons)}, stalled: {len(stalled)}")
    print("all checks passed")
