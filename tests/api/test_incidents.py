"""GET /api/v1/incidents/: the contract's shape on the seed case, filters, formats, budget."""

import csv
import io

import pytest

from incidents.models import Claim, Incident
from tests.factories import (
    make_busy_incident,
    make_claim,
    make_denial,
    make_incident,
    make_report,
    make_source,
)

pytestmark = pytest.mark.django_db

IDLIB = "idlib-city-airstrikes-2016-05-30"
KFAR = "kfar-takharim-vaccination-centres-2016-05-31"
SOHR = "syrian-observatory-for-human-rights"


def idlib(api_client, **params):
    response = api_client.get(f"/api/v1/incidents/by-slug/{IDLIB}/", params)
    assert response.status_code == 200
    return response.json()


def slugs(response):
    assert response.status_code == 200, response.content
    return [incident["slug"] for incident in response.json()["results"]]


def test_the_seed_incident_has_the_contracts_casualty_range(api_client, seed):
    incident = idlib(api_client)
    assert incident["casualties"]["killed"] == {
        "min": 23,
        "max": 50,
        "sources": 2,
        "open_ended": False,
    }
    assert incident["casualties"]["killed_or_injured"] == {
        "min": 250,
        "max": 250,
        "sources": 1,
        "open_ended": False,
    }
    assert list(incident["casualties"]) == [
        "killed",
        "injured",
        "killed_or_injured",
        "children_killed",
        "trapped",
    ]


def test_the_attribution_lists_the_denial_that_answers_it(api_client, seed):
    incident = idlib(api_client)
    attribution = next(
        c for c in incident["claims"] if c["kind"] == "attribution" and c["source"]["slug"] == SOHR
    )
    ministry = next(
        d for d in incident["denials"] if d["source"]["slug"] == "russian-defense-ministry"
    )
    assert ministry["id"] in attribution["denied_by"]
    assert attribution["id"] in ministry["denies"]
    assert attribution["attributed_to"] == {
        "id": attribution["attributed_to"]["id"],
        "slug": "russian-aerospace-forces",
        "name": "Russian Aerospace Forces",
        "kind": "armed_force",
    }
    assert incident["dispute"]["contested"] is True
    assert (
        "Attribution to Russian Aerospace Forces by Syrian Observatory for Human Rights denied "
        "by the accused, Russian Defense Ministry"
    ) in incident["dispute"]["reasons"]


def test_an_incident_has_every_field_of_the_contract(api_client, seed):
    incident = idlib(api_client)
    assert set(incident) >= {
        "id",
        "slug",
        "url",
        "title",
        "summary",
        "status",
        "occurred",
        "location",
        "assessment",
        "casualties",
        "dispute",
        "claims",
        "denials",
        "related",
        "updated_at",
    }
    assert incident["url"] == f"http://127.0.0.1:8000/incidents/{IDLIB}/"
    assert incident["occurred"] == {
        "start": "2016-05-30",
        "end": None,
        "time": None,
        "precision": "day",
    }
    assert incident["location"] == {
        "name": "Idlib",
        "region": "Idlib Governorate",
        "country": "SY",
        "lat": 35.9306,
        "lon": 36.6339,
        "precision": "city",
    }
    assert incident["assessment"]["grade"] == "contested"
    assert incident["related"] == [
        {
            "id": incident["related"][0]["id"],
            "slug": KFAR,
            "title": "Raids destroy two vaccination centres in Kfar Takharim",
        }
    ]
    claim = next(
        c for c in incident["claims"] if c["kind"] == "casualties" and c["source"]["slug"] == SOHR
    )
    assert set(claim) >= {
        "id",
        "incident",
        "kind",
        "source",
        "report",
        "statement",
        "claimed_on",
        "figures",
        "attributed_to",
        "denied_by",
    }
    assert claim["incident"] == incident["id"]
    assert claim["report"]["publisher"] == "Associated Press"
    assert claim["report"]["published_on"] == "2016-05-31"
    assert claim["figures"][0] == {
        "category": "killed",
        "min": 23,
        "max": None,
        "as_said": "at least 23 people",
        "approximate": False,
    }
    assert [f["category"] for f in claim["figures"]] == [
        "killed",
        "injured",
        "children_killed",
        "trapped",
    ]


