"""REST API v1: incidents, claims, denials, tombstones, bundles (README: "REST API").

Reads come from incidents.api_read (values() rows, a fixed number of queries);
writes go through incidents.bundles (the model's own validation, all or nothing).
"""

import hashlib
import re

import pghistory
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from config.renderers import JSONRenderer, dumps
from config.validation import raise_for_integrity_error
from config.viewsets import ApiViewSet

from . import api_examples, workflow
from .api_read import READ_CODE, Reader, incident_rows, tombstone, tombstone_rows
from .bundles import WRITTEN_MODELS, BundleError, IncidentWriter, Resolver, import_bundle
from .caching import ApiPageCache
from .filters import (
    BBoxFilter,
    ClaimFilter,
    DenialFilter,
    IncidentFilter,
    StrictBooleanFilter,
    TombstoneFilter,
)
from .models import Claim, Denial, Incident, Tombstone
from .permissions import CanImport, RolePermissions, can_publish, check_may_write
from .renderers import CSVRenderer, GeoJSONRenderer
from .serializers import (
    BundleSerializer,
    ClaimSerializer,
    ClaimWriteSerializer,
    CountSerializer,
    DenialSerializer,
    DenialWriteSerializer,
    FeatureCollectionSerializer,
    FeatureSerializer,
    ImportFailureSerializer,
    ImportReportSerializer,
    IncidentInputSerializer,
    IncidentSerializer,
    TombstoneSerializer,
)

# Filters whose type drf-spectacular cannot tell by itself.
extend_schema_field(
    {"type": "string", "pattern": r"^[^,]+,[^,]+,[^,]+,[^,]+$", "example": "36.5,35.9,36.7,36.0"}
)(BBoxFilter)
extend_schema_field(OpenApiTypes.BOOL)(StrictBooleanFilter)
extend_schema_field(OpenApiTypes.STR)(ClaimFilter.base_filters["category"])

BAD_INPUT = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Bad input: the fields at fault, each with messages."
)
NOT_AUTHENTICATED = OpenApiResponse(
    OpenApiTypes.OBJECT, description="No valid token: send `Authorization: Token <key>`."
)
FORBIDDEN = OpenApiResponse(OpenApiTypes.OBJECT, description="The token's user may not do this.")
NOT_FOUND = OpenApiResponse(
    OpenApiTypes.OBJECT, description="No such record, or not visible to this reader."
)
NO_CONTENT = OpenApiResponse(description="Deleted.")
FORMAT = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv", "geojson"],
    description="json (default); csv: one row per claim figure, incident fields repeated; "
    "geojson: a FeatureCollection of the incidents that have coordinates.",
)
WRITE_ERRORS = {400: BAD_INPUT, 401: NOT_AUTHENTICATED, 403: FORBIDDEN}
STALE = {
    409: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="The `version` sent is not the incident's current version: someone "
        "changed it since. The body says what changed; nothing was saved.",
    ),
    412: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="The `If-Match` ETag is not the incident's current one; nothing was saved.",
    ),
}


def validated_incident(data, *, partial=False):
    serializer = IncidentInputSerializer(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    validated = dict(serializer.validated_data)
    if partial and isinstance(data, dict):
        # Lists replace what was there, so their items are checked in full even in a PATCH.
        errors = {}
        for name in ("claims", "denials", "related"):
            if name in data:
                child = IncidentInputSerializer().fields[name].child
                whole = type(child)(data=data[name], many=True)
                if whole.is_valid():
                    validated[name] = whole.validated_data
                else:
                    errors[name] = whole.errors
        if errors:
            raise serializers.ValidationError(errors)
    return validated


def workflow_call(call, *args, **kwargs):
    """Run a workflow function; its refusals become the API's 403 and 400 answers."""
    try:
        return call(*args, **kwargs)
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error) or workflow.MESSAGES["published_locked"]) from None
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise serializers.ValidationError(error.message_dict) from None
        raise serializers.ValidationError({"detail": error.messages}) from None


def request_reason(request, *names):
    """The reason a request gives for a change: ``?reason=`` or a JSON body field."""
    for name in names:
        value = request.query_params.get(name)
        if not value and isinstance(request.data, dict):
            value = request.data.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


REASON = OpenApiParameter(
    "reason",
    str,
    description="Why it is withdrawn (required for published material; also accepted as a "
    "JSON body field `reason`). Published material is withdrawn, not deleted, and leaves a "
    "tombstone.",
)


