"""Whole incidents in and out: the API's incident writes, bundle import and export.

IncidentWriter writes an incident with its claims, figures and denials, for
``POST/PUT/PATCH /api/v1/incidents/`` and for the incidents a bundle import finds
already stored, with the model's own validation (the named constraints' messages,
Denial.check_denies) and nothing half-written: callers run it inside a transaction,
and it raises before anything invalid is saved. A bundle's new incidents are checked
the same way, with the same messages, in memory (NewIncidents), then inserted a
table at a time, so that ``POST /api/v1/import/`` and ``manage.py import_incidents``
take a thousand incidents in seconds.

Sources and reports are found by slug, else URL, else name (a report: URL, else
title), and created when missing. In a bundle, ids are references inside the
bundle (a denial's ``denies`` names claims by the ids the bundle gives them) and
never matched against this database's ids; API writes also accept this database's
ids. Rows are saved only when something differs, so importing the same bundle
twice changes nothing, not even ``updated_at``.
"""

import contextlib
import dataclasses
import functools
import itertools
import operator
from collections import defaultdict

import pgtrigger
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from rest_framework import serializers

from config.validation import (
    constraint_message,
    in_memory_model_errors,
    integrity_error_message,
    model_errors,
)
from sources.models import PROTECTED_NAME, Report, Source
from sources.serializers import unique_slug

from . import workflow
from .api_read import Reader, incident_rows
from .identifiers import import_identifiers
from .models import CasualtyCategory, Claim, ClaimVia, Denial, Figure, Incident
from .search import refresh_search_documents

INCIDENT_PATHS = {
    "slug": ("slug",),
    "title": ("title",),
    "summary": ("summary",),
    "status": ("status",),
    "occurred_start": ("occurred", "start"),
    "occurred_end": ("occurred", "end"),
    "occurred_time": ("occurred", "time"),
    "occurred_precision": ("occurred", "precision"),
    "place_name": ("location", "name"),
    "region": ("location", "region"),
    "country": ("location", "country"),
    "latitude": ("location", "lat"),
    "longitude": ("location", "lon"),
    "location_precision": ("location", "precision"),
    "assessment": ("assessment", "grade"),
    "assessment_rationale": ("assessment", "rationale"),
}
INCIDENT_RENAME = {name: ".".join(path) for name, path in INCIDENT_PATHS.items()}
# Text fields stored as "" when empty, which the API shows (and accepts) as null.
BLANK_AS_NULL = {"country", "location_precision", "assessment", "slug"}

INCIDENT_CONSTRAINT_FIELDS = {
    "incident_end_after_start": "occurred.end",
    "incident_start_known": "occurred.start",
    "incident_time_only_when_exact": "occurred.time",
    "incident_latitude_range": "location.lat",
    "incident_longitude_range": "location.lon",
    "incident_coordinates_paired": "location.lat",
    "incident_country_iso": "location.country",
    "incident_title_not_empty": "title",
}
CLAIM_CONSTRAINT_FIELDS = {
    "claim_accused_iff_attribution": "attributed_to",
    "claim_statement_not_empty": "statement",
}
FIGURE_RENAME = {"min_count": "min", "max_count": "max"}
FIGURE_CONSTRAINT_FIELDS = {
    "figure_min_not_negative": "min",
    "figure_max_not_negative": "max",
    "figure_min_not_above_max": "min",
    "figure_as_said_not_empty": "as_said",
    "figure_one_per_category": "category",
}
DENIAL_CONSTRAINT_FIELDS = {"denial_statement_not_empty": "statement"}
WRITTEN_MODELS = [Incident, Claim, Figure, Denial, Source, Report, ClaimVia]
# What the API shows with an incident but a bundle does not carry: evidence files and
# captured pages stay with the database that holds them, and corrections belong to it.
NOT_IN_BUNDLES = ("media", "corrections")
# The statement triggers that touch the incidents whose parts are inserted.
TOUCH_ON_INSERT = [
    f"incidents.{model}:touch_incident_on_insert"
    for model in ("Claim", "Figure", "Denial", "DenialDenies", "ClaimVia")
]
TOUCH_ON_LINK = [
    f"incidents.IncidentRelated:touch_incident_on_{operation}" for operation in ("insert", "delete")
]
REFRESH_SEARCH_ON_INSERT = "incidents.Incident:refresh_search_on_insert"
REFRESH_SEARCH_ON_UPDATE = "incidents.Incident:refresh_search_on_update"


class BundleError(Exception):
    """A bundle that was not imported, with every error found: where, and what to fix."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def _one_message(errors):
    return " ".join(f"{field}: {message}" for field, message in flatten(errors))


def indexed(errors):
    """Per-item errors as DRF gives them for lists: only the failing items, by index."""
    return {index: error for index, error in enumerate(errors) if error}


def flatten(detail, path=""):
    """DRF's nested errors as (path, message) pairs: ("claims[1].figures[0].min", "...")."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():
                yield from flatten(value, f"{path}[{key}]")
            else:
                yield from flatten(value, f"{path}.{key}" if path else str(key))
    elif isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            for message in detail:
                yield path, str(message)
        else:
            for index, item in enumerate(detail):
                yield from flatten(item, f"{path}[{index}]")
    else:
        yield path, str(detail)


def assign(instance, values):
    """Set field values; True when any differed. Foreign keys compare by id, so that
    unchanged rows cost no query."""
    changed = False
    for name, value in values.items():
        field = instance._meta.get_field(name)
        if field.is_relation:
            current = getattr(instance, field.attname)
            new = value.pk if value is not None else None
        else:
            current = getattr(instance, name)
            new = value
        if current != new or instance.pk is None:
            setattr(instance, name, value)
            changed = changed or current != new
    return changed


