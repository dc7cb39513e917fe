"""Writes of the one-way interviews: keyword-only and typed; the rules come from
``video_interviews.rules``, who may call what from ``access.video`` (pages and the API ask
it first).

* ``interview_create`` — an interview, its ordered questions and (optionally) its first
  invitations, in one transaction;
* ``invitations_create`` — one invitation per address, each with a fresh code and its own
  outbox row: the rows are delivered one by one, so one address the mail server refuses
  stops none of the others (that row ends ``failed`` with the reason, which the interview's
  page shows). A batch with any bad address creates nothing;
* ``invitation_revoke`` / ``invitation_resend`` / ``invitations_remind`` — by hand;
  ``reminders_due`` / ``invitations_expire`` — the beat job's (``tasks.due``);
* ``invitation_accept`` — a candidate adds an interview by its code;
* ``round_invite`` / ``round_withdraw`` — the pipeline's one-way round reached (its candidate
  invited, once per round) or called off (the live invitation revoked), on the interviews'
  facts (``video_interviews.subscribers``);
* ``template_save`` — a reusable question set;
* ``candidate_signup`` / ``candidate_confirmation_send`` / ``candidate_confirm`` — a
  candidate's own account (``accounts.User.kind == "candidate"``: never staff, no role).

Refusals are ``VideoRefused`` (``code`` for programs, ``message`` translated, ``field``,
``details``) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from accounts.zones import is_zone, language_codes
from video_interviews import mail, rules
from video_interviews.models import (
    CandidateProfile,
    Invitation,
    InvitationMail,
    Question,
    QuestionSetTemplate,
    VideoInterview,
)

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
NAME_MAX = 150
DEADLINE_MAX_DAYS = 366
CONFIRM_SALT = "video_interviews.confirm-email"


class VideoRefused(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.details = details or {}


# What a candidate is told when a code does not add an interview (rules.accept_refusal).
CODE_MESSAGES = {
    rules.NO_SUCH_CODE: gettext_lazy(
        "No interview has this code. Check the code in your invitation e-mail."
    ),
    rules.CODE_EXPIRED: gettext_lazy(
        "This code has expired: the interview's deadline has passed. Ask the recruiter for a "
        "new invitation."
    ),
    rules.CODE_REVOKED: gettext_lazy("The recruiter has withdrawn this invitation."),
    rules.CODE_USED: gettext_lazy("This code has been used already."),
    rules.ADDED_ALREADY: gettext_lazy("This interview is on your dashboard already."),
    rules.INTERVIEW_CLOSED: gettext_lazy(
        "This interview is not open at the moment. Ask the recruiter about it."
    ),
    "bad_code_format": gettext_lazy("An interview code is six digits, like 123456."),
}


def _problem_message(problem: rules.Problem) -> str:
    where = problem.where + 1 if isinstance(problem.where, int) else 0
    messages = {
        "no_questions": _("Add at least one question."),
        "too_many_questions": _("An interview has at most %(max)d questions.")
        % {"max": rules.QUESTIONS_MAX},
        "question_text_required": _("Question %(n)d: write the question.") % {"n": where},
        "question_text_too_long": _("Question %(n)d: at most %(max)d characters.")
        % {"n": where, "max": rules.TEXT_MAX},
        "bad_thinking_seconds": _("Question %(n)d: thinking time is 0 to %(max)d seconds.")
        % {"n": where, "max": rules.THINKING_MAX},
        "bad_answer_seconds": _("Question %(n)d: an answer lasts %(min)d to %(max)d seconds.")
        % {"n": where, "min": rules.ANSWER_MIN, "max": rules.ANSWER_MAX},
        "bad_retakes": _("Question %(n)d: 0 to %(max)d retakes.")
        % {"n": where, "max": rules.RETAKES_MAX},
    }
    return messages.get(problem.code, problem.code)


def check_questions(questions: Sequence[rules.QuestionSpec]) -> list[rules.QuestionSpec]:
    """The questions as stored (texts stripped), or ``VideoRefused`` naming every problem."""
    cleaned = [
        rules.QuestionSpec(
            text=q.text.strip(),
            thinking_seconds=q.thinking_seconds,
            answer_seconds=q.answer_seconds,
            retakes=q.retakes,
            bank_question_id=q.bank_question_id,
        )
        for q in questions
    ]
    problems = rules.question_problems(cleaned)
    if problems:
        messages = [_problem_message(p) for p in problems]
        raise VideoRefused(
            problems[0].code,
            " ".join(messages),
            "questions",
            {"problems": [{"code": p.code, "question": p.where} for p in problems],
             "messages": messages},
        )  # fmt: skip
    return cleaned


def _check_line(value: str, field: str, limit: int, *, required: bool) -> str:
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in value):
        raise VideoRefused(
            "control_character", _("Keep this on one line, without control characters."), field
        )
    text = " ".join(value.split())
    if required and not text:
        raise VideoRefused(f"{field}_required", _("This field is required."), field)
    if len(text) > limit:
        raise VideoRefused(
            f"{field}_too_long", _("At most %(max)d characters.") % {"max": limit}, field
        )
    return text


def _check_description(value: str) -> str:
    if "\x00" in value:
        raise VideoRefused("control_character", _("The text has a NUL character."), "description")
    text = value.strip()
    if len(text) > DESCRIPTION_MAX:
        raise VideoRefused(
            "description_too_long",
            _("At most %(max)d characters.") % {"max": DESCRIPTION_MAX},
            "description",
        )
    return text


def check_deadline(deadline: datetime, now: datetime) -> datetime:
    if timezone.is_naive(deadline):
        raise VideoRefused("bad_deadline", _("The deadline needs its time zone."), "deadline")
    if deadline <= now:
        raise VideoRefused("deadline_past", _("The deadline must be in the future."), "deadline")
    if deadline > now + timedelta(days=DEADLINE_MAX_DAYS):
        raise VideoRefused("deadline_too_far", _("The deadline must be within a year."), "deadline")
    return deadline


def _check_language(language: str) -> str:
    if language not in language_codes():
        raise VideoRefused("bad_language", _("There is no such language."), "language")
    return language


def _check_position(position: Any) -> Any:
    from candidates.models import Position

    if position is not None and position.status == Position.Status.CLOSED:
        raise VideoRefused("position_closed", _("This position is closed."), "position")
    return position


# --- interviews -----------------------------------------------------------------------------


def interview_create(
    *,
    by: User,
    title: str,
    description: str = "",
    deadline: datetime,
    questions: Sequence[rules.QuestionSpec],
    emails: Sequence[str] = (),
    language: str = "",
    position: Any = None,
    now: datetime | None = None,
) -> VideoInterview:
    """An active interview with ``questions`` in their order and, when ``emails`` are given,
    its invitations (see ``invitations_create``), all or nothing."""
    now = now or timezone.now()
    fields = {
        "title": _check_line(title, "title", TITLE_MAX, required=True),
        "description": _check_description(description),
        "deadline": check_deadline(deadline, now),
        "position": _check_position(position),
    }
    specs = check_questions(questions)
    language = _check_language(language or settings.LANGUAGE_CODE)
    with transaction.atomic():
        interview = VideoInterview.objects.create(created_by=by, created_at=now, **fields)
        Question.objects.bulk_create(
            Question(
                interview=interview,
                order=order,
                text=spec.text,
                thinking_seconds=spec.thinking_seconds,
                answer_seconds=spec.answer_seconds,
                retakes=spec.retakes,
                bank_question_id=spec.bank_question_id,
            )
            for order, spec in enumerate(specs)
        )
        if emails:
            invitations_create(
                interview=interview, by=by, emails=emails, language=language, now=now
            )
    return interview


def interview_update(
    *, interview: VideoInterview, fields: dict[str, Any], now: datetime | None = None
) -> VideoInterview:
    """Change ``title``, ``description``, ``status`` (active / inactive / completed) or
    ``deadline`` (ahead of now). Invitations already expired stay expired; resending one
    reopens it with a new code."""
    now = now or timezone.now()
    changes: dict[str, Any] = {}
    if "title" in fields:
        changes["title"] = _check_line(fields["title"], "title", TITLE_MAX, required=True)
    if "description" in fields:
        changes["description"] = _check_description(fields["description"])
    if "status" in fields:
        if fields["status"] not in VideoInterview.Status.values:
            raise VideoRefused("bad_status", _("There is no such status."), "status")
        changes["status"] = fields["status"]
    if "deadline" in fields and fields["deadline"] != interview.deadline:
        changes["deadline"] = check_deadline(fields["deadline"], now)
    if changes:
        with transaction.atomic():
            for name, value in changes.items():
                setattr(interview, name, value)
            interview.save(update_fields=[*changes, "updated_at"])
    return interview


# --- invitations ------------------------------------------------------------------------------


def _is_address(address: str) -> bool:
    if "\n" in address or "\r" in address:
        return False
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def sort_emails(*, emails: Iterable[str], interview: VideoInterview | None) -> rules.Addresses:
    """``emails`` sorted out for ``interview`` (or a new one): the good, the repeated, the
    bad, those it has invited already."""
    already: list[str] = []
    if interview is not None and interview.pk:
        already = list(interview.invitations.values_list("email", flat=True))
    return rules.sort_addresses(emails, is_address=_is_address, already=already)


def addresses_refusal(addresses: rules.Addresses) -> VideoRefused | None:
    """Why this batch cannot be sent (bad addresses, too many), or None."""
    if addresses.invalid:
        return VideoRefused(
            "invalid_addresses",
            ngettext(
                "This is not an e-mail address: %(list)s. Nothing was sent.",
                "These are not e-mail addresses: %(list)s. Nothing was sent.",
                len(addresses.invalid),
            )
            % {"list": ", ".join(addresses.invalid[:20])},
            "emails",
            {"invalid": addresses.invalid, "duplicates": addresses.duplicates,
             "existing": addresses.existing},
        )  # fmt: skip
    if len(addresses.valid) > settings.VIDEO_INVITES_MAX:
        return VideoRefused(
            "too_many_addresses",
            _("At most %(max)d addresses at once (this list has %(n)d). Nothing was sent.")
            % {"max": settings.VIDEO_INVITES_MAX, "n": len(addresses.valid)},
            "emails",
            {"limit": settings.VIDEO_INVITES_MAX},
        )
    return None


@dataclass
class Invited:
    created: list[Invitation] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def _refuse_addresses(addresses: rules.Addresses) -> None:
    refusal = addresses_refusal(addresses)
    if refusal is not None:
        raise refusal


def _languages_of(addresses: Sequence[str]) -> dict[str, str]:
    """Candidates' own languages, by address (case-folded), for those with an account."""
    rows = (
        User.objects.filter(kind=User.Kind.CANDIDATE)
        .annotate(address=Lower("email"))
        .filter(address__in=[a.lower() for a in addresses])
        .exclude(language="")
        .values_list("address", "language")
    )
    return {address.casefold(): language for address, language in rows}


