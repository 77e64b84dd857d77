"""The one router of the REST API, mounted at /api/v1/ (README: "REST API")."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from incidents.api import ClaimViewSet, DenialViewSet, ImportView, IncidentViewSet, TombstoneViewSet
from sources.api import ReportViewSet, SourceViewSet

# Formats are chosen by ?format= alone: no ".csv" suffixes on paths.
router = DefaultRouter(use_regex_path=True)
router.include_format_suffixes = False
router.register("incidents", IncidentViewSet, basename="incident")
router.register("claims", ClaimViewSet, basename="claim")
router.register("denials", DenialViewSet, basename="denial")
router.register("sources", SourceViewSet, basename="source")
router.register("reports", ReportViewSet, basename="report")
router.register("deleted", TombstoneViewSet, basename="deleted")

urlpatterns = [
    *router.urls,
    path("import/", ImportView.as_view(), name="import"),
]