class Resolver:
    """Finds the sources, reports and casualty categories a payload names; creates the
    missing sources and reports (never categories, unless a bundle lists them)."""

    def __init__(self, *, match_ids, sources=(), reports=(), categories=()):
        self.match_ids = match_ids
        self.bundle_sources = {source["slug"]: source for source in sources}
        self.bundle_reports = {report["id"]: report for report in reports}
        self.bundle_categories = {category["slug"]: category for category in categories}
        self._sources = {}
        self._reports = {}
        self._categories = None
        self._creating = set()

    def prefetch(self, bundle):
        """Look up, in one query per kind, the sources and reports a bundle names, so
        that resolving them costs no query; what is missing is left to source() and
        report(), which create it.

        A reference is answered here only when the answer cannot depend on the order
        of resolution (on what an earlier reference creates): a source found by its
        slug, or by URL or name when every reference under the same key says the same;
        a report found by URL, or by title and publisher when every reference under the
        same key says the same.
        """
        source_refs, report_refs = _bundle_refs(bundle)
        self._prefetch_sources(source_refs)
        self._prefetch_reports(report_refs)

    def _source_lookup(self, ref):
        """(cache key, slug, url, name) of a source reference, as source() reads it."""
        slug, name = ref.get("slug") or "", ref.get("name") or ""
        if not slug and name == PROTECTED_NAME:
            return None
        key = ("slug", slug) if slug else ("name", name.casefold())
        url = ref.get("url") or self.bundle_sources.get(slug, {}).get("url") or ""
        return key, slug, url, name

    def _prefetch_sources(self, refs):
        lookups = {}
        for ref in refs:
            if self.match_ids and ref.get("id") is not None:
                continue
            lookup = self._source_lookup(ref)
            if lookup is not None:
                lookups.setdefault(lookup[0], set()).add(lookup[1:])
        if not lookups:
            return
        wanted = [next(iter(found)) for found in lookups.values()]
        table = Source._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH r AS (
                    SELECT * FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[])
                        AS r(n, slug, url, name)
                )
                SELECT r.n, by_slug.id, by_url.id, by_name.id
                FROM r
                LEFT JOIN {table} by_slug ON r.slug <> '' AND by_slug.slug = r.slug
                LEFT JOIN (
                    SELECT DISTINCT ON (r.n) r.n, s.id FROM r JOIN {table} s ON s.url = r.url
                    WHERE r.url <> '' ORDER BY r.n, s.id
                ) by_url ON by_url.n = r.n
                LEFT JOIN (
                    SELECT DISTINCT ON (r.n) r.n, s.id
                    FROM r JOIN {table} s ON UPPER(s.name::text) = UPPER(r.name)
                    WHERE r.name <> '' ORDER BY r.n, s.id
                ) by_name ON by_name.n = r.n
                """,
                [
                    list(range(len(wanted))),
                    [slug for slug, _, _ in wanted],
                    [url for _, url, _ in wanted],
                    [name for _, _, name in wanted],
                ],
            )
            rows = cursor.fetchall()
        keys, chosen = list(lookups), {}
        for n, by_slug, by_url, by_name in rows:
            key, (slug, url, _) = keys[n], wanted[n]
            if slug:
                found = by_slug  # else it may be created by this import: left to source()
            elif len(lookups[key]) > 1:
                found = None  # the first reference decides: left to source()
            elif url:
                found = by_url  # else one created by this import may have the URL
            else:
                found = by_name
            if found is not None:
                chosen[key] = found
        sources = Source.objects.in_bulk(set(chosen.values()))
        for key, pk in chosen.items():
            self._sources[key] = sources[pk]

    def _report_lookup(self, ref):
        """(cache key, url, title, publisher filter) of a report reference, as report()
        reads it."""
        full = {} if self.match_ids else self.bundle_reports.get(ref.get("id"), {})
        url = full.get("url") or ref.get("url") or ""
        title = full.get("title") or ref.get("title") or ""
        key = ("url", url) if url else ("title", title, ref.get("publisher"))
        if full:
            publisher = ("slug", full["publisher"])
        elif ref.get("publisher_source") and ref["publisher_source"].get("slug"):
            publisher = ("slug", ref["publisher_source"]["slug"])
        elif ref.get("publisher"):
            publisher = ("name", ref["publisher"])
        else:
            publisher = ("", "")
        return key, url, title, publisher

    def _prefetch_reports(self, refs):
        lookups = {}
        for ref in refs:
            if self.match_ids and ref.get("id") is not None:
                continue
            lookup = self._report_lookup(ref)
            lookups.setdefault(lookup[0], set()).add(lookup[1:])
        if not lookups:
            return
        wanted = [next(iter(found)) for found in lookups.values()]
        reports, sources = Report._meta.db_table, Source._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH r AS (
                    SELECT * FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[], %s::text[])
                        AS r(n, url, title, by, publisher)
                ), by_url AS (
                    SELECT DISTINCT ON (r.n) r.n, p.id FROM r JOIN {reports} p ON p.url = r.url
                    -- p.url too: the condition of the index on URLs (report_url_unique).
                    WHERE r.url <> '' AND p.url <> ''
                    ORDER BY r.n, p.published_on DESC, p.title
                )
                SELECT r.n, by_url.id, by_title.id
                FROM r
                LEFT JOIN by_url ON by_url.n = r.n
                LEFT JOIN (
                    -- By title only where no report has the URL.
                    SELECT DISTINCT ON (r.n) r.n, p.id
                    FROM r
                    JOIN {reports} p ON p.title = r.title
                    JOIN {sources} s ON s.id = p.publisher_id
                    WHERE r.title <> ''
                    AND NOT EXISTS (SELECT 1 FROM by_url WHERE by_url.n = r.n)
                    AND CASE r.by
                        WHEN 'slug' THEN s.slug = r.publisher
                        WHEN 'name' THEN UPPER(s.name::text) = UPPER(r.publisher)
                        ELSE TRUE END
                    ORDER BY r.n, p.id
                ) by_title ON by_title.n = r.n
                """,
                [
                    list(range(len(wanted))),
                    [url for url, _, _ in wanted],
                    [title for _, title, _ in wanted],
                    [publisher[0] for _, _, publisher in wanted],
                    [publisher[1] for _, _, publisher in wanted],
                ],
            )
            rows = cursor.fetchall()
        keys, chosen = list(lookups), {}
        for n, by_url, by_title in rows:
            key = keys[n]
            if by_url is None and len(lookups[key]) > 1:
                continue  # the first reference decides: left to report()
            found = by_url or by_title
            if found is not None:
                chosen[key] = found
        found = Report.objects.in_bulk(set(chosen.values()))
        for key, pk in chosen.items():
            self._reports[key] = found[pk]

    def source(self, ref):
        if self.match_ids and ref.get("id") is not None:
            source = Source.objects.filter(pk=ref["id"]).first()
            if source is not None:
                return source
        slug, name = ref.get("slug") or "", ref.get("name") or ""
        if not slug and name == PROTECTED_NAME:
            raise ValidationError(
                "This source's identity is withheld (a protected source): name it by its slug."
            )
        key = ("slug", slug) if slug else ("name", name.casefold())
        if key in self._sources:
            return self._sources[key]
        full = self.bundle_sources.get(slug, {})
        url = ref.get("url") or full.get("url") or ""
        source = (
            (slug and Source.objects.filter(slug=slug).first())
            or (url and Source.objects.filter(url=url).order_by("pk").first())
            or (name and Source.objects.filter(name__iexact=name).order_by("pk").first())
            or self._create_source({**ref, **full, "url": url})
        )
        self._sources[key] = source
        return source

    def _create_source(self, data):
        name, kind, slug = data.get("name"), data.get("kind"), data.get("slug")
        if not name or not kind:
            label = slug or name or f"id {data.get('id')}"
            raise ValidationError(
                f"No source matches “{label}”: give its name and kind to create it."
            )
        parent = None
        if data.get("parent"):
            if data["parent"] in self._creating:
                raise ValidationError(f"The parent organisations of “{slug}” form a loop.")
            self._creating.add(slug)
            try:
                parent = self.source({"slug": data["parent"]})
            finally:
                self._creating.discard(slug)
        source = Source(
            name=name,
            slug=slug or unique_slug(Source, name),
            kind=kind,
            parent=parent,
            protected=bool(data.get("protected")),
            description=data.get("description") or "",
            based_in=data.get("based_in") or "",
            url=data.get("url") or "",
            aliases=data.get("aliases") or [],
        )
        errors = model_errors(source)
        if errors:
            raise ValidationError(f"Cannot create the source “{name}”: {_one_message(errors)}")
        source.save()
        return source

    def report(self, ref):
        if self.match_ids and ref.get("id") is not None:
            report = Report.objects.filter(pk=ref["id"]).first()
            if report is not None:
                return report
        full = {} if self.match_ids else self.bundle_reports.get(ref.get("id"), {})
        url = full.get("url") or ref.get("url") or ""
        title = full.get("title") or ref.get("title") or ""
        key = ("url", url) if url else ("title", title, ref.get("publisher"))
        if key in self._reports:
            return self._reports[key]
        report = url and Report.objects.filter(url=url).first()
        if not report and title:
            candidates = Report.objects.filter(title=title).order_by("pk")
            if full:
                candidates = candidates.filter(publisher__slug=full["publisher"])
            elif ref.get("publisher_source") and ref["publisher_source"].get("slug"):
                candidates = candidates.filter(publisher__slug=ref["publisher_source"]["slug"])
            elif ref.get("publisher"):
                candidates = candidates.filter(publisher__name__iexact=ref["publisher"])
            report = candidates.first()
        if not report:
            report = self._create_report(ref, full, url, title)
        self._reports[key] = report
        return report

    def _create_report(self, ref, full, url, title):
        if not title:
            raise ValidationError("No report matches: give its title and publisher to create it.")
        if full:
            publisher = self.source({"slug": full["publisher"]})
        elif ref.get("publisher_source"):
            publisher = self.source(ref["publisher_source"])
        elif ref.get("publisher"):
            publisher = self.source({"name": ref["publisher"]})
        else:
            raise ValidationError(f"No report matches “{title}”: give its publisher to create it.")
        report = Report(
            url=url,
            title=title,
            publisher=publisher,
            published_on=full.get("published_on", ref.get("published_on")),
            language=full.get("language") or "",
            archive_url=full.get("archive_url") or "",
            content_sha256=full.get("content_sha256") or "",
        )
        errors = model_errors(report)
        if errors:
            raise ValidationError(f"Cannot create the report “{title}”: {_one_message(errors)}")
        report.save()
        return report

    def category(self, slug):
        if self._categories is None:
            self._categories = {c.slug: c for c in CasualtyCategory.objects.all()}
        category = self._categories.get(slug)
        if category is None:
            full = self.bundle_categories.get(slug)
            if full is None:
                known = ", ".join(sorted(self._categories))
                raise ValidationError(
                    f"Unknown casualty category “{slug}” (known: {known}); add it in the admin."
                )
            category = CasualtyCategory(**full)
            errors = model_errors(category)
            if errors:
                raise ValidationError(f"Cannot create the category: {_one_message(errors)}")
            category.save()
            self._categories[slug] = category
        return category


