"""Conditions compiled once (config.prepared.Condition) hold wherever a query puts them."""

import pytest
from django.db.models import Exists, OuterRef

from incidents.models import Claim, Incident
from incidents.search import text_search_q

pytestmark = pytest.mark.django_db

IDLIB = "idlib-city-airstrikes-2016-05-30"


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_a_condition_holds_in_subqueries_and_negated(seed):
    found = _ids(Incident.objects.filter(text_search_q("hospital")))
    assert Incident.objects.get(slug=IDLIB).pk in found
    # Inside a subquery the incidents table takes another name ("U0"): the condition
    # follows it.
    nested = Incident.objects.filter(pk__in=Incident.objects.filter(text_search_q("hospital")))
    assert _ids(nested) == found
    inside = Exists(Incident.objects.filter(text_search_q("hospital"), pk=OuterRef("incident_id")))
    claims = Claim.objects.filter(inside)
    assert claims.exists()
    assert set(claims.values_list("incident_id", flat=True)) <= found
    rest = _ids(Incident.objects.exclude(text_search_q("hospital")))
    assert rest and not rest & found
    assert rest | found == _ids(Incident.objects.all())


@pytest.mark.parametrize("staff", [False, True])
def test_each_search_is_its_own_words(seed, staff):
    idlib = Incident.objects.get(slug=IDLIB).pk
    assert idlib in _ids(Incident.objects.filter(text_search_q("Idlib", staff)))
    assert idlib in _ids(Incident.objects.filter(text_search_q("Idlib airstrikes", staff)))
    assert not Incident.objects.filter(text_search_q("zeppelin", staff)).exists()
    assert not Incident.objects.filter(text_search_q("Idlib zeppelin", staff)).exists()
    # The same compiled condition, another value, in a subquery.
    nested = Incident.objects.filter(
        pk__in=Incident.objects.filter(text_search_q("zeppelin", staff))
    )
    assert not nested.exists()
