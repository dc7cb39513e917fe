"""The recruiter's pages for the pipeline: positions, vendors and candidates' cards, kept through
``candidates.services``. Who may open each page is the access module's to say."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

import access
from access.decorators import allowed
from accounts.zones import is_zone
from candidates import services
from candidates.models import Candidate, Position, Vendor
from candidates.validators import validate_one_line, validate_resume
from scheduling import services as availability

LIST_LIMIT = 500
# A refusal of the service shown next to the field it is about.
REFUSAL_FIELDS = {
    "title_required": "title",
    "bad_openings": "openings",
    "bad_status": "status",
    "name_required": "name",
    "name_taken": "name",
}


class PositionForm(forms.ModelForm):
    class Meta:
        model = Position
        fields = ["title", "team", "description", "openings", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ["name", "contact_name", "contact_email", "phone", "terms", "active"]
        widgets = {"terms": forms.Textarea(attrs={"rows": 4})}

    def validate_unique(self) -> None:
        """The service says whether the name is taken (whatever the letter case)."""


def _refused(form: forms.ModelForm, refused: services.CandidateRefused) -> None:
    form.add_error(REFUSAL_FIELDS.get(refused.code), refused.message)


@allowed(access.can_view_positions)
@require_GET
def position_list(request: HttpRequest) -> HttpResponse:
    positions = Position.objects.order_by("status", "title", "id")[:LIST_LIMIT]
    return render(
        request,
        "portal/positions.html",
        {
            "positions": list(positions),
            "can_manage": access.can_manage_positions(request.user),
        },
    )


@allowed(access.can_manage_positions)
@require_http_methods(["GET", "POST"])
def position_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new position (no ``pk``) or a change to one, its status among the fields."""
    position = get_object_or_404(Position, pk=pk) if pk is not None else None
    form = PositionForm(request.POST or None, instance=position)
    if request.method == "POST" and form.is_valid():
        try:
            if position is None:
                services.position_create(by=request.user, fields=form.cleaned_data)
                messages.success(request, _("The position is created."))
            else:
                # The form wrote its values on the row while checking it: start afresh.
                services.position_update(
                    position=Position.objects.get(pk=position.pk), fields=form.cleaned_data
                )
                messages.success(request, _("The position is saved."))
        except services.CandidateRefused as refused:
            _refused(form, refused)
        else:
            return redirect("position_list")
    status = 400 if form.errors else 200
    return render(
        request,
        "portal/position_form.html",
        {"form": form, "position": position},
        status=status,
    )


@allowed(access.can_view_vendors)
@require_GET
def vendor_list(request: HttpRequest) -> HttpResponse:
    vendors = Vendor.objects.order_by("-active", "name", "id")[:LIST_LIMIT]
    return render(
        request,
        "portal/vendors.html",
        {"vendors": list(vendors), "can_manage": access.can_manage_vendors(request.user)},
    )