def _bundle_refs(bundle):
    """The source and report references of a bundle, in the order they are resolved."""
    sources, reports = list(bundle.get("sources", [])), list(bundle.get("reports", []))
    for incident in bundle["incidents"]:
        for claim in incident.get("claims", []):
            sources.append(claim["source"])
            if claim.get("attributed_to"):
                sources.append(claim["attributed_to"])
            sources += claim.get("via") or []
            if claim.get("report"):
                reports.append(claim["report"])
        for denial in incident.get("denials", []):
            sources.append(denial["source"])
            if denial.get("report"):
                reports.append(denial["report"])
    sources += [r["publisher_source"] for r in reports if r.get("publisher_source")]
    return sources, reports


def _resolve_via(errors, resolver, item):
    """A claim's intermediaries, resolved; a source named twice in the chain is an error."""
    via = [_resolve(errors, "via", resolver.source, ref) for ref in item.get("via") or []]
    if len({s.pk for s in via if s is not None}) < len(via) and "via" not in errors:
        errors["via"] = [constraint_message(ClaimVia, "claim_via_source_unique")]
    return via


def _bundle_withdrawal(data, values, incident):
    """A bundle's withdrawn incident: its public reason, and when (now, if not before)."""
    reason = data.get("withdrawn_reason")
    if reason and values.get("status", incident.status) == Incident.Status.WITHDRAWN:
        values["withdrawn_reason"] = reason
        if incident.withdrawn_at is None:
            values["withdrawn_at"] = timezone.now()


def _resolve(errors, name, find, ref):
    """Resolve a reference, recording the error under ``name`` instead of raising."""
    if ref is None:
        return None
    try:
        return find(ref)
    except ValidationError as error:
        errors.setdefault(name, []).extend(error.messages)
        return None


