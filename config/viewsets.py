"""What every API viewset shares."""

from rest_framework import serializers, viewsets

from .renderers import JSONRenderer


def is_staff(user):
    return bool(user is not None and user.is_authenticated and user.is_staff)


class ApiViewSet(viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"

    @property
    def staff(self):
        return is_staff(self.request.user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "GET" and self.action in ("list", "count"):
            self.check_query_params(request)

    def check_query_params(self, request):
        """A misspelt filter is an error, not a silently unfiltered list."""
        known = {"format"}
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        if self.action == "list" and self.paginator is not None:
            known |= {
                self.paginator.cursor_query_param,
                self.paginator.page_size_query_param,
            }
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            choices = ", ".join(sorted(known))
            raise serializers.ValidationError(
                {name: [f"Unknown parameter. Known: {choices}."] for name in unknown}
            )

    def names_no_filter(self):
        filterset_class = getattr(self, "filterset_class", None)
        return filterset_class is not None and set(self.request.query_params).isdisjoint(
            filterset_class.base_filters
        )

    def filter_queryset(self, queryset):
        # A request naming none of the filters is answered without building and
        # validating the filter form (milliseconds a request, for no change).
        if self.names_no_filter():
            return queryset
        return super().filter_queryset(queryset)

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
