"""Facet values named by slug (`topic`, `spokesperson`, `ministry`, `mentions`) outlive renames.

A saved search, a bookmarked page or a feed keeps the slug it was made with. When a topic,
spokesperson or entity is renamed, its history (django-simple-history) still holds the old slug,
so the old address redirects to the new one. A slug nobody ever had is left out of the search
with a notice, never answered with a bare 400.
"""

from dataclasses import dataclass, field

from django.core.validators import slug_re
from django.http import QueryDict

from .models import Entity, Ministry, Outlet, Spokesperson, Topic

# The parameters whose values are slugs, and what they name.
SLUG_PARAMS = {"topic": Topic, "spokesperson": Spokesperson, "ministry": Ministry, "mentions": Entity, "asked_by": Outlet}
NOUNS = {Topic: "topic", Spokesperson: "spokesperson", Ministry: "ministry", Entity: "country or organisation", Outlet: "outlet"}


def public(model):
    """What of `model` the public may name: reference data nobody listed and no public remark
    refers to is answered exactly like a slug that never existed (models.ReferenceQuerySet)."""
    objects = model.objects
    return objects.public() if hasattr(objects, "public") else objects.all()


def current_slug(model, slug, among=None):
    """The slug now held by what was once called `slug`, or None; looked for `among` the public
    ones unless a queryset is given (the reference loader looks among all)."""
    history = getattr(model, "history", None)
    if history is None:
        return None
    pk = history.filter(slug=slug).order_by("-history_date").values_list("id", flat=True).first()
    among = public(model) if among is None else among
    return among.filter(pk=pk).values_list("slug", flat=True).first() if pk else None


def existing(model, values):
    """The values that are public slugs of `model` now. Only what could be a slug reaches the
    database (a NUL byte is an error on PostgreSQL)."""
    candidates = [value for value in values if slug_re.fullmatch(value)]
    return set(public(model).filter(slug__in=candidates).values_list("slug", flat=True))


def is_slug_shaped(value):
    return bool(slug_re.fullmatch(value))


@dataclass
class Resolution:
    params: QueryDict
    renamed: bool = False
    notices: list = field(default_factory=list)


def resolve(params, drop_unknown=True, names=SLUG_PARAMS):
    """`params` with renamed slugs replaced by their current ones and, with `drop_unknown`,
    unknown slugs left out. Pages drop them with a notice; a feed or an export keeps them, and
    the filter refuses them (400): left out, they would widen what a subscriber receives."""
    resolved = Resolution(params.copy())
    for name, model in names.items():
        values = params.getlist(name)
        if not values:
            continue
        known = existing(model, values)
        kept = []
        for value in values:
            if value in known:
                kept.append(value)
            elif is_slug_shaped(value) and (now := current_slug(model, value)) is not None:
                kept.append(now)
                resolved.renamed = True
            elif drop_unknown and not is_slug_shaped(value):
                resolved.notices.append(f"A {NOUNS[model]} that is not a valid name was left out of this search.")
            elif drop_unknown:
                resolved.notices.append(f"There is no {NOUNS[model]} “{value}”; it was left out of this search.")
            else:
                kept.append(value)
        resolved.params.setlist(name, list(dict.fromkeys(kept)))
        if not kept:
            del resolved.params[name]
    return resolved
