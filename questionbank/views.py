"""Pages for question editors: import and export of the bank, review of questions typed live."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from questionbank import bulk, selectors, services
from questionbank.models import Question

# Importing writes topics and questions; exporting shows every reference answer.
EDIT_BANK = [
    "questionbank.add_topic",
    "questionbank.change_topic",
    "questionbank.add_question",
    "questionbank.change_question",
]


def editors_only(view):  # noqa: ANN001, ANN201 - a decorator
    return login_required(permission_required(EDIT_BANK, raise_exception=True)(view))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bank file (.csv, .json or .xlsx)"),
        widget=forms.FileInput(attrs={"accept": ".csv,.json,.xlsx"}),
    )

    def clean_file(self):  # noqa: ANN201
        upload = self.cleaned_data["file"]
        if bulk.format_for(upload.name or "") is None:
            raise forms.ValidationError(_("Choose a .csv, .json or .xlsx file."))
        if upload.size > settings.BANK_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.")
                % {"mb": settings.BANK_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


@editors_only
@require_http_methods(["GET", "POST"])
def bank_import(request: HttpRequest) -> HttpResponse:
    """Check (dry run) or import a file. Importing checks first and applies all or nothing.

    The page's script posts the same form with XMLHttpRequest to show upload progress, and
    asks for the report alone (``X-Requested-With``); without script it is a plain form."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        parsed = bulk.read_bank(upload.read(), bulk.format_for(upload.name))
        dry_run = request.POST.get("mode") != "import"
        report = services.bank_import(bank=parsed, dry_run=dry_run)
    context = {"form": form, "report": report, "formats": bulk.FORMATS, "columns": bulk.COLUMNS}
    status = 400 if (report is not None and not report.ok) or form.errors else 200
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return render(request, "questionbank/_import_report.html", context, status=status)
    return render(request, "questionbank/import.html", context, status=status)


@editors_only
@require_GET
def bank_export(request: HttpRequest, fmt: str) -> HttpResponse:
    body = bulk.write_bank(bulk.export_rows(selectors.bank_for_export()), fmt)
    response = HttpResponse(body, content_type=bulk.CONTENT_TYPES[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="question-bank-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


class AcceptForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Question"), widget=forms.Textarea, max_length=10000)
    reference_answer = forms.CharField(
        label=gettext_lazy("Reference answer"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=10000,
    )
    difficulty = forms.ChoiceField(
        label=gettext_lazy("Difficulty"),
        choices=Question.Difficulty.choices,
        initial=Question.Difficulty.MEDIUM,
    )
    max_points = forms.IntegerField(label=gettext_lazy("Max points"), min_value=1, max_value=100)


def _adhoc_page(
    request: HttpRequest, bound: AcceptForm | None = None, bound_id: int | None = None
) -> HttpResponse:
    """The review list; a form that failed its checks is shown again with its errors, next
    to the fields they are about."""
    if bound is not None:
        first = next((name for name in bound.fields if name in bound.errors), None)
        if first is not None:  # the page opens at the first field to correct
            bound.fields[first].widget.attrs["autofocus"] = True
    pending = list(selectors.adhoc_pending()[:200])
    rows = [
        {
            "asked": asked,
            "form": bound
            if bound is not None and asked.pk == bound_id
            else AcceptForm(
                prefix=f"q{asked.pk}",
                initial={"text": asked.text, "max_points": asked.max_points},
            ),
        }
        for asked in pending
    ]
    status = 400 if bound is not None else 200
    return render(request, "questionbank/adhoc.html", {"rows": rows}, status=status)


@editors_only
@require_GET
def adhoc_review(request: HttpRequest) -> HttpResponse:
    return _adhoc_page(request)


@editors_only
@require_POST
def adhoc_accept(request: HttpRequest, asked_id: int) -> HttpResponse:
    form = AcceptForm(request.POST, prefix=f"q{asked_id}")
    if not form.is_valid():
        if selectors.adhoc_pending().filter(pk=asked_id).exists():
            messages.error(request, _("The question was not accepted: correct the marked fields."))
            return _adhoc_page(request, bound=form, bound_id=asked_id)
        messages.error(request, _("There is no such question typed live."))
        return redirect("bank_adhoc")
    try:
        services.adhoc_accept(asked_id=asked_id, **form.cleaned_data)
    except services.BankRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The question is in the bank now."))
    return redirect("bank_adhoc")


@editors_only
@require_POST
def adhoc_dismiss(request: HttpRequest, asked_id: int) -> HttpResponse:
    try:
        services.adhoc_dismiss(asked_id=asked_id)
    except services.BankRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Dismissed; it stays in the session's record."))
    return redirect("bank_adhoc")
