from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import condition

from .caching import incident_etag, incident_last_modified
from .models import Incident


def home(request):
    return redirect("incidents:list")


def incident_list(request):
    incidents = Incident.objects.public().order_by("-occurred_start", "-id")
    page = Paginator(incidents, 50).get_page(request.GET.get("page"))
    return render(request, "incidents/incident_list.html", {"page": page})


@condition(etag_func=incident_etag, last_modified_func=incident_last_modified)
def incident_detail(request, slug):
    incident = get_object_or_404(Incident.objects.public().with_claims(), slug=slug)
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "ranges": incident.casualty_ranges(),
            "dispute": incident.dispute(),
            "claim_entries": incident.claim_entries(),
        },
    )
