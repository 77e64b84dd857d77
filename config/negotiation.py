from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """``?format=`` picks the format of what is read; an unknown one is a bad value (400
    with a message), not a missing page. Writes and errors always answer in JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if request.method not in ("GET", "HEAD"):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)

    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            choices = ", ".join(renderer.format for renderer in renderers)
            raise serializers.ValidationError({"format": [f"Choose one of: {choices}."]})
        return matching
