"""Canaries: unpublished incidents and protected sources' identities never reach the
public, on any surface the URL patterns offer, in any format, search or count.

Each canary carries a unique marker word. Every public URL pattern is requested with its
parameters filled from the published seed case and from the canaries themselves, with and
without search and format parameters; no answer may contain a marker, and every answer
the public could see before the canaries existed must be the same afterwards (counts,
timelines and map data included).
"""

import re
from urllib.parse import quote, quote_plus

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver

from incidents.models import ClaimVia, Incident, Media
from incidents.sitemaps import SITEMAPS
from sources.models import Source
from tests.factories import make_claim, make_denial, make_incident, make_report

pytestmark = pytest.mark.django_db

DRAFT_MARKER = "zanthoxylumdraft"
REVIEW_MARKER = "quokkareview"
SOURCE_MARKER = "gryllotalpa"
PROTECTED_MARKERS = ["Pelargonium Witness", "pelargonium-witness", "Vorticella", "Xerophyte"]
NOT_PUBLIC = ("admin/", "_nested_admin/")
FORMATS = ["json", "csv", "geojson", "api", "jsonld", "xml"]


def public_routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return [
        route for route in walk(get_resolver().url_patterns) if not route.startswith(NOT_PUBLIC)
    ]


def fill(route, values):
    def value(match):
        return str(values[match.group("name") or match.group("rname")])

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)", value, route)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


def parameter_sets(route, incident, claim, denial, source, report):
    """The values to fill a route with: for ``slug`` and ``pk``, those of whatever the
    route names (incident, claim, denial, source or report)."""
    pk = incident.pk
    slug = incident.slug
    if "claims" in route:
        pk = claim.pk if claim else None
    elif "denials" in route:
        pk = denial.pk if denial else None
    elif "sources" in route:
        pk, slug = source.pk, source.slug
    elif "reports" in route:
        pk = report.pk if report else None
    return {
        "slug": slug,
        "pk": pk,
        "section": None,
        "content_type_id": ContentType.objects.get_for_model(Incident).pk,
        "object_id": pk,
    }


def surfaces(objects_list):
    """Every public path, for each set of objects, with search and format variants."""
    paths = set()
    for route in public_routes():
        for objects in objects_list:
            values = parameter_sets(route, **objects)
            if "<section>" in route:
                for section in SITEMAPS:
                    paths.add(fill(route, {**values, "section": section}))
                continue
            if any(v is None for k, v in values.items() if f"{k}>" in route):
                continue
            paths.add(fill(route, values))
    variants = set()
    for path in paths:
        variants.add(path)
        for marker in (DRAFT_MARKER, REVIEW_MARKER, *PROTECTED_MARKERS):
            variants.add(f"{path}?q={marker}")
            variants.add(f"{path}?search={marker}")
        for format_ in FORMATS:
            variants.add(f"{path}?format={format_}")
    return sorted(variants)


# What differs between two identical requests: nonces, CSRF tokens, the time.
NONCE = re.compile(
    rb'nonce="[^"]*"|nonce-[A-Za-z0-9+/=_-]+|csrfmiddlewaretoken" value="[^"]*"'
    rb'|X-CSRFTOKEN"\] = "[^"]*"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?'
)


def get(client, path):
    """A GET that the API's throttles do not count (they count in the cache)."""
    cache.clear()
    response = client.get(path)
    assert response.status_code < 500, path
    assert response.status_code != 429, path
    return response


