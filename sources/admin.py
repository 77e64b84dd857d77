from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from history.admin import HistoryAdminMixin

from .models import Capture, Report, Source


def _may_see_captures(user):
    # Captures are part of the report's record: whoever may see the report sees them.
    return user.has_perm("sources.view_report") or user.has_perm("sources.change_report")


def _warc_link(capture):
    if not capture.warc_file:
        return "—"
    url = reverse("admin:sources_capture_warc", args=[capture.pk])
    return format_html('<a href="{}">Download WARC</a>', url)


class CaptureInline(admin.TabularInline):
    """The report's captures, newest first; they are evidence, so nothing here is editable."""

    model = Capture
    extra = 0
    can_delete = False
    show_change_link = True
    fields = [
        "captured_at",
        "status",
        "http_status",
        "sha256",
        "final_url",
        "requested_by",
        "warc",
        "error",
    ]
    readonly_fields = fields
    verbose_name_plural = "archived copies (captures)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return _may_see_captures(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by")

    @admin.display(description="WARC")
    def warc(self, obj):
        return _warc_link(obj)


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
    inlines = [CaptureInline]
    actions = ["archive_again"]
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

    def save_model(self, request, obj, form, change):
        # A new URL is archived in the background, in the name of who saved it.
        obj.save(capture_requested_by=request.user)

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count

    @admin.action(description="Archive again", permissions=["change"])
    def archive_again(self, request, queryset):
        with_url = [report for report in queryset if report.url]
        for report in with_url:
            report.request_capture(requested_by=request.user)
        if with_url:
            self.message_user(
                request,
                f"Archiving {len(with_url)} report(s) in the background: each adds a new "
                "capture, the earlier ones are kept.",
                messages.SUCCESS,
            )
        skipped = len(queryset) - len(with_url)
        if skipped:
            self.message_user(
                request, f"{skipped} report(s) have no URL to archive.", messages.WARNING
            )


@admin.register(Capture)
class CaptureAdmin(admin.ModelAdmin):
    """Captures are read-only evidence: listed, inspected and downloaded, never edited."""

    list_display = ["__str__", "report", "status", "http_status", "sha256", "requested_by"]
    list_filter = ["status", "captured_at"]
    list_select_related = ["report__publisher", "requested_by"]
    search_fields = ["requested_url", "final_url", "sha256", "report__title"]
    date_hierarchy = "captured_at"
    fields = [
        "report",
        "status",
        "requested_url",
        "final_url",
        "http_status",
        "content_type",
        "remote_ip",
        "captured_at",
        "requested_by",
        "sha256",
        "warc_sha256",
        "size",
        "warc",
        "error",
        "text",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/warc/",
                self.admin_site.admin_view(self.download_warc),
                name="sources_capture_warc",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="WARC file")
    def warc(self, obj):
        return _warc_link(obj)

    def download_warc(self, request, pk):
        if not (self.has_view_permission(request) or _may_see_captures(request.user)):
            raise PermissionDenied
        capture = get_object_or_404(Capture, pk=pk)
        if not capture.warc_file:
            raise Http404("This capture holds no WARC file.")
        response = FileResponse(
            capture.warc_file.open("rb"),
            as_attachment=True,
            filename=capture.warc_file.name.rsplit("/", 1)[-1],
            content_type="application/warc",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
