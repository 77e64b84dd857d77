"""Conditions compiled once (config.prepared.Condition) hold wherever a query puts them."""

import pytest
from django.db.models import Exists, OuterRef

from incidents.models import Claim, Incident
from incidents.search import contested_q, text_search_q

pytestmark = pytest.mark.django_db

IDLIB = "idlib-city-airstrikes-2016-05-30"


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_contested_holds_in_subqueries_and_negated(seed):
    contested = _ids(Incident.objects.filter(contested_q()))
    assert Incident.objects.get(slug=IDLIB).pk in contested
    # Inside a subquery the incidents table takes another name ("U0"): the condition
    # follows it.
    assert _ids(Incident.objects.filter(pk__in=Incident.objects.filter(contested_q()))) == (
        contested
    )
    inside = Exists(Incident.objects.filter(contested_q(), pk=OuterRef("incident_id")))
    claims = Claim.objects.filter(inside)
    assert claims.exists()
    assert set(claims.values_list("incident_id", flat=True)) <= contested
    rest = _ids(Incident.objects.exclude(contested_q()))
    assert rest and not rest & contested
    assert rest | contested == _ids(Incident.objects.all())


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
