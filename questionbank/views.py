"""Pages for question editors: import and export of the bank. (The review of questions typed
live is ``sessions_live``'s: the bank sits below live sessions and never reads them.)"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from access.bank import can_keep_bank
from access.decorators import allowed
from questionbank import bulk, selectors, services

# Importing writes topics and questions; exporting shows every reference answer.
editors_only = allowed(can_keep_bank)


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
