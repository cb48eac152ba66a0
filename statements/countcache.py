"""Counts that cost a scan at scale — facet counts, the month histogram, result totals — cached
per state of the page and per version of the content.

Exact invalidation without coordinating caches: the content version is one database row whose
token changes in the same transaction as any change to the content (statements/signals.py), so
every app process reads the same token, and a count cached under a token was counted from the
content as it stood under that token. A process never serves a figure older than what it reads.
"""

import hashlib
import uuid

from django.core.cache import cache
from django.db import IntegrityError, transaction

from .models import ContentVersion

# Old tokens' entries are never read again; they only wait to be evicted.
TIMEOUT = 24 * 60 * 60
VERSION_ROW = 1


def content_version():
    token = ContentVersion.objects.filter(pk=VERSION_ROW).values_list("token", flat=True).first()
    return token or bump_content_version()


def bump_content_version():
    token = uuid.uuid4().hex
    if not ContentVersion.objects.filter(pk=VERSION_ROW).update(token=token):
        try:
            with transaction.atomic():
                ContentVersion.objects.create(pk=VERSION_ROW, token=token)
        except IntegrityError:  # another writer created it first
            ContentVersion.objects.filter(pk=VERSION_ROW).update(token=token)
    return token


def cached_counts(namespace, state, compute, version=None):
    """compute() once per (namespace, state, content version); `state` is compared as its repr."""
    digest = hashlib.sha256(repr(state).encode()).hexdigest()[:32]
    key = f"counts:{namespace}:{version or content_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
