"""REST API v1 for sources and reports (README: "REST API")."""

from django.db.models import ProtectedError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from config.viewsets import ApiViewSet

from . import api_read
from .filters import ReportFilter, SourceFilter
from .models import Report, Source
from .serializers import (
    ReportSerializer,
    ReportWriteSerializer,
    SourceSerializer,
    SourceWriteSerializer,
)

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="See the message.")
IN_USE = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Still referenced by claims, denials or reports."
)


def _schema(read, write, noun):
    errors = {400: ERROR, 401: ERROR, 403: ERROR}
    return extend_schema_view(
        list=extend_schema(summary=f"{noun}s", responses={200: read(many=True), 400: ERROR}),
        retrieve=extend_schema(summary=f"One {noun.lower()}", responses={200: read, 404: ERROR}),
        create=extend_schema(
            summary=f"Add a {noun.lower()}", request=write, responses={201: read, **errors}
        ),
        update=extend_schema(
            summary=f"Replace a {noun.lower()}",
            request=write,
            responses={200: read, **errors, 404: ERROR},
        ),
        partial_update=extend_schema(
            summary=f"Change some of a {noun.lower()}",
            request=write,
            responses={200: read, **errors, 404: ERROR},
        ),
        destroy=extend_schema(
            summary=f"Delete a {noun.lower()}",
            responses={204: None, 401: ERROR, 403: ERROR, 404: ERROR, 409: IN_USE},
        ),
    )


class _CollectionViewSet(
    ApiViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    values = None
    shape = None

    def _rows(self, queryset):
        return queryset.values(*self.values)

    def _read(self, pk):
        rows = list(self._rows(self.get_queryset().filter(pk=pk)))
        if not rows:
            raise NotFound()
        return type(self).shape(rows[0], self.staff)

    def _get(self, pk):
        obj = self.get_queryset().filter(pk=pk).first()
        if obj is None:
            raise NotFound()
        return obj

    def list(self, request, *args, **kwargs):
        rows = self.paginate_rows(self._rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response([type(self).shape(row, self.staff) for row in rows])

    def retrieve(self, request, pk=None, *args, **kwargs):
        return Response(self._read(pk))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = serializer.save()
        return Response(self._read(obj.pk), status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, *args, partial=False, **kwargs):
        serializer = self.get_serializer(self._get(pk), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        obj = serializer.save()
        return Response(self._read(obj.pk))

    def destroy(self, request, pk=None, *args, **kwargs):
        obj = self._get(pk)
        try:
            obj.delete()
        except ProtectedError:
            return Response(
                {
                    "detail": "Still referenced by claims, denials, reports or member sources: "
                    "change those first."
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


@_schema(SourceSerializer, SourceWriteSerializer, "Source")
class SourceViewSet(_CollectionViewSet):
    """Who makes claims and denials. Protected sources are listed to staff only."""

    queryset = Source.objects.all()
    serializer_class = SourceWriteSerializer
    filterset_class = SourceFilter
    values = api_read.SOURCE_VALUES
    shape = staticmethod(api_read.source)

    def get_queryset(self):
        return Source.objects.all() if self.staff else Source.objects.listed()


@_schema(ReportSerializer, ReportWriteSerializer, "Report")
class ReportViewSet(_CollectionViewSet):
    """Where claims and denials were published."""

    queryset = Report.objects.all()
    serializer_class = ReportWriteSerializer
    filterset_class = ReportFilter
    values = api_read.REPORT_VALUES
    shape = staticmethod(api_read.report)

    def get_queryset(self):
        # Reports that only unpublished work cites are drafts' material: staff only.
        return Report.objects.all() if self.staff else Report.objects.listed()

    def _rows(self, queryset):
        return api_read.report_rows(queryset)
