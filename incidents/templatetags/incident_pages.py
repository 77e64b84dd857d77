"""Template helpers of the public pages: figures in words, dates with their precision, charts."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from incidents import charts

register = template.Library()

# The characters that could end a <script> element or start markup, as JSON escapes.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def figure_words(figure):
    return charts.figure_words(figure)


@register.filter
def range_words(rng):
    return charts.range_words(rng)


@register.simple_tag
def range_chart(rng):
    return charts.range_chart(rng)


@register.filter
def occurred(incident):
    """When it happened, as precisely as it is known: “30 May 2016”, “around 30 May 2016”."""
    start, end = incident.occurred_start, incident.occurred_end
    precision = incident.occurred_precision
    if start is None or precision == "unknown":
        return "Date unknown"
    text = f"{start.day} {start:%B %Y}"
    if end and end != start:
        text += f" to {end.day} {end:%B %Y}"
    if precision == "exact" and incident.occurred_time:
        text += f", {incident.occurred_time:%H:%M} UTC"
    if precision == "approximate":
        text = "around " + text
    return text


@register.filter
def jsonld(value):
    """Serialise structured data for a <script type="application/ld+json"> element."""
    return mark_safe(json.dumps(value, cls=DjangoJSONEncoder).translate(_SCRIPT_ESCAPES))


@register.simple_tag(takes_context=True)
def page_url(context, param, number, fragment=""):
    """The current address with one page parameter set (pages that paginate several lists)."""
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}" + (f"#{fragment}" if fragment else "")


@register.filter
def plus(value, arg):
    """Chart coordinates: ``add`` for decimals (``add`` only adds integers exactly)."""
    return round(float(value) + float(arg), 1)


@register.filter
def minus(value, arg):
    return round(float(value) - float(arg), 1)
