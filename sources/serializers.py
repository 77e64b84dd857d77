"""Serializers of sources and reports.

The read shapes (…Serializer) describe, for the OpenAPI schema, what sources.api_read
builds; the write serializers validate input with the model's own rules.
"""

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from rest_framework import serializers

from config.validation import (
    RepeatedInput,
    model_errors,
    raise_for_integrity_error,
)

from .models import Report, Source

# Read shapes


class SourceSummarySerializer(serializers.Serializer):
    """Who says it. The public sees a protected source only as its kind:
    ``{"id": null, "slug": null, "name": "Protected source", "kind": ...}``."""

    id = serializers.IntegerField(allow_null=True)
    slug = serializers.SlugField(allow_null=True)
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Source.Kind.choices)
    protected = serializers.BooleanField(
        required=False, help_text="Shown to staff only: the identity is withheld from the public."
    )


class CaptureSerializer(serializers.Serializer):
    """The report's page as archived at one moment (failed attempts are not listed)."""

    sha256 = serializers.CharField(
        allow_null=True,
        help_text="SHA-256 of the page as received (the payload of the WARC response "
        "record): check a copy of the page against it.",
    )
    captured_at = serializers.DateTimeField(help_text="When the page was received.")
    url = serializers.CharField(
        allow_null=True, help_text="The address the page was fetched from, after redirects."
    )
    status = serializers.IntegerField(allow_null=True, help_text="The HTTP status of the page.")


class ReportSummarySerializer(serializers.Serializer):
    """Where a claim or denial was published."""

    id = serializers.IntegerField()
    url = serializers.CharField(
        allow_null=True, help_text="Withheld (null) when the publisher is a protected source."
    )
    publisher = serializers.CharField(help_text="The publisher's name as the reader may see it.")
    publisher_source = SourceSummarySerializer()
    title = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    captures = CaptureSerializer(
        many=True,
        help_text="Archived copies of the page, oldest first; empty when the publisher is a "
        "protected source.",
    )


class SourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Source.Kind.choices)
    parent = SourceSummarySerializer(
        allow_null=True, help_text="The organisation it speaks for or belongs to."
    )
    description = serializers.CharField(allow_blank=True)
    based_in = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_null=True)
    aliases = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    protected = serializers.BooleanField(required=False, help_text="Shown to staff only.")


class ReportSerializer(ReportSummarySerializer):
    language = serializers.CharField(allow_blank=True)
    archive_url = serializers.CharField(allow_null=True)
    content_sha256 = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


# References inside incident writes and bundles


class SourceRefSerializer(RepeatedInput):
    """A source named in a write: found by id (API writes only), else slug, else URL, else
    name, and created when missing (which needs its name and kind)."""

    id = serializers.IntegerField(required=False, allow_null=True)
    slug = serializers.SlugField(required=False, allow_null=True, allow_blank=True, max_length=200)
    name = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=200)
    kind = serializers.ChoiceField(choices=Source.Kind.choices, required=False, allow_null=True)
    url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    protected = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not (attrs.get("id") or attrs.get("slug") or attrs.get("name")):
            raise serializers.ValidationError("Name the source by its id, slug or name.")
        return attrs


class ReportRefSerializer(RepeatedInput):
    """A report named in a write: found by id (API writes only), else URL, else title, and
    created when missing (which needs a title and a publisher)."""

    id = serializers.IntegerField(required=False, allow_null=True)
    url = serializers.URLField(required=False, allow_null=True, allow_blank=True, max_length=2000)
    title = serializers.CharField(required=False, allow_null=True, max_length=500)
    publisher = serializers.CharField(required=False, allow_null=True, max_length=200)
    publisher_source = SourceRefSerializer(required=False, allow_null=True)
    published_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        if not (attrs.get("id") or attrs.get("url") or attrs.get("title")):
            raise serializers.ValidationError("Name the report by its id, URL or title.")
        return attrs


# Writes of the flat collections


class ModelCleanSerializer(serializers.ModelSerializer):
    """A ModelSerializer that runs the model's own validation before saving."""

    def validate(self, attrs):
        instance = self.instance or self.Meta.model()
        for name, value in attrs.items():
            setattr(instance, name, value)
        self.prepare(instance)
        errors = model_errors(instance)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def prepare(self, instance):
        """Fill in what the client may leave out, before validation."""

    def save(self, **kwargs):
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError as error:
            raise_for_integrity_error(error, [self.Meta.model])

    def create(self, validated_data):
        instance = self.Meta.model(**validated_data)
        self.prepare(instance)
        instance.save()
        return instance


def unique_slug(model, text, max_length=200):
    base = slugify(text)[:max_length].strip("-") or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug, n = f"{base[: max_length - len(suffix)]}{suffix}", n + 1
    return slug


class SourceWriteSerializer(ModelCleanSerializer):
    slug = serializers.SlugField(
        required=False, max_length=200, help_text="Made from the name when left out."
    )
    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=Source.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Source
        fields = [
            "name",
            "slug",
            "kind",
            "parent",
            "protected",
            "description",
            "based_in",
            "url",
            "aliases",
        ]
        # Uniqueness is checked with the model's own words in validate().
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        fields["slug"].validators = []
        return fields

    def prepare(self, instance):
        if not instance.slug and instance.name:
            instance.slug = unique_slug(Source, instance.name)


class ReportWriteSerializer(ModelCleanSerializer):
    publisher = serializers.SlugRelatedField(slug_field="slug", queryset=Source.objects.all())

    class Meta:
        model = Report
        fields = [
            "title",
            "url",
            "publisher",
            "published_on",
            "language",
            "archive_url",
            "content_sha256",
        ]
        validators = []