class IncidentWriter:
    """Writes one incident, with the claims, figures and denials of its input.

    Raises serializers.ValidationError with errors shaped like the input; run it in a
    transaction, so that an error leaves nothing behind. ``changed`` tells whether
    anything was written.
    """

    # Why a claim or denial of a published incident left out of a write is withdrawn.
    LEFT_OUT = "Left out when the incident was written again in full."

    def __init__(
        self, resolver, *, user=None, reason="", validate=model_errors, stored=None, bundle=False
    ):
        self.resolver = resolver
        self.bundle = bundle
        self.match_ids = resolver.match_ids
        # in_memory_model_errors when the caller vouches for the slug's uniqueness.
        self.validate = validate
        # The incident as read in this transaction, with its standing claims (figures
        # prefetched) and current denials (denied claims prefetched): a StoredParts.
        self.stored = stored
        self.changed = False
        self.user = user
        self.reason = reason
        self.was_public = False

    def _retire(self, obj):
        """Remove a claim or denial the input no longer lists: deleted from a draft,
        withdrawn (with a tombstone) from an incident that has been public."""
        if not self.was_public:
            obj.delete()
        elif self.user is not None:
            workflow.withdraw_part(obj, self.user, self.reason or self.LEFT_OUT)
        else:
            # A command-line import: the operator speaks for the editors.
            obj.withdrawn_at = timezone.now()
            obj.withdrawn_reason = self.reason or self.LEFT_OUT
            obj.save(update_fields=["withdrawn_at", "withdrawn_reason"])
            workflow.on_unpublished(obj, obj.withdrawn_reason)
        self.changed = True

    def write(self, data, incident=None, *, suffix_slug=False, related=True):
        creating = incident is None
        incident = incident or Incident()
        if creating:
            self.was_public = False
        elif self.stored is not None:
            self.was_public = workflow.is_public(self.stored.incident)
        else:
            self.was_public = workflow.is_public(
                Incident.objects.only("status").get(pk=incident.pk)
            )
        values = self._incident_values(data)
        # A bundle's withdrawn incident brings the public reason for it. API writes
        # withdraw through the workflow instead, which checks who may.
        if self.bundle:
            _bundle_withdrawal(data, values, incident)
        if creating and not values.get("slug"):
            title = values.get("title") or ""
            values["slug"] = unique_slug(Incident, title) if suffix_slug else slugify(title)[:200]
        changed = assign(incident, values) or creating
        errors = self.validate(
            incident, rename=INCIDENT_RENAME, constraint_fields=INCIDENT_CONSTRAINT_FIELDS
        )
        if errors:
            raise serializers.ValidationError(errors)
        if changed:
            incident.save()
            self.changed = True

        errors = {}
        refs, failed = None, set()
        if "claims" in data:
            refs, failed, claim_errors = self._claims(incident, data["claims"], creating)
            if any(claim_errors):
                errors["claims"] = indexed(claim_errors)
        if "denials" in data:
            denial_errors = self._denials(incident, data["denials"], refs, failed, creating)
            if any(denial_errors):
                errors["denials"] = indexed(denial_errors)
        if related and "related" in data:
            related_errors = self.write_related(incident, data["related"])
            if any(related_errors):
                errors["related"] = indexed(related_errors)
        if data.get("identifiers"):
            try:
                if import_identifiers(incident, data["identifiers"]):
                    self.changed = True
            except ValidationError as error:
                errors["identifiers"] = error.messages
        if errors:
            raise serializers.ValidationError(errors)
        return incident

    @staticmethod
    def _incident_values(data):
        values = {}
        for name, path in INCIDENT_PATHS.items():
            node = data
            for part in path:
                if not isinstance(node, dict) or part not in node:
                    break
                node = node[part]
            else:
                values[name] = "" if node is None and name in BLANK_AS_NULL else node
        return values

    def _claims(self, incident, items, creating):
        if creating:
            existing = []
        elif self.stored is not None:
            existing = self.stored.claims
        else:
            existing = list(incident.claims.not_withdrawn().prefetch_related("figures"))
        by_id = {claim.pk: claim for claim in existing}
        by_key = defaultdict(list)
        for claim in existing:
            by_key[(claim.source_id, claim.kind, claim.statement)].append(claim)
        used, refs, failed, errors = set(), {}, set(), []

        def match(item, source):
            ref = item.get("id")
            if self.match_ids and ref in by_id and ref not in used:
                return by_id[ref]
            candidates = by_key[(source.pk, item["kind"], item["statement"])]
            return next((c for c in candidates if c.pk not in used), None)

        for item in items:
            claim, error = self.write_claim(incident, item, match)
            errors.append(error)
            if claim is not None:
                used.add(claim.pk)
            if error:
                failed.add(item.get("id"))
            elif item.get("id") is not None:
                refs[item["id"]] = claim
        for claim in existing:
            if claim.pk not in used:
                self._retire(claim)
        return refs, failed, errors

    def write_claim(self, incident, item, match):
        """Write one claim and its figures; return it (None if not saved) and its errors.

        ``match(item, source)`` picks the existing claim the item stands for, if any.
        """
        error = {}
        source = _resolve(error, "source", self.resolver.source, item["source"])
        accused = _resolve(error, "attributed_to", self.resolver.source, item.get("attributed_to"))
        report = _resolve(error, "report", self.resolver.report, item.get("report"))
        via = _resolve_via(error, self.resolver, item)
        if error:
            return None, error
        claim = match(item, source) or Claim(incident=incident)
        changed = assign(
            claim,
            {
                "incident": incident,
                "kind": item["kind"],
                "source": source,
                "report": report,
                "statement": item["statement"],
                "claimed_on": item.get("claimed_on"),
                "attributed_to": accused,
            },
        )
        error = self.validate(claim, constraint_fields=CLAIM_CONSTRAINT_FIELDS)
        if error:
            return None, error
        if claim.pk is None or changed:
            claim.save()
            self.changed = True
        # Like figures: a chain left out stays as it is; a list given replaces it.
        if "via" in item:
            self._via(claim, via)
        # Figures left out stay as they are; a list given replaces them.
        if "figures" in item:
            figure_errors = self._figures(claim, item["figures"])
            if any(figure_errors):
                return claim, {"figures": indexed(figure_errors)}
        return claim, {}

    def _via(self, claim, sources):
        # via_links are prefetched for stored incidents read in bulk (_stored_parts).
        links = sorted(claim.via_links.all(), key=lambda link: link.position)
        if [link.source_id for link in links] == [source.pk for source in sources]:
            return
        ClaimVia.objects.filter(claim=claim).delete()
        ClaimVia.objects.bulk_create(
            ClaimVia(claim=claim, source=source, position=position)
            for position, source in enumerate(sources, start=1)
        )
        self.changed = True

    def _figures(self, claim, items):
        existing = {figure.category_id: figure for figure in claim.figures.all()}
        seen, errors = set(), []
        for item in items:
            error = {}
            category = _resolve(error, "category", self.resolver.category, item["category"])
            if category is not None and category.slug in seen:
                error["category"] = [constraint_message(Figure, "figure_one_per_category")]
            if error:
                errors.append(error)
                continue
            seen.add(category.slug)
            figure = existing.get(category.slug) or Figure(claim=claim, category=category)
            changed = assign(
                figure,
                {
                    "min_count": item.get("min"),
                    "max_count": item.get("max"),
                    "approximate": item.get("approximate", False),
                    "as_said": item["as_said"],
                },
            )
            error = self.validate(
                figure, rename=FIGURE_RENAME, constraint_fields=FIGURE_CONSTRAINT_FIELDS
            )
            if error:
                errors.append(error)
                continue
            if figure.pk is None or changed:
                figure.save()
                self.changed = True
            errors.append({})
        for slug, figure in existing.items():
            if slug not in seen:
                figure.delete()
                self.changed = True
        return errors

    def _claim_for(self, ref, refs):
        if refs is not None and ref in refs:
            return refs[ref]
        if self.match_ids:
            # An API write may name any claim by its id; check_denies judges it.
            return Claim.objects.filter(pk=ref).only("pk", "incident_id").first()
        return None

    def _denials(self, incident, items, refs, failed, creating):
        if creating:
            existing = []
        elif self.stored is not None:
            existing = self.stored.denials
        else:
            existing = list(incident.denials.current().prefetch_related("denies"))
        by_id = {denial.pk: denial for denial in existing}
        by_key = defaultdict(list)
        for denial in existing:
            by_key[(denial.source_id, denial.statement)].append(denial)
        used, errors = set(), []

        def match(item, source):
            ref = item.get("id")
            if self.match_ids and ref in by_id and ref not in used:
                return by_id[ref]
            candidates = by_key[(source.pk, item["statement"])]
            return next((d for d in candidates if d.pk not in used), None)

        for item in items:
            claims, error = None, {}
            if "denies" in item:
                claims = []
                for ref in item["denies"]:
                    claim = self._claim_for(ref, refs)
                    if claim is not None:
                        claims.append(claim)
                    elif ref not in failed:
                        error.setdefault("denies", []).append(
                            f"No claim {ref} among this incident's claims."
                        )
            if error:
                errors.append(error)
                continue
            denial, error = self.write_denial(incident, item, claims, match)
            errors.append(error)
            if denial is not None:
                used.add(denial.pk)
        for denial in existing:
            if denial.pk not in used:
                self._retire(denial)
        return errors

    def write_denial(self, incident, item, claims, match):
        """Write one denial of these claims; return it (None if not saved) and its errors.

        ``claims`` None keeps the claims an existing denial answers.
        """
        error = {}
        source = _resolve(error, "source", self.resolver.source, item["source"])
        report = _resolve(error, "report", self.resolver.report, item.get("report"))
        if error:
            return None, error
        denial = match(item, source) or Denial(incident=incident)
        changed = assign(
            denial,
            {
                "incident": incident,
                "source": source,
                "report": report,
                "statement": item["statement"],
                "denied_on": item.get("denied_on"),
            },
        )
        error = self.validate(denial, constraint_fields=DENIAL_CONSTRAINT_FIELDS)
        if claims is None and denial.pk is not None and changed:
            claims = list(denial.denies.all())  # kept: still about the same incident?
        try:
            denial.check_denies(claims or [])
        except ValidationError as refusal:
            error.setdefault("denies", []).extend(refusal.message_dict["denies"])
        if error:
            return None, error
        new = denial.pk is None
        if new or changed:
            denial.save()
            self.changed = True
        if claims is not None:
            current = set() if new else {claim.pk for claim in denial.denies.all()}
            if current != {claim.pk for claim in claims}:
                denial.denies.set(claims)
                self.changed = True
        return denial, {}

    def write_related(self, incident, items, skip=()):
        """Set the related incidents; ``skip`` names slugs not to report (they failed)."""
        targets, errors = [], []
        for item in items:
            if item.get("slug") in skip:
                errors.append({})
                continue
            found = None
            if self.match_ids and item.get("id"):
                found = Incident.objects.filter(pk=item["id"]).first()
            if found is None and item.get("slug"):
                found = Incident.objects.filter(slug=item["slug"]).first()
            if found is None:
                errors.append({"slug": [f"No incident “{item.get('slug') or item.get('id')}”."]})
            else:
                targets.append(found)
                errors.append({})
        if not any(errors):
            current = set(incident.related.values_list("pk", flat=True))
            if current != {target.pk for target in targets}:
                incident.related.set(targets)
                self.changed = True
        return errors


