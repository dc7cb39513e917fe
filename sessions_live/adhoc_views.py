"""Pages of the review of questions typed live (/questions/adhoc/): for question editors."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

import access
from access.decorators import allowed
from questionbank.models import Question
from sessions_live import adhoc

editors_only = allowed(access.can_keep_bank)


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
    pending = list(adhoc.adhoc_pending()[:200])
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
    return render(request, "sessions_live/adhoc.html", {"rows": rows}, status=status)


@editors_only
@require_GET
def adhoc_review(request: HttpRequest) -> HttpResponse:
    return _adhoc_page(request)


@editors_only
@require_POST
def adhoc_accept(request: HttpRequest, asked_id: int) -> HttpResponse:
    form = AcceptForm(request.POST, prefix=f"q{asked_id}")
    if not form.is_valid():
        if adhoc.adhoc_pending().filter(pk=asked_id).exists():
            messages.error(request, _("The question was not accepted: correct the marked fields."))
            return _adhoc_page(request, bound=form, bound_id=asked_id)
        messages.error(request, _("There is no such question typed live."))
        return redirect("bank_adhoc")
    try:
        adhoc.adhoc_accept(asked_id=asked_id, **form.cleaned_data)
    except adhoc.AdhocRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The question is in the bank now."))
    return redirect("bank_adhoc")


@editors_only
@require_POST
def adhoc_dismiss(request: HttpRequest, asked_id: int) -> HttpResponse:
    try:
        adhoc.adhoc_dismiss(asked_id=asked_id)
    except adhoc.AdhocRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Dismissed; it stays in the session's record."))
    return redirect("bank_adhoc")
