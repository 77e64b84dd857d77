"""The canonical case: an AP report of late-night airstrikes on Idlib, Syria.

Everything the report says is kept: every source with its relations, the report,
each claim in the source's words with its figures as numbers, and the denials.
The article gives no calendar date ("late Monday night", reported "Tuesday"); the
dates below are those of its publication (Tuesday 31 May 2016) and the night
before, recorded with day precision. The report's headline and address were not
part of the text we hold, so its title describes it and its URL is left empty.

Ahmad Ariha, an activist inside Idlib province, is recorded as a protected source:
where a quote names him, the name is replaced by "[the activist]".

The Observatory's and the LCC's claims reached the report through the Associated
Press, which published it: they are recorded "via" AP. The amateur videos AP
describes and verified are media evidence on the Idlib incident, without a file or
address, since the article gives neither.

Loading is idempotent: records are matched by slug (sources, incidents), by title
and publisher (the report), by statement (claims, denials), by position
(intermediaries) and by description (media).
"""

import datetime

from django.db import transaction

from sources.models import Report, Source

from .models import CasualtyCategory, Claim, ClaimVia, Denial, Figure, Incident, Media

MONDAY = datetime.date(2016, 5, 30)
TUESDAY = datetime.date(2016, 5, 31)

SOURCES = [
    # slug, name, kind, parent slug, protected, based_in, description, aliases
    (
        "associated-press",
        "Associated Press",
        "media",
        None,
        False,
        "United States",
        "News agency. Published the report and verified the amateur videos.",
        ["AP"],
    ),
    (
        "syrian-observatory-for-human-rights",
        "Syrian Observatory for Human Rights",
        "monitor",
        None,
        False,
        "United Kingdom",
        "Britain-based monitor of the Syrian civil war with a network of activists on the "
        "ground in Syria.",
        ["SOHR", "the Observatory"],
    ),
    (
        "local-coordination-committees",
        "Local Coordination Committees",
        "monitor",
        None,
        False,
        "Syria",
        "Activist group that, like the Observatory, monitors the Syrian civil war.",
        ["LCC"],
    ),
    (
        "ahmad-ariha",
        "Ahmad Ariha",
        "individual",
        None,
        True,
        "Idlib province, Syria",
        "Activist based in Idlib province who goes by the name of Ahmad Ariha (a pseudonym).",
        [],
    ),
    (
        "hassan-dughaim",
        "Hassan Dughaim",
        "individual",
        None,
        False,
        "Turkey",
        "Turkey-based activist, originally from Idlib, in contact with residents of the province.",
        [],
    ),
    (
        "government-of-russia",
        "Government of Russia",
        "government",
        None,
        False,
        "Moscow, Russia",
        "Referred to in reports as “Moscow”.",
        ["Moscow"],
    ),
    (
        "russian-defense-ministry",
        "Russian Defense Ministry",
        "government",
        "government-of-russia",
        False,
        "Moscow, Russia",
        "Ministry of Defence of the Russian Federation.",
        ["Russian Ministry of Defence"],
    ),
    (
        "igor-konashenkov",
        "Igor Konashenkov",
        "individual",
        "russian-defense-ministry",
        False,
        "Moscow, Russia",
        "Maj. Gen., spokesman of the Russian Defense Ministry.",
        ["Maj. Gen. Igor Konashenkov"],
    ),
    (
        "russian-aerospace-forces",
        "Russian Aerospace Forces",
        "armed_force",
        "russian-defense-ministry",
        False,
        "Russia",
        "Russia's military aviation (“Russian aircraft”, “Russian aviation”).",
        ["Russian aviation", "Russian aircraft"],
    ),
]

IDLIB = {
    "slug": "idlib-city-airstrikes-2016-05-30",
    "title": "Late-night airstrikes on Idlib city",
    "summary": (
        "A wave of late-night airstrikes, about 10 air raids, struck Idlib city near the "
        "National Hospital, the Al-Jalaa public gardens, two hospitals and a mosque. Tolls "
        "reported by monitors and activists range from at least 23 to 50 killed; the "
        "Syrian Observatory for Human Rights blames Russian aircraft, which Russia denies."
    ),
    "occurred_start": MONDAY,
    "occurred_precision": "day",
    "place_name": "Idlib",
    "region": "Idlib Governorate",
    "country": "SY",
    "latitude": 35.9306,
    "longitude": 36.6339,
    "location_precision": "city",
    "status": "published",
    "assessment": "contested",
    "assessment_rationale": (
        "The strikes are reported by two monitors and two activists and shown in amateur "
        "videos that AP found genuine. Who carried them out is contested: the Observatory "
        "says Russian aircraft, and Russia denies any airstrikes in Idlib province. "
        "Casualty tolls differ by more than two to one."
    ),
}

