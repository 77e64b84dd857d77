import pytest
from django.core.management import call_command

from incidents.models import Claim, Denial, Figure, Incident
from sources.models import Report, Source

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Incident, Claim, Figure, Denial, Source, Report)
    }


def test_the_demo_loads_the_whole_seed_case_once(capsys, django_user_model):
    call_command("demo", no_serve=True)
    first = counts()
    call_command("demo", no_serve=True)
    assert counts() == first
    assert first["Incident"] == 2
    assert first["Report"] == 1
    out = capsys.readouterr().out
    assert "Admin login: admin / " in out
    assert "otpauth://totp/" in out
    assert "Code right now: " in out
    assert django_user_model.objects.get(username="admin").is_superuser

    idlib = Incident.objects.with_claims().get(slug="idlib-city-airstrikes-2016-05-30")
    figures = {
        (f.claim.source.slug, f.category_id): f
        for f in Figure.objects.select_related("claim__source")
    }
    assert figures[("syrian-observatory-for-human-rights", "killed")].min_count == 23
    assert figures[("syrian-observatory-for-human-rights", "children_killed")].min_count == 7
    assert figures[("local-coordination-committees", "killed")].max_count == 50
    assert figures[("local-coordination-committees", "injured")].as_said == "over 200"
    assert figures[("ahmad-ariha", "killed_or_injured")].approximate
    attribution = Claim.objects.get(kind="attribution")
    assert attribution.attributed_to.slug == "russian-aerospace-forces"
    assert attribution.source.slug == "syrian-observatory-for-human-rights"
    ministry_denial = Denial.objects.get(source__slug="russian-defense-ministry")
    assert list(ministry_denial.denies.all()) == [attribution]
    assert idlib.casualty_ranges()["killed"].as_dict()["min"] == 23
    assert any("denied by the accused" in r for r in idlib.dispute().reasons)
    konashenkov = Source.objects.get(slug="igor-konashenkov")
    assert konashenkov.parent.slug == "russian-defense-ministry"
    assert Source.objects.get(slug="ahmad-ariha").protected
