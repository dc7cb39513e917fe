"""The pipeline's statistics page and its downloads: thin views over
``reports.queries.build_report`` (the numbers) and ``reports.exports`` (the files)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.formats import localize
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

import access
from access.decorators import allowed
from reports import exports
from reports.forms import ReportFilterForm
from reports.queries import Filters, Number, Row, Table, build_report


def _filters(request: HttpRequest) -> tuple[ReportFilterForm, Filters | None]:
    form = ReportFilterForm(request.GET or None)
    return form, form.filters()


def _errors(form: ReportFilterForm) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {message}".lstrip(": ")
        for name, messages in form.errors.items()
        for message in messages
    )


def _cells(values: list[Number]) -> SafeString:
    """A row's numbers as table cells: ``data-value`` the number as stored (the downloads'),
    the text in the reader's format; "—" for none. Built here, not cell by cell in the
    template: a report has hundreds of cells."""
    return format_html_join(
        "",
        '<td class="num" data-value="{}">{}</td>',
        (("", "—") if value is None else (str(value), localize(value)) for value in values),
    )


def _shown(table: Table) -> dict[str, object]:
    def row(r: Row) -> dict[str, object]:
        return {"key": r.key, "label": r.label, "cells": _cells(r.values)}

    return {
        "table": table,
        "rows": [row(r) for r in table.rows],
        "total": row(table.total) if table.total is not None else None,
    }


@allowed(access.can_view_reports)
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    if filters is None:
        return render(request, "reports/report.html", {"form": form}, status=400)
    report = build_report(filters)
    shown = ReportFilterForm(
        initial={
            "start": filters.start,
            "end": filters.end,
            "position": filters.position.pk if filters.position else None,
            "vendor": filters.vendor.pk if filters.vendor else None,
        }
    )
    return render(
        request,
        "reports/report.html",
        {
            "form": shown,
            "report": report,
            "sections": [_shown(table) for table in report.tables],
            "chart": report.funnel_chart(),
            "query": urlencode(filters.query()),
        },
    )


def _filename(filters: Filters, ext: str) -> str:
    return f"roundtable-report-{filters.start.isoformat()}-{filters.end.isoformat()}.{ext}"


def _attachment(body: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@allowed(access.can_view_reports)
@require_GET
def report_xlsx(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    if filters is None:
        return HttpResponseBadRequest(_errors(form), content_type="text/plain; charset=utf-8")
    return _attachment(
        exports.report_xlsx(build_report(filters)), exports.XLSX_TYPE, _filename(filters, "xlsx")
    )


@allowed(access.can_view_reports)
@require_GET
def report_csv(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    tables = request.GET.getlist("table") or list(exports.CSV_DEFAULT)
    unknown = [name for name in tables if name not in exports.CSV_TABLES]
    if unknown:
        message = _("There is no such table: %(names)s. Choose from: %(known)s.") % {
            "names": ", ".join(unknown),
            "known": ", ".join(exports.CSV_TABLES),
        }
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    if filters is None:
        return HttpResponseBadRequest(_errors(form), content_type="text/plain; charset=utf-8")
    return _attachment(
        exports.report_csv(build_report(filters, tables), tables),
        exports.CSV_TYPE,
        _filename(filters, "csv"),
    )
