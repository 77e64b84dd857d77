import nested_admin
from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from sources.admin import ReportAdmin

from .models import (
    CasualtyCategory,
    Claim,
    ClaimVia,
    Denial,
    Figure,
    Incident,
    IncidentIdentifier,
    Media,
)


class FigureInline(nested_admin.NestedTabularInline):
    model = Figure
    extra = 0
    fields = ["category", "as_said", "min_count", "max_count", "approximate"]


class ClaimViaInline(nested_admin.NestedTabularInline):
    model = ClaimVia
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["position", "source"]


class ClaimInline(nested_admin.NestedStackedInline):
    model = Claim
    extra = 0
    inlines = [FigureInline, ClaimViaInline]
    autocomplete_fields = ["source", "report", "attributed_to", "supersedes"]
    fields = [
        ("kind", "source"),
        ("report", "claimed_on"),
        "statement",
        "attributed_to",
        "supersedes",
    ]


def _stamp_media(form, user):
    """Record who added an item, and who verified it when the status changes unsigned."""
    media = form.instance
    if media.pk is None and media.added_by_id is None:
        media.added_by = user
    if "verification_status" in form.changed_data and not media.verified_by:
        media.verified_by = user.get_full_name() or user.get_username()


class MediaStampingAdminMixin:
    def save_formset(self, request, form, formset, change):
        if formset.model is Media:
            for media_form in formset.forms:
                if media_form.has_changed():
                    _stamp_media(media_form, request.user)
        super().save_formset(request, form, formset, change)


MEDIA_FIELDS = [
    ("kind", "graphic"),
    "description",
    ("file", "url"),
    ("sha256", "size", "content_type"),
    "report",
    ("acquired_from", "acquired_by", "acquired_at"),
    ("verification_status", "verified_by", "verified_at"),
    "verification_note",
]
MEDIA_READONLY = ["sha256", "size", "content_type", "verified_at"]


class IncidentMediaInline(nested_admin.NestedStackedInline):
    model = Media
    fk_name = "incident"
    extra = 0
    autocomplete_fields = ["report"]
    fields = [*MEDIA_FIELDS[:3], "claim", *MEDIA_FIELDS[3:]]
    readonly_fields = MEDIA_READONLY

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "claim":
            # Only the claims of the incident being edited.
            incident_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Claim.objects.filter(incident_id=incident_id).select_related(
                "source"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ClaimMediaInline(nested_admin.NestedStackedInline):
    model = Media
    fk_name = "claim"
    extra = 0
    autocomplete_fields = ["report"]
    fields = MEDIA_FIELDS
    readonly_fields = MEDIA_READONLY


class IdentifierInline(nested_admin.NestedTabularInline):
    model = IncidentIdentifier
    extra = 0
    fields = ["scheme", "value", "url"]


class DenialForm(forms.ModelForm):
    class Meta:
        model = Denial
        fields = ["source", "report", "denied_on", "statement", "denies"]

    def clean(self):
        cleaned = super().clean()
        denies = cleaned.get("denies")
        if denies is not None and self.instance.incident_id is not None:
            try:
                self.instance.check_denies(denies)
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned


class DenialInline(nested_admin.NestedStackedInline):
    model = Denial
    form = DenialForm
    extra = 0
    autocomplete_fields = ["source", "report"]
    fields = [("source", "denied_on"), "report", "statement", "denies"]
    filter_horizontal = ["denies"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "denies":
            # Only the claims of the incident being edited can be denied here.
            incident_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Claim.objects.filter(incident_id=incident_id).select_related(
                "source"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ClaimKindFilter(admin.SimpleListFilter):
    title = "claim kind"
    parameter_name = "claim_kind"

    def lookups(self, request, model_admin):
        return Claim.Kind.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(claims__kind=self.value()).distinct()
        return queryset


@admin.register(Incident)
class IncidentAdmin(MediaStampingAdminMixin, nested_admin.NestedModelAdmin):
    list_display = [
        "title",
        "occurred_start",
        "place_name",
        "country",
        "status",
        "assessment",
        "claim_count",
        "updated_at",
    ]
    list_filter = ["status", "country", "assessment", ClaimKindFilter, "occurred_precision"]
    search_fields = ["title", "slug", "summary", "place_name", "region", "identifiers__value"]
    date_hierarchy = "occurred_start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["related"]
    readonly_fields = ["created_at", "updated_at", "public_link"]
    inlines = [ClaimInline, DenialInline, IncidentMediaInline, IdentifierInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "status", "public_link"]}),
        (
            "When",
            {"fields": [("occurred_start", "occurred_time", "occurred_end"), "occurred_precision"]},
        ),
        (
            "Where",
            {
                "fields": [
                    ("place_name", "region", "country"),
                    ("latitude", "longitude", "location_precision"),
                ]
            },
        ),
        ("Assessment", {"fields": ["assessment", "assessment_rationale"]}),
        ("Related", {"fields": ["related", ("created_at", "updated_at")]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims"))

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count

    @admin.display(description="public page")
    def public_link(self, obj):
        if obj.pk is None or obj.status != Incident.Status.PUBLISHED:
            return "Not public"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())


@admin.register(Claim)
class ClaimAdmin(MediaStampingAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "incident", "kind", "source", "report", "claimed_on", "current"]
    list_filter = ["kind"]
    list_select_related = ["incident", "source", "report__publisher"]
    search_fields = ["statement", "source__name", "incident__title"]
    autocomplete_fields = ["incident", "source", "report", "attributed_to", "supersedes"]
    inlines = [FigureInline, ClaimViaInline, ClaimMediaInline]
    fields = [
        "incident",
        "kind",
        "source",
        "report",
        "claimed_on",
        "statement",
        "attributed_to",
        "supersedes",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_revision_links()

    @admin.display(description="current", boolean=True)
    def current(self, obj):
        return obj.current


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ["__str__", "incident", "kind", "verification_status", "graphic", "sha256"]
    list_filter = ["kind", "verification_status", "graphic"]
    list_select_related = ["incident"]
    search_fields = ["description", "acquired_from", "sha256", "incident__title"]
    autocomplete_fields = ["incident", "claim", "report"]
    fields = [*MEDIA_FIELDS[:3], ("incident", "claim"), *MEDIA_FIELDS[3:], "added_by"]
    readonly_fields = [*MEDIA_READONLY, "added_by"]

    def save_model(self, request, obj, form, change):
        _stamp_media(form, request.user)
        super().save_model(request, obj, form, change)


class ReportClaimInline(admin.TabularInline):
    """The claims a report contains, read-only; edit them on their incident."""

    model = Claim
    extra = 0
    can_delete = False
    fields = ["incident_link", "kind", "source", "statement"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("incident", "source")

    @admin.display(description="incident")
    def incident_link(self, obj):
        url = reverse("admin:incidents_incident_change", args=[obj.incident_id])
        return format_html('<a href="{}">{}</a>', url, obj.incident.title)


ReportAdmin.inlines = [*ReportAdmin.inlines, ReportClaimInline]


@admin.register(CasualtyCategory)
class CasualtyCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
