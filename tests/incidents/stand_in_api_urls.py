"""A minimal cursor-paginated incidents endpoint at the API's address, for harness tests.

It stands in for the real API so the benchmark's API measurements (cursor walking,
filters, detail) can be tested in builds that do not have it.
"""

from django.urls import include, path
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination

from incidents.models import Incident


class Pages(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class IncidentSummary(serializers.ModelSerializer):
    class Meta:
        model = Incident
        fields = ["id", "slug", "title"]


class IncidentList(generics.ListAPIView):
    queryset = Incident.objects.public()
    serializer_class = IncidentSummary
    pagination_class = Pages


class IncidentDetail(generics.RetrieveAPIView):
    queryset = Incident.objects.public()
    serializer_class = IncidentSummary


urlpatterns = [
    path("api/v1/incidents/", IncidentList.as_view()),
    path("api/v1/incidents/<int:pk>/", IncidentDetail.as_view()),
    path("", include("config.urls")),
]
