"""The flat collections: claims, denials, sources, reports."""

import pytest

from incidents import workflow
from incidents.models import Claim, Denial
from sources.models import Report, Source
from tests.factories import (
    make_busy_incident,
    make_claim,
    make_denial,
    make_incident,
    make_report,
    make_source,
)

pytestmark = pytest.mark.django_db

SOHR = "syrian-observatory-for-human-rights"
PLACEHOLDER = {"id": None, "slug": None, "name": "Protected source", "kind": "individual"}


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_claims_list_their_figures_and_the_denials_that_answer_them(api_client, seed):
    claims = results(api_client.get("/api/v1/claims/", {"kind": "attribution", "source": SOHR}))
    assert len(claims) == 1
    denials = results(api_client.get("/api/v1/denials/", {"denies": claims[0]["id"]}))
    assert sorted(d["source"]["slug"] for d in denials) == [
        "government-of-russia",
        "russian-defense-ministry",
    ]
    assert sorted(claims[0]["denied_by"]) == sorted(d["id"] for d in denials)
    detail = api_client.get(f"/api/v1/claims/{claims[0]['id']}/").json()
    assert detail == claims[0]


def test_claims_filters(api_client, seed):
    def count(**params):
        return len(results(api_client.get("/api/v1/claims/", {**params, "page_size": 200})))

    total = Claim.objects.count()
    assert count() == total
    assert count(category="killed") == 2
    assert count(kind="damage") == 3
    assert count(incident=seed.pk) == seed.claims.count()
    assert count(incident_slug=seed.slug) == seed.claims.count()
    assert count(attributed_to="russian-aerospace-forces") == 1
    assert count(q="vaccination") == 1
    assert count(source="ahmad-ariha") == 0  # protected: the public cannot single it out
    assert count(updated_since="2999-01-01T00:00:00Z") == 0


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/claims/", {"kind": "rumour"}, "kind"),
        ("/api/v1/claims/", {"category": "goats"}, "category"),
        ("/api/v1/claims/", {"incident": "abc"}, "incident"),
        ("/api/v1/claims/", {"claimed_after": "soon"}, "claimed_after"),
        ("/api/v1/denials/", {"denies": "x"}, "denies"),
        ("/api/v1/sources/", {"kind": "oracle"}, "kind"),
        ("/api/v1/reports/", {"published_after": "2016-13-01"}, "published_after"),
        ("/api/v1/deleted/", {"since": "last week"}, "since"),
        ("/api/v1/deleted/", {"type": "figure"}, "type"),
        ("/api/v1/sources/", {"page_size": "1000"}, "page_size"),
    ],
)
def test_bad_filter_values_answer_400(api_client, seed, url, params, field):
    response = api_client.get(url, params)
    assert response.status_code == 400
    assert response.json()[field]


def test_protected_sources_are_not_listed_and_not_found_by_the_public(api_client, seed):
    listed = results(api_client.get("/api/v1/sources/", {"page_size": 200}))
    assert "ahmad-ariha" not in {s["slug"] for s in listed}
    assert "Ahmad Ariha" not in str(listed)
    ariha = Source.objects.get(slug="ahmad-ariha")
    assert api_client.get(f"/api/v1/sources/{ariha.pk}/").status_code == 404
    assert results(api_client.get("/api/v1/sources/", {"q": "Ariha"})) == []


def test_staff_see_protected_sources(researcher_api, seed):
    listed = results(researcher_api.get("/api/v1/sources/", {"page_size": 200}))
    ariha = next(s for s in listed if s["slug"] == "ahmad-ariha")
    assert ariha["protected"] is True


def test_a_protected_source_is_a_placeholder_in_claims_denials_and_reports(api_client):
    incident = make_incident()
    activist = make_source(name="Zyx Activist", slug="zyx", kind="individual", protected=True)
    report = make_report(publisher=activist, title="A post", url="https://example.org/zyx")
    claim = make_claim(
        incident,
        source=activist,
        report=report,
        kind="attribution",
        attributed_to=activist,
        statement="They did it",
    )
    make_denial(incident, source=activist, denies=[claim], report=report)
    member = make_source(name="Public member", parent=activist)
    make_claim(incident, source=member, statement="Members speak in public.")
    for url in (
        "/api/v1/claims/",
        "/api/v1/denials/",
        "/api/v1/reports/",
        f"/api/v1/incidents/{incident.pk}/",
        "/api/v1/sources/",
    ):
        body = api_client.get(url).content.decode()
        assert "Zyx" not in body and "zyx" not in body, url
    claim_data = results(api_client.get("/api/v1/claims/"))[0]
    assert claim_data["source"] == PLACEHOLDER
    assert claim_data["attributed_to"] == PLACEHOLDER
    assert claim_data["report"]["publisher"] == "Protected source"
    assert claim_data["report"]["publisher_source"] == PLACEHOLDER
    assert claim_data["report"]["url"] is None
    assert results(api_client.get("/api/v1/denials/"))[0]["source"] == PLACEHOLDER
    public_member = api_client.get(f"/api/v1/sources/{member.pk}/").json()
    assert public_member["parent"] == PLACEHOLDER
    for url in ("/api/v1/claims/", "/api/v1/denials/"):
        assert results(api_client.get(url, {"source": "zyx"})) == []
    assert results(api_client.get("/api/v1/reports/", {"publisher": "zyx"})) == []
    assert results(api_client.get("/api/v1/sources/", {"parent": "zyx"})) == []
    assert results(api_client.get("/api/v1/claims/", {"attributed_to": "zyx"})) == []


