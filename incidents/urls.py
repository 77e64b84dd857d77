from django.urls import path

from . import evidence_views, feeds, views

app_name = "incidents"

urlpatterns = [
    path("", views.home, name="home"),
    path("incidents/", views.incident_list, name="list"),
    path("incidents/feed/", feeds.IncidentFeed(), name="feed"),
    path("incidents/<slug:slug>/", views.incident_detail, name="detail"),
    path(
        "incidents/<slug:slug>/claims/<int:pk>.jsonld",
        evidence_views.claim_jsonld,
        name="claim_jsonld",
    ),
    path("denials/<int:pk>.jsonld", evidence_views.denial_jsonld, name="denial_jsonld"),
    path("claims.csv", evidence_views.claims_csv, name="claims_csv"),
    path("evidence/<int:pk>/file", evidence_views.media_file, name="media_file"),
]