KFAR_TAKHARIM = {
    "slug": "kfar-takharim-vaccination-centres-2016-05-31",
    "title": "Raids destroy two vaccination centres in Kfar Takharim",
    "summary": (
        "Fresh air raids on Tuesday destroyed two vaccination centres in the village of "
        "Kfar Takharim, Idlib province, according to a local activist."
    ),
    "occurred_start": TUESDAY,
    "occurred_precision": "day",
    "place_name": "Kfar Takharim",
    "region": "Idlib Governorate",
    "country": "SY",
    "latitude": 36.1194,
    "longitude": 36.5169,
    "location_precision": "city",
    "status": "published",
    "assessment": "weak",
    "assessment_rationale": "A single source, an activist quoted by AP; no other account.",
}

REPORT = {
    "title": "Associated Press report on late-night airstrikes on Idlib",
    "published_on": TUESDAY,
    "language": "en",
}

# incident, source, kind, statement, accused, figures [(category, min, max, approx, as said)]
CLAIMS = [
    (
        "idlib",
        "syrian-observatory-for-human-rights",
        "casualties",
        "A wave of late-night airstrikes pummeled the northwestern Syrian city of Idlib, "
        "killing at least 23 people, wounding dozens and trapping several under the rubble "
        "of their homes [...] At least seven children were among those killed, said the "
        "Britain-based Syrian Observatory for Human Rights",
        None,
        [
            ("killed", 23, None, False, "at least 23 people"),
            ("children_killed", 7, None, False, "at least seven children"),
            ("injured", 24, None, True, "dozens"),
            ("trapped", None, None, True, "several"),
        ],
    ),
    (
        "idlib",
        "syrian-observatory-for-human-rights",
        "attribution",
        "claiming that Russian aircraft carried out the strikes",
        "russian-aerospace-forces",
        [],
    ),
    (
        "idlib",
        "syrian-observatory-for-human-rights",
        "damage",
        "about 10 air raids targeted areas near the National Hospital, the Al-Jalaa public "
        "gardens and other neighborhoods in Idlib.",
        None,
        [],
    ),
    (
        "idlib",
        "local-coordination-committees",
        "casualties",
        "It said 50 people were killed and over 200 were wounded",
        None,
        [
            ("killed", 50, 50, False, "50 people"),
            ("injured", 200, None, False, "over 200"),
        ],
    ),
    (
        "idlib",
        "local-coordination-committees",
        "damage",
        "said the airstrikes hit two hospitals and one struck near a mosque.",
        None,
        [],
    ),
    (
        "idlib",
        "ahmad-ariha",
        "casualties",
        "adding that the air raids late Monday killed and wounded some 250 people. He said "
        "some of the casualties were taken to clinics near the Turkish border in the Bab "
        "al-Hawa area.",
        None,
        [("killed_or_injured", 250, 250, True, "some 250 people")],
    ),
    (
        "idlib",
        "ahmad-ariha",
        "other",
        "The Nusra Front has evacuated all its civilian centers, such as religious courts, in "
        "the city of Idlib and nearby villages and towns",
        None,
        [],
    ),
    (
        "idlib",
        "hassan-dughaim",
        "other",
        "“The air raids either aim to pave the way for a ground offensive on Idlib or to make "
        "the resistance kneel,” [...] “Some people are fleeing the city but the bombing is "
        "chasing them. People are even getting bombarded in refugee camps.”",
        None,
        [],
    ),
    (
        "idlib",
        "hassan-dughaim",
        "event",
        "Dughaim, the Observatory and the LCC all reported airstrikes on towns and villages "
        "near Idlib, in the province that carries the same name.",
        None,
        [],
    ),
    (
        "idlib",
        "syrian-observatory-for-human-rights",
        "event",
        "Dughaim, the Observatory and the LCC all reported airstrikes on towns and villages "
        "near Idlib, in the province that carries the same name.",
        None,
        [],
    ),
    (
        "idlib",
        "local-coordination-committees",
        "event",
        "Dughaim, the Observatory and the LCC all reported airstrikes on towns and villages "
        "near Idlib, in the province that carries the same name.",
        None,
        [],
    ),
    (
        "idlib",
        "associated-press",
        "event",
        "Amateur videos showed relief workers using flashlights as they dug through the rubble "
        "in the night. [...] The videos appeared genuine and corresponded to other AP "
        "reporting of the events depicted.",
        None,
        [],
    ),
    (
        "kfar-takharim",
        "ahmad-ariha",
        "damage",
        "[the activist], the Syria-based activist, said fresh air raids on Tuesday destroyed "
        "two vaccination centers in the village of Kfar Takharim.",
        None,
        [],
    ),
]