def _live_codes() -> set[str]:
    return set(Invitation.objects.filter(status__in=rules.LIVE).values_list("code", flat=True))


def _insert(
    interview: VideoInterview, by: User, addresses: list[str], language: str, now: datetime
) -> list[Invitation]:
    own = _languages_of(addresses)
    for _attempt in range(5):
        taken = _live_codes()
        rows = []
        for address in addresses:
            code = rules.fresh_code(taken.__contains__)
            taken.add(code)
            rows.append(
                Invitation(
                    interview=interview,
                    email=address,
                    code=code,
                    language=own.get(address.casefold(), language),
                    invited_by=by,
                    created_at=now,
                )
            )
        try:
            with transaction.atomic():
                return Invitation.objects.bulk_create(rows)
        except IntegrityError:
            # A code (or an address) taken by someone else's transaction meanwhile: again,
            # with the codes as they are now and without addresses invited meanwhile.
            invited = {e.casefold() for e in interview.invitations.values_list("email", flat=True)}
            addresses = [a for a in addresses if a.casefold() not in invited]
    raise VideoRefused("busy", _("Too many invitations at once. Try again."))


def _mail(invitation: Invitation, purpose: str, about: str) -> None:
    row = mail.invitation_mail(invitation, about)
    InvitationMail.objects.create(invitation=invitation, outbox=row, purpose=purpose)