# Bundles


def _preload(resolver, bundle):
    """Find or create the sources, reports and categories a bundle lists in full."""
    errors = []
    for name, find, key in (
        ("categories", resolver.category, "slug"),
        ("sources", resolver.source, None),
        ("reports", resolver.report, None),
    ):
        for index, item in enumerate(bundle.get(name, [])):
            try:
                find(item[key] if key else item)
            except ValidationError as error:
                errors += [
                    {"incident": None, "field": f"{name}[{index}]", "message": m}
                    for m in error.messages
                ]
    return errors


@dataclasses.dataclass
class StoredParts:
    """An incident as stored, with what IncidentWriter compares a write against."""

    incident: Incident
    claims: list = dataclasses.field(default_factory=list)
    denials: list = dataclasses.field(default_factory=list)


def _stored_parts(incidents):
    """StoredParts of these incidents, by id, in three queries whatever their number:
    standing claims with their figures, current denials with the claims they answer
    (in the order IncidentWriter reads them, which decides the matching)."""
    parts = {incident.pk: StoredParts(incident) for incident in incidents}
    if not parts:
        return parts
    claims = Claim.objects.not_withdrawn().filter(incident_id__in=parts)
    for claim in claims.prefetch_related("figures", "via_links"):
        parts[claim.incident_id].claims.append(claim)
    denials = Denial.objects.current().filter(incident_id__in=parts)
    for denial in denials.prefetch_related("denies"):
        parts[denial.incident_id].denials.append(denial)
    return parts


