"""Answers every page may give instead of its own: a 400 that names the wrong parameter, and the
permanent redirects of renamed slugs (statements/slugs.py)."""

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render

from . import querystrings, slugs


def bad_request(request, errors):
    """A 400 page that says which parameter was wrong, instead of a 500 or a silent guess."""
    messages = [
        ("date range" if name == "__all__" else name, error)
        for name, field_errors in errors.items()
        for error in field_errors
    ]
    return render(
        request, "statements/bad_request.html", {"errors": messages}, status=400
    )


def renamed_redirect(request, params):
    """The same address with the slugs of today, for a state that named a renamed one."""
    return HttpResponsePermanentRedirect(request.path + querystrings.encoded(params))


def renamed_or_404(request, model, slug):
    """A subject page under a slug it had before: 301 to its address now (statements/slugs.py)."""
    now = slugs.current_slug(model, slug)
    if now is None or now == slug:
        raise Http404(f"No such {model._meta.verbose_name}.")
    return HttpResponsePermanentRedirect(request.path.replace(f"/{slug}/", f"/{now}/", 1))
