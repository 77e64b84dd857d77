from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from .search import name_vector

# What the public sees instead of a protected source's name.
PROTECTED_NAME = "Protected source"


class SourceQuerySet(models.QuerySet):
    def public(self):
        """Sources whose identity may be shown to the public."""
        return self.filter(protected=False)


class Source(models.Model):
    """Who makes a claim or a denial: a monitor, a ministry, a spokesman, an activist."""

    class Kind(models.TextChoices):
        MONITOR = "monitor", "Monitor"
        NGO = "ngo", "NGO"
        GOVERNMENT = "government", "Government"
        ARMED_FORCE = "armed_force", "Armed force"
        MEDIA = "media", "Media outlet"
        UN_BODY = "un_body", "UN body"
        INDIVIDUAL = "individual", "Individual"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    description = models.TextField(blank=True)
    based_in = models.CharField(
        max_length=200, blank=True, help_text="Where the source is based, e.g. “United Kingdom”."
    )
    url = models.URLField(max_length=500, blank=True, verbose_name="URL")
    aliases = ArrayField(
        models.CharField(max_length=200),
        blank=True,
        default=list,
        help_text="Other names, transliterations and pseudonyms, separated by commas.",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="The organisation this source speaks for or belongs to "
        "(a spokesman's ministry, a ministry's state).",
    )
    protected = models.BooleanField(
        default=False,
        help_text="Withhold this source's identity from the public (an activist at risk). "
        "Staff still see it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="source_not_own_parent",
                violation_error_message="A source cannot be its own parent organisation.",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="source_name_not_empty",
                violation_error_message="A source needs a name.",
            ),
        ]
        indexes = [
            # Full-text search on source names (incidents.search.text_search_q).
            GinIndex(name_vector(), name="source_name_search"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sources:detail", args=[self.slug])

    @property
    def public_name(self):
        """The name the public may see: protected sources are shown only by their kind."""
        return self.public_name_of(self.name, self.kind, self.protected)

    @classmethod
    def public_name_of(cls, name, kind, protected):
        """public_name for a source known only by its values (a row of the API's read path)."""
        if protected:
            return f"{PROTECTED_NAME} ({cls.Kind(kind).label.lower()})"
        return name


class Report(models.Model):
    """Where claims were published: a news article, a press release, a monitor's bulletin."""

    url = models.URLField(max_length=2000, blank=True, verbose_name="URL")
    publisher = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="reports")
    title = models.CharField(max_length=500)
    published_on = models.DateField(null=True, blank=True)
    language = models.CharField(
        max_length=35, blank=True, help_text="Language code of the report, e.g. “en” or “ar”."
    )
    archive_url = models.URLField(
        max_length=2000,
        blank=True,
        verbose_name="archived copy URL",
        help_text="A copy kept by an archive (e.g. the Wayback Machine).",
    )
    content_sha256 = models.CharField(
        max_length=64,
        blank=True,
        verbose_name="SHA-256 of archived content",
        help_text="64 lowercase hexadecimal characters.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="report_url_unique",
                violation_error_message="A report with this URL already exists.",
            ),
            models.CheckConstraint(
                condition=Q(content_sha256="") | Q(content_sha256__regex=r"^[0-9a-f]{64}$"),
                name="report_sha256_format",
                violation_error_message="The SHA-256 must be 64 lowercase hexadecimal characters.",
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="report_title_not_empty",
                violation_error_message="A report needs a title.",
            ),
        ]

    def __str__(self):
        date = f", {self.published_on:%d %b %Y}" if self.published_on else ""
        return f"{self.title} ({self.publisher.name}{date})"
