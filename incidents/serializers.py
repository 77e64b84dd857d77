"""Serializers of incidents, claims, denials and bundles.

The read shapes describe, for the OpenAPI schema, what incidents.api_read builds (the
API answers from there, not from these). The input shapes validate writes and
bundles; incidents.bundles turns them into rows with the model's own validation.
"""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from config.validation import InputSerializer
from sources.models import Source
from sources.serializers import (
    ReportRefSerializer,
    ReportSummarySerializer,
    SourceRefSerializer,
    SourceSummarySerializer,
)

from .models import Claim, Incident, IncidentIdentifier, Media, Tombstone

CLOCK_FORMATS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"})
class ClockTimeField(serializers.TimeField):
    """A time of day in UTC, written without an offset ("14:30:00"): OpenAPI's "time"
    format would demand one."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", CLOCK_FORMATS)
        super().__init__(**kwargs)


# Read shapes


class FigureSerializer(serializers.Serializer):
    """A casualty figure as said and as comparable numbers ("at least 23": min 23, max null)."""

    category = serializers.SlugField(help_text="killed, injured, killed_or_injured, ...")
    min = serializers.IntegerField(allow_null=True, min_value=0)
    max = serializers.IntegerField(allow_null=True, min_value=0)
    as_said = serializers.CharField()
    approximate = serializers.BooleanField(help_text="“some 250”, “about 40”.")


class ClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    incident = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Claim.Kind.choices)
    source = SourceSummarySerializer()
    report = ReportSummarySerializer(allow_null=True)
    statement = serializers.CharField(help_text="The claim in the source's own words.")
    claimed_on = serializers.DateField(allow_null=True)
    figures = FigureSerializer(many=True)
    attributed_to = SourceSummarySerializer(
        allow_null=True, help_text="For an attribution: who the source says did it."
    )
    via = SourceSummarySerializer(
        many=True,
        help_text="The intermediaries the claim reached the report through, nearest the "
        "source first (the Observatory's toll, reported by AP); protected ones as their kind.",
    )
    denied_by = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the denials that answer this claim."
    )
    supersedes = serializers.IntegerField(
        allow_null=True, help_text="The earlier claim of the same source this one revises."
    )
    superseded_by = serializers.IntegerField(
        allow_null=True, help_text="The later claim of the same source that revises this one."
    )
    current = serializers.BooleanField(
        help_text="False once revised: only current claims count in casualties and dispute."
    )
    updated_at = serializers.DateTimeField()


class DenialSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    incident = serializers.IntegerField()
    source = SourceSummarySerializer()
    report = ReportSummarySerializer(allow_null=True)
    statement = serializers.CharField(help_text="The denial in the source's own words.")
    denied_on = serializers.DateField(allow_null=True)
    denies = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the claims it answers."
    )
    updated_at = serializers.DateTimeField()


class OccurredSerializer(serializers.Serializer):
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    time = ClockTimeField(allow_null=True, help_text="UTC, when the precision is exact.")
    precision = serializers.ChoiceField(choices=Incident.DatePrecision.choices)


class LocationSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    region = serializers.CharField(allow_blank=True)
    country = serializers.CharField(allow_null=True, help_text="ISO 3166-1 alpha-2 code.")
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    precision = serializers.ChoiceField(choices=Incident.LocationPrecision.choices, allow_null=True)


class AssessmentSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Incident.Grade.choices, allow_null=True)
    rationale = serializers.CharField(allow_blank=True)


class RangeSerializer(serializers.Serializer):
    """What sources report for one casualty category."""

    min = serializers.IntegerField(allow_null=True, help_text="The lowest low end of any source.")
    max = serializers.IntegerField(allow_null=True, help_text="The highest high end.")
    sources = serializers.IntegerField(help_text="How many distinct sources give this category.")
    open_ended = serializers.BooleanField(
        help_text="The figure giving the highest end has no max (“at least 300”)."
    )


class DisputeSerializer(serializers.Serializer):
    contested = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class RelatedIncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Media.Verification.choices)
    note = serializers.CharField(
        allow_blank=True, help_text="How it was verified, or why it is disputed or fake."
    )


class MediaSerializer(serializers.Serializer):
    """A photo, video, sound recording or document the incident rests on."""

    id = serializers.IntegerField()
    url = serializers.URLField(
        allow_null=True,
        help_text="Our copy for an uploaded file (served as a download), else where it is "
        "published; null when neither is recorded.",
    )
    kind = serializers.ChoiceField(choices=Media.Kind.choices)
    sha256 = serializers.CharField(
        allow_null=True, help_text="SHA-256 of the uploaded file; null without one."
    )
    verification = VerificationSerializer()
    graphic = serializers.BooleanField(help_text="Shows death or injury.")


class IdentifierSerializer(serializers.Serializer):
    """Another monitor's identifier for the same event."""

    scheme = serializers.ChoiceField(choices=IncidentIdentifier.Scheme.choices)
    value = serializers.CharField(max_length=200)


