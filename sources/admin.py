from django.contrib import admin
from django.db.models import Count

from history.admin import HistoryAdminMixin

from .models import Report, Source


@admin.register(Source)
class SourceAdmin(HistoryAdminMixin, admin.ModelAdmin):
    # Restoring an older version never lifts the protection of a source at risk.
    restore_keeps = ("protected",)
    list_display = ["name", "kind", "parent", "based_in", "protected"]
    list_filter = ["kind", "protected"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug", "aliases", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "parent", "protected"]}),
        ("About", {"fields": ["description", "based_in", "url", "aliases"]}),
    ]


@admin.register(Report)
class ReportAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["title", "publisher", "published_on", "language", "claim_count"]
    list_filter = ["language", "published_on"]
    list_select_related = ["publisher"]
    search_fields = ["title", "url", "publisher__name"]
    autocomplete_fields = ["publisher"]
    date_hierarchy = "published_on"
    fieldsets = [
        (None, {"fields": ["title", "publisher", "published_on", "language", "url"]}),
        ("Archived copy", {"fields": ["archive_url", "content_sha256"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims"))

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count