def incident_etag(version, representation=b""):
    """``"v<version>-<digest>"``: the version a write may name in If-Match, and a digest
    of this representation (its content, format and audience), so that a reader's
    If-None-Match matches only while what they would receive is unchanged (a renamed
    source or new evidence changes it without a new version)."""
    digest = hashlib.sha256(representation).hexdigest()[:16]
    return f'"v{version}-{digest}"'


def expected_version(request, data):
    """The version a write was made from: If-Match (412 when stale) or the body's
    ``version`` (409), or None when the writer did not say."""
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        found = re.fullmatch(r'(?:W/)?"v(\d+)(?:-[0-9a-f]*)?"', header)
        # An ETag this API never gave cannot match any version.
        return (int(found.group(1)) if found else 0), status.HTTP_412_PRECONDITION_FAILED
    if data.get("version") is not None:
        return data["version"], status.HTTP_409_CONFLICT
    return None, status.HTTP_409_CONFLICT


def stale_response(error, code, staff):
    """What changed since the writer's version; protected sources stay masked."""
    body = error.as_dict()
    if not staff:
        body = _masked(body, protected_names())
    return Response(body, status=code)


def protected_names():
    from sources.models import Source

    return {
        name: Source.public_name_of(name, kind, True)
        for name, kind in Source.objects.filter(protected=True).values_list("name", "kind")
    }


def _masked(value, names):
    if isinstance(value, str):
        for name, public in names.items():
            value = value.replace(name, public)
        return value
    if isinstance(value, dict):
        return {key: _masked(item, names) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(item, names) for item in value]
    return value


