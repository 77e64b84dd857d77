from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from .models import Source


class SiteUrlSitemap(Sitemap):
    """Addresses on SITE_URL's host and scheme, whatever host the request came to."""

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme


class SourceSitemap(SiteUrlSitemap):
    """Sources with a public page: protected sources, and sources only unpublished work
    names, have none."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Source.objects.listed().only("slug", "updated_at").order_by("pk")

    def lastmod(self, source):
        return source.updated_at
