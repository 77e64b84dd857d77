"""Media evidence: uploads checked and hashed, served safely, the seed's amateur videos."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client

from incidents.models import Media
from incidents.seed import load_seed
from tests.admin_forms import form_data
from tests.factories import make_claim, make_incident

pytestmark = pytest.mark.django_db

AP_NOTE = (
    "The videos appeared genuine and corresponded to other AP reporting of the events depicted."
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def the_videos(incident):
    return Media.objects.get(incident=incident, kind="video")


def test_the_amateur_videos_are_media_evidence_with_aps_verification_note(seed):
    videos = the_videos(seed)
    assert videos.verification_status == Media.Verification.VERIFIED
    assert videos.verification_note == AP_NOTE
    assert videos.verified_by == "Associated Press"
    assert videos.acquired_from == "Associated Press"
    assert videos.graphic is True
    assert videos.url == ""
    assert not videos.file
    assert videos.description.startswith("Amateur videos showed relief workers")
    assert videos.claim.source.slug == "associated-press"
    assert videos.report.title == "Associated Press report on late-night airstrikes on Idlib"
    assert videos.summary() == {
        "id": videos.pk,
        "url": "",
        "kind": "video",
        "sha256": "",
        "verification": {"status": "verified", "note": AP_NOTE},
        "graphic": True,
    }


def test_loading_the_seed_again_keeps_one_media_item_unchanged(seed):
    before = the_videos(seed)
    load_seed()
    after = the_videos(seed)
    assert Media.objects.count() == 1
    assert after.verified_at == before.verified_at
    assert after.updated_at >= before.updated_at


def test_the_incident_admin_shows_the_videos_with_aps_note(admin_user_client, seed):
    response = admin_user_client.get(f"/admin/incidents/incident/{seed.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "The videos appeared genuine and corresponded to other AP reporting" in content
    assert 'name="media-0-verification_status"' in content


def media_form(incident, upload=None, **fields):
    data = {
        "incident": incident.pk,
        "kind": "photo",
        "description": "The hospital's damaged entrance.",
        "verification_status": "unverified",
        "acquired_from": "A local photographer",
        **fields,
    }
    if upload is not None:
        data["file"] = upload
    return data


def test_an_upload_is_hashed_sniffed_and_recorded(admin_user, admin_user_client):
    incident = make_incident()
    response = admin_user_client.post(
        "/admin/incidents/media/add/",
        media_form(incident, SimpleUploadedFile("entrance.PNG", PNG, content_type="text/html")),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    media = Media.objects.get()
    assert media.sha256 == hashlib.sha256(PNG).hexdigest()
    assert media.size == len(PNG)
    assert media.content_type == "image/png"  # from the bytes, not from what the browser said
    assert media.original_filename == "entrance.PNG"
    assert media.file.name == f"evidence/{media.sha256[:2]}/{media.sha256}.png"
    assert media.added_by == admin_user
    assert media.verified_at is None


@pytest.mark.parametrize(
    ("name", "content", "kind", "message"),
    [
        ("photo.jpg", HTML, "photo", "not any accepted format"),
        ("page.html", HTML, "document", "Files ending in “.html” are not accepted"),
        ("photo.jpg", PNG, "photo", "content is a PNG image, but its name ends in “.jpg”"),
        ("tool.exe", b"MZ\x90\x00", "document", "Files ending in “.exe” are not accepted"),
        ("clip.mp4", MP4, "photo", "The file is an MP4 video: set the kind to “video”."),
        ("noname", JPEG, "photo", "Files ending in “nothing” are not accepted"),
    ],
)
def test_a_bad_upload_is_refused_with_a_message_and_nothing_is_saved(
    admin_user_client, settings, name, content, kind, message
):
    incident = make_incident()
    response = admin_user_client.post(
        "/admin/incidents/media/add/",
        media_form(incident, SimpleUploadedFile(name, content), kind=kind),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Media.objects.exists()
    assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


def test_an_upload_above_the_size_limit_is_refused(admin_user_client, settings):
    settings.MEDIA_MAX_BYTES = 50
    response = admin_user_client.post(
        "/admin/incidents/media/add/",
        media_form(make_incident(), SimpleUploadedFile("p.png", PNG)),
    )
    assert response.status_code == 200
    assert "The file is larger than" in response.content.decode()
    assert not Media.objects.exists()


def test_changing_the_verification_status_records_who_and_when(admin_user_client):
    media = Media.objects.create(
        incident=make_incident(), kind="photo", description="A crater in the road."
    )
    data = form_data(admin_user_client.get(f"/admin/incidents/media/{media.pk}/change/"))
    data |= {"verification_status": "disputed", "verification_note": "Shadows do not match."}
    response = admin_user_client.post(f"/admin/incidents/media/{media.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    media.refresh_from_db()
    assert media.verification_status == "disputed"
    assert media.verified_by == "admin"
    assert media.verified_at is not None


def test_a_verification_decision_needs_a_note(admin_user_client):
    response = admin_user_client.post(
        "/admin/incidents/media/add/",
        media_form(make_incident(), verification_status="fake"),
    )
    assert response.status_code == 200
    assert "Explain the verification in the note" in response.content.decode()
    assert not Media.objects.exists()


def test_media_on_another_incidents_claim_is_refused():
    claim = make_claim(make_incident())
    other = make_incident()
    media = Media(incident=other, claim=claim, kind="photo", description="x")
    with pytest.raises(Exception, match="must belong to the claim's incident"):
        media.full_clean()
    with (
        pytest.raises(IntegrityError, match="must belong to the claim's incident"),
        transaction.atomic(),
    ):
        Media.objects.create(incident=other, claim=claim, kind="photo", description="x")
    media = Media.objects.create(
        incident=claim.incident, claim=claim, kind="photo", description="y"
    )
    with (
        pytest.raises(IntegrityError, match="must belong to the claim's incident"),
        transaction.atomic(),
    ):
        type(claim).objects.filter(pk=claim.pk).update(incident=other)


def test_media_added_on_a_claim_belongs_to_its_incident(admin_user_client):
    claim = make_claim(make_incident())
    data = form_data(admin_user_client.get(f"/admin/incidents/claim/{claim.pk}/change/"))
    data |= {
        "media-TOTAL_FORMS": "1",
        "media-0-kind": "video",
        "media-0-description": "A man carried into an ambulance.",
        "media-0-verification_status": "verified",
        "media-0-verification_note": "Matches the street view.",
        "media-0-file": SimpleUploadedFile("clip.webm", WEBM),
    }
    response = admin_user_client.post(f"/admin/incidents/claim/{claim.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    media = Media.objects.get()
    assert media.claim == claim
    assert media.incident == claim.incident
    assert media.content_type == "video/webm"
    assert media.verified_by == "admin"


def upload(incident, content=JPEG, name="street.jpg", **fields):
    media = Media(incident=incident, kind="photo", description="The street after the strike.")
    media.file = SimpleUploadedFile(name, content)
    for key, value in fields.items():
        setattr(media, key, value)
    media.save()
    return media


def test_a_published_incidents_file_is_served_as_a_download_never_as_a_page(
    client, django_assert_max_num_queries
):
    media = upload(make_incident())
    with django_assert_max_num_queries(2):
        response = client.get(f"/evidence/{media.pk}/file")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="street.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == JPEG
    assert media.public_url == f"/evidence/{media.pk}/file"


def test_a_drafts_file_is_hidden_from_the_public_but_not_from_staff(admin_user):
    media = upload(make_incident(status="draft"))
    anonymous, staff = Client(), Client()
    staff.force_login(admin_user)
    assert anonymous.get(f"/evidence/{media.pk}/file").status_code == 404
    assert staff.get(f"/evidence/{media.pk}/file").status_code == 200


def test_media_without_a_file_or_with_an_unknown_type_is_not_served(client):
    incident = make_incident()
    no_file = Media.objects.create(incident=incident, kind="video", description="Described only.")
    assert client.get(f"/evidence/{no_file.pk}/file").status_code == 404
    # Saved around the checks (say, by a script): never served as whatever it is.
    sneaked = upload(incident, content=HTML, name="page.jpg")
    assert sneaked.content_type == "application/octet-stream"
    assert client.get(f"/evidence/{sneaked.pk}/file").status_code == 404
    assert client.get("/evidence/999999/file").status_code == 404


def test_the_media_admin_list_stays_within_a_query_budget(
    admin_user_client, django_assert_max_num_queries
):
    for n in range(30):
        Media.objects.create(incident=make_incident(), kind="photo", description=f"Photo {n}")
    with django_assert_max_num_queries(10):
        response = admin_user_client.get("/admin/incidents/media/")
    assert response.status_code == 200
    assert "Photo 29" in response.content.decode()
