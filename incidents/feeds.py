"""An Atom feed of published incidents that takes the list page's filters.

Publishing an incident saves it, so ordering by ``updated_at`` brings newly
published incidents first, and corrected ones back to the top.
"""

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import charts
from .filters import IncidentFilter
from .models import Incident

FEED_SIZE = 50


class IncidentFeed(Feed):
    feed_type = Atom1Feed
    title = "Incident tracker: newly published and updated incidents"
    subtitle = "Incidents with every competing claim made about them."
    author_name = "Incident tracker"

    def __call__(self, request, *args, **kwargs):
        filterset = self._filterset(request)
        if not filterset.is_valid():
            lines = [f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()]
            return HttpResponse(
                "The feed's filters are not valid.\n" + "\n".join(lines) + "\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return super().__call__(request, *args, **kwargs)

    def _filterset(self, request):
        # Empty fields (from a submitted form) are no filter.
        query = request.GET.copy()
        for key in [k for k, v in query.items() if not v.strip()]:
            del query[key]
        query.pop("ordering", None)
        return IncidentFilter(query, queryset=Incident.objects.public(), request=request)

    def get_object(self, request):
        return self._filterset(request)

    def link(self, filterset):
        query = filterset.data.urlencode()
        return reverse("incidents:list") + (f"?{query}" if query else "")

    def feed_url(self, filterset):
        query = filterset.data.urlencode()
        return reverse("incidents:feed") + (f"?{query}" if query else "")

    def items(self, filterset):
        return filterset.qs.order_by("-updated_at", "-id").with_claims()[:FEED_SIZE]

    def item_title(self, incident):
        return incident.title

    def item_description(self, incident):
        parts = [incident.summary] if incident.summary else []
        for rng in incident.casualty_ranges().values():
            sources = f"{rng.sources} source{'s' if rng.sources != 1 else ''}"
            parts.append(f"{rng.category.name}: {charts.range_words(rng)} ({sources}).")
        dispute = incident.dispute()
        if dispute.contested:
            parts.append("Contested: " + "; ".join(dispute.reasons) + ".")
        if incident.assessment:
            parts.append(f"Assessment: {incident.get_assessment_display()}.")
        return " ".join(parts)

    def item_link(self, incident):
        return incident.permalink

    def item_guid(self, incident):
        return incident.permalink

    item_guid_is_permalink = True

    def item_updateddate(self, incident):
        return incident.updated_at

    def item_categories(self, incident):
        return [incident.get_assessment_display()] if incident.assessment else []