@allowed(access.can_manage_vendors)
@require_http_methods(["GET", "POST"])
def vendor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new vendor (no ``pk``) or a change to one."""
    vendor = get_object_or_404(Vendor, pk=pk) if pk is not None else None
    form = VendorForm(request.POST or None, instance=vendor)
    if request.method == "POST" and form.is_valid():
        try:
            if vendor is None:
                services.vendor_create(fields=form.cleaned_data)
                messages.success(request, _("The vendor is added."))
            else:
                services.vendor_update(
                    vendor=Vendor.objects.get(pk=vendor.pk), fields=form.cleaned_data
                )
                messages.success(request, _("The vendor is saved."))
        except services.CandidateRefused as refused:
            _refused(form, refused)
        else:
            return redirect("vendor_list")
    status = 400 if form.errors else 200
    return render(
        request, "portal/vendor_form.html", {"form": form, "vendor": vendor}, status=status
    )


class CandidateForm(forms.ModelForm):
    """The recruiter's edit of a candidate's card; the service checks it again and writes it.
    Tags are typed comma-separated."""

    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        max_length=services.TAGS_MAX,
        required=False,
        help_text=gettext_lazy("Separated by commas."),
        validators=[validate_one_line],
    )

    class Meta:
        model = Candidate
        fields = [
            "full_name",
            "email",
            "phone",
            "source",
            "vendor",
            "positions",
            "tags",
            "hr_email",
            "hr_telegram_chat_id",
            "hr_language",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        candidate = self.instance
        for name in ONE_LINE:
            self.fields[name].validators.append(validate_one_line)
        # Active vendors and positions not closed, and whatever the candidate has already.
        self.fields["vendor"].queryset = Vendor.objects.filter(
            Q(active=True) | Q(pk=candidate.vendor_id)
        ).order_by("name", "id")
        kept = Q(candidates=candidate) if candidate.pk else Q(pk__in=[])
        self.fields["positions"].queryset = (
            Position.objects.filter(~Q(status=Position.Status.CLOSED) | kept)
            .distinct()
            .order_by("title", "id")
        )
        self.initial["tags"] = ", ".join(candidate.tag_list)

    def _post_clean(self) -> None:
        """The service checks and writes the row; the form writes nothing on the instance."""


ONE_LINE = ("full_name", "email", "phone", "hr_email", "hr_telegram_chat_id")


@allowed(access.can_manage_candidates)
@require_http_methods(["GET", "POST"])
def candidate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.select_related("vendor"), pk=pk)
    form = CandidateForm(request.POST or None, instance=candidate)
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_update(
                candidate=candidate, by=request.user, fields=form.cleaned_data
            )
        except services.CandidateRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("The candidate is saved."))
            return redirect("candidate_detail", pk=candidate.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "portal/candidate_form.html",
        {"form": form, "candidate": candidate},
        status=status,
    )


# Moves a person makes from the candidate's card. The others are made where their cause is:
# a round's time schedules, a session or a rating starts, a rating or the cabinet's decision
# selects, rejects, hires or reopens.
CARD_MOVES = ("withdraw",)


def card_moves(user: Any, candidate: Candidate) -> list[str]:
    from access.roles import roles_of
    from candidates import lifecycle

    return [
        move
        for move in lifecycle.moves_for(candidate.status, roles_of(user, candidate))
        if move in CARD_MOVES
    ]


@allowed(access.works_with_candidates)
@require_http_methods(["POST"])
def candidate_move(request: HttpRequest, pk: int) -> HttpResponse:
    """A move from the card (withdraw), asked of the lifecycle with the person's roles."""
    from access.roles import roles_of

    candidate = get_object_or_404(Candidate, pk=pk)
    if not access.can_view_candidate(request.user, candidate):
        raise PermissionDenied
    move = request.POST.get("move", "")
    if move not in CARD_MOVES:
        messages.error(request, _("That is not a move made from the card."))
        return redirect("candidate_detail", pk=candidate.pk)
    note = request.POST.get("note", "").strip()[:1000]
    try:
        services.candidate_move(
            candidate=candidate,
            move=move,
            by=request.user,
            roles=roles_of(request.user, candidate),
            details={"note": note} if note else None,
        )
    except services.CandidateRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The candidate is withdrawn."))
    return redirect("candidate_detail", pk=candidate.pk)


class WallClockField(forms.DateTimeField):
    """A date and time as read on a clock, without a zone: which zone it is in is the form's
    to say (Django's own field would read it in the viewer's)."""

    widget = forms.DateTimeInput(
        attrs={"type": "datetime-local", "step": 300}, format="%Y-%m-%dT%H:%M"
    )
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        for pattern in self.input_formats:
            try:
                return datetime.strptime(text, pattern)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class FreeSlotForm(forms.Form):
    """One stretch of a new candidate's free time, on the clock of their zone."""

    starts = WallClockField(label=pgettext_lazy("free time", "From"))
    ends = WallClockField(label=pgettext_lazy("free time", "Until"))


FREE_PREFIX = "free"
FREE_ROWS = 2  # blank rows on a new page; "Another free time" adds one


class FreeTimeRows(forms.BaseFormSet):
    def initial_form_count(self) -> int:
        return 0  # every row may be left blank: none of them is a stored one


