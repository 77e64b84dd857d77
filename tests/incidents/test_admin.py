import pytest

from incidents.models import Claim, Denial, Figure, Incident
from tests.factories import make_claim, make_incident, make_source

pytestmark = pytest.mark.django_db


def claim_form(claim_or_none, incident, source, figures):
    data = {
        "incident": incident.pk,
        "kind": "casualties",
        "source": source.pk,
        "statement": "They said so.",
        "figures-TOTAL_FORMS": len(figures),
        "figures-INITIAL_FORMS": 0,
        "figures-MIN_NUM_FORMS": 0,
        "figures-MAX_NUM_FORMS": 1000,
        # The claim's intermediaries and media evidence, none here.
        "via_links-TOTAL_FORMS": 0,
        "via_links-INITIAL_FORMS": 0,
        "media-TOTAL_FORMS": 0,
        "media-INITIAL_FORMS": 0,
    }
    for i, (category, low, high, as_said) in enumerate(figures):
        data |= {
            f"figures-{i}-category": category,
            f"figures-{i}-min_count": low,
            f"figures-{i}-max_count": high,
            f"figures-{i}-as_said": as_said,
        }
    return data


def test_the_incident_admin_shows_the_seed_case_with_its_claims(admin_user_client, seed):
    response = admin_user_client.get(f"/admin/incidents/incident/{seed.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "at least seven children" in content
    assert "claiming that Russian aircraft carried out the strikes" in content


def test_the_incident_admin_list_filters_by_claim_kind(admin_user_client, seed):
    response = admin_user_client.get("/admin/incidents/incident/?claim_kind=attribution")
    assert response.status_code == 200
    assert "Late-night airstrikes on Idlib city" in response.content.decode()
    assert "Kfar Takharim" not in response.content.decode()


def test_the_admin_refuses_min_above_max_with_a_readable_message(researcher_client):
    incident, source = make_incident(status=Incident.Status.DRAFT), make_source()
    response = researcher_client.post(
        "/admin/incidents/claim/add/",
        claim_form(None, incident, source, [("killed", 50, 23, "23 to 50")]),
    )
    assert response.status_code == 200
    assert "The minimum cannot be above the maximum." in response.content.decode()
    assert not Claim.objects.exists()  # nothing half-saved
    assert not Figure.objects.exists()


def test_the_admin_refuses_a_negative_count(researcher_client):
    incident, source = make_incident(status=Incident.Status.DRAFT), make_source()
    response = researcher_client.post(
        "/admin/incidents/claim/add/",
        claim_form(None, incident, source, [("killed", -3, "", "minus three")]),
    )
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0" in response.content.decode() or (
        "A count cannot be negative." in response.content.decode()
    )
    assert not Claim.objects.exists()


