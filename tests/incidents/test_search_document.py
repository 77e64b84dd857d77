"""The search through the API list, as the incidents' texts change by every write path.

The public search first looks words up in one document per incident (IncidentSearch),
which the database's triggers keep: these tests change the texts by model saves, bulk
updates, raw SQL and bundle imports, and check what the search finds afterwards.
"""

import json

import pytest
from django.db import connection
from django.utils import timezone

from config.renderers import dumps
from incidents.bundles import export_bundle, import_bundle
from incidents.models import Claim, Denial, Incident, IncidentSearch
from tests.factories import make_claim, make_denial, make_incident, make_source

pytestmark = pytest.mark.django_db

API = "/api/v1/incidents/"


def found(client, q):
    response = client.get(API, {"q": q})
    assert response.status_code == 200, response.content
    return {incident["slug"] for incident in response.json()["results"]}


@pytest.fixture
def incident():
    return make_incident(title="Shelling of the old town", summary="Homes were hit.")


def test_each_text_is_matched_on_its_own(api_client, incident):
    make_claim(incident, statement="The clinic was struck at dawn.")
    make_claim(incident, statement="The market burned.")

    assert found(api_client, "clinic") == {incident.slug}
    assert found(api_client, "clinic struck") == {incident.slug}
    assert found(api_client, '"clinic was struck"') == {incident.slug}
    # Words of two different texts, or in another order, are not one match.
    assert found(api_client, "clinic market") == set()
    assert found(api_client, '"struck clinic"') == set()
    assert found(api_client, "shelling clinic") == set()
    assert found(api_client, "clinic or zzzqx") == {incident.slug}
    assert found(api_client, "clinic -market") == {incident.slug}
    assert found(api_client, "zzzqx") == set()


def test_a_word_the_parser_splits_is_matched_in_one_text(api_client, incident):
    # One word for the query's syntax, several words for the parser: the incident's
    # document has them all, but only a text having them side by side matches.
    make_claim(incident, statement="Ward 7 was hit; the clinic was spared.")
    make_claim(incident, statement="Shells fell on ward 9.")

    assert found(api_client, "ward_9") == {incident.slug}
    assert found(api_client, "ward_7") == {incident.slug}
    assert found(api_client, "clinic_9") == set()
    assert found(api_client, "ward_8") == set()


def test_a_claims_edit_withdrawal_and_move_change_what_is_found(api_client, incident):
    other = make_incident(title="Another incident")
    claim = make_claim(incident, statement="A convoy was hit.")
    assert found(api_client, "convoy") == {incident.slug}

    claim.statement = "A bakery was hit."
    claim.save()
    assert found(api_client, "convoy") == set()
    assert found(api_client, "bakery") == {incident.slug}

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_claim SET incident_id = %s WHERE id = %s", [other.pk, claim.pk]
        )
    assert found(api_client, "bakery") == {other.slug}

    Claim.objects.filter(pk=claim.pk).update(
        withdrawn_at=timezone.now(), withdrawn_reason="Retracted."
    )
    assert found(api_client, "bakery") == set()


def test_a_superseded_claim_is_still_searched_as_before(api_client, incident):
    source = make_source()
    first = make_claim(incident, source=source, statement="Early word of a ferry.")
    make_claim(incident, source=source, statement="Later word.", supersedes=first)

    assert found(api_client, "ferry") == {incident.slug}


def test_denials_are_searched_until_withdrawn(api_client, incident):
    denial = make_denial(incident, statement="We never flew over the orchard.")
    assert found(api_client, "orchard") == {incident.slug}

    Denial.objects.filter(pk=denial.pk).update(
        withdrawn_at=timezone.now(), withdrawn_reason="Wrong incident."
    )
    assert found(api_client, "orchard") == set()


def test_a_sources_new_name_and_protection_reach_the_search(api_client, researcher_api, incident):
    source = make_source(name="Valley Watch")
    make_claim(incident, source=source)
    denier = make_source(name="Ridge Office")
    make_denial(incident, source=denier)
    assert found(api_client, "valley") == {incident.slug}
    assert found(api_client, "ridge") == {incident.slug}

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sources_source SET name = 'Plateau Watch' WHERE id = %s", [source.pk]
        )
    assert found(api_client, "valley") == set()
    assert found(api_client, "plateau") == {incident.slug}

    source.refresh_from_db()
    source.protected = True
    source.save()
    denier.protected = True
    denier.save()
    assert found(api_client, "plateau") == set()
    assert found(api_client, "ridge") == set()
    # Staff still find incidents by protected sources' names.
    assert found(researcher_api, "plateau") == {incident.slug}
    assert found(researcher_api, "ridge") == {incident.slug}


def test_an_incidents_own_text_is_searched_however_it_is_written(api_client, incident):
    assert found(api_client, "shelling") == {incident.slug}

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_incident SET title = 'Flooding of the old town' WHERE id = %s",
            [incident.pk],
        )
    assert found(api_client, "shelling") == set()
    assert found(api_client, "flooding") == {incident.slug}


def test_an_imported_incidents_claims_and_denials_are_searched(api_client, incident):
    make_claim(incident, statement="The granary was emptied.")
    make_denial(incident, statement="Nobody touched the windmill.")
    bundle = json.loads(dumps(export_bundle(Incident.objects.filter(pk=incident.pk))))
    bundle["incidents"][0]["slug"] = "imported-copy"

    import_bundle(bundle)

    assert IncidentSearch.objects.filter(incident__slug="imported-copy").exists()
    assert found(api_client, "granary") == {incident.slug, "imported-copy"}
    assert found(api_client, "windmill") == {incident.slug, "imported-copy"}


def test_a_deleted_draft_leaves_no_search_document():
    draft = make_incident(status=Incident.Status.DRAFT, title="A draft about a quarry")
    assert IncidentSearch.objects.filter(incident=draft).exists()

    Incident.objects.filter(pk=draft.pk).delete()

    assert not IncidentSearch.objects.filter(incident_id=draft.pk).exists()
