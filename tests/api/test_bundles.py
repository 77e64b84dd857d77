"""Bundles: export, import (command and API), idempotence, atomicity, the round trip."""

import copy
import json

import pgtrigger
import pytest
from django.core.management import CommandError, call_command

from incidents.bundles import export_bundle
from incidents.models import CasualtyCategory, Claim, Denial, Figure, Incident
from sources.models import Report, Source
from tests.factories import make_claim, make_incident

pytestmark = pytest.mark.django_db

TIMESTAMPS = {"created_at", "updated_at"}


def normalise(bundle):
    """A bundle without ids and timestamps: references become positions or slugs."""
    incidents = []
    for incident in bundle["incidents"]:
        claim_index = {claim["id"]: n for n, claim in enumerate(incident["claims"])}
        denial_index = {denial["id"]: n for n, denial in enumerate(incident["denials"])}

        def source(summary):
            return summary and {k: v for k, v in summary.items() if k != "id"}

        def report(summary):
            return summary and {
                **{k: v for k, v in summary.items() if k not in ("id", "publisher_source")},
                "publisher_source": source(summary["publisher_source"]),
            }

        incidents.append(
            {
                # The version counts saves in one database: like ids, not carried over.
                **{k: v for k, v in incident.items() if k not in {"id", "version", *TIMESTAMPS}},
                "claims": [
                    {
                        **{k: v for k, v in c.items() if k not in {"id", "incident", *TIMESTAMPS}},
                        "source": source(c["source"]),
                        "attributed_to": source(c["attributed_to"]),
                        "via": [source(v) for v in c["via"]],
                        "report": report(c["report"]),
                        "denied_by": [denial_index[d] for d in c["denied_by"]],
                    }
                    for c in incident["claims"]
                ],
                "denials": [
                    {
                        **{k: v for k, v in d.items() if k not in {"id", "incident", *TIMESTAMPS}},
                        "source": source(d["source"]),
                        "report": report(d["report"]),
                        "denies": [claim_index[c] for c in d["denies"]],
                    }
                    for d in incident["denials"]
                ],
                "related": [r["slug"] for r in incident["related"]],
            }
        )
    return {
        "incidents": incidents,
        "sources": bundle["sources"],
        "reports": [{k: v for k, v in r.items() if k != "id"} for r in bundle["reports"]],
        "categories": bundle["categories"],
    }


def as_json(bundle):
    return json.loads(json.dumps(bundle, default=str))


def counts():
    return [m.objects.count() for m in (Incident, Claim, Figure, Denial, Source, Report)]


def empty_database():
    """A fresh database: published rows are never deleted by the application, so the
    database's refusal (the keep_published triggers) is lifted here alone."""
    with pgtrigger.ignore(
        "incidents.Denial:keep_published",
        "incidents.Claim:keep_published",
        "incidents.Incident:keep_published",
    ):
        for model in (Denial, Claim, Incident, Report):
            model.objects.all().delete()
    Source.objects.update(parent=None)
    Source.objects.all().delete()


def test_export_then_import_into_an_empty_database_gives_the_same_bundle(seed, tmp_path):
    seed.related.add(make_incident(status="draft", slug="a-draft"))
    path = tmp_path / "bundle.json"
    call_command("export_incidents", output=str(path))
    first = json.loads(path.read_text())
    assert len(first["incidents"]) == 3
    empty_database()
    assert counts() == [0, 0, 0, 0, 0, 0]
    call_command("import_incidents", str(path))
    second = as_json(export_bundle())
    assert normalise(second) == normalise(first)
    # What makes it the same case, not just the same words:
    idlib = next(i for i in second["incidents"] if i["slug"] == seed.slug)
    assert idlib["casualties"]["killed"] == {
        "min": 23,
        "max": 50,
        "sources": 2,
        "open_ended": False,
    }
    assert Source.objects.get(slug="ahmad-ariha").protected
    assert Source.objects.get(slug="russian-defense-ministry").parent.slug == (
        "government-of-russia"
    )