def _free_time_formset(extra: int) -> type[forms.BaseFormSet]:
    return forms.formset_factory(
        FreeSlotForm,
        formset=FreeTimeRows,
        extra=extra,
        max_num=availability.MAX_SLOTS_AT_CREATION,
        absolute_max=availability.MAX_SLOTS_AT_CREATION,
        validate_max=True,
    )


class NewCandidateForm(CandidateForm):
    """The card, a first resume and, optionally, free time (rows of from–until in the
    candidate's zone; ``free``, a formset). Clean, ``free_slots`` holds the slots in UTC for
    ``scheduling.services.candidate_create_with_slots``, ``free_rows`` the row of each."""

    resume = forms.FileField(
        label=gettext_lazy("Resume (PDF)"),
        required=False,
        validators=[validate_resume],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    free_zone = forms.CharField(
        label=gettext_lazy("The candidate’s time zone"),
        max_length=64,
        required=False,
        help_text=gettext_lazy(
            "Their free time below is on this zone’s clock (an IANA name, like Europe/Berlin); "
            "blank: yours."
        ),
    )

    def __init__(
        self,
        *args: Any,
        zone: str,
        free_typed: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        """``free_typed``: the rows of free time as typed so far (one blank row more follows)."""
        super().__init__(*args, **kwargs)
        self.default_zone = zone
        self.fields["free_zone"].widget.attrs["placeholder"] = zone
        # A form posted without the free-time rows (an older page, a script) has none.
        posted = self.is_bound and f"{FREE_PREFIX}-TOTAL_FORMS" in self.data
        formset = _free_time_formset(FREE_ROWS if free_typed is None else len(free_typed) + 1)
        self.free = formset(self.data if posted else None, prefix=FREE_PREFIX, initial=free_typed)
        self.free_slots: list[availability.NewSlot] = []
        self.free_rows: list[forms.Form] = []

    def clean_free_zone(self) -> str:
        name = (self.cleaned_data.get("free_zone") or "").strip() or self.default_zone
        if not is_zone(name):
            raise ValidationError(
                _("“%(name)s” is not a time zone name (like Europe/Berlin)."),
                params={"name": name},
            )
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        zone = data.get("free_zone")
        if zone is None or not self.free.is_bound or not self.free.is_valid():
            return data
        for row in self.free.forms:
            starts, ends = row.cleaned_data.get("starts"), row.cleaned_data.get("ends")
            if starts is None or ends is None:
                continue  # a blank row (one end without the other is the row's own error)
            try:
                start, end = availability.local_range(
                    day=starts.date(),
                    starts=starts.time(),
                    end_day=ends.date(),
                    ends=ends.time(),
                    zone=zone,
                )
                availability.slot_check(starts_at=start, ends_at=end, zone=zone)
            except availability.SchedulingRefused as refused:
                row.add_error("ends" if refused.field == "ends" else "starts", refused.message)
            else:
                self.free_slots.append(availability.NewSlot(start, end, zone))
                self.free_rows.append(row)
        return data

    def is_valid(self) -> bool:
        valid = super().is_valid()  # cleans the rows too (``clean``)
        return valid and (not self.free.is_bound or self.free.is_valid())


def _with_another_row(request: HttpRequest, zone: str) -> NewCandidateForm:
    """The page again as it was typed, with one more blank row of free time: nothing is
    checked or saved yet (a chosen resume file has to be chosen again: browsers do not
    send it back)."""
    posted = request.POST
    initial: dict[str, Any] = {
        name: posted.getlist(name) if name == "positions" else posted.get(name)
        for name in NewCandidateForm.base_fields
        if name in posted and name != "resume"
    }
    try:
        total = max(int(posted.get(f"{FREE_PREFIX}-TOTAL_FORMS", "0")), 0)
    except ValueError:
        total = 0
    fields = FreeSlotForm.base_fields
    rows = [
        {field: posted.get(f"{FREE_PREFIX}-{n}-{field}", "") for field in fields}
        for n in range(min(total, availability.MAX_SLOTS_AT_CREATION - 1))
    ]
    return NewCandidateForm(initial=initial, instance=Candidate(), zone=zone, free_typed=rows)


@allowed(access.can_manage_candidates)
@require_http_methods(["GET", "POST"])
def candidate_new(request: HttpRequest) -> HttpResponse:
    """A recruiter adds one candidate (a drive adds many): the card, positions, source, and
    optionally the first resume and free time, through ``candidates.services.candidate_create``
    and ``scheduling.services.slot_add`` in one transaction
    (``scheduling.services.candidate_create_with_slots``)."""
    zone = availability.zone_of(request.user)
    if request.method == "POST" and "free_more" in request.POST:
        form = _with_another_row(request, zone)
        return render(
            request,
            "portal/candidate_form.html",
            {"form": form, "candidate": None, "multipart": True},
        )
    form = NewCandidateForm(
        request.POST or None, request.FILES or None, instance=Candidate(), zone=zone
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        extra = {name: data.pop(name) for name in ("source", "vendor", "positions", "tags")}
        resume = data.pop("resume", None)
        data.pop("free_zone", None)
        try:
            candidate = availability.candidate_create_with_slots(
                by=request.user,
                slots=form.free_slots,
                fields={k: v for k, v in data.items() if v not in (None, "") or k in ("email",)},
                resume=resume or None,
                source=extra["source"],
                vendor=extra["vendor"],
                positions=list(extra["positions"]),
                tags=extra["tags"],
            )
        except services.CandidateRefused as refused:
            form.add_error(refused.field, refused.message)
        except availability.SchedulingRefused as refused:
            if refused.index is not None and refused.index < len(form.free_rows):
                row = form.free_rows[refused.index]
                row.add_error("ends" if refused.field == "ends" else "starts", refused.message)
            else:
                form.add_error(None, refused.message)
        except ValidationError as invalid:
            form.add_error("resume", invalid)
        else:
            messages.success(request, _("The candidate is added."))
            return redirect("candidate_detail", pk=candidate.pk)
    failed = bool(form.errors) or (form.free.is_bound and not form.free.is_valid())
    return render(
        request,
        "portal/candidate_form.html",
        {"form": form, "candidate": None, "multipart": True},
        status=400 if failed else 200,
    )


CANDIDATES_PER_PAGE = 50


class CandidateFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name, e-mail or tag"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("any")), *Candidate.Status.choices],
    )
    position = forms.ModelChoiceField(
        label=gettext_lazy("Position"),
        required=False,
        queryset=Position.objects.order_by("title", "id"),
        empty_label=gettext_lazy("any"),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"),
        required=False,
        choices=[("", gettext_lazy("any")), *Candidate.Source.choices],
    )


@allowed(access.works_with_candidates)
@require_GET
def candidate_list(request: HttpRequest) -> HttpResponse:
    """The candidates the reader may see, newest first, filtered and paged: a fixed number of
    queries per page whatever the total (the positions of a page's rows in one more)."""
    from django.core.paginator import Paginator
    from django.db.models import Prefetch

    form = CandidateFilter(request.GET or None)
    rows = access.visible_candidates(user=request.user).select_related("vendor")
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["position"]:
            rows = rows.filter(positions=data["position"])
        if data["source"]:
            rows = rows.filter(source=data["source"])
        if data["q"]:
            rows = rows.filter(_text_filter(data["q"]))
    rows = rows.order_by("-created_at", "-id").prefetch_related(
        Prefetch("positions", queryset=Position.objects.order_by("title", "id"))
    )
    page = Paginator(rows, CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/candidates.html",
        {
            "form": form,
            "page": page,
            "candidates": page.object_list,
            "query": query.urlencode(),
            "can_add": access.can_manage_candidates(request.user),
        },
    )


def _text_filter(text: str) -> Q:
    """Every word in the name, the e-mail or the tags, whatever the letter case and script
    (``search.casefold`` folds Cyrillic on SQLite too)."""
    from django.db.models import F
    from django.db.models.lookups import Contains

    from search.casefold import Casefold

    condition = Q()
    for word in text.split()[:5]:
        folded = word.casefold()
        condition &= (
            Q(Contains(Casefold(F("full_name")), folded))
            | Q(Contains(Casefold(F("email")), folded))
            | Q(Contains(Casefold(F("tags")), folded))
        )
    return condition