def test_the_admin_saves_a_claim_with_its_figures(researcher_client):
    incident, source = make_incident(status=Incident.Status.DRAFT), make_source()
    response = researcher_client.post(
        "/admin/incidents/claim/add/",
        claim_form(
            None,
            incident,
            source,
            [("killed", 23, "", "at least 23"), ("children_killed", 7, "", "seven children")],
        ),
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert sorted(claim.figures.values_list("category", "min_count", "max_count")) == [
        ("children_killed", 7, None),
        ("killed", 23, None),
    ]


def test_the_admin_refuses_a_denial_of_another_incidents_claim(admin_user_client):
    other_claim = make_claim(make_incident())
    incident = make_incident()
    source = make_source()
    url = f"/admin/incidents/incident/{incident.pk}/change/"
    page = admin_user_client.get(url)
    assert page.status_code == 200
    form = {
        "title": incident.title,
        "slug": incident.slug,
        "status": incident.status,
        "occurred_start": "2016-05-30",
        "occurred_precision": "day",
        "claims-TOTAL_FORMS": 0,
        "claims-INITIAL_FORMS": 0,
        "claims-MIN_NUM_FORMS": 0,
        "claims-MAX_NUM_FORMS": 1000,
        "denials-TOTAL_FORMS": 1,
        "denials-INITIAL_FORMS": 0,
        "denials-MIN_NUM_FORMS": 0,
        "denials-MAX_NUM_FORMS": 1000,
        "denials-0-source": source.pk,
        "denials-0-statement": "Untrue.",
        "denials-0-denies": [other_claim.pk],
    }
    response = admin_user_client.post(url, form)
    assert response.status_code == 200
    assert not Denial.objects.exists()
    # The claim is not even offered: the field accepts only this incident's claims.
    assert "Select a valid choice" in response.content.decode()


def test_the_report_admin_lists_the_claims_it_contains(admin_user_client, seed):
    report = Claim.objects.filter(incident=seed).first().report
    response = admin_user_client.get(f"/admin/sources/report/{report.pk}/change/")
    assert response.status_code == 200
    assert "claiming that Russian aircraft carried out the strikes" in response.content.decode()


def test_admin_lists_stay_within_a_query_budget(
    admin_user_client, seed, django_assert_max_num_queries
):
    for _ in range(30):
        make_claim(make_incident())
    for url in (
        "/admin/incidents/incident/",
        "/admin/incidents/claim/",
        "/admin/sources/source/",
        "/admin/sources/report/",
    ):
        with django_assert_max_num_queries(15):
            assert admin_user_client.get(url).status_code == 200
    assert Incident.objects.count() == 32


def incident_form(figures):
    source = make_source()
    data = {
        "title": "Shelling of a market",
        "slug": "shelling-of-a-market",
        "status": "draft",
        "occurred_start": "2016-05-30",
        "occurred_precision": "day",
        "claims-TOTAL_FORMS": 1,
        "claims-INITIAL_FORMS": 0,
        "claims-MIN_NUM_FORMS": 0,
        "claims-MAX_NUM_FORMS": 1000,
        "claims-0-kind": "casualties",
        "claims-0-source": source.pk,
        "claims-0-statement": "At least 12 people were killed.",
        "claims-0-figures-TOTAL_FORMS": len(figures),
        "claims-0-figures-INITIAL_FORMS": 0,
        "claims-0-figures-MIN_NUM_FORMS": 0,
        "claims-0-figures-MAX_NUM_FORMS": 1000,
        "denials-TOTAL_FORMS": 0,
        "denials-INITIAL_FORMS": 0,
        "denials-MIN_NUM_FORMS": 0,
        "denials-MAX_NUM_FORMS": 1000,
    }
    for prefix in ("claims-0-via_links", "identifiers", "media"):
        data |= {
            f"{prefix}-TOTAL_FORMS": 0,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    for i, (category, low, high, as_said) in enumerate(figures):
        data |= {
            f"claims-0-figures-{i}-category": category,
            f"claims-0-figures-{i}-min_count": low,
            f"claims-0-figures-{i}-max_count": high,
            f"claims-0-figures-{i}-as_said": as_said,
        }
    return data


def test_the_incident_form_saves_claims_with_their_figures_in_one_go(researcher_client):
    response = researcher_client.post(
        "/admin/incidents/incident/add/",
        incident_form([("killed", 12, "", "at least 12"), ("injured", 30, 40, "30 to 40")]),
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    incident = Incident.objects.get(slug="shelling-of-a-market")
    assert incident.status == "draft"
    assert sorted(
        Figure.objects.filter(claim__incident=incident).values_list(
            "category", "min_count", "max_count"
        )
    ) == [("injured", 30, 40), ("killed", 12, None)]


def test_one_bad_figure_saves_nothing_of_the_incident(researcher_client):
    response = researcher_client.post(
        "/admin/incidents/incident/add/",
        incident_form([("killed", 12, "", "at least 12"), ("injured", 40, 30, "30 to 40")]),
    )
    assert response.status_code == 200
    assert "The minimum cannot be above the maximum." in response.content.decode()
    assert not Incident.objects.exists()
    assert not Claim.objects.exists()
    assert not Figure.objects.exists()