def test_importing_the_same_bundle_twice_changes_nothing(seed, tmp_path):
    bundle = as_json(export_bundle())
    empty_database()
    call_command("import_incidents", _write(tmp_path, bundle))
    after_first = as_json(export_bundle())
    numbers = counts()
    call_command("import_incidents", _write(tmp_path, bundle))
    assert as_json(export_bundle()) == after_first  # not even updated_at moved
    assert counts() == numbers


def test_importing_over_existing_incidents_matches_them(seed, tmp_path):
    before = counts()
    bundle = as_json(export_bundle())
    call_command("import_incidents", _write(tmp_path, bundle))
    assert counts() == before


def test_one_bad_incident_and_nothing_is_imported(seed, tmp_path):
    bundle = as_json(export_bundle())
    empty_database()
    bundle["incidents"][1]["claims"][0]["figures"] = [
        {"category": "killed", "min": 9, "max": 2, "as_said": "2 to 9"}
    ]
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_incidents", _write(tmp_path, bundle))
    assert counts() == [0, 0, 0, 0, 0, 0]
    bundle["incidents"][0]["claims"][1]["kind"] = "gossip"
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_incidents", _write(tmp_path, bundle))
    assert counts() == [0, 0, 0, 0, 0, 0]


def test_the_error_report_names_the_incident_and_the_field(researcher_api, seed):
    bundle = as_json(export_bundle())
    empty_database()
    bundle["incidents"][1]["claims"][0]["figures"] = [
        {"category": "killed", "min": 9, "max": 2, "as_said": "2 to 9"}
    ]
    response = researcher_api.post("/api/v1/import/", bundle, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "incident": 1,
            "field": "claims[0].figures[0].min",
            "message": "The minimum cannot be above the maximum.",
        }
    ]
    assert counts() == [0, 0, 0, 0, 0, 0]
    bundle["incidents"][0]["occurred"]["precision"] = "whenever"
    errors = researcher_api.post("/api/v1/import/", bundle, format="json").json()["errors"]
    assert errors[0]["incident"] == 0 and errors[0]["field"] == "occurred.precision"


