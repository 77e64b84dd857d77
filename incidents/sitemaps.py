from django.urls import reverse

from sources.sitemaps import SiteUrlSitemap, SourceSitemap

from .models import Incident


class IncidentSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Incident.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, incident):
        return incident.updated_at


class PageSitemap(SiteUrlSitemap):
    """The index pages."""

    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["incidents:list", "sources:list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "incidents": IncidentSitemap, "sources": SourceSitemap}
