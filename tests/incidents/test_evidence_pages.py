"""The incident page's evidence: media, figures over time, provenance, corrections, withdrawals."""

import datetime
import re

import pytest
from django.utils.html import strip_tags

from incidents import workflow
from incidents.models import Claim, Figure, Incident, Media
from sources.models import Capture, Source
from tests.factories import make_claim, make_denial, make_incident, make_report, make_source

pytestmark = pytest.mark.django_db

IDLIB = "/incidents/idlib-city-airstrikes-2016-05-30/"
AP_NOTE = (
    "The videos appeared genuine and corresponded to other AP reporting of the events depicted."
)
JUNE_1 = datetime.date(2016, 6, 1)


def text(response):
    return response.content.decode()


def words(html):
    """The page's text as a reader sees it: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", strip_tags(html))


def section(html, element_id):
    start = html.index(f'id="{element_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else None]


def disclosures(html):
    """The graphic-content disclosures: (opening tag, content) of each <details>."""
    return re.findall(r'(<details class="graphic-content"[^>]*>)(.*?)</details>', html, re.S)


def raise_observatory_toll(seed):
    """The Observatory raises its toll from at least 23 to at least 30 the next day."""
    earlier = Claim.objects.get(
        incident=seed, source__slug="syrian-observatory-for-human-rights", kind="casualties"
    )
    revision = make_claim(
        seed,
        source=earlier.source,
        report=earlier.report,
        supersedes=earlier,
        claimed_on=JUNE_1,
        statement="The death toll from the airstrikes on Idlib rose to at least 30.",
    )
    Figure.objects.create(
        claim=revision, category_id="killed", min_count=30, as_said="at least 30 people"
    )
    return revision


def editor_change(incident, editor, reason, public=True, **changes):
    stored = Incident.objects.get(pk=incident.pk)
    for field, value in changes.items():
        setattr(stored, field, value)
    return workflow.save_if_current(stored, stored.version, editor, reason, public=public)


# Media evidence


def test_the_seed_videos_appear_with_the_verifiers_note(client, seed):
    evidence = section(text(client.get(IDLIB)), "evidence")
    said = words(evidence)
    assert "Photos, videos and documents" in said
    assert "Video" in said
    assert "From Associated Press" in said
    assert "Verified by Associated Press" in said
    assert f'<q class="verification-note" dir="auto">{AP_NOTE}</q>' in evidence
    assert "Amateur videos showed relief workers" in evidence


def test_graphic_items_stay_inside_a_closed_disclosure(client, seed):
    html = text(client.get(IDLIB))
    evidence = section(html, "evidence")
    found = disclosures(evidence)
    assert len(found) == 1
    opening, content = found[0]
    # Closed until the reader opens it: no “open” attribute, no script needed.
    assert " open" not in opening
    assert "<summary>Show graphic content</summary>" in content
    assert "Amateur videos showed relief workers" in content
    # The description appears nowhere outside the disclosure.
    outside = evidence.replace(content, "")
    assert "relief workers" not in outside
    # The verification stays readable without opening it.
    assert AP_NOTE in outside


def test_an_item_that_is_not_graphic_shows_at_once_with_its_hash_and_link(client, seed):
    Media.objects.filter(incident=seed).update(graphic=False, url="https://example.org/videos")
    evidence = section(text(client.get(IDLIB)), "evidence")
    assert disclosures(evidence) == []
    assert "Amateur videos showed relief workers" in evidence
    assert '<a href="https://example.org/videos" rel="nofollow noopener">' in evidence


def test_an_uploaded_file_links_to_the_file_view_with_its_sha256(client, seed, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    media = Media(
        incident=seed,
        kind="photo",
        description="A photo of the damaged street.",
        file=SimpleUploadedFile("street.png", png),
        acquired_from="A local photographer",
        acquired_by="Research desk",
        acquired_at=datetime.datetime(2016, 6, 2, 10, tzinfo=datetime.UTC),
    )
    media.save()
    evidence = section(text(client.get(IDLIB)), "evidence")
    assert f'href="/evidence/{media.pk}/file"' in evidence
    assert media.sha256 in evidence
    said = words(evidence)
    assert "From A local photographer on 2 June 2016, by Research desk" in said
    assert "Unverified: not yet checked." in said


# Claims over time


def test_the_table_shows_the_latest_figure_and_the_history_line_the_earlier_one(client, seed):
    raise_observatory_toll(seed)
    casualties = section(text(client.get(IDLIB)), "casualties")
    assert "30–50" in casualties
    table = casualties[casualties.index("<table") : casualties.index("</table>")]
    killed = table[table.index("Killed") : table.index("Injured")]
    assert '<td class="num" data-label="Min">30</td>' in killed
    assert '<td class="num" data-label="Min">23</td>' not in killed
    said = words(casualties[casualties.index("How figures changed") :])
    assert (
        "Syrian Observatory for Human Rights, killed: at least 23 people on 31 May 2016, "
        "at least 30 people on 1 June 2016." in said
    )


def test_without_a_revision_there_is_no_history(client, seed):
    assert "How figures changed" not in text(client.get(IDLIB))


def test_a_protected_source_that_revised_stays_masked_in_the_history(client):
    incident = make_incident()
    hidden = make_source(name="Secret Witness", kind=Source.Kind.INDIVIDUAL, protected=True)
    first = make_claim(
        incident, source=hidden, figures=[("killed", 4, 4)], claimed_on=datetime.date(2016, 5, 31)
    )
    make_claim(
        incident, source=hidden, supersedes=first, figures=[("killed", 9, 9)], claimed_on=JUNE_1
    )
    html = text(client.get(incident.get_absolute_url()))
    assert "Secret Witness" not in html
    said = words(section(html, "casualties"))
    assert "Protected source (individual), killed: 4-4 on 31 May 2016, 9-9 on 1 June 2016." in said


# Provenance


def test_each_claim_shows_its_chain_from_source_to_publisher(client, seed):
    claims = words(section(text(client.get(IDLIB)), "claims"))
    assert (
        "Syrian Observatory for Human Rights, via Associated Press, in “Associated Press report "
        "on late-night airstrikes on Idlib” (Associated Press, 31 May 2016)" in claims
    )


def test_protected_intermediaries_and_sources_are_masked_in_the_chain(client):
    incident = make_incident()
    courier = make_source(name="Hidden Courier", kind=Source.Kind.INDIVIDUAL, protected=True)
    claim = make_claim(
        incident,
        source=make_source(name="Open Monitor"),
        report=make_report(title="Bulletin 7", publisher=make_source(name="Wire Service")),
        kind=Claim.Kind.EVENT,
    )
    claim.via_links.create(source=courier, position=1)
    html = text(client.get(incident.get_absolute_url()))
    assert "Hidden Courier" not in html
    assert (
        "Open Monitor, via Protected source (individual), in “Bulletin 7” (Wire Service)"
        in words(section(html, "claims"))
    )


# Claim-level links and downloads


def test_each_claim_and_denial_links_to_its_claimreview(client, seed):
    html = text(client.get(IDLIB))
    claim_links = re.findall(rf'href="({IDLIB}claims/\d+\.jsonld)"', html)
    denial_links = re.findall(r'href="(/denials/\d+\.jsonld)"', html)
    current = Claim.objects.current().filter(incident=seed).count()
    assert len(set(claim_links)) == current
    assert len(set(denial_links)) == seed.denials.count()
    for link in {*claim_links, *denial_links}:
        response = client.get(link)
        assert response.status_code == 200, link
        assert response["Content-Type"].startswith("application/ld+json")


def test_the_downloads_link_the_claims_csv(client, seed):
    cite = section(text(client.get(IDLIB)), "cite")
    assert 'href="/claims.csv"' in cite
    assert client.get("/claims.csv").status_code == 200


# Corrections


def test_the_corrections_log_shows_public_reasons_with_their_dates(client, seed, editor):
    editor_change(seed, editor, "Corrected the place name.", place_name="Idlib")
    editor_change(seed, editor, "Removed a detail naming a witness.", public=False, summary="x")
    html = text(client.get(IDLIB))
    corrections = section(html, "corrections")
    said = words(corrections)
    today = Incident.objects.get(pk=seed.pk).updated_at
    assert "Corrections" in said
    assert f"{today.day} {today:%B %Y} Corrected the place name." in said
    assert "naming a witness" not in html
    assert f"Last updated {today.day} {today:%B %Y}" in said
    # The facts list points at the log.
    assert '<a href="#corrections">2 corrections</a>' not in html
    assert '<a href="#corrections">1 correction</a>' in html


def test_an_uncorrected_incident_says_so(client, seed):
    assert "No corrections since publication." in section(text(client.get(IDLIB)), "corrections")


def test_the_feed_and_citation_keep_working_after_a_correction(client, seed, editor):
    editor_change(seed, editor, "Corrected the place name.", place_name="Idlib")
    feed = client.get("/incidents/feed/")
    assert feed.status_code == 200
    assert "Late-night airstrikes on Idlib city" in feed.content.decode()
    cite = words(section(text(client.get(IDLIB)), "cite"))
    assert "Late-night airstrikes on Idlib city" in cite
    assert "Last updated" in cite


# Withdrawn incidents


@pytest.fixture
def withdrawn(seed, editor):
    incident = Incident.objects.get(pk=seed.pk)
    return workflow.transition(
        incident, Incident.Status.WITHDRAWN, editor, "The strike was misdated; see the new entry."
    )


def test_a_withdrawn_incident_answers_410_with_its_reason_and_date(client, withdrawn):
    response = client.get(IDLIB)
    assert response.status_code == 410
    html = text(response)
    said = words(html)
    assert "This incident was withdrawn" in said
    assert "The strike was misdated; see the new entry." in said
    when = withdrawn.withdrawn_at
    assert f"Withdrawn on {when.day} {when:%B %Y}" in said
    # The notice, not the content.
    for content in ("Late-night airstrikes", "at least 23", "Syrian Observatory", AP_NOTE):
        assert content not in html
    assert "site.css" in html  # in the site's style


def test_withdrawn_incidents_are_absent_from_lists_feeds_and_sitemaps(client, withdrawn):
    listing = text(client.get("/incidents/"))
    assert "Late-night airstrikes" not in listing
    assert "Late-night airstrikes" not in client.get("/incidents/feed/").content.decode()
    sitemap = "".join(
        client.get(f"/sitemap-{name}.xml").content.decode() for name in ("incidents", "sources")
    )
    assert "idlib-city-airstrikes-2016-05-30" not in sitemap
    assert client.get("/?q=Idlib").status_code == 200
    assert "Late-night airstrikes" not in text(client.get("/?q=Idlib"))


def test_withdrawn_incidents_are_absent_from_source_pages_and_counts(client, withdrawn):
    # Named by nothing published any more, the Observatory leaves the public lists.
    assert client.get("/sources/syrian-observatory-for-human-rights/").status_code == 404
    observatory = Source.objects.get(slug="syrian-observatory-for-human-rights")
    make_claim(make_incident(title="Another strike"), source=observatory, statement="Five dead.")
    page = text(client.get("/sources/syrian-observatory-for-human-rights/"))
    assert "Another strike" in page and "Late-night airstrikes" not in page
    sources = client.get("/sources/?q=Syrian Observatory")
    observatory = next(
        s for s in sources.context["page"] if s.slug == "syrian-observatory-for-human-rights"
    )
    assert observatory.claim_count == 1
    assert observatory.incident_count == 1


def test_drafts_stay_invisible_with_their_evidence(client, seed):
    draft = make_incident(status=Incident.Status.DRAFT, title="Unconfirmed shelling")
    Media.objects.create(incident=draft, kind="photo", description="Draft-only photo")
    make_claim(draft, kind=Claim.Kind.EVENT, statement="Draft-only statement")
    assert client.get(draft.get_absolute_url()).status_code == 404
    claims_csv = b"".join(client.get("/claims.csv").streaming_content).decode()
    assert "Draft-only" not in claims_csv
    assert "Syrian Observatory" in claims_csv
    assert "Draft-only" not in text(client.get(IDLIB))


# Query count


def busy_incident(n):
    """An incident with n sources, each with a revised claim, media and captured reports."""
    incident = make_incident()
    for i in range(n):
        report = make_report()
        Capture.objects.create(
            report=report,
            requested_url=f"https://example.org/{i}",
            final_url=f"https://example.org/{i}",
            status=Capture.Status.ARCHIVED,
            http_status=200,
            sha256=f"{i:064x}",
            warc_sha256=f"{i + 1:064x}",
            warc_file=f"captures/{i}.warc.gz",
        )
        source = make_source()
        first = make_claim(
            incident,
            source=source,
            report=report,
            figures=[("killed", i, i + 5)],
            claimed_on=datetime.date(2016, 5, 31),
        )
        first.via_links.create(source=make_source(), position=1)
        make_claim(
            incident,
            source=source,
            report=report,
            supersedes=first,
            figures=[("killed", i + 1, i + 6)],
            claimed_on=JUNE_1,
        )
        Media.objects.create(
            incident=incident,
            claim=first,
            kind="video",
            description=f"Video {i}",
            graphic=i % 2 == 0,
            verification_status="verified",
            verification_note="Checked.",
        )
        make_denial(incident, denies=[first], report=report)
    return incident


def test_the_incident_page_query_count_stays_constant_with_evidence(
    client, editor, django_assert_max_num_queries
):
    incident = busy_incident(25)
    editor_change(incident, editor, "Fixed the title.", title="Busy incident")
    # One for the validators, six for claims and denials, five for the evidence, one
    # for the corrections.
    with django_assert_max_num_queries(13):
        response = client.get(incident.get_absolute_url())
    assert response.status_code == 200
    html = text(response)
    assert html.count('class="media-item"') == 25
    assert len(disclosures(html)) == 13
    assert html.count('class="capture"') == 25
    assert "How figures changed" in html
    assert "Fixed the title." in html


def test_the_timeline_marks_a_revised_claim_instead_of_linking_to_it(client, seed):
    earlier = Claim.objects.get(
        incident=seed, source__slug="syrian-observatory-for-human-rights", kind="casualties"
    )
    revision = raise_observatory_toll(seed)
    timeline = section(text(client.get(IDLIB)), "timeline")
    assert f'href="#claim-{earlier.pk}"' not in timeline
    assert f'href="#claim-{revision.pk}"' in timeline
    assert "(since revised: see" in words(timeline)