def _check_open(interview: VideoInterview, now: datetime) -> None:
    if interview.status != VideoInterview.Status.ACTIVE:
        raise VideoRefused(
            "interview_not_active", _("The interview is not active: activate it first.")
        )
    if interview.deadline <= now:
        raise VideoRefused(
            "deadline_passed", _("The deadline has passed: move it first."), "deadline"
        )


def invitations_create(
    *,
    interview: VideoInterview,
    by: User,
    emails: Iterable[str],
    language: str,
    now: datetime | None = None,
) -> Invited:
    """One invitation (pending, a fresh code) and one outbox e-mail per new address.
    Addresses written twice are invited once; those the interview has invited already are
    left as they are (``existing``; resend them instead); any bad address refuses the whole
    batch (``invalid_addresses``, every bad one in ``details``) and nothing is written."""
    now = now or timezone.now()
    language = _check_language(language or settings.LANGUAGE_CODE)
    addresses = sort_emails(emails=emails, interview=interview)
    _refuse_addresses(addresses)
    _check_open(interview, now)
    result = Invited(duplicates=addresses.duplicates, existing=addresses.existing)
    if not addresses.valid:
        return result
    from video_interviews import review_services  # it imports this module

    with transaction.atomic():
        result.created = _insert(interview, by, addresses.valid, language, now)
        for invitation in result.created:
            invitation.interview = interview
            _mail(invitation, InvitationMail.Purpose.INVITE, mail.INVITE)
        # Each address that has a card in the pipeline is that candidate: their answers'
        # recommendations join that card's history.
        review_services.link_people(result.created)
    return result


