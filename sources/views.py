from django.shortcuts import get_object_or_404, render

from .models import Source


def source_detail(request, slug):
    source = get_object_or_404(Source.objects.public().select_related("parent"), slug=slug)
    return render(request, "sources/source_detail.html", {"source": source})
