"""Whole public pages kept by the content version, so that a page asked again costs a lookup.

A public page depends on its URL, the public content and the day (a citation gives the date
the reader accessed the remark: citations.today), and on nothing about the reader: no account,
cookie or form token appears on it. So its HTML is kept under the content version
(models.content_version, moved in the same transaction as every public change), the day, the
host and the full path: a publication, correction or withdrawal is seen by the next request,
and an editor's work on drafts leaves every kept page valid. Only complete 200 answers are
kept; redirects, errors and streams are computed every time. What the middleware adds
(security headers, budgets, rate limits) still runs on every request: the decorator wraps the
view, not the stack.

This spares repeats only. The first request of a state is what the site must make fast
without it (docs/benchmarks.md, where `benchmark --cold` empties this cache too).
"""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from . import budget, citations
from .models import pinned_content_version


def page_key(request, version):
    where = f"{version}|{citations.today():%Y-%m-%d}|{request.scheme}|{request.get_host()}|{request.get_full_path()}"
    return "page:" + hashlib.blake2b(where.encode(), digest_size=20).hexdigest()


def cached_page(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
            return budget.in_turn(request) or view(request, *args, **kwargs)
        with pinned_content_version() as version:
            key = page_key(request, version)
            kept = cache.get(key)
            if kept is not None:
                content, headers = kept
                return HttpResponse(content, headers=headers)
            # Only a page computed waits for a search's slot (budget.Slots); a kept one never does.
            if refusal := budget.in_turn(request):
                return refusal
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                cache.set(key, (response.content, dict(response.items())), settings.PAGE_CACHE_SECONDS)
        return response

    wrapper.takes_its_turn = True
    return wrapper
