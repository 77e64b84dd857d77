"""Synthetic incidents in bulk: a monitor's archive at any size, for the benchmark.

Per incident, on average: about five claims with one to three casualty figures each
(attributions and damage claims carry figures too, as real statements do), half a
denial answering one or two of its claims (often the attribution, by the accused or
its ministry), one or two reports, and now and then related incidents. Around them:
2,000 sources (monitors, NGOs, media, UN bodies, governments with their ministries and
forces, spokesmen and activists, some protected) and dates from 2011 to 2026 across
fifteen countries. About 90% of incidents are published.

Rows go in through PostgreSQL's COPY, with every constraint in force and checked
immediately rather than at commit: a load that finishes is a load the database
accepted. Every trigger fires too (the history records each row), but for the
statement triggers that touch an incident when its parts change: the generator fills
``updated_at`` itself (as it does every timestamp Django fills on save), so they are
skipped during the load. Columns the generator does not know (added by later
migrations) get their model default, so the generator keeps working as the schema grows.

The full-text GIN indexes can stay in place during the load ("keep") or be dropped
and rebuilt after it ("rebuild"). On 2 shared cores, 100,000 incidents (nearly 2 million
rows) loaded at 24,000 to 29,000 rows/s with "keep" (load average 1.3 to 2; see
README "Speed").
"""

import contextlib
import datetime
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pgtrigger
from django.db import connections, models, transaction
from django.utils.text import slugify

from sources.models import Report, Source

from ..models import CasualtyCategory, Claim, Denial, Figure, Incident
from ..search import refresh_search_documents
from . import words

# Bump when the generated data changes, so kept benchmark databases are regenerated.
GENERATOR_VERSION = 1

CHUNK = 5_000  # incidents per COPY round: bounds memory and the size of each transaction
FIRST_DAY = datetime.date(2011, 1, 1)
LAST_DAY = datetime.date(2026, 10, 31)
GENERATED_AT = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


@dataclass
class LoadResult:
    """What a load inserted and how long it took."""

    rows: dict[str, int] = field(default_factory=dict)
    load_seconds: float = 0.0
    index_seconds: float = 0.0
    analyze_seconds: float = 0.0
    index_strategy: str = "keep"

    @property
    def total_rows(self):
        return sum(self.rows.values())

    @property
    def rows_per_second(self):
        return round(self.total_rows / self.load_seconds) if self.load_seconds else None

    def as_dict(self):
        return {
            "rows": self.rows,
            "total_rows": self.total_rows,
            "index_strategy": self.index_strategy,
            "load_seconds": round(self.load_seconds, 2),
            "rows_per_second": self.rows_per_second,
            "index_seconds": round(self.index_seconds, 2),
            "analyze_seconds": round(self.analyze_seconds, 2),
        }


class _Table:
    """COPY into one model's table: the generator's columns, then model defaults for the rest."""

    def __init__(self, model, fields):
        self.db_table = model._meta.db_table
        concrete = model._meta.concrete_fields
        by_name = {f.name: f for f in concrete} | {f.column: f for f in concrete}
        self.columns = [by_name[name].column for name in fields]
        # Columns added by later migrations: their model default on every row (a NOT NULL
        # column without a database default would otherwise refuse the COPY).
        extra = {}
        for f in concrete:
            if f.column in self.columns or f.primary_key:
                continue
            if f.db_default is not models.NOT_PROVIDED:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                extra[f.column] = GENERATED_AT
            elif f.has_default() or not f.null:
                extra[f.column] = f.get_db_prep_save(f.get_default(), connections["default"])
        self.columns += list(extra)
        self.extra_values = tuple(extra.values())

    def copy(self, cursor, rows):
        columns = ", ".join(f'"{c}"' for c in self.columns)
        extra = self.extra_values
        with cursor.copy(f'COPY "{self.db_table}" ({columns}) FROM STDIN') as copy:
            write = copy.write_row
            for row in rows:
                write((*row, *extra) if extra else row)
        return len(rows)