def _written(write):
    """Run a write all or nothing; database refusals become 400s with their own words."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        raise_for_integrity_error(error, WRITTEN_MODELS)


@extend_schema_view(
    list=extend_schema(
        summary="Incidents, each with its competing claims and denials",
        description="Published incidents (staff: all), newest first unless `ordering` says "
        "otherwise, in pages linked by cursors. Filters combine; a bad value answers 400.",
        parameters=[FORMAT],
        responses={
            (200, "application/json"): IncidentSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/geo+json"): FeatureCollectionSerializer,
            (400, "application/json"): BAD_INPUT,
        },
        examples=api_examples.incident_list(),
    ),
    retrieve=extend_schema(
        summary="One incident",
        parameters=[FORMAT],
        responses={
            (200, "application/json"): IncidentSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/geo+json"): FeatureSerializer,
            (400, "application/json"): BAD_INPUT,
            (404, "application/json"): NOT_FOUND,
        },
        examples=api_examples.incident(),
    ),
    create=extend_schema(
        summary="Create an incident with its claims and denials",
        request=IncidentInputSerializer,
        responses={201: IncidentSerializer, **WRITE_ERRORS},
        examples=api_examples.incident_input(),
    ),
    update=extend_schema(
        summary="Replace an incident",
        request=IncidentInputSerializer,
        responses={200: IncidentSerializer, **WRITE_ERRORS, 404: NOT_FOUND, **STALE},
    ),
    partial_update=extend_schema(
        summary="Change some of an incident",
        request=IncidentInputSerializer,
        responses={200: IncidentSerializer, **WRITE_ERRORS, 404: NOT_FOUND, **STALE},
    ),
    destroy=extend_schema(
        summary="Delete a draft incident, or withdraw a published one",
        parameters=[REASON],
        responses={
            204: NO_CONTENT,
            400: BAD_INPUT,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    ),
)
class IncidentViewSet(
    ApiViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    queryset = Incident.objects.all()
    serializer_class = IncidentInputSerializer
    permission_classes = [RolePermissions]
    filterset_class = IncidentFilter
    renderer_classes = [JSONRenderer, CSVRenderer, GeoJSONRenderer]
    cursor_orderings = {"-occurred": IncidentFilter.ORDERINGS["-occurred"]}
    cursor_orderings.update(IncidentFilter.ORDERINGS)

    def get_queryset(self):
        return Incident.objects.visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        reader = Reader(self.staff)
        geojson = request.accepted_renderer.format == "geojson"

        def listed(incidents):
            if geojson:
                incidents = incidents.filter(latitude__isnull=False, longitude__isnull=False)
            return incident_rows(incidents.using(reader.using), self.staff)

        if self.names_no_filter():
            # The whole archive, page by page, as partner tools sync it: a query that
            # varies with the cursor alone, compiled once and prepared on the server.
            rows = self.paginator.paginate_prepared(
                lambda: listed(self.get_queryset()),
                ("incidents", self.staff, geojson),
                request,
                self,
                model=Incident,
                using=reader.using,
            )
        else:
            rows = self.paginate_rows(listed(self.filter_queryset(self.get_queryset())))
        page = ApiPageCache(request, rows, self.paginator, reader.audience, READ_CODE)
        cached = page.get()
        if cached is not None:
            return cached
        response = self.get_paginated_response(reader.incidents(rows))
        page.keep(response)
        return response

    @extend_schema(
        summary="One incident, by its slug",
        parameters=[FORMAT],
        responses={
            (200, "application/json"): IncidentSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/geo+json"): FeatureSerializer,
            (400, "application/json"): BAD_INPUT,
            (404, "application/json"): NOT_FOUND,
        },
    )
    @action(
        detail=False,
        url_path=r"by-slug/(?P<slug>[-a-zA-Z0-9_]+)",
        pagination_class=None,
        filter_backends=[],
    )
    def by_slug(self, request, slug=None):
        return self._with_etag(Response(self._read(Q(slug=slug))))

    @extend_schema(
        summary="How many incidents the filters select",
        description="The same filters as the list. A request of its own, so that pages "
        "never need to count.",
        responses={200: CountSerializer, 400: BAD_INPUT},
    )
    @action(detail=False, pagination_class=None, renderer_classes=[JSONRenderer])
    def count(self, request):
        return Response({"count": self.filter_queryset(self.get_queryset()).count()})

    def _read(self, condition, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        reader = Reader(self.staff)
        rows = list(incident_rows(queryset.filter(condition).using(reader.using), self.staff))
        if not rows:
            raise NotFound("No such incident.")
        return reader.incidents(rows)[0]

    def _get(self, pk):
        incident = self.get_queryset().filter(pk=pk).first()
        if incident is None:
            raise NotFound("No such incident.")
        return incident

    def create(self, request, *args, **kwargs):
        data = validated_incident(request.data)
        check_may_write(request.user, status=data.get("status"))
        writer = IncidentWriter(Resolver(match_ids=True))
        incident = _written(lambda: writer.write(data, suffix_slug=True))
        body = self._read(Q(pk=incident.pk), Incident.objects.all())
        return Response(body, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None, *args, **kwargs):
        return self._with_etag(Response(self._read(Q(pk=pk))))

    def _with_etag(self, response):
        if isinstance(response.data, dict) and "version" in response.data:
            renderer = getattr(self.request, "accepted_renderer", None)
            audience = "staff" if self.staff else "public"
            variant = f"{getattr(renderer, 'format', '')}|{audience}|".encode()
            response["ETag"] = incident_etag(
                response.data["version"], variant + dumps(response.data)
            )
            # Its claims, figures, denials, evidence, and the sources and reports it
            # shows (new captures included) all move updated_at: see _touch_incidents.
            response["Last-Modified"] = http_date(response.data["updated_at"].timestamp())
        return response

    def update(self, request, pk=None, *args, partial=False, **kwargs):
        """A change goes through the editorial workflow (incidents.workflow): only editors
        change published incidents, with a reason that goes to the corrections log; a
        status change is a transition; a stale version is refused with what changed."""
        incident = self._get(pk)
        data = validated_incident(request.data, partial=partial)
        expected, stale_code = expected_version(request, data)
        data.pop("version", None)
        reason = (data.pop("change_reason", "") or "").strip()
        withdrawn_reason = (data.pop("withdrawn_reason", "") or "").strip()
        to_status = data.pop("status", None)
        user = request.user

        def write():
            stored = workflow.check_current(incident, expected)
            if not workflow.can_change(user, stored):
                raise DjangoPermissionDenied(workflow.MESSAGES["published_locked"])
            moving = to_status is not None and to_status != stored.status
            public = workflow.is_public(stored)
            if moving:
                workflow.check_transition(
                    stored.status, to_status, user, reason, withdrawn_reason or reason
                )
            if public and not reason:
                raise DjangoValidationError({"change_reason": workflow.MESSAGES["reason_required"]})
            writer = IncidentWriter(Resolver(match_ids=True), user=user, reason=reason)
            with pghistory.context(**workflow.history_context(user, reason)):
                writer.write(data, stored)
                if moving:
                    if withdrawn_reason:
                        stored.withdrawn_reason = withdrawn_reason
                    workflow.transition(stored, to_status, user, reason)
                elif public and writer.changed:
                    workflow.record_correction(stored, user, reason)

        try:
            workflow_call(_written, write)
        except workflow.StaleVersion as error:
            return stale_response(error, stale_code, self.staff)
        body = self._read(Q(pk=incident.pk), Incident.objects.all())
        return self._with_etag(Response(body))

    def destroy(self, request, pk=None, *args, **kwargs):
        incident = self._get(pk)
        if not workflow.is_public(incident):
            check_may_write(request.user, incident)
            incident.delete()
        elif incident.status != Incident.Status.WITHDRAWN:
            reason = request_reason(request, "reason", "withdrawn_reason")
            workflow_call(
                workflow.transition, incident, Incident.Status.WITHDRAWN, request.user, reason
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _claim_item(claim):
    """A stored claim as write input, so a PATCH can change only what it names."""
    return {
        "kind": claim.kind,
        "source": {"id": claim.source_id},
        "report": {"id": claim.report_id} if claim.report_id else None,
        "statement": claim.statement,
        "claimed_on": claim.claimed_on,
        "attributed_to": {"id": claim.attributed_to_id} if claim.attributed_to_id else None,
    }


class _NestedWriteMixin:
    """Flat claims and denials: writable one at a time, with their incident's rules."""

    write_serializer_class = None
    permission_classes = [RolePermissions]

    def get_queryset(self):
        # Withdrawn claims and denials are gone from the API; /deleted/ tells mirrors.
        queryset = self.queryset.filter(withdrawn_at__isnull=True)
        if not self.staff:
            queryset = queryset.filter(incident__status=Incident.Status.PUBLISHED)
        return queryset

    def _incident(self, pk):
        incident = Incident.objects.visible_to(self.request.user).filter(pk=pk).first()
        if incident is None:
            raise serializers.ValidationError({"incident": [f"No incident has the id {pk}."]})
        return incident

    def _get(self, pk):
        obj = self.get_queryset().select_related("incident").filter(pk=pk).first()
        if obj is None:
            raise NotFound()
        return obj

    def _read_one(self, pk):
        return self.read([pk])[0]

    def list(self, request, *args, **kwargs):
        rows = self.paginate_rows(self.filter_queryset(self.get_queryset()).values("id"))
        return self.get_paginated_response(self.read([row["id"] for row in rows]))

    def retrieve(self, request, pk=None, *args, **kwargs):
        ids = list(self.get_queryset().filter(pk=pk).values_list("id", flat=True))
        if not ids:
            raise NotFound()
        return Response(self.read(ids)[0])

    def destroy(self, request, pk=None, *args, **kwargs):
        obj = self._get(pk)
        if workflow.is_public(obj.incident):
            reason = request_reason(request, "reason")
            workflow_call(workflow.withdraw_part, obj, request.user, reason)
        else:
            check_may_write(request.user, obj.incident)
            obj.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def create(self, request, *args, **kwargs):
        return self._write(request, None)

    @staticmethod
    def _corrected(user, incident, reason, write, writer):
        """Write, and for a published incident record the reason in its corrections log."""

        def corrected():
            stored = workflow.check_current(incident, None)
            public = workflow.is_public(stored)
            if public and not reason:
                raise DjangoValidationError({"change_reason": workflow.MESSAGES["reason_required"]})
            with pghistory.context(**workflow.history_context(user, reason)):
                written = write()
                if public and writer.changed:
                    workflow.record_correction(stored, user, reason)
            return written

        return workflow_call(_written, corrected)

    def update(self, request, pk=None, *args, partial=False, **kwargs):
        return self._write(request, self._get(pk), partial=partial)


