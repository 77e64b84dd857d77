import pytest

from tests.factories import make_busy_incident, make_incident

pytestmark = pytest.mark.django_db


def test_the_incident_page_shows_the_competing_claims(client, seed):
    response = client.get(seed.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "23–50" in content
    assert "at least 23 people" in content
    assert "Contested" in content
    assert "denied by the accused, Russian Defense Ministry" in content
    assert "Ahmad Ariha" not in content
    assert "Protected source (individual)" in content


def test_a_draft_incident_page_is_not_found(client):
    draft = make_incident(status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert draft.title not in client.get("/incidents/").content.decode()


def test_the_incident_page_query_count_is_constant(client, django_assert_max_num_queries):
    incident = make_busy_incident(n_claims=40)
    with django_assert_max_num_queries(8):
        assert client.get(incident.get_absolute_url()).status_code == 200


def test_the_list_shows_published_incidents(client, seed, django_assert_max_num_queries):
    for _ in range(30):
        make_incident()
    with django_assert_max_num_queries(3):
        response = client.get("/incidents/")
    assert response.status_code == 200
    assert "Late-night airstrikes on Idlib city" in response.content.decode()


def test_a_protected_source_has_no_public_page(client, seed):
    assert client.get("/sources/ahmad-ariha/").status_code == 404
    assert client.get("/sources/syrian-observatory-for-human-rights/").status_code == 200