def _tables():
    related = Incident.related.through
    denies = Denial.denies.through
    return {
        "sources": _Table(
            Source,
            [
                "id",
                "name",
                "slug",
                "kind",
                "description",
                "based_in",
                "url",
                "aliases",
                "parent",
                "protected",
                "created_at",
                "updated_at",
            ],
        ),
        "incidents": _Table(
            Incident,
            [
                "id",
                "title",
                "slug",
                "summary",
                "occurred_start",
                "occurred_time",
                "occurred_end",
                "occurred_precision",
                "place_name",
                "region",
                "country",
                "latitude",
                "longitude",
                "location_precision",
                "status",
                "assessment",
                "assessment_rationale",
                "created_at",
                "updated_at",
            ],
        ),
        "reports": _Table(
            Report,
            [
                "id",
                "url",
                "publisher",
                "title",
                "published_on",
                "language",
                "archive_url",
                "content_sha256",
                "created_at",
                "updated_at",
            ],
        ),
        "claims": _Table(
            Claim,
            [
                "id",
                "incident",
                "source",
                "report",
                "kind",
                "statement",
                "claimed_on",
                "attributed_to",
            ],
        ),
        "figures": _Table(
            Figure, ["claim", "category", "min_count", "max_count", "approximate", "as_said"]
        ),
        "denials": _Table(Denial, ["id", "incident", "source", "report", "statement", "denied_on"]),
        "denial_claims": _Table(denies, ["denial_id", "claim_id"]),
        "related_incidents": _Table(related, ["from_incident_id", "to_incident_id"]),
    }


@dataclass
class _Party:
    id: int
    name: str
    family: list  # ids of the party's own organisation: itself, its ministry, its state