class CorrectionSerializer(serializers.Serializer):
    """An entry of the public corrections log: why the published incident changed."""

    created_at = serializers.DateTimeField()
    reason = serializers.CharField()
    version = serializers.IntegerField(
        allow_null=True, help_text="The incident's version after the change."
    )


class IncidentPropertiesSerializer(serializers.Serializer):
    """An incident without its claims and denials (GeoJSON properties)."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    url = serializers.URLField(help_text="The incident's public page.")
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=Incident.Status.choices)
    occurred = OccurredSerializer()
    location = LocationSerializer()
    assessment = AssessmentSerializer()
    casualties = serializers.DictField(
        child=RangeSerializer(), help_text="One entry per casualty category any claim reports."
    )
    dispute = DisputeSerializer()
    related = RelatedIncidentSerializer(many=True)
    media = MediaSerializer(many=True, help_text="Evidence, in the order it was added.")
    identifiers = IdentifierSerializer(
        many=True, help_text="Other monitors' identifiers for this event (see the filter)."
    )
    corrections = CorrectionSerializer(
        many=True, help_text="The public corrections log, oldest first."
    )
    withdrawn_reason = serializers.CharField(
        allow_null=True,
        help_text="Why the incident was withdrawn (staff only see withdrawn incidents); null "
        "unless it is withdrawn.",
    )
    version = serializers.IntegerField(
        help_text="Goes up with every saved change to the incident or anything in it; send "
        "it back (or the ETag in If-Match) to refuse overwriting someone else's change."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class IncidentSerializer(IncidentPropertiesSerializer):
    """An incident with every competing claim and denial about it."""

    claims = ClaimSerializer(many=True)
    denials = DenialSerializer(many=True)


class PointSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text="[lon, lat]"
    )


class FeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.IntegerField()
    geometry = PointSerializer(allow_null=True)
    properties = IncidentPropertiesSerializer()


@extend_schema_serializer(many=False)  # a page in itself, not a list of pages
class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = FeatureSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class TombstoneSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=Tombstone.ObjectType.choices)
    id = serializers.IntegerField()
    deleted_at = serializers.DateTimeField()
    reason = serializers.ChoiceField(choices=Tombstone.Reason.choices)


# Input shapes: an incident as read, minus what is computed; bundles hold the same.


class FigureInputSerializer(InputSerializer):
    category = serializers.SlugField(max_length=50)
    min = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        error_messages={"min_value": "A count cannot be negative."},
    )
    max = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        error_messages={"min_value": "A count cannot be negative."},
    )
    as_said = serializers.CharField(max_length=300)
    approximate = serializers.BooleanField(required=False, default=False)


class ClaimInputSerializer(InputSerializer):
    id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A reference for the denials of the same payload; when it is the id of one "
        "of this incident's claims, that claim is updated.",
    )
    kind = serializers.ChoiceField(choices=Claim.Kind.choices)
    source = SourceRefSerializer()
    report = ReportRefSerializer(required=False, allow_null=True)
    statement = serializers.CharField(trim_whitespace=False)
    claimed_on = serializers.DateField(required=False, allow_null=True)
    figures = FigureInputSerializer(many=True, required=False)
    attributed_to = SourceRefSerializer(required=False, allow_null=True)
    via = SourceRefSerializer(
        many=True,
        required=False,
        help_text="The intermediaries, nearest the source first: a list given replaces the "
        "chain, left out it stays as it is.",
    )


class DenialInputSerializer(InputSerializer):
    id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="When it is the id of one of this incident's denials, that denial is updated.",
    )
    source = SourceRefSerializer()
    report = ReportRefSerializer(required=False, allow_null=True)
    statement = serializers.CharField(trim_whitespace=False)
    denied_on = serializers.DateField(required=False, allow_null=True)
    denies = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="The claims it answers, by the ids given to them in the same payload.",
    )


class OccurredInputSerializer(InputSerializer):
    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    time = ClockTimeField(
        required=False, allow_null=True, help_text="UTC, HH:MM or HH:MM:SS; needs precision exact."
    )
    precision = serializers.ChoiceField(choices=Incident.DatePrecision.choices, required=False)


class LocationInputSerializer(InputSerializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    region = serializers.CharField(required=False, allow_blank=True, max_length=200)
    country = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=2)
    lat = serializers.FloatField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)
    precision = serializers.ChoiceField(
        choices=Incident.LocationPrecision.choices,
        required=False,
        allow_null=True,
        allow_blank=True,
    )


class AssessmentInputSerializer(InputSerializer):
    grade = serializers.ChoiceField(
        choices=Incident.Grade.choices, required=False, allow_null=True, allow_blank=True
    )
    rationale = serializers.CharField(required=False, allow_blank=True)


class RelatedRefSerializer(InputSerializer):
    id = serializers.IntegerField(required=False, allow_null=True)
    slug = serializers.SlugField(required=False, max_length=200)

    def validate(self, attrs):
        if not (attrs.get("id") or attrs.get("slug")):
            raise serializers.ValidationError("Name the related incident by its slug or id.")
        return attrs


class IncidentInputSerializer(InputSerializer):
    """An incident to create or change, with its claims (and their figures) and denials.

    Lists given replace what the incident had: claims and denials left out are removed.
    Leave a list out to keep it as it is.
    """

    slug = serializers.SlugField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Made from the title when left out.",
    )
    title = serializers.CharField(max_length=300)
    summary = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=Incident.Status.choices,
        required=False,
        help_text="Publishing needs the publish permission (an editor's token).",
    )
    occurred = OccurredInputSerializer(required=False)
    location = LocationInputSerializer(required=False)
    assessment = AssessmentInputSerializer(required=False)
    claims = ClaimInputSerializer(many=True, required=False)
    denials = DenialInputSerializer(many=True, required=False)
    related = RelatedRefSerializer(many=True, required=False)
    identifiers = IdentifierSerializer(
        many=True,
        required=False,
        help_text="Other monitors' identifiers to add; those the incident has already are "
        "kept. An identifier another incident carries is refused.",
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version the change was made from (as read): a stale one answers 409 "
        "with what changed since. `If-Match` with the ETag does the same, answering 412.",
    )
    change_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Why the change is made: required to change a published incident (editors "
        "only); it goes to the public corrections log.",
    )
    withdrawn_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="With status `withdrawn`: the public reason for the withdrawal.",
    )


CHANGE_REASON_HELP = (
    "Why the change is made: required when the incident is published (editors only); it "
    "goes to the public corrections log."
)


class ClaimWriteSerializer(ClaimInputSerializer):
    """A claim written on its own: its incident, and the rest as in an incident's claims."""

    id = None
    incident = serializers.IntegerField(min_value=1)
    change_reason = serializers.CharField(
        required=False, allow_blank=True, help_text=CHANGE_REASON_HELP
    )


