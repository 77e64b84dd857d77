import json

import pytest

from incidents.benchmark.data import generate
from incidents.benchmark.floor import floor_page
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_the_floor_page_holds_the_seed_case_as_the_api_contract_describes(seed):
    page = json.loads(floor_page(site_url="https://host"))
    [incident] = [i for i in page if i["slug"] == seed.slug]
    assert incident["url"] == f"https://host/incidents/{seed.slug}/"
    assert incident["casualties"]["killed"] == {
        "min": 23,
        "max": 50,
        "sources": 2,
        "open_ended": False,
    }
    assert incident["casualties"]["killed_or_injured"]["max"] == 250
    names = {claim["source"]["name"] for claim in incident["claims"]}
    assert "Ahmad Ariha" not in json.dumps(incident)
    assert "Protected source" in names
    [attribution] = [c for c in incident["claims"] if c["kind"] == "attribution"]
    assert attribution["attributed_to"]["slug"]
    denials = [d["id"] for d in incident["denials"] if attribution["id"] in d["denies"]]
    assert denials
    assert attribution["denied_by"] == denials
    observatory = next(c for c in incident["claims"] if c["figures"])
    assert {"category", "min", "max", "as_said"} == set(observatory["figures"][0])


def test_the_floor_page_lists_fifty_published_incidents_newest_first():
    generate(120, sources=150, seed=5)
    page = json.loads(floor_page())
    expected = list(Incident.objects.public().values_list("id", flat=True)[:50])
    assert [incident["id"] for incident in page] == expected


def test_the_floor_casualty_ranges_match_the_python_computation():
    generate(120, sources=150, seed=11)
    page = json.loads(floor_page())
    by_id = Incident.objects.with_claims().in_bulk([incident["id"] for incident in page])
    for incident in page:
        ranges = by_id[incident["id"]].casualty_ranges()
        assert incident["casualties"] == {slug: r.as_dict() for slug, r in ranges.items()}
        assert list(incident["casualties"]) == list(ranges)