class _Writer:
    """Builds rows in memory, deterministic for a given seed."""

    def __init__(self, rng, first_ids, using):
        self.rng = rng
        self.next_id = dict(first_ids)
        self.source_rows = []
        known = set(CasualtyCategory.objects.using(using).values_list("slug", flat=True))
        self.categories = [c for c in words.CATEGORIES if c[0] in known]
        if not self.categories:
            raise RuntimeError("No casualty categories: run the migrations first.")
        self.category_weights = [weight for _slug, weight, _noun in self.categories]
        self.country_weights = [c[3] for c in words.COUNTRIES]
        self.days = (LAST_DAY - FIRST_DAY).days

    def _id(self, table):
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    # Sources ---------------------------------------------------------------------------

    def _source(self, name, kind, *, parent=None, protected=False, based_in="", slug=None):
        sid = self._id("sources")
        created = GENERATED_AT - datetime.timedelta(days=self.rng.randint(30, 4000))
        slug = slug or f"{slugify(name)[:180]}-{sid}"
        aliases = []
        if kind in ("monitor", "ngo", "un_body") and self.rng.random() < 0.3:
            aliases = ["".join(word[0] for word in name.split() if word[0].isupper())]
        self.source_rows.append(
            (
                sid,
                name,
                slug,
                kind,
                f"{kind.replace('_', ' ').capitalize()} reporting on {based_in or 'the region'}.",
                based_in,
                "" if protected else f"https://{slugify(name)[:40]}.example.org/",
                aliases,
                parent,
                protected,
                created,
                created + datetime.timedelta(days=self.rng.randint(0, 20)),
            )
        )
        return sid

    def make_sources(self, total):
        """The parties (governments, ministries, forces, armed groups), then everyone else."""
        rng = self.rng
        self.parties = {code: [] for code, *_ in words.COUNTRIES}
        self.spokesmen = {}  # party id -> spokesman ids
        governments = {}
        for name in words.FOREIGN_GOVERNMENTS:
            governments[name] = self._source(name, "government", slug=slugify(name))
        for code, country, _places, _weight in words.COUNTRIES:
            adjective = words.ADJECTIVES[code]
            government = self._source(
                f"Government of {country}",
                "government",
                based_in=country,
                slug=f"government-{code.lower()}",
            )
            ministry = self._source(
                f"Ministry of Defence of {country}",
                "government",
                parent=government,
                based_in=country,
                slug=f"ministry-of-defence-{code.lower()}",
            )
            for force in ("Air Force", "Army"):
                name = f"{adjective} {force}"
                fid = self._source(
                    name, "armed_force", parent=ministry, based_in=country, slug=slugify(name)
                )
                self.parties[code].append(_Party(fid, name, [fid, ministry, government]))
            self.spokesmen[ministry] = []
        for name, kind, countries, government_name in words.FOREIGN_FORCES:
            parent = governments.get(government_name)
            fid = self._source(name, kind, parent=parent, slug=slugify(name))
            family = [fid] + ([parent] if parent else [])
            for code in countries:
                self.parties[code].append(_Party(fid, name, family))
        # Who speaks for a party when it denies: itself, its ministry or its state.
        self.party_families = {p.id: p.family for ps in self.parties.values() for p in ps}

        remaining = total - len(self.source_rows)
        self.claimants = []
        self.publishers = []
        countries = words.COUNTRIES
        for i in range(max(remaining, 0)):
            code, country, places, _weight = countries[i % len(countries)]
            place = rng.choice(places)[0]
            adjective = words.ADJECTIVES[code]
            roll = rng.random()
            if roll < 0.22:
                name = rng.choice(words.MONITOR_PATTERNS).format(adjective=adjective, place=place)
                self.claimants.append(self._source(name, "monitor", based_in=country))
            elif roll < 0.40:
                name = rng.choice(words.NGO_PATTERNS).format(adjective=adjective, place=place)
                self.claimants.append(self._source(name, "ngo", based_in=country))
            elif roll < 0.58:
                name = rng.choice(words.MEDIA_PATTERNS).format(adjective=adjective, place=place)
                self.publishers.append(self._source(name, "media", based_in=country))
            elif roll < 0.62:
                base = rng.choice(words.UN_BODIES)
                name = f"{base} in {country}"
                self.claimants.append(self._source(name, "un_body", based_in=country))
            elif roll < 0.72:
                # A spokesman speaks for a ministry: the party's own voice in denials.
                ministries = list(self.spokesmen)
                ministry = ministries[i % len(ministries)]
                name = f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"
                sid = self._source(name, "individual", parent=ministry, based_in=country)
                self.spokesmen[ministry].append(sid)
            else:
                # Activists and local witnesses; a quarter are protected (at risk).
                name = f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"
                protected = rng.random() < 0.25
                sid = self._source(name, "individual", protected=protected, based_in=country)
                self.claimants.append(sid)
        if not self.publishers:
            self.publishers.append(self._source("Synthetic Wire Service", "media"))
        if not self.claimants:
            self.claimants.append(self._source("Synthetic Monitor", "monitor"))
        return self.source_rows

    # Incidents -------------------------------------------------------------------------

    def _figure(self, claim_id, slug, noun):
        rng = self.rng
        big = slug in ("injured", "killed_or_injured")
        n = int(rng.paretovariate(1.3) * (6 if big else 3))
        n = min(n, 2000)
        roll = rng.random()
        if roll < 0.35:
            low, high, approx, said = n, n, False, str(n)
        elif roll < 0.55:
            low, high, approx = n, None, False
            said = f"at least {words.NUMBER_WORDS.get(n, n)}"
        elif roll < 0.65:
            low, high, approx, said = n, None, False, f"more than {n}"
        elif roll < 0.78:
            low, high, approx, said = n, n, True, f"some {n}"
        elif roll < 0.88:
            upper = n + rng.randint(1, max(2, n // 2))
            low, high, approx, said = n, upper, False, f"between {n} and {upper}"
        elif roll < 0.95:
            low, high, approx, said = 24, None, True, "dozens"
        elif roll < 0.98:
            low, high, approx, said = 12, 12, True, "a dozen"
        else:
            low, high, approx, said = None, None, True, "several"
        return (claim_id, slug, low, high, approx, said), f"{said.capitalize()} {noun}"

    def _figures(self, claim_id, count):
        picked = []
        while len(picked) < count:
            slug, _weight, noun = self.rng.choices(self.categories, self.category_weights)[0]
            if all(slug != p[0] for p in picked):
                picked.append((slug, noun))
        return [self._figure(claim_id, slug, noun) for slug, noun in picked]

    def incidents(self, count, status_weights):
        """Rows for ``count`` incidents and everything that hangs off them, table by table."""
        rng = self.rng
        out = {name: [] for name in _tables()}
        recent_by_country = {}
        for _ in range(count):
            iid = self._id("incidents")
            code, _country, places, _weight = rng.choices(words.COUNTRIES, self.country_weights)[0]
            place, region, lat, lon = rng.choice(places)
            event, verb = rng.choice(words.EVENTS)
            target = rng.choice(words.TARGETS)
            when = rng.choice(words.TIMES_OF_DAY)

            roll = rng.random()
            start = FIRST_DAY + datetime.timedelta(days=rng.randrange(self.days))
            time_of_day, end = None, None
            if roll < 0.01:
                precision, start = "unknown", None
            elif roll < 0.09:
                precision = "exact"
                time_of_day = datetime.time(rng.randrange(24), rng.randrange(0, 60, 5))
            elif roll < 0.19:
                precision = "approximate"
            else:
                precision = "day"
            if start and rng.random() < 0.05:
                end = start + datetime.timedelta(days=rng.randint(1, 3))

            if rng.random() < 0.85:
                loc_precision = rng.choice(["exact", "neighbourhood", "city", "city", "district"])
                spread = 0.002 if loc_precision == "exact" else 0.05
                latitude = round(lat + rng.uniform(-spread, spread), 5)
                longitude = round(lon + rng.uniform(-spread, spread), 5)
            else:
                loc_precision, latitude, longitude = "", None, None

            status = rng.choices(("published", "draft", "in_review"), status_weights)[0]
            assessment = rng.choice(
                ["", "", "confirmed", "fair", "fair", "weak", "contested", "discounted"]
            )
            rationale = rng.choice(words.ASSESSMENT_RATIONALES) if assessment else ""
            title = f"{event} on {target.removeprefix('the ').removeprefix('a ')} in {place}"
            summary = f"{verb.capitalize()} {target} in {place}, {region}, {when}. " + " ".join(
                rng.sample(words.CIRCUMSTANCES, 2)
            )
            day = start or FIRST_DAY + datetime.timedelta(days=rng.randrange(self.days))
            created = datetime.datetime.combine(
                day + datetime.timedelta(days=rng.randint(0, 10)),
                datetime.time(rng.randrange(24), rng.randrange(60)),
                tzinfo=datetime.UTC,
            )
            updated = created + datetime.timedelta(hours=rng.randint(0, 2000))
            out["incidents"].append(
                (
                    iid,
                    title,
                    f"{slugify(title)[:150]}-{iid}",
                    summary,
                    start,
                    time_of_day,
                    end,
                    precision,
                    place,
                    region,
                    code,
                    latitude,
                    longitude,
                    loc_precision,
                    status,
                    assessment,
                    rationale,
                    created,
                    updated,
                )
            )

            # Reports: where the claims were published.
            report_ids = []
            for _r in range(rng.choice((1, 1, 2, 2, 3))):
                rid = self._id("reports")
                report_ids.append(rid)
                published = day + datetime.timedelta(days=rng.randint(0, 3))
                has_archive = rng.random() < 0.3
                out["reports"].append(
                    (
                        rid,
                        f"https://news.example.org/{code.lower()}/{rid}",
                        rng.choice(self.publishers),
                        f"{event} in {place}: {rng.choice(words.CIRCUMSTANCES)}",
                        published,
                        rng.choice(words.LANGUAGES),
                        f"https://archive.example.org/{rid}" if has_archive else "",
                        f"{rng.getrandbits(256):064x}" if has_archive else "",
                        created,
                        created,
                    )
                )

            # Claims: casualties mostly, attributions to a party operating in the country.
            parties = self.parties[code]
            blamed = rng.choice(parties)
            claims = []
            for _c in range(rng.randint(3, 7)):
                cid = self._id("claims")
                source = rng.choice(self.claimants)
                kind = rng.choices(
                    ("casualties", "attribution", "damage", "event", "other"), (68, 20, 6, 3, 3)
                )[0]
                accused = None
                said = f"{rng.choice(words.REPORTING_VERBS)}"
                if kind == "attribution":
                    party = blamed if rng.random() < 0.8 else rng.choice(parties)
                    accused = party.id
                    lead = f"{party.name} carried out the strike on {target} in {place}"
                elif kind == "damage":
                    lead = f"The attack {verb.split()[-1]} {target} and nearby homes in {place}"
                else:
                    lead = f"{event} hit {target} in {place} {when}"
                sentences = [lead]
                if kind in ("casualties", "attribution", "damage"):
                    for row, sentence in self._figures(cid, rng.choice((1, 2, 2, 2, 3, 3))):
                        out["figures"].append(row)
                        sentences.append(sentence)
                sentences.append(rng.choice(words.CIRCUMSTANCES))
                statement = f"{'. '.join(sentences)}, the source {said}."
                claimed_on = (
                    day + datetime.timedelta(days=rng.randint(0, 4))
                    if precision != "unknown"
                    else None
                )
                report = rng.choice(report_ids) if rng.random() < 0.85 else None
                out["claims"].append(
                    (cid, iid, source, report, kind, statement, claimed_on, accused)
                )
                claims.append((cid, kind, accused))

            # Denials: half an incident's worth, by the accused, its ministry or spokesman.
            for _d in range(rng.choices((0, 1, 2), (55, 40, 5))[0]):
                did = self._id("denials")
                attributions = [c for c in claims if c[1] == "attribution"]
                if attributions:
                    target_claim = rng.choice(attributions)
                    family = self.party_families[target_claim[2]]
                    speaker = rng.choice(family)
                    voices = self.spokesmen.get(speaker)
                    if voices and rng.random() < 0.5:
                        speaker = rng.choice(voices)
                    denied = [target_claim[0]]
                    party_name = next(p.name for p in parties if p.id == target_claim[2])
                else:
                    target_claim = rng.choice(claims)
                    speaker = parties[0].family[-1]  # the state denies the account
                    denied = [target_claim[0]]
                    party_name = "The government"
                others = [c[0] for c in claims if c[0] not in denied]
                if others and rng.random() < 0.4:
                    denied.append(rng.choice(others))
                statement = rng.choice(words.DENIAL_TEMPLATES).format(
                    party=party_name, region=region, place=place
                )
                out["denials"].append(
                    (
                        did,
                        iid,
                        speaker,
                        rng.choice(report_ids),
                        statement,
                        day + datetime.timedelta(days=rng.randint(0, 5)),
                    )
                )
                for claim_id in denied:
                    out["denial_claims"].append((did, claim_id))

            # Related incidents: a strike and its follow-up in the same country.
            recent = recent_by_country.setdefault(code, [])
            if recent and rng.random() < 0.15:
                for other in set(rng.sample(recent, min(len(recent), rng.randint(1, 2)))):
                    out["related_incidents"].append((iid, other))
                    out["related_incidents"].append((other, iid))
            recent.append(iid)
            if len(recent) > 50:
                recent.pop(0)
        return out


# The statement triggers that mark an incident as changed when its parts are inserted.
TOUCH_TRIGGERS = [
    f"incidents.{model}:touch_incident_on_insert"
    for model in ("Claim", "Figure", "Denial", "DenialDenies", "IncidentRelated")
]
# The incidents' search documents are written once per chunk, when its claims and
# denials are in (refresh_search_documents()), rather than first by this trigger.
SEARCH_TRIGGERS = ["incidents.Incident:refresh_search_on_insert"]


@contextlib.contextmanager
def _touch_triggers_skipped(cursor):
    """Leave out, inside the block, the triggers that touch the incidents whose
    claims, figures, denials and links are inserted: the generator fills ``updated_at``
    itself, and the incidents start at version 1 (one linked to an incident of an
    earlier chunk keeps that incident's generated ``updated_at``). The incidents' search
    documents are written by the generator too, once a chunk is in. Every other trigger
    (the history's, the guards') and every constraint stays in force.

    pgtrigger.ignore() cannot reach COPY statements, so its setting is made here.
    """
    registered = pgtrigger.registered(*TOUCH_TRIGGERS, *SEARCH_TRIGGERS)
    names = {trigger.get_pgid(model) for model, trigger in registered}
    cursor.execute(
        "SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + ",".join(sorted(names)) + "}"]
    )
    # Should the block fail, rolling it back undoes the setting too.
    yield
    cursor.execute("SELECT set_config('pgtrigger.ignore', NULL, true)")


def _first_ids(cursor, tables):
    """The next free id of each table with explicit ids, past rows and the sequence alike."""
    first = {}
    for name in ("sources", "incidents", "reports", "claims", "denials"):
        table = tables[name].db_table
        # Nobody else inserts until the load commits: the ids below stay free.
        cursor.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
        cursor.execute(
            f'SELECT greatest((SELECT max(id) FROM "{table}"), '
            f"pg_sequence_last_value(pg_get_serial_sequence('\"{table}\"', 'id')::regclass))"
        )
        first[name] = (cursor.fetchone()[0] or 0) + 1
    return first


def _advance_sequences(cursor, tables):
    for name in ("sources", "incidents", "reports", "claims", "denials"):
        table = tables[name].db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'(SELECT max(id) FROM "{table}"))'
        )


