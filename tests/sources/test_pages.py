"""The public source pages: the index and each source's record."""

import pytest

from incidents.models import Claim
from sources.models import Source
from tests.factories import make_claim, make_denial, make_incident, make_source

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def row_of(html, name):
    start = html.index(name)
    return html[start : html.index("</tr>", start)]


def test_the_index_lists_public_sources_with_their_counts(client, seed):
    response = client.get("/sources/")
    assert response.status_code == 200
    html = text(response)
    assert "Ahmad Ariha" not in html
    observatory = row_of(html, "Syrian Observatory for Human Rights</a>")
    # Claims on the Idlib incident: casualties, attribution, damage, event.
    assert '<td class="num">4</td>' in observatory
    assert 'href="/incidents/?source=syrian-observatory-for-human-rights"' in observatory
    ministry = row_of(html, "Russian Defense Ministry</a>")
    assert "0</td>" in ministry and '<td class="num">1</td>' in ministry  # one denial
    forces = row_of(html, "Russian Aerospace Forces</a>")
    assert 'href="/incidents/?attributed_to=russian-aerospace-forces"' in forces


def test_the_index_counts_leave_drafts_out(client):
    source = make_source(name="Counted Monitor")
    make_claim(make_incident(), source=source)
    make_claim(make_incident(status="draft"), source=source)
    make_claim(make_incident(status="draft"), source=source)
    row = row_of(text(client.get("/sources/")), "Counted Monitor</a>")
    assert row.count('<td class="num"><a') == 1  # one incident, linked
    assert '<td class="num">1</td>' in row  # one claim


def test_the_index_filters_by_kind_and_name(client, seed):
    html = text(client.get("/sources/?kind=government"))
    assert "Russian Defense Ministry" in html and "Local Coordination Committees" not in html
    html = text(client.get("/sources/?q=coordination"))
    assert "Local Coordination Committees" in html and "Russian Defense Ministry" not in html


def test_the_index_refuses_an_unknown_kind(client, seed):
    response = client.get("/sources/?kind=alien")
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)


def test_the_index_query_count_is_constant(client, django_assert_max_num_queries):
    for _ in range(40):
        source = make_source()
        make_claim(make_incident(), source=source)
    with django_assert_max_num_queries(3):
        response = client.get("/sources/")
    assert response.status_code == 200


def test_a_source_page_lists_its_claims_denials_and_the_attributions_against_it(client, seed):
    html = text(client.get("/sources/syrian-observatory-for-human-rights/"))
    assert "Monitor" in html and "United Kingdom" in html
    assert "claiming that Russian aircraft carried out the strikes" in html
    assert "Denied by" in html

    html = text(client.get("/sources/russian-defense-ministry/"))
    assert "part of" in html and "Government of Russia" in html
    assert "Igor Konashenkov" in html  # its spokesman
    denials = html[html.index('id="denials"') :]
    assert "conducted any airstrikes in the province of Idlib" in denials
    assert "the attribution to" in denials
    # The Observatory blames the Aerospace Forces, which belong to the ministry.
    accused = html[html.index('id="accused"') :]
    assert "claiming that Russian aircraft carried out the strikes" in accused
    assert "Russian Aerospace Forces" in accused


def test_a_source_page_compares_its_figures_with_other_sources(client):
    incident = make_incident()
    low, mid, high = make_source(name="Low"), make_source(name="Mid"), make_source(name="High")
    make_claim(incident, source=low, figures=[("killed", 5, 5)])
    make_claim(incident, source=mid, figures=[("killed", 20, 30)])
    make_claim(incident, source=high, figures=[("killed", 80, 90), ("injured", 4, None)])
    another = make_incident()
    make_claim(another, source=high, figures=[("killed", 10, None)])
    make_claim(another, source=mid, figures=[("killed", 12, 12)])

    html = text(client.get(high.get_absolute_url()))
    figures = html[html.index('id="figures"') : html.index('id="claims"')]
    assert "<strong>1</strong> above" in figures  # 80-90 against 5-30
    assert "<strong>1</strong> within" in figures  # “10 or more” allows 12
    assert "<strong>1</strong> with no other source" in figures  # injured
    assert "5–30" in figures and "(2 sources)" in figures

    html = text(client.get(low.get_absolute_url()))
    assert "<strong>1</strong> below" in html


def test_a_source_page_leaves_drafts_out(client):
    source = make_source(name="Careful Monitor")
    make_claim(make_incident(title="Public strike"), source=source, statement="Public words.")
    make_claim(
        make_incident(title="Draft strike", status="draft"),
        source=source,
        statement="Hidden words.",
    )
    html = text(client.get(source.get_absolute_url()))
    assert "Public words." in html
    assert "Hidden words." not in html and "Draft strike" not in html
    assert "<dt>Claims</dt><dd>1</dd>" in html


def test_only_sources_that_published_work_names_have_a_page(client, seed):
    ministry = Source.objects.get(slug="russian-defense-ministry")
    spokesman = make_source(name="Draft-only Spokesman", parent=ministry)
    make_claim(make_incident(status="draft"), source=spokesman, statement="Hidden words.")
    assert client.get(spokesman.get_absolute_url()).status_code == 404
    # The seed's spokesman speaks only inside the ministry's quoted denial.
    assert client.get("/sources/igor-konashenkov/").status_code == 404
    page = text(client.get(ministry.get_absolute_url()))
    assert "Russian Aerospace Forces" in page  # a member accused on a published incident
    assert "Draft-only Spokesman" not in page and "Konashenkov</a>" not in page
    assert "Draft-only Spokesman" not in text(client.get("/sources/"))
    # The government speaks for itself and is the ministry's parent: both have pages.
    assert client.get("/sources/government-of-russia/").status_code == 200


def test_a_protected_source_has_no_public_page(client, seed):
    assert client.get("/sources/ahmad-ariha/").status_code == 404
    assert client.get("/sources/syrian-observatory-for-human-rights/").status_code == 200


def test_a_protected_accuser_stays_protected_on_the_accuseds_page(client):
    accused = make_source(name="Army")
    activist = make_source(name="Hidden Person", kind="individual", protected=True)
    make_claim(
        make_incident(),
        source=activist,
        kind=Claim.Kind.ATTRIBUTION,
        attributed_to=accused,
        statement="The army did it.",
    )
    html = text(client.get(accused.get_absolute_url()))
    assert "The army did it." in html
    assert "Hidden Person" not in html
    assert "Protected source (individual)" in html


def test_a_source_page_query_count_is_constant(client, django_assert_max_num_queries):
    source = make_source()
    other = make_source()
    for _ in range(20):
        incident = make_incident()
        claim = make_claim(
            incident, source=source, figures=[("killed", 3, 9), ("injured", 1, None)]
        )
        make_claim(incident, source=other, figures=[("killed", 4, 4)])
        make_claim(incident, source=other, kind=Claim.Kind.ATTRIBUTION, attributed_to=source)
        make_denial(incident, source=source, denies=[claim])
    with django_assert_max_num_queries(16):
        response = client.get(source.get_absolute_url())
    assert response.status_code == 200
    assert text(response).count('class="statement"') == 40