class DenialWriteSerializer(DenialInputSerializer):
    id = None
    incident = serializers.IntegerField(min_value=1)
    denies = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="Ids of the claims it answers, all about the same incident.",
    )
    change_reason = serializers.CharField(
        required=False, allow_blank=True, help_text=CHANGE_REASON_HELP
    )


class SourceInputSerializer(InputSerializer):
    """A source in full, in a bundle's ``sources`` list."""

    slug = serializers.SlugField(max_length=200)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Source.Kind.choices)
    parent = serializers.SlugField(required=False, allow_null=True, max_length=200)
    protected = serializers.BooleanField(required=False, default=False)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    based_in = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    url = serializers.URLField(required=False, allow_blank=True, allow_null=True, max_length=500)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )


class ReportInputSerializer(InputSerializer):
    """A report in full, in a bundle's ``reports`` list; claims refer to it by ``id``."""

    id = serializers.IntegerField()
    url = serializers.URLField(required=False, allow_blank=True, allow_null=True, max_length=2000)
    title = serializers.CharField(max_length=500)
    publisher = serializers.SlugField(help_text="The publisher's slug.", max_length=200)
    published_on = serializers.DateField(required=False, allow_null=True)
    language = serializers.CharField(required=False, allow_blank=True, default="", max_length=35)
    archive_url = serializers.URLField(
        required=False, allow_blank=True, allow_null=True, max_length=2000
    )
    content_sha256 = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=64
    )


class CategoryInputSerializer(InputSerializer):
    slug = serializers.SlugField(max_length=50)
    name = serializers.CharField(max_length=100)
    position = serializers.IntegerField(required=False, default=100, min_value=0, max_value=32767)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class BundleSerializer(InputSerializer):
    """Whole incidents for export and import.

    ``incidents`` hold incidents as the API shows them. The optional ``sources``,
    ``reports`` and ``categories`` lists carry what an empty database needs to
    recreate them in full (a source's parent organisation, a report's archive hash).
    """

    incidents = IncidentInputSerializer(many=True)
    sources = SourceInputSerializer(many=True, required=False)
    reports = ReportInputSerializer(many=True, required=False)
    categories = CategoryInputSerializer(many=True, required=False)


class ImportedIncidentSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Its position in the bundle, from 0.")
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    status = serializers.ChoiceField(choices=Incident.Status.choices)
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class ImportReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    incidents = ImportedIncidentSerializer(many=True)


class ImportErrorSerializer(serializers.Serializer):
    incident = serializers.IntegerField(
        allow_null=True, help_text="The index of the incident in the bundle, from 0."
    )
    field = serializers.CharField(help_text="Where in that incident, e.g. claims[1].figures[0].min")
    message = serializers.CharField()


class ImportFailureSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ImportErrorSerializer(many=True)
