"""Other monitors' identifiers for the same event: unique, searchable, filterable, importable."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from incidents.filters import IncidentFilter
from incidents.identifiers import export_identifiers, import_identifiers
from incidents.models import Incident, IncidentIdentifier
from tests.admin_forms import form_data
from tests.factories import make_incident

pytestmark = pytest.mark.django_db


def filtered(params):
    request = RequestFactory().get("/", params)
    request.user = AnonymousUser()
    filterset = IncidentFilter(params, queryset=Incident.objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs)


@pytest.fixture
def crosswalk():
    strike, other = make_incident(), make_incident()
    IncidentIdentifier.objects.create(incident=strike, scheme="airwars", value="SY123")
    IncidentIdentifier.objects.create(incident=strike, scheme="acled", value="SYR4411")
    IncidentIdentifier.objects.create(incident=other, scheme="ucdp", value="SY123")
    IncidentIdentifier.objects.create(incident=other, scheme="other", value="vdc:77")
    return strike, other


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("airwars:SY123", "strike"),
        ("AIRWARS: SY123", "strike"),
        ("acled:SYR4411", "strike"),
        ("SYR4411", "strike"),
        ("SY123", "both"),
        ("ucdp:SY123", "other"),
        ("acled:SY123", "none"),
        ("other:vdc:77", "other"),
        ("vdc:77", "other"),  # not a scheme: the whole text is the value
        ("sy123", "none"),  # identifiers are exact
        ("", "all"),
    ],
)
def test_the_identifier_filter(crosswalk, value, expected):
    strike, other = crosswalk
    wanted = {
        "strike": {strike},
        "other": {other},
        "both": {strike, other},
        "none": set(),
        "all": {strike, other},
    }[expected]
    assert filtered({"identifier": value}) == wanted


def test_an_identifier_belongs_to_one_incident():
    first, second = make_incident(), make_incident()
    IncidentIdentifier.objects.create(incident=first, scheme="airwars", value="SY1")
    IncidentIdentifier.objects.create(incident=second, scheme="acled", value="SY1")  # other scheme
    with pytest.raises(IntegrityError, match="incident_identifier_unique"), transaction.atomic():
        IncidentIdentifier.objects.create(incident=second, scheme="airwars", value="SY1")


def test_the_admin_searches_incidents_by_identifier(admin_user_client, crosswalk):
    strike, other = crosswalk
    response = admin_user_client.get("/admin/incidents/incident/", {"q": "SYR4411"})
    assert response.status_code == 200
    content = response.content.decode()
    assert strike.title in content
    assert other.title not in content


def test_the_admin_edits_identifiers_on_the_incident_and_refuses_duplicates(
    admin_user_client, crosswalk
):
    _, other = crosswalk
    url = f"/admin/incidents/incident/{other.pk}/change/"
    data = form_data(admin_user_client.get(url))
    total = int(data["identifiers-TOTAL_FORMS"])
    data |= {
        "identifiers-TOTAL_FORMS": str(total + 1),
        f"identifiers-{total}-scheme": "airwars",
        f"identifiers-{total}-value": "SY123",
        # The incident is published: every change says why.
        "change_reason": "Added Airwars' identifier.",
    }
    response = admin_user_client.post(url, data)
    assert response.status_code == 200
    assert "Another incident already carries this identifier." in response.content.decode()
    assert other.identifiers.count() == 2

    data[f"identifiers-{total}-value"] = "SY999"
    data[f"identifiers-{total}-url"] = "https://airwars.example/SY999"
    response = admin_user_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert other.identifiers.filter(scheme="airwars", value="SY999").exists()


def test_bundle_identifiers_import_once_and_export_the_same(crosswalk):
    strike, _ = crosswalk
    incident = make_incident()
    bundle = [{"scheme": "airwars", "value": "SY500"}, {"scheme": "ucdp", "value": "77001"}]
    created = import_identifiers(incident, bundle)
    assert len(created) == 2
    assert import_identifiers(incident, bundle) == []
    assert IncidentIdentifier.objects.filter(incident=incident).count() == 2
    assert export_identifiers(incident) == bundle
    assert export_identifiers(strike) == [
        {"scheme": "acled", "value": "SYR4411"},
        {"scheme": "airwars", "value": "SY123"},
    ]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"scheme": "wikipedia", "value": "x"}], "unknown scheme “wikipedia”"),
        ([{"scheme": "acled", "value": "  "}], "give the identifier's value"),
        (["airwars:SY1"], "give an object with “scheme” and “value”"),
        ([{"scheme": "airwars", "value": "SY123"}], "another incident already carries"),
    ],
)
def test_bad_bundle_identifiers_are_refused_and_nothing_is_written(crosswalk, items, message):
    incident = make_incident()
    good = {"scheme": "acled", "value": "NEW1"}
    with pytest.raises(ValidationError, match=message):
        import_identifiers(incident, [good, *items])
    assert not incident.identifiers.exists()