# --- the pipeline's one-way rounds -------------------------------------------------------------
# ``interviews`` tells its facts (``round_reached``, ``round_cancelled``); this app's subscribers
# (``video_interviews.subscribers``) call these. Nothing here imports the interviews app: the
# round is an id, the candidate the card it is about.


def round_invite(
    *,
    interview: VideoInterview | int,
    round_id: int,
    person: Any,
    by: User | None = None,
    now: datetime | None = None,
) -> Invitation:
    """The pipeline's candidate ``person`` (a card, or its id) invited into ``interview`` for
    the one-way round ``round_id``: the invitation is linked to the round and to the card.

    Once per round however often it is asked: the round's invitation, if it has one, is
    returned as it is. An invitation of the card's address to this interview already (invited
    by hand, or for a round of an earlier interview) is the same invitation: linked to this
    round, and sent again with a new code if it was revoked or has expired. Otherwise a new
    one through ``invitations_create`` (a fresh code, its own outbox e-mail), from ``by`` (else
    the interview's author). Refused (``VideoRefused``, nothing written): ``email_required``
    / ``email_invalid`` (the card has no usable address), ``interview_not_active``,
    ``deadline_passed``."""
    from candidates.models import Candidate

    now = now or timezone.now()
    interview_pk = getattr(interview, "pk", interview)
    person_pk = getattr(person, "pk", person)
    with transaction.atomic():
        # One writer per interview at a time: two facts about one round invite once.
        locked = VideoInterview.objects.select_for_update().select_related("created_by")
        row = locked.get(pk=interview_pk)
        found = Invitation.objects.filter(round_id=round_id).first()
        if found is not None:
            return found
        card = Candidate.objects.get(pk=person_pk)
        address = (card.email or "").strip()
        if not address:
            raise VideoRefused("email_required", _("An e-mail address is required."), "email")
        if not _is_address(address):
            raise VideoRefused("email_invalid", _("Enter a valid e-mail address."), "email")
        _check_open(row, now)
        inviter = by or row.created_by
        same = row.invitations.filter(email__iexact=address).first()
        if same is None:
            invited = invitations_create(
                interview=row, by=inviter, emails=[address], language=settings.LANGUAGE_CODE,
                now=now,
            )  # fmt: skip
            same = invited.created[0]
        elif same.status in (Invitation.Status.REVOKED, Invitation.Status.EXPIRED):
            same = invitation_resend(invitation=same, by=inviter, now=now)
        Invitation.objects.filter(round_id=round_id).exclude(pk=same.pk).update(round=None)
        Invitation.objects.filter(pk=same.pk).update(round_id=round_id, person_id=card.pk)
        same.round_id, same.person_id = round_id, card.pk
        if same.recommendations.exists():
            # Reviewed already (an earlier round's): the new round hears its verdict too.
            from video_interviews import events

            events.send_after_commit(
                events.recommendation_given, invitation_id=same.pk, round_id=round_id
            )
    return same