def normalised(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return NONCE.sub(b"", content)


def is_search(path):
    return "?q=" in path or "?search=" in path


def control_for(marker):
    return re.sub(r"[a-z]", "z", marker.lower())


def search_leaks(client, paths, markers):
    """Searches for a marker that answer otherwise than a search for a word that exists
    nowhere (the searched words themselves set aside, since a page may repeat them)."""
    found = []
    for path in paths:
        marker = next((m for m in markers if path.endswith("=" + m)), None)
        if not is_search(path) or marker is None:
            continue
        control = control_for(marker)
        bodies = []
        for word in (marker, control):
            body = normalised(get(client, path.removesuffix(marker) + word)).decode("utf-8")
            for form in (word, quote(word), quote_plus(word), word.replace(" ", "%20")):
                body = re.sub(re.escape(form), "WORD", body, flags=re.IGNORECASE)
            bodies.append(body)
        if bodies[0] != bodies[1]:
            found.append(path)
    return found


def leaks(client, paths, markers):
    """Markers in the answers; searches are left to the before-and-after comparison,
    since a page may rightly repeat the words searched for."""
    found = []
    for path in paths:
        if is_search(path):
            continue
        response = get(client, path)
        body = normalised(response).decode("utf-8", "replace").lower()
        found += [f"{path}: {m}" for m in markers if m.lower() in body]
    return found


def make_canaries(seed, protected=True):
    """A draft and an in-review incident, each with a claim, media and a source of its
    own; and (unless ``protected`` is false) a protected source with a claim on the
    published seed case, which also relayed another source's claim: that changes the
    published incident."""
    made = {}
    for status, marker in [
        (Incident.Status.DRAFT, DRAFT_MARKER),
        (Incident.Status.IN_REVIEW, REVIEW_MARKER),
    ]:
        incident = make_incident(
            title=f"Strike {marker}",
            slug=f"strike-{marker}",
            summary=f"A summary naming {marker}.",
            status=status,
        )
        # The source's own name carries a marker of its own (see the known-leak test).
        source_marker = f"{SOURCE_MARKER}{status.replace('_', '')}"
        source = Source.objects.create(
            name=f"Monitor {source_marker}", slug=f"monitor-{source_marker}", kind="monitor"
        )
        report = make_report(title=f"Report {source_marker}", publisher=source)
        claim = make_claim(
            incident,
            source=source,
            report=report,
            statement=f"{marker} says five were killed.",
            figures=[("killed", 5, 5)],
        )
        # A published source's claim on the unpublished incident: its counts must not move.
        seed_source = seed.claims.filter(source__protected=False).first().source
        make_claim(incident, source=seed_source, statement=f"Also {marker}.")
        denial = make_denial(incident, source=source, denies=[claim], statement=f"{marker} no.")
        Media.objects.create(
            incident=incident,
            claim=claim,
            kind="photo",
            description=f"A photo of {marker}.",
            url=f"https://photos.example.org/{marker}.jpg",
        )
        made[marker] = {
            "incident": incident,
            "claim": claim,
            "denial": denial,
            "source": source,
            "report": report,
        }
    if not protected:
        return made
    protected = Source.objects.create(
        name=PROTECTED_MARKERS[0],
        slug=PROTECTED_MARKERS[1],
        aliases=[PROTECTED_MARKERS[2]],
        description=f"Lives in {PROTECTED_MARKERS[3]} street.",
        kind=Source.Kind.INDIVIDUAL,
        protected=True,
    )
    claim = make_claim(
        seed,
        source=protected,
        statement="A resident saw the second strike.",
        figures=[("killed", 3, 3)],
    )
    # The protected source as the intermediary of a published source's claim.
    relayed = seed.claims.filter(source__protected=False, via_links=None).first()
    ClaimVia.objects.create(claim=relayed, source=protected, position=1)
    made["protected"] = {
        "incident": seed,
        "claim": claim,
        "denial": None,
        "source": protected,
        "report": None,
    }
    return made


def published_objects(seed):
    claim = seed.claims.filter(source__protected=False).exclude(report=None).first()
    return {
        "incident": seed,
        "claim": claim,
        "denial": seed.denials.first(),
        "source": claim.source,
        "report": claim.report,
    }


def test_unpublished_incidents_never_reach_the_public(client, seed):
    made = make_canaries(seed)
    objects = [published_objects(seed), made[DRAFT_MARKER], made[REVIEW_MARKER]]
    paths = surfaces(objects)
    found = leaks(client, paths, [DRAFT_MARKER, REVIEW_MARKER])
    found += search_leaks(client, paths, [DRAFT_MARKER, REVIEW_MARKER])
    assert not found, "Unpublished incidents shown to the public:\n" + "\n".join(found)


def test_the_incident_count_ignores_unpublished_incidents(client, seed):
    before = get(client, "/api/v1/incidents/count/").json()
    make_canaries(seed)
    assert get(client, "/api/v1/incidents/count/").json() == before


def test_public_answers_do_not_change_when_unpublished_incidents_are_added(client, seed):
    before_paths = [p for p in surfaces([published_objects(seed)]) if not is_search(p)]
    before = {path: normalised(get(client, path)) for path in before_paths}
    make_canaries(seed, protected=False)
    changed = [path for path in before_paths if normalised(get(client, path)) != before[path]]
    assert not changed, "Public answers changed by unpublished incidents:\n" + "\n".join(changed)


def test_protected_sources_never_show_their_identity_to_the_public(client, seed):
    made = make_canaries(seed)
    objects = [published_objects(seed), made["protected"]]
    paths = surfaces(objects)
    found = leaks(client, paths, PROTECTED_MARKERS)
    found += search_leaks(client, paths, PROTECTED_MARKERS)
    assert not found, "A protected source's identity shown to the public:\n" + "\n".join(found)
    # The claim itself is public, under the source's public name.
    page = client.get(seed.get_absolute_url()).content.decode()
    assert "A resident saw the second strike." in page
    assert made["protected"]["source"].public_name in page


def test_staff_see_the_protected_source_and_the_drafts(admin_client, researcher_api, seed):
    made = make_canaries(seed)
    protected = made["protected"]["source"]
    page = admin_client.get(f"/admin/sources/source/{protected.pk}/change/")
    assert PROTECTED_MARKERS[0] in page.content.decode()
    listing = admin_client.get(f"/admin/incidents/incident/?q={DRAFT_MARKER}")
    assert DRAFT_MARKER in listing.content.decode()
    api = researcher_api.get(f"/api/v1/sources/{protected.pk}/")
    assert PROTECTED_MARKERS[0] in api.content.decode()
    draft = made[DRAFT_MARKER]["incident"]
    assert researcher_api.get(f"/api/v1/incidents/{draft.pk}/").status_code == 200


def test_a_source_or_report_used_only_by_unpublished_incidents_is_not_listed(client, seed):
    made = make_canaries(seed)
    objects = [published_objects(seed), made[DRAFT_MARKER], made[REVIEW_MARKER]]
    found = leaks(client, surfaces(objects), [SOURCE_MARKER])
    assert not found, "Sources of unpublished incidents listed:\n" + "\n".join(found)
