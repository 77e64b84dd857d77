"""What every API viewset shares."""

from rest_framework import viewsets

from .renderers import JSONRenderer


def is_staff(user):
    return bool(user is not None and user.is_authenticated and user.is_staff)


class ApiViewSet(viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"

    @property
    def staff(self):
        return is_staff(self.request.user)

    def paginate_rows(self, queryset):
        return self.paginator.paginate_queryset(queryset, self.request, view=self)

    def finalize_response(self, request, response, *args, **kwargs):
        # Only what was read comes as CSV or GeoJSON: errors, OPTIONS and the answers to
        # writes are JSON whatever format was asked for.
        renderer = getattr(request, "accepted_renderer", None)
        read = request.method in ("GET", "HEAD") and not getattr(response, "exception", False)
        if renderer is not None and renderer.format != "json" and not read:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