def round_withdraw(*, round_id: int, now: datetime | None = None) -> Invitation | None:
    """The one-way round ``round_id`` will not take place: its invitation, while it is live
    (pending or accepted), is revoked; one handed in or over stays as it is."""
    invitation = Invitation.objects.filter(round_id=round_id).first()
    if invitation is None or not rules.can_revoke(invitation.status):
        return invitation
    return invitation_revoke(invitation=invitation, now=now)


def _locked(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().select_related("interview").get(pk=invitation.pk)


def invitation_revoke(*, invitation: Invitation, now: datetime | None = None) -> Invitation:
    """A pending or accepted invitation is revoked: its code adds nothing any more and it
    leaves the candidate's dashboard."""
    now = now or timezone.now()
    with transaction.atomic():
        row = _locked(invitation)
        if not rules.can_revoke(row.status):
            raise VideoRefused(
                "not_revocable",
                _("Only a pending or accepted invitation can be revoked (this one is %(s)s).")
                % {"s": row.get_status_display()},
            )
        row.status, row.revoked_at = Invitation.Status.REVOKED, now
        row.save(update_fields=["status", "revoked_at"])
    return row


def invitation_resend(
    *, invitation: Invitation, by: User, now: datetime | None = None
) -> Invitation:
    """The invitation's e-mail again (a new outbox row). A live one keeps its code; a
    revoked or expired one is reopened as pending with a new code (while the deadline is
    ahead)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = _locked(invitation)
        plan = rules.resend_plan(row.status, row.interview.deadline, now)
        if plan == rules.DEADLINE_PASSED:
            raise VideoRefused(
                "deadline_passed", _("The deadline has passed: move it first."), "deadline"
            )
        if plan not in ("same_code", "new_code"):
            raise VideoRefused(
                "not_resendable",
                _("A completed invitation is not sent again."),
            )
        if row.interview.status != VideoInterview.Status.ACTIVE:
            raise VideoRefused(
                "interview_not_active", _("The interview is not active: activate it first.")
            )
        if plan == "new_code":
            _reopen(row, now)
        _mail(row, InvitationMail.Purpose.RESEND, mail.RESEND)
    return row


def _reopen(row: Invitation, now: datetime) -> None:
    for _attempt in range(5):
        row.code = rules.fresh_code(lambda c: Invitation.objects.filter(
            code=c, status__in=rules.LIVE).exists())  # fmt: skip
        row.status = Invitation.Status.PENDING
        row.candidate = None
        row.accepted_at = row.revoked_at = row.expired_at = row.auto_reminded_at = None
        try:
            with transaction.atomic():
                row.save()
            return
        except IntegrityError:
            continue
    raise VideoRefused("busy", _("Too many invitations at once. Try again."))


def invitations_remind(*, interview: VideoInterview, by: User, now: datetime | None = None) -> int:
    """A reminder to everyone invited who has not finished (pending or accepted, before the
    deadline): one outbox row each. Returns how many."""
    now = now or timezone.now()
    _check_open(interview, now)
    count = 0
    with transaction.atomic():
        rows = list(
            interview.invitations.select_for_update(of=("self",))
            .filter(status__in=rules.LIVE)
            .select_related("candidate", "invited_by")
            .order_by("id")
        )
        for row in rows:
            row.interview = interview
            _mail(row, InvitationMail.Purpose.REMIND, mail.REMIND)
            count += 1
        interview.invitations.filter(pk__in=[r.pk for r in rows]).update(reminded_at=now)
    return count


def reminders_due(*, now: datetime | None = None) -> int:
    """The automatic reminder, once per unfinished invitation of an active interview, within
    ``VIDEO_REMIND_BEFORE_HOURS`` of its deadline. Each is claimed by a conditional UPDATE,
    so two beat runs at once never remind anyone twice."""
    now = now or timezone.now()
    before = timedelta(hours=settings.VIDEO_REMIND_BEFORE_HOURS)
    due = (
        Invitation.objects.filter(
            status__in=rules.LIVE,
            auto_reminded_at__isnull=True,
            interview__status=VideoInterview.Status.ACTIVE,
            interview__deadline__gt=now,
            interview__deadline__lte=now + before,
        )
        .order_by("id")
        .values_list("pk", flat=True)[:1000]
    )
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = Invitation.objects.filter(
                pk=pk, auto_reminded_at__isnull=True, status__in=rules.LIVE
            ).update(auto_reminded_at=now, reminded_at=now)
            if claimed:
                row = Invitation.objects.select_related("interview", "candidate", "invited_by").get(
                    pk=pk
                )
                _mail(row, InvitationMail.Purpose.AUTO_REMIND, mail.REMIND)
                sent += 1
    return sent


def invitations_expire(*, now: datetime | None = None) -> int:
    """Live invitations past their interview's deadline become expired (their codes free)."""
    now = now or timezone.now()
    return Invitation.objects.filter(status__in=rules.LIVE, interview__deadline__lte=now).update(
        status=Invitation.Status.EXPIRED, expired_at=now
    )


# --- the candidate's side ---------------------------------------------------------------------


def _seen(invitation: Invitation, candidate: User) -> rules.Seen:
    has_other = (
        Invitation.objects.filter(interview_id=invitation.interview_id, candidate=candidate)
        .exclude(pk=invitation.pk)
        .exists()
    )
    return rules.Seen(
        status=invitation.status,
        deadline=invitation.interview.deadline,
        interview_status=invitation.interview.status,
        accepted_by_asker=invitation.candidate_id == candidate.pk,
        accepted_by_other=invitation.candidate_id not in (None, candidate.pk),
        asker_has_interview=has_other,
    )


def missing(code: str, pk: int) -> VideoRefused:
    """``bank_question_not_found`` / ``position_not_found``: an id that names nothing."""
    messages = {
        "bank_question_not_found": _("There is no bank question %(id)d."),
        "position_not_found": _("There is no position %(id)d."),
    }
    return VideoRefused(code, messages[code] % {"id": pk})


def code_refused(code: str) -> VideoRefused:
    return VideoRefused(code, str(CODE_MESSAGES[code]), "code")


def invitation_accept(*, candidate: User, code: str, now: datetime | None = None) -> Invitation:
    """The invitation with ``code`` goes onto ``candidate``'s dashboard (accepted), or
    ``VideoRefused`` with one of ``rules.REFUSALS`` (or ``bad_code_format``)."""
    now = now or timezone.now()
    cleaned = rules.clean_code(code)
    if cleaned is None:
        raise code_refused("bad_code_format")
    try:
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update(of=("self",))
                .select_related("interview")
                .filter(code=cleaned, status__in=rules.LIVE)
                .first()
            ) or (
                Invitation.objects.select_related("interview")
                .filter(code=cleaned)
                .order_by("-created_at", "-id")
                .first()
            )
            seen = _seen(invitation, candidate) if invitation is not None else None
            refusal = rules.accept_refusal(seen, now)
            if refusal is not None or invitation is None:
                raise code_refused(refusal or rules.NO_SUCH_CODE)
            invitation.status = Invitation.Status.ACCEPTED
            invitation.candidate = candidate
            invitation.accepted_at = now
            invitation.save(update_fields=["status", "candidate", "accepted_at"])
    except IntegrityError as clash:  # another invitation of it added at the same moment
        raise code_refused(rules.ADDED_ALREADY) from clash
    return invitation


