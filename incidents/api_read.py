"""The API's read path: incidents, claims and denials exactly as the contract shows them.

This module alone builds that output, for every format (JSON, CSV, GeoJSON) and for
exported bundles. It reads ``values()`` rows, never model instances: a page of
incidents is the page query, then one query for all their claims with figures,
sources and reports, and one for all their denials, whatever the page size. The
casualty ranges and the dispute status come from incidents.competing, the same
code the HTML pages use. The serializers in incidents.serializers describe this
output for the OpenAPI schema.

What an incident's claims and denials come to (the claims, the denials, the casualty
ranges and the dispute) is kept in the shared cache under the incident's id, version
and ``updated_at``, which every change to the incident or anything under it moves (see
incidents.caching). A page whose incidents are all cached costs only its page query.
"""

import functools
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, router
from django.db.models import OuterRef
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.urls import reverse

from config.cache import code_digest
from config.prepared import PreparedValues, any_of
from sources.api_read import (
    JSONBuildObject,
    captures_annotation,
    captures_column,
    json_array,
    json_list,
    report_columns,
    report_columns_at,
    report_summary_at,
    source_columns,
    source_columns_at,
    source_summary_at,
    source_summary_of,
)
from sources.models import Source

from .competing import (
    Category,
    ClaimFacts,
    DenialFacts,
    FigureFacts,
    Party,
    dispute_from_facts,
    ranges_from_facts,
)
from .models import (
    Claim,
    ClaimVia,
    Correction,
    Denial,
    Figure,
    Incident,
    IncidentIdentifier,
    Media,
    Tombstone,
)

INCIDENT_VALUES = [
    "id",
    "slug",
    "title",
    "summary",
    "status",
    "occurred_start",
    "occurred_end",
    "occurred_time",
    "occurred_precision",
    "place_name",
    "region",
    "country",
    "latitude",
    "longitude",
    "location_precision",
    "assessment",
    "assessment_rationale",
    "created_at",
    "updated_at",
    "version",
    "withdrawn_reason",
    "related_incidents",
    "media_items",
    "identifier_items",
    "public_corrections",
]


def _party_columns(prefix):
    return [*source_columns(prefix), f"{prefix}__parent", f"{prefix}__parent__parent"]


CLAIM_VALUES = [
    "id",
    "incident_id",
    "kind",
    "statement",
    "claimed_on",
    "updated_at",
    "supersedes_id",
    "superseded_by_id",
    *_party_columns("source"),
    *_party_columns("attributed_to"),
    *report_columns("report"),
    captures_column("report"),
    "via_sources",
    "figure_items",
]

DENIAL_VALUES = [
    "id",
    "incident_id",
    "statement",
    "denied_on",
    "updated_at",
    *_party_columns("source"),
    *report_columns("report"),
    captures_column("report"),
    "denies",
]

KIND_LABELS = dict(Claim.Kind.choices)


def incident_rows(queryset, staff):
    """The incidents' own columns as ``values()`` rows, with their related incidents,
    media, other monitors' identifiers and public corrections as array columns of the
    same rows (subqueries, not queries of their own)."""
    return queryset.annotate(**_incident_arrays(staff)).values(*INCIDENT_VALUES)


@functools.cache
def _incident_arrays(staff):
    """incident_rows()'s array columns, compiled to SQL once (see config.prepared): the
    page query itself varies with the filters, these subqueries never do."""
    compiled = {}
    for name, expression in _incident_array_expressions(staff).items():
        query = Incident.objects.annotate(**{name: expression}).values(name).query
        compiler = query.get_compiler(DEFAULT_DB_ALIAS)
        compiler.as_sql()
        _, (sql, params), _ = compiler.select[0]
        compiled[name] = RawSQL(sql, tuple(params), output_field=expression.output_field)
    return compiled