class NewIncidents:
    """The incidents of a bundle that are not in the database yet, checked in memory
    and then written a table at a time.

    Checks as IncidentWriter does for a new incident, in the same order and with the
    same messages, without a query (the slugs are known to be free); ``save()`` then
    inserts the incidents, claims, figures, denials and the denials' links in one
    statement each, which fire the history and touch triggers once per statement.
    """

    def __init__(self, resolver):
        self.resolver = resolver
        self.incidents, self.claims, self.figures, self.denials = [], [], [], []
        self.denies = []  # (denial, claim)
        self.via = []  # ClaimVia rows, their claims saved first
        self.identifiers = []  # (incident, the bundle's identifiers), attached after save()

    def add(self, data):
        """Check one incident; keep it for save() and return it, or return its errors."""
        incident = Incident()
        values = IncidentWriter._incident_values(data)
        _bundle_withdrawal(data, values, incident)
        assign(incident, values)
        errors = in_memory_model_errors(
            incident, rename=INCIDENT_RENAME, constraint_fields=INCIDENT_CONSTRAINT_FIELDS
        )
        if errors:
            return None, errors
        claims, figures, denials, denies, via = [], [], [], [], []
        errors, refs, failed = {}, None, set()
        if "claims" in data:
            refs, claim_errors = {}, []
            for item in data["claims"]:
                claim, error = self._claim(incident, item, figures, via)
                claim_errors.append(error)
                if error:
                    failed.add(item.get("id"))
                    continue
                claims.append(claim)
                if item.get("id") is not None:
                    refs[item["id"]] = claim
            if any(claim_errors):
                errors["claims"] = indexed(claim_errors)
        if "denials" in data:
            denial_errors = []
            for item in data["denials"]:
                denied, error = None, {}
                if "denies" in item:
                    denied = []
                    for ref in item["denies"]:
                        if refs is not None and ref in refs:
                            if all(refs[ref] is not claim for claim in denied):
                                denied.append(refs[ref])
                        elif ref not in failed:
                            error.setdefault("denies", []).append(
                                f"No claim {ref} among this incident's claims."
                            )
                if not error:
                    denial, error = self._denial(incident, item)
                if not error:
                    denials.append(denial)
                    denies += [(denial, claim) for claim in denied or ()]
                denial_errors.append(error)
            if any(denial_errors):
                errors["denials"] = indexed(denial_errors)
        if errors:
            return None, errors
        self.incidents.append(incident)
        self.claims += claims
        self.figures += figures
        self.denials += denials
        self.denies += denies
        self.via += via
        if data.get("identifiers"):
            self.identifiers.append((incident, data["identifiers"]))
        return incident, {}

    def _claim(self, incident, item, figures, via):
        error = {}
        resolver = self.resolver
        source = _resolve(error, "source", resolver.source, item["source"])
        accused = _resolve(error, "attributed_to", resolver.source, item.get("attributed_to"))
        report = _resolve(error, "report", resolver.report, item.get("report"))
        chain = _resolve_via(error, resolver, item)
        if error:
            return None, error
        claim = Claim(
            incident=incident,
            kind=item["kind"],
            source_id=source.pk,
            report_id=report and report.pk,
            statement=item["statement"],
            claimed_on=item.get("claimed_on"),
            attributed_to_id=accused and accused.pk,
        )
        error = in_memory_model_errors(claim, constraint_fields=CLAIM_CONSTRAINT_FIELDS)
        if error:
            return None, error
        seen, figure_errors, mine = set(), [], []
        for figure_item in item.get("figures", ()):
            error = {}
            category = _resolve(error, "category", resolver.category, figure_item["category"])
            if category is not None and category.slug in seen:
                error["category"] = [constraint_message(Figure, "figure_one_per_category")]
            if error:
                figure_errors.append(error)
                continue
            seen.add(category.slug)
            figure = Figure(
                claim=claim,
                category_id=category.pk,
                min_count=figure_item.get("min"),
                max_count=figure_item.get("max"),
                approximate=figure_item.get("approximate", False),
                as_said=figure_item["as_said"],
            )
            error = in_memory_model_errors(
                figure, rename=FIGURE_RENAME, constraint_fields=FIGURE_CONSTRAINT_FIELDS
            )
            figure_errors.append(error)
            if not error:
                mine.append(figure)
        if any(figure_errors):
            return claim, {"figures": indexed(figure_errors)}
        figures += mine
        via += [
            ClaimVia(claim=claim, source_id=source.pk, position=position)
            for position, source in enumerate(chain, start=1)
        ]
        return claim, {}

    def _denial(self, incident, item):
        error = {}
        source = _resolve(error, "source", self.resolver.source, item["source"])
        report = _resolve(error, "report", self.resolver.report, item.get("report"))
        if error:
            return None, error
        denial = Denial(
            incident=incident,
            source_id=source.pk,
            report_id=report and report.pk,
            statement=item["statement"],
            denied_on=item.get("denied_on"),
        )
        error = in_memory_model_errors(denial, constraint_fields=DENIAL_CONSTRAINT_FIELDS)
        return (None, error) if error else (denial, {})

    def save(self):
        """Insert everything checked, a table at a time; the database's constraints have
        the last word (an IntegrityError).

        The history triggers record every row. The triggers that touch an incident when
        its parts change are not fired for these inserts: the incidents are inserted in
        the same transaction, already with their ``updated_at`` and first version; their
        search documents are written once everything is in.
        """
        # Their search documents are written once, at the end, with their claims' words.
        with pgtrigger.ignore(REFRESH_SEARCH_ON_INSERT), transaction.atomic():
            Incident.objects.bulk_create(self.incidents)
        for incident in self.incidents:
            incident._status_in_db = incident.status
        # The savepoint leaves the transaction usable for ignore()'s own statement on
        # the way out, should the database refuse a row.
        with pgtrigger.ignore(*TOUCH_ON_INSERT), transaction.atomic():
            Claim.objects.bulk_create(self.claims)
            Figure.objects.bulk_create(self.figures)
            Denial.objects.bulk_create(self.denials)
            through = Denial.denies.through
            through.objects.bulk_create(
                [through(denial_id=denial.pk, claim_id=claim.pk) for denial, claim in self.denies]
            )
            ClaimVia.objects.bulk_create(self.via)
        # The new incidents' search documents: their titles, summaries, claims' and
        # denials' words.
        refresh_search_documents([incident.pk for incident in self.incidents])

    def attach_identifiers(self, written):
        """Other monitors' identifiers of the new incidents (their checks need the
        database: another incident may carry one); returns the errors by bundle index."""
        index_of = {id(incident): index for index, _, incident, _, _ in written}
        errors = []
        for incident, items in self.identifiers:
            try:
                import_identifiers(incident, items)
            except ValidationError as error:
                errors += _incident_errors(index_of[id(incident)], {"identifiers": error.messages})
        return errors


