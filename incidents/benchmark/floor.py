"""The floor: the incidents page of the API built entirely inside PostgreSQL.

One hand-written query returns, as JSON text, the 50 newest published incidents with
everything the API nests in them (claims with their source, report, figures, accused
party and the denials answering them; denials with the claims they deny; casualty
ranges; related incidents). No Python touches a row, so its time is the least any
implementation of the list can take on this database: the benchmark reports every
other figure as a multiple of it.

Ordering and visibility follow the application: Incident.Meta.ordering (newest first,
undated incidents first, as PostgreSQL sorts NULL in descending order), published
incidents only, protected sources shown as "Protected source".
"""

from django.db import connections

PAGE_SIZE = 50

_SOURCE = """
    CASE WHEN {s}.id IS NULL THEN NULL
         WHEN {s}.protected THEN json_build_object(
             'id', NULL, 'slug', NULL, 'name', 'Protected source', 'kind', {s}.kind)
         ELSE json_build_object('id', {s}.id, 'slug', {s}.slug, 'name', {s}.name, 'kind', {s}.kind)
    END"""

_REPORT = """
    CASE WHEN {r}.id IS NULL THEN NULL ELSE json_build_object(
        'id', {r}.id, 'url', {r}.url,
        'publisher', CASE WHEN {p}.protected THEN 'Protected source' ELSE {p}.name END,
        'title', {r}.title, 'published_on', {r}.published_on)
    END"""

FLOOR_SQL = f"""
WITH page AS (
    SELECT i.*
    FROM incidents_incident i
    WHERE i.status = 'published'
    ORDER BY i.occurred_start DESC, i.id DESC
    LIMIT %(limit)s
)
SELECT coalesce(json_agg(json_build_object(
    'id', i.id,
    'slug', i.slug,
    'url', %(site_url)s || '/incidents/' || i.slug || '/',
    'title', i.title,
    'summary', i.summary,
    'status', i.status,
    'occurred', json_build_object(
        'start', i.occurred_start, 'end', i.occurred_end, 'precision', i.occurred_precision),
    'location', json_build_object(
        'name', i.place_name, 'region', i.region, 'country', i.country,
        'lat', i.latitude, 'lon', i.longitude, 'precision', i.location_precision),
    'assessment', json_build_object('grade', i.assessment, 'rationale', i.assessment_rationale),
    'casualties', casualties.value,
    'claims', claims.value,
    'denials', denials.value,
    'related', related.value,
    'updated_at', i.updated_at
) ORDER BY i.occurred_start DESC, i.id DESC), '[]')::text
FROM page i
CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object(
        'id', c.id,
        'incident', c.incident_id,
        'kind', c.kind,
        'source', {_SOURCE.format(s="s")},
        'report', {_REPORT.format(r="r", p="rp")},
        'statement', c.statement,
        'claimed_on', c.claimed_on,
        'figures', (
            SELECT coalesce(json_agg(json_build_object(
                'category', f.category_id, 'min', f.min_count, 'max', f.max_count,
                'as_said', f.as_said) ORDER BY cat.position, f.id), '[]')
            FROM incidents_figure f
            JOIN incidents_casualtycategory cat ON cat.slug = f.category_id
            WHERE f.claim_id = c.id),
        'attributed_to', {_SOURCE.format(s="a")},
        'denied_by', (
            SELECT coalesce(json_agg(dd.denial_id ORDER BY dd.denial_id), '[]')
            FROM incidents_denial_denies dd
            WHERE dd.claim_id = c.id)
    ) ORDER BY c.claimed_on, c.id), '[]') AS value
    FROM incidents_claim c
    JOIN sources_source s ON s.id = c.source_id
    LEFT JOIN sources_report r ON r.id = c.report_id
    LEFT JOIN sources_source rp ON rp.id = r.publisher_id
    LEFT JOIN sources_source a ON a.id = c.attributed_to_id
    WHERE c.incident_id = i.id
) claims
CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object(
        'id', d.id,
        'incident', d.incident_id,
        'source', {_SOURCE.format(s="s")},
        'report', {_REPORT.format(r="r", p="rp")},
        'statement', d.statement,
        'denied_on', d.denied_on,
        'denies', (
            SELECT coalesce(json_agg(dd.claim_id ORDER BY dd.claim_id), '[]')
            FROM incidents_denial_denies dd
            WHERE dd.denial_id = d.id)
    ) ORDER BY d.denied_on, d.id), '[]') AS value
    FROM incidents_denial d
    JOIN sources_source s ON s.id = d.source_id
    LEFT JOIN sources_report r ON r.id = d.report_id
    LEFT JOIN sources_source rp ON rp.id = r.publisher_id
    WHERE d.incident_id = i.id
) denials
CROSS JOIN LATERAL (
    -- Per category: lowest low end, highest high end, the sources behind it, and whether
    -- every figure reaching the highest end is open-ended (incidents.competing.Range).
    SELECT coalesce(json_object_agg(category, json_build_object(
        'min', low, 'max', high, 'sources', sources, 'open_ended', coalesce(open_ended, false))
        ORDER BY position, category), '{{}}') AS value
    FROM (
        SELECT category, position,
               min(low) AS low, max(high) AS high, count(DISTINCT source_id) AS sources,
               bool_and(max_count IS NULL) FILTER (WHERE high = top) AS open_ended
        FROM (
            SELECT f.category_id AS category, cat.position, c.source_id, f.max_count,
                   coalesce(f.min_count, f.max_count) AS low,
                   coalesce(f.max_count, f.min_count) AS high,
                   max(coalesce(f.max_count, f.min_count))
                       OVER (PARTITION BY f.category_id) AS top
            FROM incidents_figure f
            JOIN incidents_claim c ON c.id = f.claim_id
            JOIN incidents_casualtycategory cat ON cat.slug = f.category_id
            WHERE c.incident_id = i.id
        ) figures
        GROUP BY category, position
    ) ranges
) casualties
CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object('id', o.id, 'slug', o.slug, 'title', o.title)
        ORDER BY o.id), '[]') AS value
    FROM incidents_incident_related rel
    JOIN incidents_incident o ON o.id = rel.to_incident_id
    WHERE rel.from_incident_id = i.id AND o.status = 'published'
) related
"""


def floor_page(site_url="", limit=PAGE_SIZE, using="default"):
    """The page as JSON text, built by PostgreSQL alone."""
    with connections[using].cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"site_url": site_url, "limit": limit})
        return cursor.fetchone()[0]
