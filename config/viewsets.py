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
        # Errors are JSON whatever format was asked for: a CSV of an error helps nobody.
        renderer = getattr(request, "accepted_renderer", None)
        if getattr(response, "exception", False) and renderer and renderer.format != "json":
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