def _incident_array_expressions(staff):
    related = Incident.related.through.objects.filter(from_incident=OuterRef("pk"))
    if not staff:
        related = related.filter(to_incident__status=Incident.Status.PUBLISHED)
    related = related.order_by("to_incident_id").values(
        json=JSONObject(id="to_incident_id", slug="to_incident__slug", title="to_incident__title")
    )
    media = (
        Media.objects.filter(incident=OuterRef("pk"))
        .order_by("id")
        .values(
            json=JSONObject(
                id="id",
                file="file",
                url="url",
                kind="kind",
                sha256="sha256",
                status="verification_status",
                note="verification_note",
                graphic="graphic",
            )
        )
    )
    identifiers = (
        IncidentIdentifier.objects.filter(incident=OuterRef("pk"))
        .order_by("scheme", "value")
        .values(json=JSONObject(scheme="scheme", value="value"))
    )
    corrections = (
        Correction.objects.public()
        .filter(incident=OuterRef("pk"))
        .order_by("created_at", "id")
        .values(json=JSONObject(created_at="created_at", reason="reason", version="version"))
    )
    return {
        "related_incidents": json_array(related),
        "media_items": json_array(media),
        "identifier_items": json_array(identifiers),
        "public_corrections": json_array(corrections),
    }


def _figures():
    """A claim's figures, in the categories' order, as an array column (one row a claim)."""
    figures = (
        Figure.objects.filter(claim=OuterRef("pk"))
        .order_by("category__position", "id")
        .values(
            json=JSONBuildObject(
                category="category_id",
                name="category__name",
                position="category__position",
                min="min_count",
                max="max_count",
                approximate="approximate",
                as_said="as_said",
            )
        )
    )
    return json_list(figures)


def _via_sources():
    """A claim's intermediaries, nearest the source first, as an array column."""
    links = (
        ClaimVia.objects.filter(claim=OuterRef("pk"))
        .order_by("position")
        .values(
            json=JSONBuildObject(
                id="source_id",
                slug="source__slug",
                name="source__name",
                kind="source__kind",
                protected="source__protected",
            )
        )
    )
    return json_list(links)


def _claim_rows(field):
    def build(slot):
        return (
            Claim.objects.not_withdrawn()
            .with_revision_links()
            .filter(any_of(field, slot))
            .annotate(
                **captures_annotation("report"),
                via_sources=_via_sources(),
                figure_items=_figures(),
            )
            .order_by("incident_id", "claimed_on", "id")
            .values(*CLAIM_VALUES)
        )

    return PreparedValues(build)


def _denial_rows(field):
    def build(slot):
        return (
            Denial.objects.current()
            .filter(any_of(field, slot))
            .annotate(**captures_annotation("report"))
            .order_by("incident_id", "denied_on", "id", "denies")
            .values(*DENIAL_VALUES)
        )

    return PreparedValues(build)


# The claims and denials of some incidents, or with some ids: compiled once.
_CLAIMS = {field: _claim_rows(field) for field in ("incident_id", "id")}
_DENIALS = {field: _denial_rows(field) for field in ("incident_id", "id")}


def compile_read_queries(using=DEFAULT_DB_ALIAS):
    """Compile the read path's fixed-shape queries now rather than on first use."""
    for staff in (False, True):
        _incident_arrays(staff)
    for prepared in (*_CLAIMS.values(), *_DENIALS.values()):
        prepared.columns(using)


_HERE = Path(__file__).resolve().parent
# The code that shapes the cached parts, in every cache key.
READ_CODE = code_digest(
    _HERE / "api_read.py", _HERE / "competing.py", _HERE.parent / "sources" / "api_read.py"
)


