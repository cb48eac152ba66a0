import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse

from statements.models import Entity, Spokesperson, Topic


class Command(BaseCommand):
    help = (
        "Count the figures of the main pages into the cache: home, the unfiltered remark list, the "
        "topic, spokesperson and entity lists and every topic, spokesperson and entity page. Run it "
        "after a deploy with an empty cache, or after renaming a topic, spokesperson or entity (which "
        "recounts every month): their first visitors then wait milliseconds, not seconds. Publishing "
        "needs no warming: only the months it touched are recounted, on the next request."
    )

    def handle(self, **options):
        client = Client(HTTP_HOST=self.host())
        urls = [reverse(name) for name in ("home", "remark_list", "topic_list", "spokesperson_list", "entity_list")]
        for model, name in ((Topic, "topic_detail"), (Spokesperson, "spokesperson_detail"), (Entity, "entity_detail")):
            urls += [reverse(name, args=[slug]) for slug in model.objects.order_by("slug").values_list("slug", flat=True)]
        started = time.perf_counter()
        for url in urls:
            response = client.get(url, secure=True)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
        self.stdout.write(f"{len(urls)} pages counted in {time.perf_counter() - started:.1f} s")

    @staticmethod
    def host():
        """A host the site answers to: the first ALLOWED_HOSTS entry that names one."""
        for host in settings.ALLOWED_HOSTS:
            if host != "*":
                return host.lstrip(".")
        return "localhost"