def import_bundle(payload, *, can_publish=True):
    """Import a bundle atomically: everything, or nothing and the errors.

    Without ``can_publish`` (a researcher), incidents land as drafts and published
    incidents cannot be changed. Returns a report of what was created, updated and
    left unchanged; raises BundleError.

    New incidents are checked in memory and inserted a table at a time (NewIncidents);
    incidents already in the database go through IncidentWriter, which saves only what
    differs. Should the database still refuse a row, the import starts again incident
    by incident, to name the incident it refuses.
    """
    from .serializers import BundleSerializer

    serializer = BundleSerializer(data=payload)
    if not serializer.is_valid():
        raise BundleError(_bundle_errors(serializer.errors))
    bundle = serializer.validated_data
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    results = _import(bundle, can_publish, in_bulk=True)
            except IntegrityError:
                results = _import(bundle, can_publish, in_bulk=False)
    except IntegrityError as error:
        message = integrity_error_message(error, WRITTEN_MODELS)
        raise BundleError([{"incident": None, "field": "", "message": message}]) from None
    counts = {key: sum(r["result"] == key for r in results) for key in ("created", "updated")}
    counts["unchanged"] = len(results) - counts["created"] - counts["updated"]
    return {**counts, "incidents": results}


def _import(bundle, can_publish, *, in_bulk):
    """Write the bundle's incidents; return one result per incident or raise BundleError.

    ``in_bulk``: new incidents go through NewIncidents (unless two incidents share a
    slug, when the second updates the first), related incidents are set in bulk.
    Otherwise every incident goes through IncidentWriter, one row at a time.
    """
    resolver = Resolver(
        match_ids=False,
        sources=bundle.get("sources", []),
        reports=bundle.get("reports", []),
        categories=bundle.get("categories", []),
    )
    incidents = [
        {**data, "slug": data.get("slug") or slugify(data["title"])[:200]}
        for data in bundle["incidents"]
    ]
    slugs = [data["slug"] for data in incidents]
    in_bulk = in_bulk and len(set(slugs)) == len(slugs)
    if in_bulk:
        resolver.prefetch(bundle)
        stored = {incident.slug: incident for incident in Incident.objects.filter(slug__in=slugs)}
        parts = _stored_parts(stored.values())
    new = NewIncidents(resolver)
    errors = _preload(resolver, bundle)
    written, failed = [], set()
    for index, data in enumerate(incidents):
        slug = data["slug"]
        existing = stored.get(slug) if in_bulk else Incident.objects.filter(slug=slug).first()
        if not can_publish:
            if existing is not None and existing.status == Incident.Status.PUBLISHED:
                errors.append(
                    {
                        "incident": index,
                        "field": "status",
                        "message": "This incident is published: only an editor can change it.",
                    }
                )
                failed.add(slug)
                continue
            data["status"] = Incident.Status.DRAFT
        if in_bulk and existing is None:
            incident, incident_errors = new.add(data)
            if incident_errors:
                errors += _incident_errors(index, incident_errors)
                failed.add(slug)
            else:
                written.append((index, data, incident, True, None))
            continue
        if in_bulk:
            writer = IncidentWriter(
                resolver, validate=in_memory_model_errors, stored=parts[existing.pk], bundle=True
            )
        else:
            writer = IncidentWriter(resolver, bundle=True)
        try:
            # A savepoint per incident, so that one refused by the database leaves the
            # others to be checked; in bulk, such a refusal starts the import again.
            with contextlib.nullcontext() if in_bulk else transaction.atomic():
                incident = writer.write(data, existing, related=False)
        except serializers.ValidationError as error:
            errors += _incident_errors(index, error.detail)
            failed.add(slug)
            continue
        except IntegrityError as error:
            if in_bulk:
                raise
            message = integrity_error_message(error, WRITTEN_MODELS)
            errors.append({"incident": index, "field": "", "message": message})
            failed.add(slug)
            continue
        written.append((index, data, incident, existing is None, writer))
    related_changed = set()
    if in_bulk:
        new.save()
        errors += new.attach_identifiers(written)
        related_errors, related_changed = _write_related(written, failed)
        errors += related_errors
    else:
        for index, data, incident, _, writer in written:
            if "related" in data:
                related_errors = writer.write_related(incident, data["related"], failed)
                if any(related_errors):
                    errors += _incident_errors(index, {"related": indexed(related_errors)})
    if errors:
        raise BundleError(sorted(errors, key=_error_order))
    return [
        {
            "index": index,
            "id": incident.pk,
            "slug": incident.slug,
            "status": incident.status,
            "result": "created"
            if created
            else ("updated" if writer.changed or incident.pk in related_changed else "unchanged"),
        }
        for index, _, incident, created, writer in written
    ]


