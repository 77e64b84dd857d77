import pytest
from django.db import IntegrityError, connection, transaction

from incidents.models import CasualtyCategory, Claim, Denial, Figure, Incident
from tests.factories import make_claim, make_denial, make_incident, make_source

pytestmark = pytest.mark.django_db


def violates(constraint_name, make):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        make()
    assert constraint_name in str(error.value)


def test_the_database_refuses_a_figure_with_min_above_max():
    claim = make_claim(make_incident())
    killed = CasualtyCategory.objects.get(slug="killed")
    violates(
        "figure_min_not_above_max",
        lambda: Figure.objects.create(
            claim=claim, category=killed, min_count=50, max_count=23, as_said="23 to 50"
        ),
    )
    assert not Figure.objects.exists()


def test_the_database_refuses_a_negative_count():
    claim = make_claim(make_incident())
    killed = CasualtyCategory.objects.get(slug="killed")
    violates(
        "figure_min_not_negative",
        lambda: Figure.objects.create(claim=claim, category=killed, min_count=-1, as_said="-1"),
    )


def test_the_database_refuses_a_raw_update_that_breaks_a_figure():
    claim = make_claim(make_incident(), figures=[("killed", 10, 20)])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE incidents_figure SET min_count = 30 WHERE claim_id = %s", [claim.pk])


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"latitude": 91, "longitude": 0}, "incident_latitude_range"),
        ({"latitude": 0, "longitude": 181}, "incident_longitude_range"),
        ({"latitude": 35.9}, "incident_coordinates_paired"),
        ({"country": "sy"}, "incident_country_iso"),
        (
            {"occurred_start": "2016-05-30", "occurred_end": "2016-05-01"},
            "incident_end_after_start",
        ),
        ({"occurred_start": None}, "incident_start_known"),
    ],
)
def test_the_database_refuses_impossible_incidents(fields, constraint):
    violates(constraint, lambda: make_incident(**fields))


def test_an_unknown_date_may_be_empty():
    incident = make_incident(occurred_start=None, occurred_precision="unknown")
    assert Incident.objects.get(pk=incident.pk).occurred_start is None


def test_slugs_are_unique():
    make_incident(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_incident(slug="same")


def test_an_attribution_must_name_the_accused():
    violates(
        "claim_accused_iff_attribution",
        lambda: make_claim(make_incident(), kind="attribution"),
    )


def test_the_database_refuses_a_denial_of_another_incidents_claim():
    claim_elsewhere = make_claim(make_incident())
    here = make_incident()
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        make_denial(here, denies=[claim_elsewhere])
    assert "same incident" in str(error.value)


def test_the_database_refuses_moving_a_denied_claim_to_another_incident():
    incident = make_incident()
    claim = make_claim(incident)
    make_denial(incident, denies=[claim])
    claim.incident = make_incident()
    with pytest.raises(IntegrityError), transaction.atomic():
        claim.save()


def test_the_database_refuses_moving_a_denial_away_from_the_claims_it_denies():
    incident = make_incident()
    denial = make_denial(incident, denies=[make_claim(incident)])
    denial.incident = make_incident()
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        denial.save()
    assert "same incident" in str(error.value)


def test_a_denial_and_its_claims_may_move_together():
    incident, elsewhere = make_incident(), make_incident()
    claim = make_claim(incident)
    denial = make_denial(incident, denies=[claim])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        Claim.objects.filter(pk=claim.pk).update(incident=elsewhere)
        Denial.objects.filter(pk=denial.pk).update(incident=elsewhere)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks now: no error
    assert Denial.objects.get(pk=denial.pk).incident == elsewhere


def test_a_source_cannot_be_its_own_parent():
    source = make_source()
    source.parent = source
    with pytest.raises(IntegrityError), transaction.atomic():
        source.save()