def test_it_hides_drafts_claims_and_denials_from_anonymous_users(api_client, partner_api):
    draft = make_incident(status="draft")
    claim = make_claim(draft, statement="Draft claim")
    denial = make_denial(draft, denies=[claim], statement="Draft denial")
    for client in (api_client, partner_api):
        assert results(client.get("/api/v1/claims/")) == []
        assert results(client.get("/api/v1/denials/")) == []
        assert client.get(f"/api/v1/claims/{claim.pk}/").status_code == 404
        assert client.get(f"/api/v1/denials/{denial.pk}/").status_code == 404
        assert results(client.get("/api/v1/claims/", {"incident": draft.pk})) == []


def test_staff_see_drafts_claims(researcher_api):
    draft = make_incident(status="draft")
    claim = make_claim(draft)
    assert [c["id"] for c in results(researcher_api.get("/api/v1/claims/"))] == [claim.pk]


def test_reports_are_listed_with_their_publisher(api_client, seed):
    reports = results(api_client.get("/api/v1/reports/", {"publisher": "associated-press"}))
    assert [r["title"] for r in reports] == [Report.objects.get().title]
    assert reports[0]["publisher_source"]["slug"] == "associated-press"
    assert reports[0]["language"] == "en"


def test_sources_show_their_parent_organisation(api_client, seed):
    ministry = results(api_client.get("/api/v1/sources/", {"q": "Defense Ministry"}))
    assert ministry[0]["parent"]["slug"] == "government-of-russia"
    members = results(api_client.get("/api/v1/sources/", {"parent": "russian-defense-ministry"}))
    # The spokesman is named only inside the ministry's quote: no published claim or
    # denial is his, so he is listed to staff alone.
    assert {m["slug"] for m in members} == {"russian-aerospace-forces"}


def test_staff_list_every_source_the_public_only_those_published_work_names(
    api_client, researcher_api, seed
):
    unused = make_source(name="Entered for a draft")
    public = {s["slug"] for s in results(api_client.get("/api/v1/sources/", {"page_size": 200}))}
    staff = {s["slug"] for s in results(researcher_api.get("/api/v1/sources/", {"page_size": 200}))}
    assert unused.slug in staff and unused.slug not in public
    assert "igor-konashenkov" in staff and "igor-konashenkov" not in public
    assert "syrian-observatory-for-human-rights" in public
    assert "russian-aerospace-forces" in public  # named only as the accused party
    assert "government-of-russia" in public
    assert api_client.get(f"/api/v1/sources/{unused.pk}/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/",
        "/api/v1/denials/",
        "/api/v1/sources/",
        "/api/v1/reports/",
        "/api/v1/deleted/",
    ],
)
def test_flat_lists_keep_a_constant_query_count(
    api_client, editor, url, django_assert_max_num_queries
):
    for _ in range(10):
        withdrawn = make_busy_incident(n_claims=3)  # withdrawn: leaves tombstones
        workflow.transition(withdrawn, "withdrawn", editor, "Duplicate")
    for _ in range(40):
        make_busy_incident(n_claims=3)
    sizes = []
    for size in (1, 200):
        with django_assert_max_num_queries(3) as captured:
            response = api_client.get(url, {"page_size": size})
        sizes.append(len(response.json()["results"]))
        assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    assert sizes[0] == 1 and sizes[1] >= 40


@pytest.mark.parametrize("model", [Claim, Denial, Source, Report])
def test_flat_details_keep_a_constant_query_count(api_client, model, django_assert_max_num_queries):
    make_busy_incident(n_claims=30)
    obj = model.objects.order_by("pk").first()
    url = f"/api/v1/{model._meta.model_name}s/{obj.pk}/"
    with django_assert_max_num_queries(3):
        assert api_client.get(url).status_code == 200


def test_collections_page_by_cursor(api_client):
    incident = make_incident()
    for _ in range(5):
        make_claim(incident, source=make_source())
    seen, url, params = [], "/api/v1/sources/", {"page_size": 2}
    while url:
        page = api_client.get(url, params).json()
        seen += [s["id"] for s in page["results"]]
        url, params = page["next"], None
    assert seen == sorted(Source.objects.values_list("pk", flat=True))
