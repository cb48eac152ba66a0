"""The admin's "Import transcript" page: upload files or paste text, check the parsed briefing
and remarks, correct the date or host, save as a draft and land on the briefing's admin page.

Stateless between the steps: the preview carries each transcript's text in a hidden field and
the save parses it again, so what is saved is exactly what the parser makes of that text.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import URLValidator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from .importers import Hints, TranscriptError, decode, parse_transcript
from .importers.store import find_ministry, known_speaker_labels, match_spokesperson, store_briefing
from .models import Briefing, Spokesperson

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


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
    files = MultipleFileField(
        required=False,
        help_text="Saved pages of the ministry's site (.html) or plain-text transcripts (.txt); several at once.",
    )
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100}),
        help_text="Or paste a transcript: Q:/A: (问：/答：) labels, blank lines between paragraphs.",
    )
    source_url = forms.URLField(
        required=False, max_length=500, assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
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
        transcripts = [(f.name, f) for f in cleaned.get("files") or []]
        if cleaned.get("text", "").strip():
            transcripts.append(("pasted text", cleaned["text"]))
        if not transcripts:
            raise forms.ValidationError("Choose a file or paste a transcript.")
        if cleaned.get("source_url") and len(transcripts) > 1:
            self.add_error("source_url", "A source URL names one transcript; import one at a time.")
        cleaned["transcripts"] = []
        for name, source in transcripts:
            if hasattr(source, "size") and source.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(f"{name} is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
            try:
                text = decode(source.read() if hasattr(source, "read") else source)
            except TranscriptError as error:
                self.add_error("files", f"{name}: {error}")
                continue
            cleaned["transcripts"].append((name, text))
        return cleaned


class ReviewForm(forms.Form):
    """One parsed transcript in the preview, with what the editor may correct."""

    name = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(widget=forms.HiddenInput, strip=False)
    # Carried from the first step and checked again: a page can be posted with anything.
    source_url = forms.URLField(
        widget=forms.HiddenInput, required=False, max_length=500, assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
    )
    language = forms.ChoiceField(widget=forms.HiddenInput, required=False, choices=[("", "Detect"), *Briefing.Language.choices])
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    spokesperson = forms.ModelChoiceField(
        queryset=Spokesperson.objects.select_related("ministry"), required=False, empty_label="(none)"
    )


ReviewFormSet = forms.formset_factory(ReviewForm, extra=0)


def parse_with(text, name, *, source_url="", date=None, language=None):
    hints = Hints(source_url=source_url, date=date, language=language or None, speaker_labels=known_speaker_labels())
    parsed = parse_transcript(text, hints, filename=name)
    # The preview names kinds and languages as editors read them.
    parsed.kind_label = Briefing.Kind(parsed.kind).label
    parsed.language_label = Briefing.Language(parsed.language).label
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
        reviews, failures, initial = [], [], []
        for name, text in form.cleaned_data["transcripts"]:
            options = {
                "source_url": form.cleaned_data["source_url"] or "",
                "date": form.cleaned_data["date"],
                "language": form.cleaned_data["language"],
            }
            try:
                parsed = parse_with(text, name, **options)
                host = match_spokesperson(parsed.spokesperson_name, find_ministry(parsed.ministry))
            except TranscriptError as error:
                failures.append((name, str(error)))
                continue
            initial.append({
                "name": name, "text": text, "source_url": options["source_url"],
                "language": options["language"], "date": parsed.date, "spokesperson": host,
            })
            reviews.append(parsed)
        if not failures:
            formset = ReviewFormSet(prefix="review", initial=initial)
            return TemplateResponse(request, "admin/statements/briefing/import.html", {
                **context, "formset": formset, "reviews": list(zip(reviews, formset.forms)),
            })
        for name, reason in failures:
            form.add_error(None, f"{name}: {reason}")
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
        try:
            parsed = parse_with(
                data["text"], data["name"], source_url=data["source_url"], date=data["date"], language=data["language"]
            )
        except TranscriptError as error:
            if "contradicts the title" not in str(error):
                failed.append(f"{data['name']}: {error}")
                continue
            # The editor corrected a date the title states: the editor's word wins.
            parsed = parse_with(data["text"], data["name"], source_url=data["source_url"], language=data["language"])
            parsed.date, parsed.date_evidence = data["date"], "corrected by an editor"
        try:
            result = store_briefing(parsed, host=data["spokesperson"])
        except TranscriptError as error:
            failed.append(f"{data['name']}: {error}")
            continue
        saved.append(result)
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