class Reader:
    """Builds the output for one reader: staff see drafts and protected sources in full.

    Every query of one reader goes to one database (``using``): the page of incidents
    and their claims are read on the same server, so a lagging replica can never pair
    an incident's new version with its old claims in the cache. ``cached=False`` reads
    everything from the database and keeps nothing (an export of the whole archive).
    """

    def __init__(self, staff=False, *, using=None, cached=True):
        self.staff = staff
        self.audience = "staff" if staff else "public"
        self.using = using or router.db_for_read(Incident)
        self.cached = cached
        self._parties = {}
        self._categories = {}
        before, after = reverse("incidents:detail", args=["-"]).rsplit("-", 1)
        self._url = (f"{settings.SITE_URL}{before}", after)
        before, after = reverse("incidents:media_file", args=[0]).rsplit("0", 1)
        self._media_url = (f"{settings.SITE_URL}{before}", after)

    # Incidents

    def incidents(self, rows):
        """Incidents from incident_rows(), each with its claims, denials, ranges and dispute."""
        if not rows:
            return []
        keys = {row["id"]: self._key(row) for row in rows}
        found = cache.get_many(keys.values()) if self._caching() else {}
        parts = {pk: found[key] for pk, key in keys.items() if key in found}
        missing = [pk for pk in keys if pk not in parts]
        if missing:
            computed = self._parts(missing)
            if self._caching():
                cache.set_many(
                    {keys[pk]: computed[pk] for pk in missing}, settings.API_CACHE_SECONDS
                )
            parts.update(computed)
        return [self._incident(row, *parts[row["id"]]) for row in rows]

    def _caching(self):
        return self.cached and settings.API_CACHE_SECONDS > 0

    def _key(self, row):
        # updated_at is the clock time of the incident's last change (to the
        # microsecond), so a key names one committed state: a transaction that reads
        # its own uncommitted change and then rolls back leaves an entry under a key
        # no committed state will have.
        stamp = row["updated_at"].isoformat()
        return f"api:incident:{READ_CODE}:{self.audience}:{row['id']}:{row['version']}:{stamp}"

    def _parts(self, ids):
        """``{id: (claims, denials, casualties, dispute)}`` for these incidents, read and
        worked out: two queries whatever their number."""
        return {
            pk: (claims, denials, {slug: rng.as_dict() for slug, rng in ranges.items()}, dispute)
            for pk, (claims, denials, ranges, dispute) in self.worked_out(ids).items()
        }

    def worked_out(self, ids):
        """``{id: (claims, denials, ranges, dispute)}`` for these incidents: their claims
        and denials as the contract shows them, their casualty ranges (Range, in the
        categories' order) and their dispute (as a dict). Two queries whatever their
        number; the list page's entries read them too."""
        claims, claim_facts = self._claims("incident_id", ids)
        denials, denial_facts = self._denials("incident_id", ids)
        by_claim = {claim["id"]: claim for claim in claims}
        for denial in denials:
            for claim_id in denial["denies"]:
                if claim_id in by_claim:
                    by_claim[claim_id]["denied_by"].append(denial["id"])
        nested = {pk: ([], [], [], []) for pk in ids}
        for claim, facts in zip(claims, claim_facts, strict=True):
            entry = nested[claim["incident"]]
            entry[0].append(claim)
            entry[1].append(facts)
        for denial, facts in zip(denials, denial_facts, strict=True):
            entry = nested[denial["incident"]]
            entry[2].append(denial)
            entry[3].append(facts)
        parts = {}
        for pk, (claims, claim_facts, denials, denial_facts) in nested.items():
            current = [fact for fact in claim_facts if fact.origin["current"]]
            ranges = ranges_from_facts(current)
            dispute = dispute_from_facts(
                current, denial_facts, reveal_protected=self.staff, ranges=ranges
            )
            parts[pk] = (claims, denials, ranges, dispute.as_dict())
        return parts

    def _incident(self, row, claims, denials, casualties, dispute):
        prefix, suffix = self._url
        return {
            "id": row["id"],
            "slug": row["slug"],
            "url": f"{prefix}{row['slug']}{suffix}",
            "title": row["title"],
            "summary": row["summary"],
            "status": row["status"],
            "occurred": {
                "start": row["occurred_start"],
                "end": row["occurred_end"],
                "time": row["occurred_time"],
                "precision": row["occurred_precision"],
            },
            "location": {
                "name": row["place_name"],
                "region": row["region"],
                "country": row["country"] or None,
                "lat": row["latitude"],
                "lon": row["longitude"],
                "precision": row["location_precision"] or None,
            },
            "assessment": {
                "grade": row["assessment"] or None,
                "rationale": row["assessment_rationale"],
            },
            "casualties": casualties,
            "dispute": dispute,
            "claims": claims,
            "denials": denials,
            "related": row["related_incidents"] or [],
            "media": [self._media(item) for item in row["media_items"] or []],
            "identifiers": row["identifier_items"] or [],
            "corrections": [
                {
                    "created_at": datetime.fromisoformat(item["created_at"]),
                    "reason": item["reason"],
                    "version": item["version"],
                }
                for item in row["public_corrections"] or []
            ],
            "withdrawn_reason": (
                row["withdrawn_reason"] if row["status"] == Incident.Status.WITHDRAWN else None
            ),
            "version": row["version"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }

    def _media(self, item):
        if item["file"]:
            # Uploads are served by our own view, which checks who may see them.
            prefix, suffix = self._media_url
            url = f"{prefix}{item['id']}{suffix}"
        else:
            url = item["url"] or None
        return {
            "id": item["id"],
            "url": url,
            "kind": item["kind"],
            "sha256": item["sha256"] or None,
            "verification": {"status": item["status"], "note": item["note"]},
            "graphic": item["graphic"],
        }

    # Claims and denials, nested or flat

    def claims(self, ids):
        """The claims with these ids, in this order (the flat /claims/ collection)."""
        claims, _ = self._claims("id", ids)
        by_id = {claim["id"]: claim for claim in claims}
        answers = (
            Denial.denies.through.objects.using(self.using)
            .filter(claim_id__in=ids, denial__withdrawn_at=None)
            .order_by("denial__denied_on", "denial_id")
            .values_list("claim_id", "denial_id")
        )
        for claim_id, denial_id in answers:
            by_id[claim_id]["denied_by"].append(denial_id)
        return [by_id[pk] for pk in ids if pk in by_id]

    def denials(self, ids):
        """The denials with these ids, in this order (the flat /denials/ collection)."""
        denials, _ = self._denials("id", ids)
        by_id = {denial["id"]: denial for denial in denials}
        return [by_id[pk] for pk in ids if pk in by_id]

    def _claims(self, field, ids):
        prepared = _CLAIMS[field]
        using = self.using
        rows = prepared.tuples(ids, using)
        (
            ID,
            INCIDENT,
            KIND,
            STATEMENT,
            CLAIMED_ON,
            UPDATED_AT,
            SUPERSEDES,
            SUPERSEDED_BY,
            SOURCE,
            ACCUSED,
            REPORT,
            CAPTURES,
            VIA,
            FIGURES,
        ) = _claim_positions(prepared.columns(using))
        staff = self.staff
        party = self._party_at
        categories = self._categories
        claims, facts = [], []
        for row in rows:
            figures, figure_facts = [], []
            claim = {
                "id": row[ID],
                "incident": row[INCIDENT],
                "kind": row[KIND],
                "source": source_summary_at(row, SOURCE, staff),
                "report": report_summary_at(row, REPORT, row[CAPTURES], staff),
                "statement": row[STATEMENT],
                "claimed_on": row[CLAIMED_ON],
                "figures": figures,
                "attributed_to": source_summary_at(row, ACCUSED, staff),
                "via": [source_summary_of(item, staff) for item in row[VIA] or ()],
                "denied_by": [],
                # A source's later claim may revise this one (a toll raised from 23
                # to 30); only current claims count in casualties and dispute.
                "supersedes": row[SUPERSEDES],
                "superseded_by": row[SUPERSEDED_BY],
                "current": row[SUPERSEDED_BY] is None,
                "updated_at": row[UPDATED_AT],
            }
            for item in row[FIGURES] or ():
                slug, low, high = item["category"], item["min"], item["max"]
                figure = {
                    "category": slug,
                    "min": low,
                    "max": high,
                    "as_said": item["as_said"],
                    "approximate": item["approximate"],
                }
                figures.append(figure)
                category = categories.get(slug) or self._category(item)
                figure_facts.append(FigureFacts(slug, category, low, high, figure))
            claims.append(claim)
            facts.append(
                ClaimFacts(
                    row[ID],
                    row[KIND],
                    KIND_LABELS[row[KIND]],
                    party(row, SOURCE),
                    party(row, ACCUSED),
                    figure_facts,
                    claim,
                )
            )
        return claims, facts

    def _denials(self, field, ids):
        prepared = _DENIALS[field]
        using = self.using
        rows = prepared.tuples(ids, using)
        (ID, INCIDENT, STATEMENT, DENIED_ON, UPDATED_AT, SOURCE, REPORT, CAPTURES, DENIES) = (
            _denial_positions(prepared.columns(using))
        )
        staff = self.staff
        denials, facts = [], []
        denial = None
        for row in rows:
            if denial is None or row[ID] != denial["id"]:
                denies = []
                denial = {
                    "id": row[ID],
                    "incident": row[INCIDENT],
                    "source": source_summary_at(row, SOURCE, staff),
                    "report": report_summary_at(row, REPORT, row[CAPTURES], staff),
                    "statement": row[STATEMENT],
                    "denied_on": row[DENIED_ON],
                    "denies": denies,
                    "updated_at": row[UPDATED_AT],
                }
                denials.append(denial)
                facts.append(DenialFacts(self._party_at(row, SOURCE), denies))
            if row[DENIES] is not None:
                denies.append(row[DENIES])
        return denials, facts

    def _party_at(self, row, at):
        """The party whose _party_columns() start at ``row[at]``."""
        pk = row[at]
        if pk is None:
            return None
        party = self._parties.get(pk)
        if party is None:
            name, parent, grandparent = row[at + 2], row[at + 5], row[at + 6]
            family = (pk,)
            if parent is not None:
                family += (parent,)
            if grandparent is not None:
                family += (grandparent,)
            party = self._parties[pk] = Party(
                pk, name, Source.public_name_of(name, row[at + 3], row[at + 4]), family
            )
        return party

    def _category(self, item):
        slug = item["category"]
        category = self._categories.get(slug)
        if category is None:
            category = self._categories[slug] = Category(slug, item["name"], item["position"])
        return category


def _party_columns_at(names, prefix):
    at = source_columns_at(names, prefix)
    if names[at + 5 : at + 7] != (f"{prefix}__parent", f"{prefix}__parent__parent"):
        raise ValueError(f"The columns of {prefix} are not in _party_columns() order.")
    return at


@functools.cache
def _claim_positions(names):
    """Where _claims() finds each value in a row of _CLAIMS (checked once per shape)."""
    return (
        *(
            names.index(name)
            for name in (
                "id",
                "incident_id",
                "kind",
                "statement",
                "claimed_on",
                "updated_at",
                "supersedes_id",
                "superseded_by_id",
            )
        ),
        _party_columns_at(names, "source"),
        _party_columns_at(names, "attributed_to"),
        report_columns_at(names, "report"),
        names.index(captures_column("report")),
        names.index("via_sources"),
        names.index("figure_items"),
    )


@functools.cache
def _denial_positions(names):
    """Where _denials() finds each value in a row of _DENIALS."""
    return (
        *(
            names.index(name)
            for name in ("id", "incident_id", "statement", "denied_on", "updated_at")
        ),
        _party_columns_at(names, "source"),
        report_columns_at(names, "report"),
        names.index(captures_column("report")),
        names.index("denies"),
    )


TOMBSTONE_VALUES = ["id", "object_type", "object_id", "deleted_at", "reason"]


def tombstone(row):
    return {
        "type": row["object_type"],
        "id": row["object_id"],
        "deleted_at": row["deleted_at"],
        "reason": row["reason"],
    }


def tombstone_rows(queryset=None):
    return (queryset if queryset is not None else Tombstone.objects.all()).values(*TOMBSTONE_VALUES)