def _flat_schema(read, write, noun, examples):
    return extend_schema_view(
        list=extend_schema(
            summary=f"{noun}s",
            responses={200: read(many=True), 400: BAD_INPUT},
            examples=examples,
        ),
        retrieve=extend_schema(
            summary=f"One {noun.lower()}",
            responses={200: read, 404: NOT_FOUND},
            examples=examples,
        ),
        create=extend_schema(
            summary=f"Add a {noun.lower()} to an incident",
            request=write,
            responses={201: read, **WRITE_ERRORS},
        ),
        update=extend_schema(
            summary=f"Replace a {noun.lower()}",
            request=write,
            responses={200: read, **WRITE_ERRORS, 404: NOT_FOUND},
        ),
        partial_update=extend_schema(
            summary=f"Change some of a {noun.lower()}",
            request=write,
            responses={200: read, **WRITE_ERRORS, 404: NOT_FOUND},
        ),
        destroy=extend_schema(
            summary=f"Delete a {noun.lower()} of a draft, or withdraw one of a published incident",
            parameters=[REASON],
            responses={
                204: NO_CONTENT,
                400: BAD_INPUT,
                401: NOT_AUTHENTICATED,
                403: FORBIDDEN,
                404: NOT_FOUND,
            },
        ),
    )


@_flat_schema(ClaimSerializer, ClaimWriteSerializer, "Claim", api_examples.claim())
class ClaimViewSet(_NestedWriteMixin, ApiViewSet, mixins.UpdateModelMixin):
    queryset = Claim.objects.all()
    serializer_class = ClaimWriteSerializer
    filterset_class = ClaimFilter

    def read(self, ids):
        return Reader(self.staff).claims(ids)

    def _write(self, request, claim, partial=False):
        serializer = ClaimWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = (data.pop("change_reason", "") or "").strip()
        item = {**(_claim_item(claim) if claim is not None else {}), **data}
        if claim is not None:
            check_may_write(request.user, claim.incident)
        incident = self._incident(item.pop("incident", None) or claim.incident_id)
        check_may_write(request.user, incident)
        writer = IncidentWriter(Resolver(match_ids=True))

        def write():
            written, errors = writer.write_claim(incident, item, lambda *_: claim)
            if errors:
                raise serializers.ValidationError(errors)
            return written

        written = self._corrected(request.user, incident, reason, write, writer)
        code = status.HTTP_200_OK if claim is not None else status.HTTP_201_CREATED
        return Response(self._read_one(written.pk), status=code)


