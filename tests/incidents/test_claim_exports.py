"""Claim-level exports for fact-checkers: ClaimReview JSON-LD and the claims CSV."""

import csv
import io
import json

import pytest

from incidents.claimreview import claim_review
from incidents.models import Claim, ClaimVia, Denial
from tests.factories import make_claim, make_denial, make_incident, make_report, make_source

pytestmark = pytest.mark.django_db

SOHR = "syrian-observatory-for-human-rights"


def claim_of(seed, source_slug, kind="casualties"):
    return Claim.objects.get(incident=seed, source__slug=source_slug, kind=kind)


def jsonld(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    return response, json.loads(response.content)


def test_a_claim_is_a_claimreview_with_its_author_report_and_chain(client, seed):
    claim = claim_of(seed, SOHR)
    url = f"/incidents/{seed.slug}/claims/{claim.pk}.jsonld"
    _, data = jsonld(client, url)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ClaimReview"
    assert data["@id"] == f"http://127.0.0.1:8000{url}"
    assert data["url"] == f"http://127.0.0.1:8000/incidents/{seed.slug}/#claim-{claim.pk}"
    assert data["claimReviewed"] == claim.statement
    item = data["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {
        "@type": "Organization",
        "name": "Syrian Observatory for Human Rights",
    }
    assert item["datePublished"] == "2016-05-31"
    assert item["about"]["name"] == "Late-night airstrikes on Idlib city"
    assert item["about"]["startDate"] == "2016-05-30"
    assert item["about"]["location"]["address"]["addressCountry"] == "SY"
    appearance = item["appearance"][0]
    assert appearance["publisher"]["name"] == "Associated Press"
    assert appearance["creditText"] == "Syrian Observatory for Human Rights via Associated Press"
    assert appearance["datePublished"] == "2016-05-31"
    assert data["author"]["name"] == "Incident tracker"
    assert data["reviewRating"]["alternateName"] == "Incident assessed as contested"
    assert "at least 23 people" in data["reviewBody"]
    assert "relayed by Associated Press" in data["reviewBody"]


def test_the_attribution_review_says_who_denied_it(client, seed):
    claim = claim_of(seed, SOHR, kind="attribution")
    _, data = jsonld(client, f"/incidents/{seed.slug}/claims/{claim.pk}.jsonld")
    assert "It attributes the incident to Russian Aerospace Forces." in data["reviewBody"]
    assert "Denied by Russian Defense Ministry on 31 May 2016." in data["reviewBody"]
    assert "Denied by Government of Russia on 31 May 2016." in data["reviewBody"]


def test_a_protected_source_is_never_named(client, seed):
    claim = claim_of(seed, "ahmad-ariha")
    response, data = jsonld(client, f"/incidents/{seed.slug}/claims/{claim.pk}.jsonld")
    assert data["itemReviewed"]["author"] == {
        "@type": "Person",
        "name": "Protected source (individual)",
    }
    assert "Ariha" not in response.content.decode()


def test_a_superseded_claim_says_it_was_revised(client):
    incident, source = make_incident(), make_source()
    first = make_claim(incident, source=source, figures=[("killed", 23, None)])
    make_claim(incident, source=source, supersedes=first, figures=[("killed", 30, None)])
    _, data = jsonld(client, f"/incidents/{incident.slug}/claims/{first.pk}.jsonld")
    assert "since revised it: it is not its current claim" in data["reviewBody"]


def test_claims_of_drafts_and_claims_under_another_slug_are_not_found(client, seed):
    draft = make_incident(status="draft")
    hidden = make_claim(draft)
    assert client.get(f"/incidents/{draft.slug}/claims/{hidden.pk}.jsonld").status_code == 404
    claim = claim_of(seed, SOHR)
    other = make_incident()
    assert client.get(f"/incidents/{other.slug}/claims/{claim.pk}.jsonld").status_code == 404
    denial = make_denial(draft, denies=[hidden])
    assert client.get(f"/denials/{denial.pk}.jsonld").status_code == 404


def test_a_denial_is_a_claimreview_that_mentions_what_it_denies(client, seed):
    denial = Denial.objects.get(incident=seed, source__slug="russian-defense-ministry")
    attribution = claim_of(seed, SOHR, kind="attribution")
    _, data = jsonld(client, f"/denials/{denial.pk}.jsonld")
    assert data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == denial.statement
    item = data["itemReviewed"]
    assert item["author"]["name"] == "Russian Defense Ministry"
    assert [m["@id"] for m in item["mentions"]] == [
        f"http://127.0.0.1:8000/incidents/{seed.slug}/claims/{attribution.pk}.jsonld"
    ]
    assert "the attribution claim by Syrian Observatory for Human Rights" in data["reviewBody"]


def test_the_jsonld_views_issue_a_constant_number_of_queries(
    client, seed, django_assert_max_num_queries
):
    incident = make_incident()
    report = make_report()
    claim = make_claim(incident, report=report, figures=[("killed", 5, 5), ("injured", 1, 9)])
    for position in range(1, 6):
        ClaimVia.objects.create(claim=claim, source=make_source(), position=position)
    for _ in range(5):
        make_denial(incident, denies=[claim], report=report)
    with django_assert_max_num_queries(6):
        assert client.get(f"/incidents/{incident.slug}/claims/{claim.pk}.jsonld").status_code == 200
    denial = Denial.objects.filter(incident=incident).first()
    with django_assert_max_num_queries(4):
        assert client.get(f"/denials/{denial.pk}.jsonld").status_code == 200


def test_claim_review_is_a_plain_dict_function(seed):
    from incidents.claimreview import claim_queryset

    claim = claim_queryset().get(pk=claim_of(seed, "local-coordination-committees").pk)
    review = claim_review(claim)
    assert review["itemReviewed"]["author"]["name"] == "Local Coordination Committees"
    assert json.loads(json.dumps(review)) == review


def read_csv(client):
    response = client.get("/claims.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="claims.csv"'
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_claims_csv_has_a_row_per_figure_with_provenance(client, seed):
    rows = read_csv(client)
    observatory = [r for r in rows if r["source"] == "Syrian Observatory for Human Rights"]
    casualties = [r for r in observatory if r["kind"] == "casualties"]
    assert sorted(r["category"] for r in casualties) == [
        "children_killed",
        "injured",
        "killed",
        "trapped",
    ]
    killed = next(r for r in casualties if r["category"] == "killed")
    assert killed["min"] == "23"
    assert killed["max"] == ""
    assert killed["as_said"] == "at least 23 people"
    assert killed["via"] == "Associated Press"
    assert killed["publisher"] == "Associated Press"
    assert killed["current"] == "true"
    assert killed["incident_slug"] == seed.slug
    assert killed["claim_url"].endswith(f"/claims/{killed['claim_id']}.jsonld")
    attribution = next(r for r in observatory if r["kind"] == "attribution")
    assert attribution["category"] == ""  # a claim without figures still has its row
    assert attribution["attributed_to"] == "Russian Aerospace Forces"
    assert attribution["denied_by"] == "Russian Defense Ministry; Government of Russia"
    # 7 figures in 3 claims, and one row for each of the 10 claims without figures.
    assert len(rows) == 7 + 10


def test_the_claims_csv_leaves_out_drafts_and_protected_names(client, seed):
    make_claim(make_incident(status="draft"), statement="Secret draft claim.")
    content = b"".join(client.get("/claims.csv").streaming_content).decode()
    assert "Secret draft claim." not in content
    assert "Ariha" not in content
    assert "Protected source (individual)" in content


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_claims_csv_defuses_spreadsheet_formulas(client, start):
    incident = make_incident(title=f'{start}HYPERLINK("http://evil")')
    make_claim(incident, statement=f"{start}1+1 said the source")
    rows = read_csv(client)
    assert rows[0]["incident_title"] == f'\'{start}HYPERLINK("http://evil")'
    assert rows[0]["statement"] == f"'{start}1+1 said the source"


def test_the_claims_csv_issues_a_constant_number_of_queries(client, django_assert_max_num_queries):
    report = make_report()
    for _ in range(12):
        incident = make_incident()
        for _ in range(4):
            claim = make_claim(incident, report=report, figures=[("killed", 1, 2)])
            ClaimVia.objects.create(claim=claim, source=make_source(), position=1)
            make_denial(incident, denies=[claim])
    with django_assert_max_num_queries(6):
        rows = read_csv(client)
    assert len(rows) == 48
