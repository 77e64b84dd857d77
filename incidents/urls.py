from django.urls import path

from . import feeds, views

app_name = "incidents"

urlpatterns = [
    path("", views.home, name="home"),
    path("incidents/", views.incident_list, name="list"),
    path("incidents/feed/", feeds.IncidentFeed(), name="feed"),
    path("incidents/<slug:slug>/", views.incident_detail, name="detail"),
]