@_flat_schema(DenialSerializer, DenialWriteSerializer, "Denial", api_examples.denial())
class DenialViewSet(_NestedWriteMixin, ApiViewSet, mixins.UpdateModelMixin):
    queryset = Denial.objects.all()
    serializer_class = DenialWriteSerializer
    filterset_class = DenialFilter

    def read(self, ids):
        return Reader(self.staff).denials(ids)

    def _write(self, request, denial, partial=False):
        serializer = DenialWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        item = dict(serializer.validated_data)
        reason = (item.pop("change_reason", "") or "").strip()
        if denial is not None:
            check_may_write(request.user, denial.incident)
            item = {
                "source": {"id": denial.source_id},
                "report": {"id": denial.report_id} if denial.report_id else None,
                "statement": denial.statement,
                "denied_on": denial.denied_on,
                **item,
            }
        incident = self._incident(item.pop("incident", None) or denial.incident_id)
        check_may_write(request.user, incident)
        claims = None
        if "denies" in item:
            wanted = item["denies"]
            claims = list(Claim.objects.filter(pk__in=wanted).only("pk", "incident_id"))
            missing = sorted(set(wanted) - {claim.pk for claim in claims})
            if missing:
                raise serializers.ValidationError(
                    {"denies": [f"No claim has the id {pk}." for pk in missing]}
                )
        writer = IncidentWriter(Resolver(match_ids=True))

        def write():
            written, errors = writer.write_denial(incident, item, claims, lambda *_: denial)
            if errors:
                raise serializers.ValidationError(errors)
            return written

        written = self._corrected(request.user, incident, reason, write, writer)
        code = status.HTTP_200_OK if denial is not None else status.HTTP_201_CREATED
        return Response(self._read_one(written.pk), status=code)


@extend_schema_view(
    list=extend_schema(
        summary="Tombstones: what left public view since a time",
        description="Incidents, claims and denials deleted, or unpublished, at or after `since`. "
        "To mirror the data, apply these, then fetch `/incidents/?updated_since=` the same time.",
        responses={200: TombstoneSerializer(many=True), 400: BAD_INPUT},
    ),
)
class TombstoneViewSet(ApiViewSet, mixins.ListModelMixin):
    queryset = Tombstone.objects.all()
    serializer_class = TombstoneSerializer
    filterset_class = TombstoneFilter

    def list(self, request, *args, **kwargs):
        rows = self.paginate_rows(tombstone_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response([tombstone(row) for row in rows])


class ImportView(APIView):
    """Import a bundle of whole incidents (README: "REST API", bundles)."""

    permission_classes = [CanImport]

    @extend_schema(
        summary="Import a bundle of incidents",
        description="All or nothing: one bad incident and nothing is imported; the errors name "
        "the incident's index and the field. Importing the same bundle again changes nothing. "
        "Without the publish permission, incidents land as drafts.",
        request=BundleSerializer,
        responses={
            200: ImportReportSerializer,
            400: ImportFailureSerializer,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
        },
        examples=api_examples.bundle(),
    )
    def post(self, request):
        try:
            payload = request.data
        except ParseError as error:
            problems = [{"incident": None, "field": "", "message": str(error.detail)}]
            return self._refused(problems)
        try:
            report = import_bundle(payload, can_publish=can_publish(request.user))
        except BundleError as error:
            return self._refused(error.errors)
        return Response(report)

    @staticmethod
    def _refused(errors):
        return Response(
            {"detail": f"Nothing was imported: {len(errors)} error(s).", "errors": errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
