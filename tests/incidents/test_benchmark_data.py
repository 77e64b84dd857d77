import pytest
from django.db import connection
from django.db.models import Count, F

from incidents.benchmark.data import generate
from incidents.models import Claim, Denial, Figure, Incident
from incidents.search import text_search_q
from sources.models import Report, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    return generate(200, sources=300, seed=7)


def test_it_generates_incidents_with_claims_figures_denials_and_sources(generated):
    assert Incident.objects.count() == 200
    assert Source.objects.count() == 300
    claims = Claim.objects.count()
    assert 800 <= claims <= 1200  # about five per incident
    assert 1.7 * claims <= Figure.objects.count() <= 2.3 * claims
    assert 60 <= Denial.objects.count() <= 140  # about half per incident
    assert Report.objects.count() >= 200
    published = Incident.objects.public().count()
    assert 160 <= published <= 195  # about 90%
    assert generated.rows["incidents"] == 200
    assert generated.rows["claims"] == claims
    assert generated.rows_per_second > 0


def test_every_claim_has_one_to_three_figures_and_attributions_name_a_party(generated):
    per_claim = Claim.objects.filter(kind__in=["casualties", "attribution", "damage"]).annotate(
        n=Count("figures")
    )
    assert set(per_claim.values_list("n", flat=True)) == {1, 2, 3}
    attributions = Claim.objects.filter(kind="attribution")
    assert attributions.exists()
    assert not attributions.filter(attributed_to__isnull=True).exists()
    assert (
        not Claim.objects.exclude(kind="attribution").filter(attributed_to__isnull=False).exists()
    )


def test_generated_rows_satisfy_every_constraint(generated):
    # Foreign keys are deferred by Django; checking them now proves the rows are consistent.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for incident in Incident.objects.all()[:50]:
        incident.validate_constraints()
    for figure in Figure.objects.all()[:500]:
        figure.validate_constraints(exclude={"claim", "category"})
    # Every denial answers claims of its own incident, and some answer attributions.
    assert not Denial.denies.through.objects.exclude(claim__incident=F("denial__incident")).exists()
    assert Denial.objects.filter(denies__kind="attribution").exists()
    # Sources: some protected, some belonging to an organisation; timestamps filled.
    assert Source.objects.filter(protected=True).exists()
    assert Source.objects.filter(parent__isnull=False).exists()
    assert not Incident.objects.filter(updated_at__lt=F("created_at")).exists()


def test_generated_text_can_be_searched(generated):
    found = Incident.objects.filter(text_search_q("hospital"))
    assert found.exists()
    assert Incident.objects.filter(text_search_q("exploded")).exists()  # stemmed: explosion
    assert not Incident.objects.filter(text_search_q("zeppelin")).exists()


def test_new_rows_get_fresh_ids_after_a_load(generated):
    from tests.factories import make_incident

    incident = make_incident()
    assert incident.pk > Incident.objects.exclude(pk=incident.pk).latest("pk").pk


def test_the_load_works_with_the_search_indexes_dropped_and_rebuilt():
    result = generate(30, sources=120, seed=3, index_strategy="rebuild")
    assert result.rows["incidents"] == 30
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname IN "
            "('incident_search', 'claim_statement_search', 'denial_statement_search', "
            "'source_name_search')"
        )
        assert cursor.fetchone()[0] == 4


def test_every_generated_row_is_in_the_history_and_later_writes_touch_incidents(generated):
    from incidents.models import ClaimEvent, FigureEvent

    assert ClaimEvent.objects.filter(pgh_label="insert").count() == Claim.objects.count()
    assert FigureEvent.objects.filter(pgh_label="insert").count() == Figure.objects.count()
    # The load skips the triggers that touch incidents (it fills updated_at itself)...
    assert set(Incident.objects.values_list("version", flat=True)) == {1}
    # ...and only while it loads: a claim inserted afterwards (in bulk: no signal, the
    # trigger alone) touches its incident.
    incident = Incident.objects.order_by("pk").first()
    source = Source.objects.first()
    Claim.objects.bulk_create(
        [Claim(incident=incident, source=source, kind="event", statement="It happened.")]
    )
    incident.refresh_from_db()
    assert incident.version > 1