def search_indexes(cursor, tables):
    """The GIN indexes on the loaded tables: (name, definition)."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY(%s) AND indexdef ILIKE '%% USING gin %%' ORDER BY indexname",
        [[t.db_table for t in tables.values()]],
    )
    return cursor.fetchall()


def generate(
    incidents,
    *,
    sources=2000,
    seed=1,
    published_share=0.9,
    index_strategy="keep",
    using="default",
    progress=None,
):
    """Insert ``incidents`` synthetic incidents with their claims, denials, sources, reports.

    ``index_strategy`` is "keep" (load with the full-text indexes in place) or "rebuild"
    (drop them, load, create them again). Returns a LoadResult. Runs in the caller's
    transaction when there is one, else commits every CHUNK incidents.
    """
    if index_strategy not in ("keep", "rebuild"):
        raise ValueError("index_strategy is 'keep' or 'rebuild'")
    rng = random.Random(seed)
    tables = _tables()
    connection = connections[using]
    result = LoadResult(rows=dict.fromkeys(tables, 0), index_strategy=index_strategy)
    rest = (1 - published_share) / 2
    status_weights = (published_share, rest, rest)
    names = ", ".join(f'"{t.db_table}"' for t in tables.values())
    started = time.perf_counter()
    dropped = []
    with connection.cursor() as cursor:
        if index_strategy == "rebuild":
            dropped = search_indexes(cursor, tables)
            for name, _definition in dropped:
                cursor.execute(f'DROP INDEX "{name}"')
        try:
            with transaction.atomic(using=using):
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                writer = _Writer(rng, _first_ids(cursor, tables), using)
                result.rows["sources"] += tables["sources"].copy(
                    cursor, writer.make_sources(sources)
                )
            done = 0
            sizes = [min(CHUNK, incidents - start) for start in range(0, incidents, CHUNK)]
            # Committed chunk by chunk, each chunk's search documents are written over a
            # second connection while the next chunk loads. Inside a caller's
            # transaction, which no other connection can see, they go in with each chunk.
            apart = not connection.in_atomic_block
            # The next chunk's rows are made in a thread while PostgreSQL loads this
            # one (the driver lets go of the interpreter while it waits for the
            # server): the same rows, made in the same order from the same random
            # sequence, as one after the other.
            with (
                ThreadPoolExecutor(max_workers=1) as ahead,
                ThreadPoolExecutor(max_workers=1) as documents,
            ):
                following = sizes and ahead.submit(writer.incidents, sizes[0], status_weights)
                written = []
                try:
                    for k, size in enumerate(sizes):
                        rows = following.result()
                        if k + 1 < len(sizes):
                            following = ahead.submit(writer.incidents, sizes[k + 1], status_weights)
                        ids = [row[0] for row in rows["incidents"]]
                        with transaction.atomic(using=using), _touch_triggers_skipped(cursor):
                            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                            for name in (
                                "incidents",
                                "reports",
                                "claims",
                                "figures",
                                "denials",
                                "denial_claims",
                                "related_incidents",
                            ):
                                result.rows[name] += tables[name].copy(cursor, rows[name])
                            if not apart:
                                refresh_search_documents(ids, using)
                            _advance_sequences(cursor, tables)
                        if k == 0:
                            # Statistics from the first chunk: planned without any, the
                            # search documents' correlated subqueries may scan whole
                            # tables for each incident (a hundred times slower).
                            cursor.execute(f"ANALYZE {names}")
                        if apart:
                            written.append(documents.submit(refresh_search_documents, ids, using))
                        done += size
                        if progress:
                            progress(done, incidents, time.perf_counter() - started)
                finally:
                    if apart:
                        # Its own connection, closed in its own thread.
                        written.append(documents.submit(lambda: connections[using].close()))
                for future in written:
                    future.result()
        finally:
            result.load_seconds = time.perf_counter() - started
            if dropped:
                started = time.perf_counter()
                # Enough memory for the index builds to stay off the disk.
                cursor.execute("SET maintenance_work_mem = '256MB'")
                for _name, definition in dropped:
                    cursor.execute(definition)
                cursor.execute("RESET maintenance_work_mem")
                result.index_seconds = time.perf_counter() - started
        started = time.perf_counter()
        if connection.in_atomic_block:
            cursor.execute(f"ANALYZE {names}")
        else:
            # Outside a transaction VACUUM also sets the visibility map, as on a live server.
            cursor.execute(f"VACUUM (ANALYZE) {names}")
        result.analyze_seconds = time.perf_counter() - started
    return result