def _write_related(written, failed):
    """Set the related incidents of the written incidents, as IncidentWriter.write_related
    would one after the other (symmetrical links: the last word wins), in a few statements.

    The incidents on either side of a changed link are touched, as the links' triggers
    would touch them, except the incidents this import creates (inserted in the same
    transaction, already with their ``updated_at`` and first version). Links are not
    searched: the touch leaves the search documents as they are.

    Returns the errors and the ids of the incidents whose own list changed.
    """
    items = [
        (index, incident, data["related"])
        for index, data, incident, _, _ in written
        if "related" in data
    ]
    if not items:
        return [], set()
    slugs = {
        ref["slug"]
        for _, _, refs in items
        for ref in refs
        if ref.get("slug") and ref["slug"] not in failed
    }
    found = dict(Incident.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    created = {incident.pk for _, _, incident, is_new, _ in written if is_new}
    # The links stored: none yet for the incidents this import creates. Each link is
    # stored both ways, so those from the others are all of them.
    stored = {incident.pk for _, incident, _ in items} - created
    through = Incident.related.through
    before = set()
    if stored:
        for from_id, to_id in through.objects.filter(from_incident_id__in=stored).values_list(
            "from_incident_id", "to_incident_id"
        ):
            before |= {(from_id, to_id), (to_id, from_id)}
    links = defaultdict(set)
    for from_id, to_id in before:
        links[from_id].add(to_id)
    errors, changed = [], set()
    for index, incident, refs in items:
        targets, ref_errors = set(), []
        for ref in refs:
            pk = found.get(ref.get("slug"))
            if ref.get("slug") in failed:
                ref_errors.append({})
            elif pk is None:
                ref_errors.append({"slug": [f"No incident “{ref.get('slug') or ref.get('id')}”."]})
            else:
                targets.add(pk)
                ref_errors.append({})
        if any(ref_errors):
            errors += _incident_errors(index, {"related": indexed(ref_errors)})
            continue
        current = set(links[incident.pk])
        if current == targets:
            continue
        for pk in current - targets:
            links[incident.pk].discard(pk)
            links[pk].discard(incident.pk)
        for pk in targets - current:
            links[incident.pk].add(pk)
            links[pk].add(incident.pk)
        changed.add(incident.pk)
    after = {(from_id, to_id) for from_id, to_ids in links.items() for to_id in to_ids}
    # The savepoint leaves the transaction usable for ignore()'s own statement on the
    # way out, should the database refuse a row.
    with pgtrigger.ignore(*TOUCH_ON_LINK), transaction.atomic():
        if before - after:
            gone = [Q(from_incident_id=a, to_incident_id=b) for a, b in before - after]
            through.objects.filter(functools.reduce(operator.or_, gone)).delete()
        through.objects.bulk_create(
            [through(from_incident_id=a, to_incident_id=b) for a, b in sorted(after - before)]
        )
    touched = sorted({from_id for from_id, _ in before ^ after} - created)
    if touched:
        # As the links' triggers write it (incidents.models._touch_incidents).
        with (
            pgtrigger.ignore(REFRESH_SEARCH_ON_UPDATE),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE incidents_incident SET updated_at = clock_timestamp() WHERE id = ANY(%s)",
                [touched],
            )
    return errors, changed


def _error_order(error):
    return (error["incident"] is not None, error["incident"] or 0, error["field"])


def _incident_errors(index, detail):
    return [
        {"incident": index, "field": field, "message": message}
        for field, message in flatten(detail)
    ]


def _bundle_errors(detail):
    errors = []
    for path, message in flatten(detail):
        head, _, rest = path.partition(".")
        if head.startswith("incidents[") and head.endswith("]"):
            errors.append({"incident": int(head[10:-1]), "field": rest, "message": message})
        else:
            errors.append({"incident": None, "field": path, "message": message})
    return errors


def _without_captures(report):
    return report and {k: v for k, v in report.items() if k != "captures"}


def _bundled(incident):
    """An incident as a bundle holds it: the API's shape without what no import takes."""
    return {
        **{k: v for k, v in incident.items() if k not in NOT_IN_BUNDLES},
        "claims": [
            {**claim, "report": _without_captures(claim["report"])} for claim in incident["claims"]
        ],
        "denials": [
            {**denial, "report": _without_captures(denial["report"])}
            for denial in incident["denials"]
        ],
    }


def export_bundle(queryset=None, *, batch_size=500):
    """Incidents as the API shows them to staff, with their sources, reports and
    categories in full, so that an empty database can take them."""
    queryset = Incident.objects.all() if queryset is None else queryset
    # Nothing of a whole archive's export is worth keeping in the cache.
    reader = Reader(staff=True, cached=False)
    # Sorted here: the queryset may be sliced, which forbids reordering it.
    ids = sorted(queryset.values_list("pk", flat=True))
    incidents = []
    for batch in itertools.batched(ids, batch_size):
        batch_rows = Incident.objects.using(reader.using).filter(pk__in=batch).order_by("pk")
        rows = incident_rows(batch_rows, staff=True)
        incidents += [_bundled(incident) for incident in reader.incidents(list(rows))]

    source_ids, report_ids, categories = set(), set(), set()
    for incident in incidents:
        for claim in incident["claims"]:
            source_ids.add(claim["source"]["id"])
            if claim["attributed_to"]:
                source_ids.add(claim["attributed_to"]["id"])
            source_ids.update(via["id"] for via in claim["via"])
            if claim["report"]:
                report_ids.add(claim["report"]["id"])
            categories.update(figure["category"] for figure in claim["figures"])
        for denial in incident["denials"]:
            source_ids.add(denial["source"]["id"])
            if denial["report"]:
                report_ids.add(denial["report"]["id"])
    reports = list(Report.objects.filter(pk__in=report_ids).select_related("publisher"))
    source_ids.update(report.publisher_id for report in reports)
    sources = {}
    wanted = source_ids
    while wanted:  # the sources, then their parent organisations, up to the top
        found = Source.objects.filter(pk__in=wanted).select_related("parent")
        sources.update({source.pk: source for source in found})
        wanted = {s.parent_id for s in sources.values() if s.parent_id} - set(sources)

    return {
        "incidents": incidents,
        "sources": [
            {
                "slug": source.slug,
                "name": source.name,
                "kind": source.kind,
                "parent": source.parent.slug if source.parent_id else None,
                "protected": source.protected,
                "description": source.description,
                "based_in": source.based_in,
                "url": source.url or None,
                "aliases": source.aliases,
            }
            for source in sorted(sources.values(), key=lambda s: s.slug)
        ],
        "reports": [
            {
                "id": report.pk,
                "url": report.url or None,
                "title": report.title,
                "publisher": report.publisher.slug,
                "published_on": report.published_on,
                "language": report.language,
                "archive_url": report.archive_url or None,
                "content_sha256": report.content_sha256 or None,
            }
            for report in sorted(reports, key=lambda r: r.pk)
        ],
        "categories": [
            {
                "slug": category.slug,
                "name": category.name,
                "position": category.position,
                "description": category.description,
            }
            for category in CasualtyCategory.objects.filter(slug__in=categories)
        ],
    }
