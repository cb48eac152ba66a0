"""Sitemaps of the published content, for search engines (served at /sitemap.xml)."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Briefing, Entity, Remark, Spokesperson, Topic


class PublishedSitemap(Sitemap):
    """Remarks or briefings, in pages of `limit` URLs that the sitemap index lists."""

    limit = 10_000

    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # Django's default walks every item in Python: a million rows for the index alone.
        return self.model.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class ReferenceSitemap(Sitemap):
    """Topic, spokesperson and entity pages that the public sees (ReferenceQuerySet.public)."""

    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.public().only("slug").order_by("slug")


class PageSitemap(Sitemap):
    def items(self):
        return ["home", "briefing_list", "topic_list", "spokesperson_list", "entity_list", "data"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap(),
    "remarks": PublishedSitemap(Remark),
    "briefings": PublishedSitemap(Briefing),
    "topics": ReferenceSitemap(Topic),
    "spokespersons": ReferenceSitemap(Spokesperson),
    "entities": ReferenceSitemap(Entity),
}