def test_the_public_sees_a_protected_source_only_by_its_kind(api_client, seed):
    incident = idlib(api_client)
    body = str(incident)
    assert "Ahmad Ariha" not in body and "ahmad-ariha" not in body
    ariha = next(
        c for c in incident["claims"] if c["kind"] == "casualties" and c["source"]["id"] is None
    )
    assert ariha["source"] == {
        "id": None,
        "slug": None,
        "name": "Protected source",
        "kind": "individual",
    }


def test_staff_see_a_protected_source_in_full(researcher_api, seed):
    incident = idlib(researcher_api)
    assert any(
        c["source"]["slug"] == "ahmad-ariha" and c["source"]["protected"]
        for c in incident["claims"]
    )


def test_it_hides_drafts_from_anonymous_users_in_every_format(api_client, partner_api, seed):
    draft = make_incident(status="draft", title="Secret draft", latitude=1, longitude=2)
    make_claim(draft, statement="Secret statement", figures=[("killed", 5, 5)])
    for client in (api_client, partner_api):
        for fmt in ("json", "csv", "geojson"):
            response = client.get("/api/v1/incidents/", {"format": fmt})
            assert response.status_code == 200
            assert b"Secret" not in response.content
            assert client.get(f"/api/v1/incidents/{draft.pk}/", {"format": fmt}).status_code == 404
            response = client.get(f"/api/v1/incidents/by-slug/{draft.slug}/", {"format": fmt})
            assert response.status_code == 404


def test_staff_see_drafts(researcher_api, seed):
    draft = make_incident(status="draft")
    assert draft.slug in slugs(researcher_api.get("/api/v1/incidents/"))
    assert researcher_api.get(f"/api/v1/incidents/{draft.pk}/").status_code == 200


def test_a_draft_related_incident_is_not_listed_for_the_public(api_client, seed):
    draft = make_incident(status="draft", title="Hidden relation")
    seed.related.add(draft)
    assert "Hidden relation" not in str(idlib(api_client)["related"])


def test_an_unknown_incident_is_not_found(api_client, seed):
    assert api_client.get("/api/v1/incidents/999999/").status_code == 404
    assert api_client.get("/api/v1/incidents/by-slug/no-such-thing/").status_code == 404
    assert api_client.get("/api/v1/incidents/abc/").status_code == 404