# Sources whose claims AP relayed (the report's publisher is AP too).
RELAYED_BY_AP = ["syrian-observatory-for-human-rights", "local-coordination-committees"]

VIDEOS = {
    "kind": "video",
    "description": (
        "Amateur videos showed relief workers using flashlights as they dug through the rubble "
        "in the night. When a boy was seen being carried out alive from what appeared to have "
        "been a building, screams of “God is great” could be heard in Arabic. Another video "
        "showed a man being carried into an ambulance."
    ),
    "acquired_from": "Associated Press",
    "verification_status": "verified",
    "verification_note": (
        "The videos appeared genuine and corresponded to other AP reporting of the events depicted."
    ),
    "verified_by": "Associated Press",
    "graphic": True,
}

# source, statement, the (source, kind) of the claims it denies
DENIALS = [
    (
        "russian-defense-ministry",
        "“The Russian aviation hasn’t performed any combat tasks, moreover hasn’t conducted "
        "any airstrikes in the province of Idlib,” Russian Defense Ministry spokesman Maj. "
        "Gen. Igor Konashenkov said in a statement Tuesday.",
        [("syrian-observatory-for-human-rights", "attribution")],
    ),
    (
        "government-of-russia",
        "Moscow, however, insisted it was not involved in the strikes on Idlib [...] Moscow "
        "has staunchly denied that its warplanes have hit any civilian areas in Syria.",
        [("syrian-observatory-for-human-rights", "attribution")],
    ),
]


@transaction.atomic
def load_seed():
    """Create or update the canonical case; return the Idlib incident."""
    sources = {}
    for slug, name, kind, parent, protected, based_in, description, aliases in SOURCES:
        sources[slug], _ = Source.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "parent": sources.get(parent),
                "protected": protected,
                "based_in": based_in,
                "description": description,
                "aliases": aliases,
            },
        )
    report, _ = Report.objects.update_or_create(
        title=REPORT["title"],
        publisher=sources["associated-press"],
        defaults={k: v for k, v in REPORT.items() if k != "title"},
    )
    incidents = {}
    for key, data in (("idlib", IDLIB), ("kfar-takharim", KFAR_TAKHARIM)):
        incidents[key], _ = Incident.objects.update_or_create(
            slug=data["slug"], defaults={k: v for k, v in data.items() if k != "slug"}
        )
    incidents["idlib"].related.add(incidents["kfar-takharim"])

    categories = {c.slug: c for c in CasualtyCategory.objects.all()}
    claims = {}
    for key, source, kind, statement, accused, figures in CLAIMS:
        claim, _ = Claim.objects.update_or_create(
            incident=incidents[key],
            source=sources[source],
            statement=statement,
            defaults={
                "kind": kind,
                "report": report,
                "claimed_on": TUESDAY,
                "attributed_to": sources.get(accused),
            },
        )
        claims[(source, kind)] = claim
        for category, low, high, approximate, as_said in figures:
            Figure.objects.update_or_create(
                claim=claim,
                category=categories[category],
                defaults={
                    "min_count": low,
                    "max_count": high,
                    "approximate": approximate,
                    "as_said": as_said,
                },
            )
        if source in RELAYED_BY_AP:
            ClaimVia.objects.update_or_create(
                claim=claim, position=1, defaults={"source": sources["associated-press"]}
            )
    Media.objects.update_or_create(
        incident=incidents["idlib"],
        description=VIDEOS["description"],
        defaults={
            **{k: v for k, v in VIDEOS.items() if k != "description"},
            "claim": claims[("associated-press", "event")],
            "report": report,
        },
    )
    for source, statement, targets in DENIALS:
        denial, _ = Denial.objects.update_or_create(
            incident=incidents["idlib"],
            source=sources[source],
            statement=statement,
            defaults={"report": report, "denied_on": TUESDAY},
        )
        denial.denies.set([claims[target] for target in targets])
    return incidents["idlib"]