# --- templates --------------------------------------------------------------------------------


def template_save(
    *, by: User, name: str, questions: Sequence[rules.QuestionSpec]
) -> QuestionSetTemplate:
    """A named question set (the name unique whatever the case) to start interviews from."""
    text = _check_line(name, "name", TITLE_MAX, required=True)
    specs = check_questions(questions)
    if QuestionSetTemplate.objects.filter(name__iexact=text).exists():
        raise VideoRefused(
            "template_name_taken",
            _("A template named “%(name)s” exists already.") % {"name": text},
            "name",
        )
    try:
        with transaction.atomic():
            return QuestionSetTemplate.objects.create(
                name=text,
                created_by=by,
                questions=[
                    {
                        "text": s.text,
                        "thinking_seconds": s.thinking_seconds,
                        "answer_seconds": s.answer_seconds,
                        "retakes": s.retakes,
                        "bank_question_id": s.bank_question_id,
                    }
                    for s in specs
                ],
            )
    except IntegrityError as clash:
        raise VideoRefused(
            "template_name_taken",
            _("A template named “%(name)s” exists already.") % {"name": text},
            "name",
        ) from clash


# --- candidates' accounts ---------------------------------------------------------------------


def candidate_email(value: str) -> str:
    address = value.strip()
    if not address:
        raise VideoRefused("email_required", _("An e-mail address is required."), "email")
    if len(address) > NAME_MAX or not _is_address(address):
        raise VideoRefused("email_invalid", _("Enter a valid e-mail address."), "email")
    return address


