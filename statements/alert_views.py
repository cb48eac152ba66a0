"""The pages of email alerts: follow a /remarks/ state, confirm, manage, unsubscribe.

The logic is in statements/alerts.py and the whole story in docs/alerts.md. Every form is plain
HTML. A link from an email only shows a page with a button: mail scanners fetch links, and a
fetch must not confirm or unsubscribe anyone. The one exception is the one-click unsubscribe
POST of RFC 8058, which a mail client sends without a session or a CSRF token.
"""

import functools

from django import forms
from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import alerts
from .budget import busy_response
from .models import Subscriber
from .catalogue import remark_filterset
from .responses import renamed_redirect


class SubscribeForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Your email address")


def private(view):
    """A page whose address holds a subscriber's secret: never cached or indexed. (The site's
    Referrer-Policy, same-origin, already keeps the address from other sites; no-referrer here
    would make the browser post its forms with "Origin: null", which CSRF refuses.)"""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


def with_query(path, query):
    return path + (f"?{query}" if query else "")


@require_http_methods(["GET", "POST"])
def alert_new(request):
    """/alerts/new/?<the /remarks/ state>: what the alert follows, in words, and an address."""
    params, filterset = remark_filterset(request.GET)
    if filterset.renamed and request.method == "GET":
        return renamed_redirect(request, params)
    if errors := alerts.state_errors(params, filterset):
        messages = [
            ("date range" if name == "__all__" else name, message)
            for name, field_errors in errors.items()
            for message in field_errors
        ]
        return render(request, "statements/alerts/refused.html", {"errors": messages}, status=400)
    query = alerts.canonical_query(filterset)
    label = alerts.describe(filterset)
    form = SubscribeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if alerts.subscribe_limited(request):
            return busy_response(429, settings.RATE_LIMIT_RETRY_AFTER, "You have asked for many alerts in a short time.")
        if form.is_valid():
            email = form.cleaned_data["email"]
            try:
                alerts.subscribe(email, query, label)
            except alerts.MailUnavailable:
                return busy_response(503, message="We could not send email just now.")
            return render(
                request,
                "statements/alerts/check_inbox.html",
                {"email": email, "label": label, "interval": settings.ALERTS_CONFIRMATION_INTERVAL},
            )
    return render(
        request,
        "statements/alerts/new.html",
        {
            "form": form,
            "label": label,
            "remarks_url": with_query(reverse("remark_list"), query),
            "action": with_query(reverse("alert_new"), query),
            "unconfirmed_days": settings.ALERTS_UNCONFIRMED_DAYS,
        },
        status=400 if form.errors else 200,
    )


def posted_ids(request, name):
    return [int(value) for value in request.POST.getlist(name) if value.isascii() and value.isdigit() and len(value) < 19]


@private
@require_http_methods(["GET", "POST"])
def alert_confirm(request, token):
    """The link of a confirmation email: the alerts waiting for it, and a button."""
    subscriber = get_object_or_404(Subscriber, token=token)
    if request.method == "POST":
        confirmed = alerts.confirm(subscriber, posted_ids(request, "alert"))
        return HttpResponseRedirect(reverse("alert_manage", args=[token]) + f"?confirmed={confirmed}", status=303)
    return render(
        request,
        "statements/alerts/confirm.html",
        {"subscriber": subscriber, "pending": subscriber.alerts.filter(confirmed_at__isnull=True)},
    )


@private
@require_http_methods(["GET", "POST"])
def alert_manage(request, token):
    """Every alert of an address, each with a button to remove it, and one to unsubscribe."""
    subscriber = get_object_or_404(Subscriber, token=token)
    if request.method == "POST":
        if alerts.remove_alert(subscriber, next(iter(posted_ids(request, "remove")), None)):
            return render(request, "statements/alerts/unsubscribed.html")
        return HttpResponseRedirect(reverse("alert_manage", args=[token]) + "?removed=1", status=303)
    subscribed = list(subscriber.alerts.all())
    for alert in subscribed:
        alert.url = with_query(reverse("remark_list"), alert.query)
    confirmed = request.GET.get("confirmed", "")
    return render(
        request,
        "statements/alerts/manage.html",
        {
            "subscriber": subscriber,
            "alerts": subscribed,
            "pending": any(alert.confirmed_at is None for alert in subscribed),
            "confirmed": int(confirmed) if confirmed.isascii() and confirmed.isdigit() and len(confirmed) < 4 else None,
            "removed": "removed" in request.GET,
        },
    )


@csrf_exempt  # RFC 8058: the mail client posts "List-Unsubscribe=One-Click", with no session
@private
@require_http_methods(["GET", "POST"])
def alert_unsubscribe(request, token):
    """GET: a button (a scanner's fetch changes nothing); POST: the address and all it follows
    are deleted. Posting again, or for a link already used, says the same."""
    if request.method == "POST":
        alerts.unsubscribe(token)
        return render(request, "statements/alerts/unsubscribed.html")
    subscriber = get_object_or_404(Subscriber, token=token)
    return render(request, "statements/alerts/unsubscribe.html", {"subscriber": subscriber})
