"""The floor: the incidents page of the API built entirely inside PostgreSQL.

One hand-written query returns, as JSON text, the 50 newest published incidents exactly
as the API's list shows them to the public: every field of every incident, claim and
denial, the casualty ranges and the dispute with its reasons in words. No Python
touches a row, so its time is the least any implementation of the list can take on
this database: the benchmark reports every other figure as a multiple of it.
tests/incidents/test_benchmark_floor.py checks that its page and the API's are the same.

Ordering and visibility follow the application: Incident.Meta.ordering (newest first,
undated incidents first, as PostgreSQL sorts NULL in descending order), published
incidents only, claims and denials not withdrawn, protected sources shown by their
kind alone. Casualty ranges and the dispute count current claims only (not withdrawn,
not revised by a later claim of their source), as incidents.competing does.
"""

from django.conf import settings
from django.db import connections
from django.urls import reverse

from config.prepared import execute
from sources.models import PROTECTED_NAME, Source

from ..models import Claim

PAGE_SIZE = 50


def _labels(choices):
    """A VALUES list of (value, label) for a model's choices."""
    return ", ".join(
        "('{}', '{}')".format(value.replace("'", "''"), label.replace("'", "''"))
        for value, label in choices
    )


def _source(s):
    """A source as the public sees it (sources.api_read.source_summary())."""
    return f"""
    CASE WHEN {s}.id IS NULL THEN NULL
         WHEN {s}.protected THEN json_build_object(
             'id', NULL, 'slug', NULL, 'name', '{PROTECTED_NAME}', 'kind', {s}.kind)
         ELSE json_build_object('id', {s}.id, 'slug', {s}.slug, 'name', {s}.name, 'kind', {s}.kind)
    END"""


def _report(r, p):
    """A report with its publisher and archived captures; a protected publisher's address
    and captures withheld (sources.api_read.report_summary_at())."""
    return f"""
    CASE WHEN {r}.id IS NULL THEN NULL ELSE json_build_object(
        'id', {r}.id,
        'url', CASE WHEN {p}.protected THEN NULL ELSE nullif({r}.url, '') END,
        'publisher', CASE WHEN {p}.protected THEN '{PROTECTED_NAME}' ELSE {p}.name END,
        'publisher_source', {_source(p)},
        'title', {r}.title,
        'published_on', {r}.published_on,
        'captures', CASE WHEN {p}.protected THEN '[]'::json ELSE (
            SELECT coalesce(json_agg(json_build_object(
                'sha256', nullif(cap.sha256, ''), 'captured_at', cap.captured_at,
                'url', nullif(cap.final_url, ''), 'status', cap.http_status)
                ORDER BY cap.captured_at, cap.id), '[]')
            FROM sources_capture cap
            WHERE cap.report_id = {r}.id AND cap.status = 'archived') END)
    END"""


# A party's name as the public reads it in the dispute's reasons (Source.public_name),
# and whether two parties are one organisation: one is the other or one of its two
# parent levels (incidents.competing._same_organisation()).
def _public_name(s):
    return f"""CASE WHEN {s}.protected
        THEN '{PROTECTED_NAME} (' || lower({s}_kind.label) || ')' ELSE {s}.name END"""


def _same_organisation(a, b):
    return f"""({a}.id IN ({b}.id, {b}.parent_id, {b}_parent.parent_id)
        OR {b}.id IN ({a}.id, {a}.parent_id, {a}_parent.parent_id))"""


def _party_joins(s, column):
    """Join the source at ``column`` as ``s``, with its parent and its kind's label."""
    return f"""
    JOIN sources_source {s} ON {s}.id = {column}
    LEFT JOIN sources_source {s}_parent ON {s}_parent.id = {s}.parent_id
    JOIN source_kind {s}_kind ON {s}_kind.kind = {s}.kind"""


