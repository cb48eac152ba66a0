"""The admin's "Import transcript" page: fetch a page from its address, upload files or paste
text, check the parsed briefing and remarks, correct the date or host (or add the host as a new
spokesperson), save as a draft and land on the briefing's admin page.

Stateless between the steps: the preview carries each transcript's text in a hidden field and
the save parses it again, so what is saved is exactly what the parser makes of that text (a
fetched page is fetched once, at the preview).

Fetching an editor's address (importers/fetch.py) is limited to http and https, public
addresses (unless settings.IMPORT_FETCH_ALLOW_PRIVATE), 10 seconds and MAX_TRANSCRIPT_BYTES:
the server must not become a way to read its own network's internal pages.
"""

from pathlib import PurePosixPath

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from .importers import MAX_TRANSCRIPT_BYTES, DateNeeded, Hints, TranscriptError, decode, manifest_rows, parse_transcript
from .importers.fetch import Fetcher
from .import_store import (
    NewSpokesperson,
    find_ministry,
    known_speaker_labels,
    plan_spokesperson,
    store_briefing,
)
from .models import Briefing, Spokesperson
from .validators import validate_web_address

MAX_UPLOAD_BYTES = MAX_TRANSCRIPT_BYTES
FETCH_TIMEOUT = 10
MANIFEST = "manifest.tsv"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class UploadForm(forms.Form):
    url = forms.URLField(
        required=False, max_length=500, assume_scheme="https", label="Transcript's address",
        validators=[validate_web_address],
        error_messages={"invalid": "Enter a web address (http or https)."},
        help_text="Fetch the page from the ministry's site: paste its address (http or https). The "
        "address is kept as the source URL.",
    )
    files = MultipleFileField(
        required=False,
        help_text="Or upload saved pages of the ministry's site (.html) or plain-text transcripts (.txt); "
        "several at once. Add the manifest.tsv of a crawl to give each page its source URL.",
    )
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100}),
        help_text="Or paste a transcript: Q:/A: (问：/答：) labels, blank lines between paragraphs.",
    )
    source_url = forms.URLField(
        required=False, max_length=500, assume_scheme="https",
        validators=[validate_web_address],
        help_text="Where the transcript was published (for one transcript).",
    )
    date = forms.DateField(
        required=False, help_text="YYYY-MM-DD, when the transcript does not state its date.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    language = forms.ChoiceField(
        required=False, choices=[("", "Detect"), *Briefing.Language.choices],
    )

    def clean(self):
        cleaned = super().clean()
        if "url" in self.errors:
            return cleaned
        files = cleaned.get("files") or []
        manifests = [f for f in files if PurePosixPath(f.name).name == MANIFEST]
        transcripts = [(f.name, f) for f in files if f not in manifests]
        if cleaned.get("text", "").strip():
            transcripts.append(("pasted text", cleaned["text"]))
        if cleaned.get("url"):
            if transcripts:
                self.add_error("url", "Fetch an address, or upload or paste transcripts: one way at a time.")
                return cleaned
            transcripts.append(self._fetch(cleaned["url"]))
            if transcripts[-1] is None:
                return cleaned
        if not transcripts:
            raise forms.ValidationError("Choose a file or paste a transcript.")
        if cleaned.get("source_url") and len(transcripts) > 1:
            self.add_error("source_url", "A source URL names one transcript; import one at a time.")
        urls = self._manifest_urls(manifests)
        cleaned["transcripts"] = []
        for name, source in transcripts:
            if hasattr(source, "size") and source.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(f"{name} is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
            try:
                text = decode(source.read() if hasattr(source, "read") else source)
            except TranscriptError as error:
                self.add_error("files", f"{name}: {error}")
                continue
            source_url = (
                self.fetched_url if name == cleaned.get("url") else cleaned.get("source_url") or urls.get(PurePosixPath(name).name, "")
            )
            cleaned["transcripts"].append((name, text, source_url))
        return cleaned

    fetched_url = ""

    def _fetch(self, url):
        """(name, page) of the address, or None with the reason on the field."""
        # No retry: an editor waits on this request, and the worker's time is limited.
        fetcher = Fetcher(timeout=FETCH_TIMEOUT, retries=0, max_bytes=MAX_UPLOAD_BYTES)
        try:
            response = fetcher.get(url)
        except TranscriptError as error:
            self.add_error("url", f"Could not fetch {url}: {error}")
            return None
        if self.cleaned_data.get("source_url") and self.cleaned_data["source_url"] != response.url:
            self.add_error("source_url", "The fetched page's address is its source URL; leave this empty.")
        # The address answered last, after any redirect, is where the transcript is published.
        self.fetched_url = response.url
        return url, response.body

    def _manifest_urls(self, manifests):
        """Source URLs by file name, from uploaded manifest.tsv files (the browser sends no folders)."""
        urls = {}
        for manifest in manifests:
            try:
                text = decode(manifest.read())
            except TranscriptError as error:
                self.add_error("files", f"{manifest.name}: {error}")
                continue
            for path, url in manifest_rows(text):
                urls[PurePosixPath(path).name] = url
        return urls


class ReviewForm(forms.Form):
    """One parsed transcript in the preview, with what the editor may correct."""

    name = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(widget=forms.HiddenInput, strip=False)
    # Carried from the first step and checked again: a page can be posted with anything.
    source_url = forms.URLField(
        widget=forms.HiddenInput, required=False, max_length=500, assume_scheme="https",
        validators=[validate_web_address],
    )
    language = forms.ChoiceField(widget=forms.HiddenInput, required=False, choices=[("", "Detect"), *Briefing.Language.choices])
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    spokesperson = forms.ModelChoiceField(
        queryset=Spokesperson.objects.select_related("ministry"), required=False, empty_label="(none)"
    )
    # Offered when the transcript names a host nobody in the database has (store.plan_spokesperson).
    create_spokesperson = forms.BooleanField(required=False, label="Add the host as a new spokesperson", label_suffix="")
    new_name = forms.CharField(
        required=False, max_length=120, label="Name in Latin script",
        help_text="e.g. “Zhao Lijian”; left empty, the native name stands in until corrected.",
    )
    new_native_name = forms.CharField(required=False, max_length=120, label="Native name", help_text="e.g. “赵立坚”.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("create_spokesperson"):
            if cleaned.get("spokesperson"):
                self.add_error("spokesperson", "Choose a spokesperson or add a new one, not both.")
            if not (cleaned.get("new_name", "").strip() or cleaned.get("new_native_name", "").strip()):
                self.add_error("new_name", "Give the new spokesperson's name (in Latin script, native script or both).")
        return cleaned


ReviewFormSet = forms.formset_factory(ReviewForm, extra=0)


def parse_with(text, name, *, source_url="", date=None, language=None):
    hints = Hints(source_url=source_url, date=date, language=language or None, speaker_labels=known_speaker_labels())
    parsed = parse_transcript(text, hints, filename=name)
    # The preview names kinds and languages as editors read them, and says who hosts.
    parsed.kind_label = Briefing.Kind(parsed.kind).label
    parsed.language_label = Briefing.Language(parsed.language).label
    parsed.ministry_found = find_ministry(parsed.ministry)
    parsed.plan = plan_spokesperson(parsed, parsed.ministry_found)
    return parsed


def import_view(model_admin, request):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import transcript",
    }
    step = request.POST.get("step")
    if request.method == "POST" and step == "save":
        formset = ReviewFormSet(request.POST, prefix="review")
        if formset.is_valid():
            return save_reviewed(request, formset)
        return TemplateResponse(request, "admin/statements/briefing/import.html", {
            **context, "reviews": zip_reviews(formset), "formset": formset,
        })
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        reviews, failures, initial, date_needed = [], [], [], False
        for name, text, source_url in form.cleaned_data["transcripts"]:
            options = {
                "source_url": source_url,
                "date": form.cleaned_data["date"],
                "language": form.cleaned_data["language"],
            }
            try:
                parsed = parse_with(text, name, **options)
            except DateNeeded as error:
                failures.append((name, f"{error.reason}. Enter the briefing's date in the Date field and preview again."))
                date_needed = True
                continue
            except TranscriptError as error:
                failures.append((name, str(error)))
                continue
            plan = parsed.plan
            initial.append({
                "name": name, "text": text, "source_url": source_url,
                "language": options["language"], "date": parsed.date,
                "spokesperson": plan.match or plan.same_person,
                "create_spokesperson": plan.unknown and bool(parsed.spokesperson_name),
                "new_name": plan.name if plan.name != plan.native_name else "", "new_native_name": plan.native_name,
            })
            reviews.append(parsed)
        if not failures:
            formset = ReviewFormSet(prefix="review", initial=initial)
            return TemplateResponse(request, "admin/statements/briefing/import.html", {
                **context, "formset": formset, "reviews": list(zip(reviews, formset.forms)),
            })
        for name, reason in failures:
            form.add_error(None, f"{name}: {reason}")
        if date_needed:
            form.add_error("date", "The transcript states no date to trust: give the briefing's date here.")
    return TemplateResponse(request, "admin/statements/briefing/import.html", {**context, "form": form})


def zip_reviews(formset):
    """The preview again, after a correction failed validation."""
    reviews = []
    for form in formset.forms:
        try:
            parsed = parse_with(
                form["text"].value() or "", form["name"].value() or "",
                source_url=form["source_url"].value() or "", language=form["language"].value() or None,
            )
        except TranscriptError:
            parsed = None
        reviews.append((parsed, form))
    return reviews


def save_reviewed(request, formset):
    saved, failed = [], []
    for form in formset.forms:
        data = form.cleaned_data
        options = {"source_url": data["source_url"], "language": data["language"]}
        try:
            # The transcript's own evidence for the date first, so that its source is recorded
            # truly; the editor's date only where the transcript has none, or overrules it.
            try:
                parsed = parse_with(data["text"], data["name"], **options)
            except DateNeeded:
                parsed = parse_with(data["text"], data["name"], date=data["date"], **options)
        except TranscriptError as error:
            failed.append(f"{data['name']}: {error}")
            continue
        if parsed.date != data["date"]:
            parsed.date, parsed.date_evidence, parsed.date_source = data["date"], "corrected by an editor", "editor"
        host = data["spokesperson"]
        if data["create_spokesperson"]:
            if not request.user.has_perm("statements.add_spokesperson"):
                failed.append(f"{data['name']}: you may not add spokespersons; choose one or leave the host empty.")
                continue
            host = NewSpokesperson(data["new_name"], data["new_native_name"])
        try:
            result = store_briefing(parsed, host=host)
        except TranscriptError as error:
            failed.append(f"{data['name']}: {error}")
            continue
        saved.append(result)
        if not result.briefing.source_url:
            messages.warning(request, f"{data['name']}: saved without a source URL; add it on the briefing's page.")
        for note in result.notes:
            messages.warning(request, f"{data['name']}: {note}")
    for failure in failed:
        messages.error(request, failure)
    for result in saved:
        state = "Already published, unchanged" if result.briefing.is_published else "Saved as draft"
        messages.success(request, f"{state}: {result.summary()}")
    if len(saved) == 1 and not failed:
        return redirect(reverse("admin:statements_briefing_change", args=[saved[0].briefing.pk]))
    return redirect(reverse("admin:statements_briefing_changelist"))