def _account_exists(address: str) -> bool:
    return (
        User.objects.filter(username__iexact=address).exists()
        or User.objects.filter(kind=User.Kind.CANDIDATE, email__iexact=address).exists()
    )


def candidate_signup(
    *,
    email: str,
    password: str,
    full_name: str = "",
    language: str = "",
    time_zone: str = "",
) -> User:
    """A candidate's account (never staff, no role), its profile, and the e-mail with the
    link that confirms the address, all in one transaction. The username is the address in
    lower case; the address logs in. ``VideoRefused``: ``email_invalid``, ``account_exists``,
    ``weak_password`` (Django's password validators), ``control_character``."""
    address = candidate_email(email)
    name = _check_line(full_name, "full_name", NAME_MAX, required=False)
    if language and language not in language_codes():
        language = ""
    if _account_exists(address):
        raise VideoRefused(
            "account_exists",
            _("An account with this e-mail address exists already: log in instead."),
            "email",
        )
    user = User(
        username=address.lower(),
        email=address,
        kind=User.Kind.CANDIDATE,
        first_name=name,
        language=language,
        time_zone=time_zone if is_zone(time_zone) else "",
    )
    try:
        password_validation.validate_password(password, user)
    except ValidationError as weak:
        raise VideoRefused("weak_password", " ".join(weak.messages), "password1") from weak
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            CandidateProfile.objects.create(user=user)
            candidate_confirmation_send(user=user)
    except IntegrityError as clash:  # the same address signed up at the same moment
        raise VideoRefused(
            "account_exists",
            _("An account with this e-mail address exists already: log in instead."),
            "email",
        ) from clash
    return user


def confirmation_link(user: User) -> str:
    token = signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=CONFIRM_SALT, compress=True)
    return mail.absolute(reverse("candidate_confirm", kwargs={"token": token}))


def candidate_confirmation_send(*, user: User) -> Any:
    """The e-mail with a fresh link that confirms ``user``'s address (one outbox row)."""
    with transaction.atomic():
        return mail.confirmation_mail(user, confirmation_link(user), settings.VIDEO_CONFIRM_DAYS)


def candidate_confirm(*, token: str, now: datetime | None = None) -> User:
    """The address the link was made for is confirmed (again: no change). ``VideoRefused``
    ``link_expired`` or ``link_invalid`` (tampered with, another address since)."""
    now = now or timezone.now()
    try:
        data = signing.loads(
            token, salt=CONFIRM_SALT, max_age=timedelta(days=settings.VIDEO_CONFIRM_DAYS)
        )
    except signing.SignatureExpired as old:
        raise VideoRefused(
            "link_expired", _("This link has expired. Log in to get a new one.")
        ) from old
    except signing.BadSignature as bad:
        raise VideoRefused("link_invalid", _("This link is not valid.")) from bad
    user = (
        User.objects.filter(pk=data.get("u"), kind=User.Kind.CANDIDATE, is_active=True)
        .select_related("candidate_profile")
        .first()
        if isinstance(data, dict)
        else None
    )
    if user is None or user.email.lower() != data.get("e"):
        raise VideoRefused("link_invalid", _("This link is not valid."))
    with transaction.atomic():
        profile, _created = CandidateProfile.objects.get_or_create(user=user)
        if profile.email_confirmed_at is None:
            profile.email_confirmed_at = now
            profile.save(update_fields=["email_confirmed_at"])
    return user