FLOOR_SQL = f"""
WITH page AS (
    SELECT i.*
    FROM incidents_incident i
    WHERE i.status = 'published'
    ORDER BY i.occurred_start DESC, i.id DESC
    LIMIT %(limit)s
),
source_kind (kind, label) AS (VALUES {_labels(Source.Kind.choices)}),
claim_kind (kind, label) AS (VALUES {_labels(Claim.Kind.choices)}),
-- The page's claims that are not withdrawn, with the claim revising each, if any.
claim AS MATERIALIZED (
    SELECT c.*, (
        SELECT n.id FROM incidents_claim n
        WHERE n.supersedes_id = c.id AND n.withdrawn_at IS NULL
        ORDER BY n.claimed_on, n.id
        LIMIT 1) AS superseded_by
    FROM incidents_claim c
    WHERE c.incident_id IN (SELECT id FROM page) AND c.withdrawn_at IS NULL
),
denial AS MATERIALIZED (
    SELECT d.*
    FROM incidents_denial d
    WHERE d.incident_id IN (SELECT id FROM page) AND d.withdrawn_at IS NULL
),
-- Their figures, in the categories' order.
figure AS MATERIALIZED (
    SELECT f.*, cat.position, cat.name
    FROM incidents_figure f
    JOIN incidents_casualtycategory cat ON cat.slug = f.category_id
    WHERE f.claim_id IN (SELECT id FROM claim)
),
figures AS (
    SELECT claim_id, json_agg(json_build_object(
        'category', category_id, 'min', min_count, 'max', max_count,
        'as_said', as_said, 'approximate', approximate) ORDER BY position, id) AS value
    FROM figure
    GROUP BY claim_id
),
claims AS (
    SELECT c.incident_id, json_agg(json_build_object(
        'id', c.id,
        'incident', c.incident_id,
        'kind', c.kind,
        'source', {_source("s")},
        'report', {_report("r", "rp")},
        'statement', c.statement,
        'claimed_on', c.claimed_on,
        'figures', coalesce(figures.value, '[]'),
        'attributed_to', {_source("a")},
        'via', (
            SELECT coalesce(json_agg({_source("v")} ORDER BY cv.position), '[]')
            FROM incidents_claimvia cv
            JOIN sources_source v ON v.id = cv.source_id
            WHERE cv.claim_id = c.id),
        'denied_by', (
            SELECT coalesce(json_agg(d.id ORDER BY d.denied_on, d.id), '[]')
            FROM incidents_denial_denies dd
            JOIN denial d ON d.id = dd.denial_id
            WHERE dd.claim_id = c.id),
        'supersedes', c.supersedes_id,
        'superseded_by', c.superseded_by,
        'current', c.superseded_by IS NULL,
        'updated_at', c.updated_at
    ) ORDER BY c.claimed_on, c.id) AS value
    FROM claim c
    JOIN sources_source s ON s.id = c.source_id
    LEFT JOIN sources_report r ON r.id = c.report_id
    LEFT JOIN sources_source rp ON rp.id = r.publisher_id
    LEFT JOIN sources_source a ON a.id = c.attributed_to_id
    LEFT JOIN figures ON figures.claim_id = c.id
    GROUP BY c.incident_id
),
denials AS (
    SELECT d.incident_id, json_agg(json_build_object(
        'id', d.id,
        'incident', d.incident_id,
        'source', {_source("s")},
        'report', {_report("r", "rp")},
        'statement', d.statement,
        'denied_on', d.denied_on,
        'denies', (
            SELECT coalesce(json_agg(dd.claim_id ORDER BY dd.claim_id), '[]')
            FROM incidents_denial_denies dd
            WHERE dd.denial_id = d.id),
        'updated_at', d.updated_at
    ) ORDER BY d.denied_on, d.id) AS value
    FROM denial d
    JOIN sources_source s ON s.id = d.source_id
    LEFT JOIN sources_report r ON r.id = d.report_id
    LEFT JOIN sources_source rp ON rp.id = r.publisher_id
    GROUP BY d.incident_id
),
-- Per incident and category, from current claims: lowest low end, highest high end,
-- the sources behind it, and whether every figure reaching the highest end is
-- open-ended (incidents.competing.Range).
point AS MATERIALIZED (
    SELECT c.incident_id, f.category_id AS category, f.position, f.name, c.source_id,
           f.max_count,
           coalesce(f.min_count, f.max_count) AS low,
           coalesce(f.max_count, f.min_count) AS high
    FROM claim c
    JOIN figure f ON f.claim_id = c.id
    WHERE c.superseded_by IS NULL
),
range AS MATERIALIZED (
    SELECT incident_id, category, position, name,
           min(low) AS low, max(high) AS high, count(DISTINCT source_id) AS sources,
           coalesce(bool_and(max_count IS NULL) FILTER (WHERE high = top), false) AS open_ended
    FROM (SELECT *, max(high) OVER (PARTITION BY incident_id, category) AS top FROM point) p
    GROUP BY incident_id, category, position, name
),
casualties AS (
    SELECT incident_id, json_object_agg(category, json_build_object(
        'min', low, 'max', high, 'sources', sources, 'open_ended', open_ended)
        ORDER BY position, category) AS value
    FROM range
    GROUP BY incident_id
),
-- Each source's lowest and highest figure per incident and category.
spread AS MATERIALIZED (
    SELECT incident_id, category, source_id, min(low) AS low, max(high) AS high
    FROM point
    WHERE low IS NOT NULL
    GROUP BY incident_id, category, source_id
),
-- The parties current attributions name, each once, in the order first named.
accused AS MATERIALIZED (
    SELECT x.incident_id, x.id, x.seen, {_public_name("a")} AS name,
           a.parent_id AS parent, a_parent.parent_id AS grandparent
    FROM (
        SELECT incident_id, attributed_to_id AS id, min(seen) AS seen
        FROM (
            SELECT incident_id, kind, attributed_to_id, row_number() OVER (
                PARTITION BY incident_id ORDER BY claimed_on, id) AS seen
            FROM claim
            WHERE superseded_by IS NULL
        ) c
        WHERE kind = 'attribution' AND attributed_to_id IS NOT NULL
        GROUP BY incident_id, attributed_to_id
    ) x
    {_party_joins("a", "x.id")}
),
-- Why accounts conflict, in the order incidents.competing.dispute_from_facts() gives:
-- denials of current claims (by denial, then claim), attributions to more than one
-- organisation, then tolls of one category differing by more than 2x between sources.
reason AS (
    SELECT d.incident_id, 1 AS part, d.denied_on AS day, d.id AS first, c.id AS second,
           NULL::text AS category,
           CASE WHEN c.kind = 'attribution' THEN
               'Attribution to ' || {_public_name("a")} || ' by ' || {_public_name("s")}
               || ' denied by '
               || CASE WHEN {_same_organisation("ds", "a")} THEN 'the accused, ' ELSE '' END
               || {_public_name("ds")}
           ELSE
               ck.label || ' claim by ' || {_public_name("s")} || ' denied by '
               || {_public_name("ds")}
           END AS text
    FROM denial d
    JOIN incidents_denial_denies dd ON dd.denial_id = d.id
    JOIN claim c
      ON c.id = dd.claim_id AND c.incident_id = d.incident_id AND c.superseded_by IS NULL
    JOIN claim_kind ck ON ck.kind = c.kind
    {_party_joins("ds", "d.source_id")}
    {_party_joins("s", "c.source_id")}
    LEFT JOIN sources_source a ON a.id = c.attributed_to_id
    LEFT JOIN sources_source a_parent ON a_parent.id = a.parent_id
    LEFT JOIN source_kind a_kind ON a_kind.kind = a.kind
    UNION ALL
    SELECT incident_id, 2, NULL, NULL, NULL, NULL,
           'Attributions name different parties: ' || string_agg(name, ', ' ORDER BY seen)
    FROM accused a
    -- Left out: a party of the same organisation as one named before it.
    WHERE NOT EXISTS (
        SELECT FROM accused b
        WHERE b.incident_id = a.incident_id AND b.seen < a.seen
          AND (a.id IN (b.id, b.parent, b.grandparent) OR b.id IN (a.id, a.parent, a.grandparent))
    )
    GROUP BY incident_id
    HAVING count(*) > 1
    UNION ALL
    SELECT rg.incident_id, 3, NULL, rg.position, NULL, rg.category,
           'Tolls for ' || lower(rg.name) || ' differ by more than 2x between sources: '
           || rg.low || ' to ' || rg.high || CASE WHEN rg.open_ended THEN '+' ELSE '' END
    FROM range rg
    WHERE (rg.incident_id, rg.category) IN (
        SELECT x.incident_id, x.category
        FROM spread x
        JOIN spread y
          ON y.incident_id = x.incident_id AND y.category = x.category
         AND y.source_id <> x.source_id AND y.high > 2 * x.low
    )
),
dispute AS (
    SELECT incident_id, json_agg(text ORDER BY part, day, first, second, category) AS reasons
    FROM reason
    GROUP BY incident_id
)
SELECT coalesce(json_agg(json_build_object(
    'id', i.id,
    'slug', i.slug,
    'url', %(incident_prefix)s || i.slug || %(incident_suffix)s,
    'title', i.title,
    'summary', i.summary,
    'status', i.status,
    'occurred', json_build_object(
        'start', i.occurred_start, 'end', i.occurred_end, 'time', i.occurred_time,
        'precision', i.occurred_precision),
    'location', json_build_object(
        'name', i.place_name, 'region', i.region, 'country', nullif(i.country, ''),
        'lat', i.latitude, 'lon', i.longitude,
        'precision', nullif(i.location_precision, '')),
    'assessment', json_build_object(
        'grade', nullif(i.assessment, ''), 'rationale', i.assessment_rationale),
    'casualties', coalesce(casualties.value, '{{}}'),
    'dispute', json_build_object(
        'contested', dispute.reasons IS NOT NULL,
        'reasons', coalesce(dispute.reasons, '[]')),
    'claims', coalesce(claims.value, '[]'),
    'denials', coalesce(denials.value, '[]'),
    'related', (
        SELECT coalesce(json_agg(json_build_object('id', o.id, 'slug', o.slug, 'title', o.title)
            ORDER BY o.id), '[]')
        FROM incidents_incident_related rel
        JOIN incidents_incident o ON o.id = rel.to_incident_id
        WHERE rel.from_incident_id = i.id AND o.status = 'published'),
    'media', (
        SELECT coalesce(json_agg(json_build_object(
            'id', m.id,
            'url', CASE WHEN coalesce(m.file, '') <> ''
                        THEN %(media_prefix)s || m.id || %(media_suffix)s
                        ELSE nullif(m.url, '') END,
            'kind', m.kind,
            'sha256', nullif(m.sha256, ''),
            'verification', json_build_object(
                'status', m.verification_status, 'note', m.verification_note),
            'graphic', m.graphic) ORDER BY m.id), '[]')
        FROM incidents_media m
        WHERE m.incident_id = i.id),
    'identifiers', (
        SELECT coalesce(json_agg(json_build_object('scheme', ii.scheme, 'value', ii.value)
            ORDER BY ii.scheme, ii.value), '[]')
        FROM incidents_incidentidentifier ii
        WHERE ii.incident_id = i.id),
    'corrections', (
        SELECT coalesce(json_agg(json_build_object(
            'created_at', co.created_at, 'reason', co.reason, 'version', co.version)
            ORDER BY co.created_at, co.id), '[]')
        FROM incidents_correction co
        WHERE co.incident_id = i.id AND co.public),
    'withdrawn_reason', CASE WHEN i.status = 'withdrawn' THEN i.withdrawn_reason END,
    'version', i.version,
    'created_at', i.created_at,
    'updated_at', i.updated_at
) ORDER BY i.occurred_start DESC, i.id DESC), '[]')::text
FROM page i
LEFT JOIN claims ON claims.incident_id = i.id
LEFT JOIN denials ON denials.incident_id = i.id
LEFT JOIN casualties ON casualties.incident_id = i.id
LEFT JOIN dispute ON dispute.incident_id = i.id
"""


def floor_page(site_url=None, limit=PAGE_SIZE, using="default"):
    """The page as JSON text, built by PostgreSQL alone.

    The statement is prepared on the server once per connection, as the API's own read
    queries are, so neither pays for planning on every page. Its page size is written
    into it: a parameter there would leave the plan kept for every later run to guess
    how many incidents it joins, and the guess makes it ten times slower.
    """
    site_url = settings.SITE_URL if site_url is None else site_url
    incident_prefix, incident_suffix = reverse("incidents:detail", args=["-"]).rsplit("-", 1)
    media_prefix, media_suffix = reverse("incidents:media_file", args=[0]).rsplit("0", 1)
    params = {
        "incident_prefix": site_url + incident_prefix,
        "incident_suffix": incident_suffix,
        "media_prefix": site_url + media_prefix,
        "media_suffix": media_suffix,
    }
    connection = connections[using]
    with connection.cursor() as cursor:
        execute(connection, cursor, FLOOR_SQL.replace("%(limit)s", str(int(limit))), params)
        return cursor.fetchone()[0]