def test_a_researchers_import_lands_as_drafts(researcher_api):
    bundle = {
        "incidents": [
            {
                "title": "Strike on a bakery in Maarat al-Numan",
                "status": "published",
                "occurred": {"start": "2016-06-01"},
                "location": {"name": "Maarat al-Numan", "country": "SY"},
                "claims": [
                    {
                        "id": 1,
                        "kind": "casualties",
                        "source": {
                            "slug": "local-monitor",
                            "name": "Local Monitor",
                            "kind": "monitor",
                        },
                        "statement": "Nine dead.",
                        "figures": [{"category": "killed", "min": 9, "max": 9, "as_said": "nine"}],
                    },
                    {
                        "id": 2,
                        "kind": "attribution",
                        "source": {"slug": "local-monitor"},
                        "statement": "Jets did it.",
                        "attributed_to": {"name": "Unnamed air force", "kind": "armed_force"},
                    },
                ],
                "denials": [
                    {"source": {"name": "Unnamed air force"}, "statement": "No.", "denies": [2]}
                ],
            }
        ]
    }
    response = researcher_api.post("/api/v1/import/", bundle, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 1
    incident = Incident.objects.get()
    assert incident.status == "draft"
    assert incident.slug == "strike-on-a-bakery-in-maarat-al-numan"
    denial = incident.denials.get()
    assert list(denial.denies.values_list("kind", flat=True)) == ["attribution"]
    again = researcher_api.post("/api/v1/import/", bundle, format="json").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert researcher_api.get(f"/api/v1/incidents/{incident.pk}/").json()["status"] == "draft"


def test_a_researcher_cannot_overwrite_a_published_incident_by_import(researcher_api, seed):
    bundle = as_json(export_bundle(Incident.objects.filter(pk=seed.pk)))
    bundle["incidents"][0]["summary"] = "Rewritten"
    response = researcher_api.post("/api/v1/import/", bundle, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"
    assert Incident.objects.get(pk=seed.pk).summary != "Rewritten"


def test_an_editors_import_may_publish(editor_api):
    bundle = {
        "incidents": [
            {
                "title": "Published by import",
                "status": "published",
                "occurred": {"start": "2016-06-01"},
            }
        ]
    }
    assert editor_api.post("/api/v1/import/", bundle, format="json").status_code == 200
    assert Incident.objects.get().status == "published"


def test_import_needs_a_token_with_write_permissions(api_client, partner_api):
    bundle = {"incidents": [{"title": "X", "occurred": {"start": "2016-06-01"}}]}
    assert api_client.post("/api/v1/import/", bundle, format="json").status_code == 401
    assert partner_api.post("/api/v1/import/", bundle, format="json").status_code == 403
    assert not Incident.objects.exists()


def test_sources_and_reports_are_matched_by_slug_url_or_name(researcher_api, seed):
    report = Report.objects.get()
    report.url = "https://apnews.example/idlib"
    report.save()
    before = counts()
    bundle = {
        "incidents": [
            {
                "title": "Matched references",
                "occurred": {"start": "2016-06-01"},
                "claims": [
                    {
                        "kind": "casualties",
                        "source": {"slug": "syrian-observatory-for-human-rights"},
                        "statement": "by slug",
                        "report": {"url": "https://apnews.example/idlib"},
                    },
                    {
                        "kind": "casualties",
                        "source": {"name": "local coordination committees"},
                        "statement": "by name",
                        "report": {"title": report.title, "publisher": "Associated Press"},
                    },
                ],
            }
        ]
    }
    assert researcher_api.post("/api/v1/import/", bundle, format="json").status_code == 200
    claims = Claim.objects.filter(incident__slug="matched-references")
    assert {c.source.slug for c in claims} == {
        "syrian-observatory-for-human-rights",
        "local-coordination-committees",
    }
    assert {c.report_id for c in claims} == {report.pk}
    assert counts()[4:] == before[4:]  # no new sources or reports


def test_a_public_exports_protected_source_cannot_be_imported(api_client, researcher_api, seed):
    public = api_client.get(f"/api/v1/incidents/{seed.pk}/").json()
    public["slug"] = "a-copy"
    response = researcher_api.post("/api/v1/import/", {"incidents": [public]}, format="json")
    assert response.status_code == 400
    messages = " ".join(e["message"] for e in response.json()["errors"])
    assert "protected source" in messages


def test_an_unknown_category_is_refused_unless_the_bundle_brings_it(researcher_api):
    incident = {
        "title": "Goats",
        "occurred": {"start": "2016-06-01"},
        "claims": [
            {
                "kind": "casualties",
                "source": {"name": "Herder", "kind": "individual"},
                "statement": "Ten goats died.",
                "figures": [
                    {"category": "livestock_killed", "min": 10, "max": 10, "as_said": "ten"}
                ],
            }
        ],
    }
    response = researcher_api.post("/api/v1/import/", {"incidents": [incident]}, format="json")
    assert response.status_code == 400
    assert "Unknown casualty category" in response.json()["errors"][0]["message"]
    bundle = {
        "incidents": [incident],
        "categories": [{"slug": "livestock_killed", "name": "Livestock killed"}],
    }
    assert researcher_api.post("/api/v1/import/", bundle, format="json").status_code == 200
    assert CasualtyCategory.objects.filter(slug="livestock_killed").exists()


def test_an_import_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("import_incidents", str(path))


def test_export_can_leave_out_drafts(tmp_path):
    make_claim(make_incident(slug="public-one"))
    make_incident(slug="draft-one", status="draft")
    path = tmp_path / "published.json"
    call_command("export_incidents", output=str(path), published=True)
    assert [i["slug"] for i in json.loads(path.read_text())["incidents"]] == ["public-one"]


def _write(tmp_path, bundle):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    return str(path)


def test_a_reimport_without_a_published_claim_withdraws_it_and_is_then_idempotent(seed, tmp_path):
    from incidents.models import Tombstone

    bundle = as_json(export_bundle(Incident.objects.filter(pk=seed.pk)))
    dropped = bundle["incidents"][0]["claims"].pop()
    bundle["incidents"][0]["denials"] = [
        {**denial, "denies": [ref for ref in denial["denies"] if ref != dropped["id"]]}
        for denial in bundle["incidents"][0]["denials"]
    ]
    numbers = counts()
    call_command("import_incidents", _write(tmp_path, bundle))
    claim = Claim.objects.get(pk=dropped["id"])
    assert claim.withdrawn_at is not None and claim.withdrawn_reason
    assert counts() == numbers  # withdrawn, not deleted
    assert Tombstone.objects.filter(object_type="claim", object_id=claim.pk).exists()
    after = as_json(export_bundle(Incident.objects.filter(pk=seed.pk)))
    assert dropped["id"] not in {c["id"] for c in after["incidents"][0]["claims"]}
    call_command("import_incidents", _write(tmp_path, bundle))
    assert as_json(export_bundle(Incident.objects.filter(pk=seed.pk))) == after


def _copies(seed, n):
    """A bundle of ``n`` new incidents, each a copy of the seed case under its own slug."""
    bundle = as_json(export_bundle(Incident.objects.filter(pk=seed.pk)))
    template = bundle["incidents"][0]
    bundle["incidents"] = [
        {**copy.deepcopy(template), "slug": f"copy-{k}", "title": f"Copy {k}", "related": []}
        for k in range(n)
    ]
    return bundle


def test_new_incidents_are_written_in_a_number_of_queries_that_does_not_grow(editor_api, seed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def import_queries(bundle):
        with CaptureQueriesContext(connection) as captured:
            response = editor_api.post("/api/v1/import/", bundle, format="json")
        assert response.status_code == 200, response.json()
        return len(captured)

    def copies(n, prefix):
        bundle = _copies(seed, n)
        for incident in bundle["incidents"]:
            incident["slug"] = f"{prefix}-{incident['slug']}"
        return bundle

    claims, figures, denials = seed.claims.count(), Figure.objects.count(), seed.denials.count()
    import_queries(copies(1, "first"))  # the first request of a client reads more
    few = import_queries(copies(2, "few"))
    assert import_queries(copies(12, "many")) == few
    assert Incident.objects.filter(slug__startswith="many-copy-").count() == 12
    one = Incident.objects.get(slug="many-copy-11")
    assert one.claims.count() == claims and one.denials.count() == denials
    assert Figure.objects.count() == figures * 16
    # The denials answer the copies' own claims, as the bundle's references say.
    assert {c.incident_id for d in one.denials.all() for c in d.denies.all()} == {one.pk}


def test_new_incidents_links_touch_the_incidents_already_there(editor_api, seed):
    from incidents.models import IncidentSearch

    other = make_incident(slug="other-strike", title="Other strike")
    unlinked = make_incident(slug="unlinked")
    stamps = {i.pk: (i.updated_at, i.version) for i in Incident.objects.all()}
    documents = dict(IncidentSearch.objects.values_list("incident_id", "document"))
    bundle = _copies(seed, 2)
    bundle["incidents"][0]["related"] = [{"slug": seed.slug}, {"slug": "other-strike"}]

    response = editor_api.post("/api/v1/import/", bundle, format="json")

    assert response.status_code == 200, response.json()
    first, second = Incident.objects.get(slug="copy-0"), Incident.objects.get(slug="copy-1")
    assert set(first.related.values_list("slug", flat=True)) == {seed.slug, "other-strike"}
    assert list(other.related.values_list("slug", flat=True)) == ["copy-0"]
    assert first in seed.related.all()
    # The incidents linked to have changed: a new version and a later updated_at, as
    # the links' own triggers would give them; one left out of the links has not.
    for incident in (seed, other):
        incident.refresh_from_db()
        updated_at, version = stamps[incident.pk]
        assert incident.version == version + 1, incident.slug
        assert incident.updated_at > updated_at, incident.slug
    unlinked.refresh_from_db()
    assert (unlinked.updated_at, unlinked.version) == stamps[unlinked.pk]
    # The new incidents keep their first version.
    assert (first.version, second.version) == (1, 1)
    # Links are not searched: the documents of the incidents linked to are unchanged,
    # and the new incidents' documents hold their claims' words.
    assert IncidentSearch.objects.get(incident=seed).document == documents[seed.pk]
    assert IncidentSearch.objects.get(incident=other).document == documents[other.pk]
    found = editor_api.get("/api/v1/incidents/", {"q": "Syrian Observatory", "page_size": 50})
    assert {"copy-0", "copy-1"} <= {i["slug"] for i in found.json()["results"]}


def test_an_incident_already_there_gets_the_bundles_links_both_ways(editor_api, seed):
    old, new, kept = (make_incident(slug=slug) for slug in ("old-link", "new-link", "kept-link"))
    seed.related.add(old, kept)
    bundle = as_json(export_bundle(Incident.objects.filter(pk=seed.pk)))
    bundle["incidents"][0]["related"] = [{"slug": "kept-link"}, {"slug": "new-link"}]
    bundle["incidents"].append(
        {**_copies(seed, 1)["incidents"][0], "related": [{"slug": "old-link"}]}
    )

    response = editor_api.post("/api/v1/import/", bundle, format="json")

    assert response.status_code == 200, response.json()
    assert [i["result"] for i in response.json()["incidents"]] == ["updated", "created"]
    assert set(seed.related.values_list("slug", flat=True)) == {"kept-link", "new-link"}
    assert set(old.related.values_list("slug", flat=True)) == {"copy-0"}
    assert list(new.related.values_list("slug", flat=True)) == [seed.slug]
    assert list(kept.related.values_list("slug", flat=True)) == [seed.slug]


def test_a_bulk_import_is_recorded_in_the_history_with_who_made_it(
    researcher_api, researcher, seed
):
    from incidents.models import ClaimEvent, DenialDeniesEvent, FigureEvent, IncidentEvent

    response = researcher_api.post("/api/v1/import/", _copies(seed, 3), format="json")
    assert response.status_code == 200, response.json()
    new = Incident.objects.filter(slug__startswith="copy-")
    claims = Claim.objects.filter(incident__in=new)
    events = [
        IncidentEvent.objects.filter(pgh_obj__in=new, pgh_label="insert"),
        ClaimEvent.objects.filter(pgh_obj__in=claims, pgh_label="insert"),
        FigureEvent.objects.filter(pgh_obj__claim__in=claims, pgh_label="insert"),
        DenialDeniesEvent.objects.filter(claim__in=claims, pgh_label="insert"),
    ]
    assert [e.count() for e in events] == [
        3,
        claims.count(),
        Figure.objects.filter(claim__in=claims).count(),
        Denial.denies.through.objects.filter(claim__in=claims).count(),
    ]
    contexts = [event.pgh_context for e in events for event in e]
    assert {(c["user"], c["url"]) for c in contexts} == {(researcher.pk, "/api/v1/import/")}


def test_what_the_database_refuses_is_still_named_by_incident_and_field(
    researcher_api, seed, monkeypatch
):
    """The database's constraints have the last word: with the checks before the bulk
    insert switched off, the refusal still comes back naming the incident and field."""
    import incidents.bundles

    monkeypatch.setattr(incidents.bundles, "in_memory_model_errors", lambda *a, **k: {})
    bundle = _copies(seed, 3)
    bundle["incidents"][1]["claims"][0]["figures"] = [
        {"category": "killed", "min": 9, "max": 2, "as_said": "2 to 9"}
    ]
    before = counts()
    response = researcher_api.post("/api/v1/import/", bundle, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "incident": 1,
            "field": "claims[0].figures[0].min",
            "message": "The minimum cannot be above the maximum.",
        }
    ]
    assert counts() == before
    del bundle["incidents"][1]
    assert researcher_api.post("/api/v1/import/", bundle, format="json").status_code == 200
    assert counts()[0] == before[0] + 2


def test_errors_in_several_new_incidents_are_all_reported(researcher_api, seed):
    bundle = _copies(seed, 3)
    bundle["incidents"][0]["location"] = {"name": "Idlib", "lat": 95, "lon": 36.6}
    bundle["incidents"][2]["claims"][1]["statement"] = "x" * 3
    bundle["incidents"][2]["claims"][1]["figures"] = [
        {"category": "killed", "min": 3, "as_said": "3"},
        {"category": "killed", "min": 4, "as_said": "4"},
    ]
    bundle["incidents"][2]["denials"] = [
        {
            "source": {"slug": "syrian-observatory-for-human-rights"},
            "statement": "No",
            "denies": [0],
        }
    ]
    before = counts()
    response = researcher_api.post("/api/v1/import/", bundle, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"incident": 0, "field": "location.lat", "message": "Latitude must be between -90 and 90."},
        {
            "incident": 2,
            "field": "claims[1].figures[1].category",
            "message": "A claim gives one figure per category.",
        },
        {
            "incident": 2,
            "field": "denials[0].denies",
            "message": "No claim 0 among this incident's claims.",
        },
    ]
    assert counts() == before


def test_an_import_leaves_the_bundle_it_reads_as_it_was(seed):
    """The benchmark imports copies that share their claims and figures with the bundle."""
    from incidents.bundles import import_bundle

    bundle = _copies(seed, 2)
    bundle["incidents"][1]["slug"] = ""  # made from the title
    as_given = copy.deepcopy(bundle)
    assert import_bundle(bundle)["created"] == 2
    assert bundle == as_given


def test_text_with_a_surrogate_character_is_refused_with_drfs_message(researcher_api):
    bundle = {"incidents": [{"title": "Strike \ud83d", "occurred": {"start": "2016-06-01"}}]}
    body = json.dumps(bundle)  # \ud83d, escaped: a lone surrogate once parsed
    response = researcher_api.post("/api/v1/import/", body, content_type="application/json")
    assert response.status_code == 400
    message = "Surrogate characters are not allowed: U+D83D."
    assert response.json()["errors"] == [{"incident": 0, "field": "title", "message": message}]
    assert not Incident.objects.exists()


def test_reimporting_unchanged_incidents_reads_in_bulk_and_writes_nothing(editor_api, seed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bundle = _copies(seed, 12)
    assert editor_api.post("/api/v1/import/", bundle, format="json").status_code == 200
    stored = as_json(export_bundle(Incident.objects.filter(slug__startswith="copy-")))

    def reimport(incidents):
        with CaptureQueriesContext(connection) as captured:
            response = editor_api.post(
                "/api/v1/import/", {**bundle, "incidents": incidents}, format="json"
            )
        assert response.status_code == 200, response.json()
        assert response.json()["unchanged"] == len(incidents)
        return [q["sql"].split()[0] for q in captured]

    few, many = reimport(bundle["incidents"][:2]), reimport(bundle["incidents"])
    assert len(few) == len(many)
    assert not {"INSERT", "UPDATE", "DELETE"} & set(many)
    assert as_json(export_bundle(Incident.objects.filter(slug__startswith="copy-"))) == stored


def test_a_reference_repeated_across_a_bundle_is_checked_for_each_place(researcher_api, seed):
    # Each distinct source or report is checked once per bundle; a refused one is
    # reported at every place it appears, and one that passes serves every claim.
    bundle = _copies(seed, 3)
    bad = {"slug": "not a slug!", "name": "Somebody"}
    bundle["incidents"][0]["claims"][0]["source"] = dict(bad)
    bundle["incidents"][2]["claims"][1]["source"] = dict(bad)
    response = researcher_api.post("/api/v1/import/", bundle, format="json")
    assert response.status_code == 400
    fields = [(error["incident"], error["field"]) for error in response.json()["errors"]]
    assert fields == [(0, "claims[0].source.slug"), (2, "claims[1].source.slug")]

    bundle = _copies(seed, 3)
    response = researcher_api.post("/api/v1/import/", bundle, format="json")
    assert response.status_code == 200, response.content
    sources = {
        incident.slug: sorted(incident.claims.values_list("source__slug", "report__url"))
        for incident in Incident.objects.filter(slug__startswith="copy-")
    }
    assert len(sources) == 3
    assert sources["copy-0"] == sources["copy-1"] == sources["copy-2"]
    assert sources["copy-0"] == sorted(seed.claims.values_list("source__slug", "report__url"))