# Filters


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "hospital"}, [IDLIB]),
        ({"q": "Konashenkov"}, [IDLIB]),
        ({"country": "SY"}, [KFAR, IDLIB]),
        ({"region": "Idlib Governorate"}, [KFAR, IDLIB]),
        ({"occurred_after": "2016-05-31"}, [KFAR]),
        ({"occurred_before": "2016-05-30"}, [IDLIB]),
        ({"source": "russian-defense-ministry"}, [IDLIB]),
        ({"attributed_to": "russian-aerospace-forces"}, [IDLIB]),
        ({"kind": "attribution"}, [IDLIB]),
        ({"killed_min": "20"}, [IDLIB]),
        ({"killed_min": "51"}, []),
        ({"contested": "true"}, [IDLIB]),
        ({"contested": "false"}, [KFAR]),
        ({"assessment": "weak"}, [KFAR]),
        ({"bbox": "36.5,35.9,36.7,36.0"}, [IDLIB]),
        ({"source": "ahmad-ariha"}, []),
        ({"country": "SY", "contested": "true", "killed_min": "20"}, [IDLIB]),
    ],
)
def test_each_filter_through_the_api(api_client, seed, params, expected):
    assert slugs(api_client.get("/api/v1/incidents/", params)) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "massacre"}, "kind"),
        ({"assessment": "probable"}, "assessment"),
        ({"killed_min": "many"}, "killed_min"),
        ({"contested": "perhaps"}, "contested"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"country": "Syria"}, "country"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"occurred_after": "2016-02-30"}, "occurred_after"),
        ({"ordering": "title"}, "ordering"),
        ({"page_size": "201"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_a_bad_filter_value_answers_400_with_a_message(api_client, seed, params, field):
    for fmt in ("json", "csv", "geojson"):
        response = api_client.get("/api/v1/incidents/", {**params, "format": fmt})
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert response.json()[field][0]


def test_a_party_is_found_by_its_current_slug_and_a_protected_one_only_by_staff(
    api_client, researcher_api
):
    incident = make_incident()
    party = make_source(slug="army", kind="armed_force")
    make_claim(incident, kind=Claim.Kind.ATTRIBUTION, attributed_to=party, statement="x")
    make_claim(make_incident(), kind=Claim.Kind.ATTRIBUTION, attributed_to=make_source())

    def attributed_to(slug, client=api_client):
        return slugs(client.get("/api/v1/incidents/", {"attributed_to": slug}))

    assert attributed_to("army") == [incident.slug]
    # A new slug reaches the incidents that name the party (their documents are rebuilt).
    party.slug = "national-army"
    party.save()
    assert attributed_to("army") == []
    assert attributed_to("national-army") == [incident.slug]
    # Once protected, the public cannot find which incidents name it; staff can.
    party.protected = True
    party.save()
    assert attributed_to("national-army") == []
    assert attributed_to("national-army", researcher_api) == [incident.slug]


def test_a_party_moved_to_another_organisation_changes_what_is_contested(api_client):
    ministry = make_source(kind="government")
    command = make_source(kind="armed_force", parent=ministry)
    unit = make_source(kind="armed_force", parent=command)
    incident = make_incident()
    make_claim(incident, kind=Claim.Kind.ATTRIBUTION, attributed_to=ministry, statement="x")
    make_claim(incident, kind=Claim.Kind.ATTRIBUTION, attributed_to=unit, statement="y")

    def contested():
        return slugs(api_client.get("/api/v1/incidents/", {"contested": "true"}))

    # The unit's grandparent is the ministry: one organisation, no dispute.
    assert contested() == []
    # The unit's parent moves to another ministry: the incident naming the unit is now
    # contested, though neither party it names has changed.
    command.parent = make_source(kind="government")
    command.save()
    assert contested() == [incident.slug]
    assert slugs(api_client.get("/api/v1/incidents/", {"contested": "false"})) == []


def test_updated_since_finds_incidents_whose_claims_changed(api_client, seed):
    other = make_incident()
    stamp = Incident.objects.get(pk=other.pk).updated_at
    assert slugs(api_client.get("/api/v1/incidents/", {"updated_since": stamp.isoformat()})) == [
        other.slug
    ]
    claim = Claim.objects.filter(incident=seed).first()
    claim.statement += " (corrected)"
    claim.save()
    found = slugs(
        api_client.get(
            "/api/v1/incidents/", {"updated_since": stamp.isoformat(), "ordering": "updated_at"}
        )
    )
    assert found == [other.slug, IDLIB]


# Pagination


def test_pages_follow_each_other_and_stay_stable_while_incidents_arrive(api_client):
    made = [make_incident(occurred_start=f"2020-01-{day:02d}") for day in range(1, 11)]
    # Several on the same day: the id breaks the tie.
    made += [make_incident(occurred_start="2020-01-05") for _ in range(3)]
    expected = [i.slug for i in sorted(made, key=lambda i: (i.occurred_start, i.pk), reverse=True)]
    first = api_client.get("/api/v1/incidents/", {"page_size": 4}).json()
    assert first["previous"] is None
    seen = [i["slug"] for i in first["results"]]
    make_incident(occurred_start="2021-01-01")  # newer: lands before the cursor
    make_incident(occurred_start="2020-01-05")  # same day as some on later pages
    page = first
    while page["next"]:
        page = api_client.get(page["next"]).json()
        seen += [i["slug"] for i in page["results"]]
    newest_tie = Incident.objects.filter(occurred_start="2020-01-05").order_by("-pk").first()
    assert [s for s in seen if s != newest_tie.slug] == expected


def test_previous_links_lead_back(api_client):
    for day in range(1, 8):
        make_incident(occurred_start=f"2020-02-{day:02d}")
    pages = [api_client.get("/api/v1/incidents/", {"page_size": 3}).json()]
    while pages[-1]["next"]:
        pages.append(api_client.get(pages[-1]["next"]).json())
    assert [len(p["results"]) for p in pages] == [3, 3, 1]
    back = api_client.get(pages[2]["previous"]).json()
    assert back["results"] == pages[1]["results"]
    back = api_client.get(back["previous"]).json()
    assert back["results"] == pages[0]["results"]
    assert back["previous"] is None
    assert back["next"]


@pytest.mark.parametrize(
    "ordering", ["occurred", "-occurred", "updated_at", "-updated_at", "-killed"]
)
def test_the_cursor_honours_each_ordering(api_client, ordering):
    for n in range(7):
        incident = make_incident(
            occurred_start=None if n == 3 else f"2019-03-{n + 1:02d}",
            occurred_precision="unknown" if n == 3 else "day",
        )
        if n % 2:
            make_claim(incident, figures=[("killed", n * 3, None)])
    everything = slugs(
        api_client.get("/api/v1/incidents/", {"ordering": ordering, "page_size": 200})
    )
    assert len(everything) == 7
    seen, url, params = [], "/api/v1/incidents/", {"ordering": ordering, "page_size": 2}
    while url:
        page = api_client.get(url, params).json()
        seen += [i["slug"] for i in page["results"]]
        url, params = page["next"], None
    assert seen == everything


def test_a_cursor_from_another_ordering_is_refused(api_client):
    for _ in range(3):
        make_incident()
    next_url = api_client.get("/api/v1/incidents/", {"page_size": 1}).json()["next"]
    response = api_client.get(next_url.replace("page_size=1", "page_size=1&ordering=occurred"))
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_the_list_query_count_does_not_grow_with_the_page_size(
    api_client, django_assert_max_num_queries
):
    for _ in range(200):
        make_busy_incident(n_claims=2)
    for size in (1, 200):
        with django_assert_max_num_queries(3) as captured:
            response = api_client.get("/api/v1/incidents/", {"page_size": size})
        assert len(response.json()["results"]) == size
        assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    for fmt in ("csv", "geojson"):
        with django_assert_max_num_queries(3):
            assert (
                api_client.get("/api/v1/incidents/", {"page_size": 200, "format": fmt}).status_code
                == 200
            )


def test_the_detail_query_count_is_constant(api_client, django_assert_max_num_queries):
    incident = make_busy_incident(n_claims=60)
    with django_assert_max_num_queries(3):
        response = api_client.get(f"/api/v1/incidents/{incident.pk}/")
    assert len(response.json()["claims"]) == 61
    with django_assert_max_num_queries(3):
        api_client.get(f"/api/v1/incidents/by-slug/{incident.slug}/")


def test_a_token_adds_no_more_than_its_own_lookup(partner_api, django_assert_max_num_queries):
    for _ in range(30):
        make_busy_incident(n_claims=2)
    partner_api.get("/api/v1/incidents/")  # records last_used_at
    with django_assert_max_num_queries(4):
        assert partner_api.get("/api/v1/incidents/", {"page_size": 30}).status_code == 200


# Formats


def test_the_csv_has_one_row_per_claim_figure(api_client, seed):
    response = api_client.get("/api/v1/incidents/", {"format": "csv", "q": "hospital"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    idlib_claims = Claim.objects.filter(incident__slug=IDLIB)
    expected = sum(max(1, claim.figures.count()) for claim in idlib_claims)
    assert len(rows) == expected
    assert {row["incident_slug"] for row in rows} == {IDLIB}
    killed = [row for row in rows if row["figure_category"] == "killed"]
    assert sorted((row["source_slug"], row["figure_min"], row["figure_max"]) for row in killed) == [
        ("local-coordination-committees", "50", "50"),
        (SOHR, "23", ""),
    ]
    assert all(row["contested"] == "true" for row in rows)
    assert "Ahmad Ariha" not in response.content.decode()


def test_csv_cells_cannot_run_as_spreadsheet_formulas(api_client):
    incident = make_incident(
        title='=HYPERLINK("http://evil")', summary="x", latitude=-33.5, longitude=-70.6
    )
    make_claim(
        incident,
        statement="+1 said so",
        source=make_source(name="@attacker"),
        report=make_report(title="-2 dead"),
    )
    make_claim(incident, statement="\tTabbed", figures=[("killed", 3, 3)])
    rows = list(
        csv.DictReader(
            io.StringIO(api_client.get("/api/v1/incidents/", {"format": "csv"}).content.decode())
        )
    )
    assert rows[0]["incident_title"] == '\'=HYPERLINK("http://evil")'
    cells = {cell for row in rows for cell in row.values()}
    assert "'+1 said so" in cells and "'@attacker" in cells and "'-2 dead" in cells
    assert "'\tTabbed" in cells
    assert rows[0]["latitude"] == "-33.5"  # numbers stay numbers


def test_an_incident_without_claims_still_has_a_csv_row(api_client):
    incident = make_incident()
    rows = list(
        csv.DictReader(
            io.StringIO(api_client.get("/api/v1/incidents/", {"format": "csv"}).content.decode())
        )
    )
    assert [(row["incident_slug"], row["claim_id"]) for row in rows] == [(incident.slug, "")]


def test_the_geojson_is_a_feature_collection_of_incidents_with_coordinates(api_client, seed):
    make_incident(title="Nowhere")  # no coordinates
    response = api_client.get("/api/v1/incidents/", {"format": "geojson"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["slug"] for f in data["features"]] == [KFAR, IDLIB]
    idlib_feature = data["features"][1]
    assert idlib_feature["geometry"] == {"type": "Point", "coordinates": [36.6339, 35.9306]}
    assert "claims" not in idlib_feature["properties"]
    assert "denials" not in idlib_feature["properties"]
    assert idlib_feature["properties"]["casualties"]["killed"]["max"] == 50


def test_one_incident_in_geojson_is_a_feature(api_client, seed):
    response = api_client.get(f"/api/v1/incidents/{seed.pk}/", {"format": "geojson"})
    assert response.json()["type"] == "Feature"
    assert response.json()["properties"]["slug"] == IDLIB


def test_a_draft_claim_of_a_public_incidents_source_stays_hidden(api_client, seed):
    """A source's claims about a draft never show, even through a public source."""
    draft = make_incident(status="draft")
    sohr = Claim.objects.filter(source__slug=SOHR).first().source
    make_claim(draft, source=sohr, statement="Draft-only claim")
    response = api_client.get("/api/v1/claims/", {"source": SOHR})
    assert "Draft-only claim" not in response.content.decode()


def test_a_denial_of_another_source_lists_both_in_order(api_client):
    incident = make_incident()
    claim = make_claim(incident)
    first = make_denial(incident, denies=[claim], denied_on="2020-01-01")
    second = make_denial(incident, denies=[claim], denied_on="2020-01-02")
    data = api_client.get(f"/api/v1/incidents/{incident.pk}/").json()
    assert data["claims"][0]["denied_by"] == [first.pk, second.pk]


def test_counts_are_a_separate_request_with_the_same_filters(
    api_client, seed, django_assert_max_num_queries
):
    make_incident(status="draft", country="SY")
    with django_assert_max_num_queries(1):
        response = api_client.get("/api/v1/incidents/count/", {"country": "SY"})
    assert response.json() == {"count": 2}
    assert api_client.get("/api/v1/incidents/count/", {"contested": "true"}).json() == {"count": 1}
    assert api_client.get("/api/v1/incidents/count/", {"kind": "x"}).status_code == 400


def test_a_misspelt_filter_is_refused_rather_than_ignored(api_client, seed):
    response = api_client.get("/api/v1/incidents/", {"contsted": "true"})
    assert response.status_code == 400
    assert "Unknown parameter" in response.json()["contsted"][0]
    assert api_client.get("/api/v1/claims/", {"sauce": "x"}).status_code == 400
    assert api_client.get("/api/v1/incidents/count/", {"page_size": "2"}).status_code == 400


def test_a_revised_claim_is_listed_but_only_the_current_one_counts(api_client, seed):
    from incidents.models import Claim, Figure

    first = Claim.objects.get(
        incident=seed, source__slug="syrian-observatory-for-human-rights", kind="casualties"
    )
    revision = Claim.objects.create(
        incident=seed,
        source=first.source,
        kind="casualties",
        statement="The Observatory raised the toll to at least 60.",
        claimed_on="2016-06-01",
        supersedes=first,
    )
    Figure.objects.create(claim=revision, category_id="killed", min_count=60, as_said="at least 60")
    body = api_client.get(f"/api/v1/incidents/{seed.pk}/").json()
    claims = {claim["id"]: claim for claim in body["claims"]}
    assert claims[first.pk]["current"] is False
    assert claims[first.pk]["superseded_by"] == revision.pk
    assert claims[revision.pk]["supersedes"] == first.pk
    assert claims[revision.pk]["current"] is True
    # The revised 23 no longer counts: LCC's 50 and the Observatory's 60 (open-ended).
    assert body["casualties"]["killed"] == {
        "min": 50,
        "max": 60,
        "sources": 2,
        "open_ended": True,
    }
