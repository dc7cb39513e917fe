"""The one-way interviews' pure core: invitation codes, the invitation's life, the questions'
limits and the lists of addresses a recruiter types, pastes or uploads.

No Django, no I/O, no clock: time comes in as an argument, randomness as a function (the
operating system's CSPRNG, ``secrets.randbelow``, unless a test passes another). Services
(``video_interviews.services``) load, ask here, write and publish.

An invitation's life::

    pending ──accept──> accepted ──(last answer, next slice)──> completed
       │                   │
       ├──── revoke ───────┤──> revoked ──resend──> pending (a new code)
       └── deadline passes ┘──> expired ──resend, deadline moved──> pending (a new code)

A **live** invitation (pending or accepted, deadline not passed) holds its code: no other live
invitation has the same one (the database's partial unique constraint says so too). Once an
invitation is revoked, expired or completed its code is free for a new one.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Literal

CODE_DIGITS: Final = 6
CODE_SPACE: Final = 10**CODE_DIGITS

PENDING: Final = "pending"
ACCEPTED: Final = "accepted"
COMPLETED: Final = "completed"
EXPIRED: Final = "expired"
REVOKED: Final = "revoked"
STATUSES: Final = (PENDING, ACCEPTED, COMPLETED, EXPIRED, REVOKED)
LIVE: Final = (PENDING, ACCEPTED)

# An interview's own status.
ACTIVE: Final = "active"
INACTIVE: Final = "inactive"
CLOSED: Final = "completed"

# Why a code does not add an interview (stable codes; the services translate them).
NO_SUCH_CODE: Final = "invalid_code"
CODE_EXPIRED: Final = "code_expired"
CODE_REVOKED: Final = "code_revoked"
CODE_USED: Final = "code_used"
ADDED_ALREADY: Final = "added_already"
INTERVIEW_CLOSED: Final = "interview_closed"
REFUSALS: Final = (
    NO_SUCH_CODE,
    CODE_EXPIRED,
    CODE_REVOKED,
    CODE_USED,
    ADDED_ALREADY,
    INTERVIEW_CLOSED,
)

# --- codes ------------------------------------------------------------------------------------


def new_code(randbelow: Callable[[int], int] | None = None) -> str:
    """Six decimal digits, each of the million equally likely (leading zeros kept), from the
    operating system's CSPRNG (``secrets.randbelow``) unless ``randbelow`` is given."""
    number = (randbelow or secrets.randbelow)(CODE_SPACE)
    if not 0 <= number < CODE_SPACE:
        raise ValueError("randbelow gave a number outside the code space")
    return f"{number:0{CODE_DIGITS}d}"


def fresh_code(
    taken: Callable[[str], bool], randbelow: Callable[[int], int] | None = None, tries: int = 50
) -> str:
    """A code ``taken`` says is free. With a million codes and far fewer live invitations a
    second try is rare; ``tries`` bounds it (the database's constraint has the last word)."""
    for _ in range(tries):
        code = new_code(randbelow)
        if not taken(code):
            return code
    raise RuntimeError(f"no free code after {tries} tries")


_CODE_NOISE = re.compile(r"[\s\-\u00a0\u2009\u202f]")
_ASCII_CODE = re.compile(r"[0-9]{6}")


def clean_code(text: object) -> str | None:
    """What the candidate typed, as a code: spaces and dashes dropped (``123 456``,
    ``123-456``); exactly six ASCII digits, else None (other scripts' digits are not codes)."""
    if not isinstance(text, str) or len(text) > 32:
        return None
    code = _CODE_NOISE.sub("", text)
    return code if _ASCII_CODE.fullmatch(code) else None


# --- the invitation's life ------------------------------------------------------------------------


def current_status(status: str, deadline: datetime, now: datetime) -> str:
    """The status as of ``now``: a live invitation whose deadline has passed is expired even
    before the beat job writes it."""
    if status in LIVE and now >= deadline:
        return EXPIRED
    return status


def is_live(status: str, deadline: datetime, now: datetime) -> bool:
    return current_status(status, deadline, now) in LIVE


@dataclass(frozen=True)
class Seen:
    """An invitation as the code's owner meets it."""

    status: str
    deadline: datetime
    interview_status: str
    # The account that added it (None: nobody yet) and whether it is the one asking now.
    accepted_by_asker: bool = False
    accepted_by_other: bool = False
    # The asker has already added another invitation of the same interview.
    asker_has_interview: bool = False


def accept_refusal(seen: Seen | None, now: datetime) -> str | None:
    """Why this code does not add the interview to the asker's dashboard, or None: it may.

    ``seen`` is None when no invitation has the code. The order matters: a candidate who
    added this very invitation is told so (not "used"), even after the deadline."""
    if seen is None:
        return NO_SUCH_CODE
    if seen.accepted_by_asker:
        return ADDED_ALREADY
    status = current_status(seen.status, seen.deadline, now)
    if status == REVOKED:
        return CODE_REVOKED
    if status == COMPLETED or seen.accepted_by_other or status == ACCEPTED:
        return CODE_USED
    if status == EXPIRED:
        return CODE_EXPIRED
    if seen.asker_has_interview:
        return ADDED_ALREADY
    if seen.interview_status != ACTIVE:
        return INTERVIEW_CLOSED
    return None


def counts_as_guess(refusal: str | None) -> bool:
    """A refusal a guesser could get: counted against the throttles. Adding one's own
    interview again is not a guess."""
    return refusal is not None and refusal != ADDED_ALREADY


Resend = Literal["same_code", "new_code"]
NOT_RESENDABLE: Final = "not_resendable"
DEADLINE_PASSED: Final = "deadline_passed"


def resend_plan(status: str, deadline: datetime, now: datetime) -> Resend | str:
    """How an invitation is sent again: a live one keeps its code; a revoked or expired one
    is reopened as pending with a new code, but only while the deadline is ahead (an expired
    one, after the recruiter moved the deadline). Else the refusal's code."""
    if now >= deadline:
        return DEADLINE_PASSED
    if status in LIVE:
        return "same_code"
    if status in (REVOKED, EXPIRED):
        return "new_code"
    return NOT_RESENDABLE


def can_revoke(status: str) -> bool:
    """Pending and accepted invitations may be revoked (an accepted one leaves the
    candidate's dashboard); completed ones stay as they are."""
    return status in LIVE


def remindable(status: str, deadline: datetime, now: datetime) -> bool:
    """Not finished and still able to finish: reminders go to these."""
    return is_live(status, deadline, now)


def auto_reminder_due(
    status: str, deadline: datetime, now: datetime, *, reminded: bool, before: timedelta
) -> bool:
    """The automatic reminder: once, in the last ``before`` ahead of the deadline."""
    return not reminded and remindable(status, deadline, now) and now >= deadline - before


# --- questions ------------------------------------------------------------------------------------

QUESTIONS_MAX: Final = 30
TEXT_MAX: Final = 2000
THINKING_MAX: Final = 600  # seconds to think before the answer starts (0: none)
ANSWER_MIN: Final = 10
ANSWER_MAX: Final = 600  # seconds an answer may last
RETAKES_MAX: Final = 5
DEFAULT_THINKING: Final = 30
DEFAULT_ANSWER: Final = 120
DEFAULT_RETAKES: Final = 1


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    thinking_seconds: int = DEFAULT_THINKING
    answer_seconds: int = DEFAULT_ANSWER
    retakes: int = DEFAULT_RETAKES
    bank_question_id: int | None = None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: ``code`` for programs, ``where`` its place (a
    question's index from 0, an address, a CSV line), ``value`` what was given."""

    code: str
    where: int | str | None = None
    value: object = None


def question_problems(questions: Sequence[QuestionSpec]) -> list[Problem]:
    """Every reason this ordered list of questions cannot be an interview's."""
    problems: list[Problem] = []
    if not questions:
        problems.append(Problem("no_questions"))
    if len(questions) > QUESTIONS_MAX:
        problems.append(Problem("too_many_questions", value=len(questions)))
    for index, question in enumerate(questions):
        text = question.text.strip()
        if not text:
            problems.append(Problem("question_text_required", index))
        elif len(text) > TEXT_MAX:
            problems.append(Problem("question_text_too_long", index, len(text)))
        if not 0 <= question.thinking_seconds <= THINKING_MAX:
            problems.append(Problem("bad_thinking_seconds", index, question.thinking_seconds))
        if not ANSWER_MIN <= question.answer_seconds <= ANSWER_MAX:
            problems.append(Problem("bad_answer_seconds", index, question.answer_seconds))
        if not 0 <= question.retakes <= RETAKES_MAX:
            problems.append(Problem("bad_retakes", index, question.retakes))
    return problems


def moved(items: Sequence[str], key: str, by: int) -> list[str]:
    """``items`` with ``key`` moved ``by`` places (-1 up, +1 down), clamped at the ends."""
    order = list(items)
    if key not in order:
        return order
    start = order.index(key)
    end = max(0, min(len(order) - 1, start + by))
    order.insert(end, order.pop(start))
    return order


def total_seconds(questions: Iterable[QuestionSpec]) -> int:
    """The longest an interview can take: every thinking time and answer limit, once."""
    return sum(q.thinking_seconds + q.answer_seconds for q in questions)


# --- addresses ------------------------------------------------------------------------------------

ADDRESS_MAX: Final = 254
_SEPARATORS = re.compile(r"[,;\s]+")
_EMAIL_HEADERS: Final = ("email", "e-mail", "e_mail", "mail", "адрес", "почта", "электронная почта")


@dataclass
class Addresses:
    """A list of addresses, sorted out: the good ones in their first spelling and order, those
    written twice (whatever the case), those that are not addresses, those already invited."""

    valid: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.invalid and bool(self.valid)


def split_addresses(text: str) -> list[str]:
    """Addresses typed or pasted: one per line, or separated by commas, semicolons or spaces;
    ``Name <a@b.c>`` gives ``a@b.c``."""
    found = []
    for line in text.splitlines():
        for named in re.findall(r"<([^<>]*)>", line):
            found.append(named.strip())
        line = re.sub(r"[^,;<>]*<[^<>]*>", " ", line)
        found += [part for part in _SEPARATORS.split(line) if part]
    return found


def sort_addresses(
    candidates: Iterable[str],
    *,
    is_address: Callable[[str], bool],
    already: Iterable[str] = (),
    limit: int | None = None,
) -> Addresses:
    """Sort ``candidates`` out (``is_address``: the caller's check, Django's validator);
    ``already``: the addresses the interview has invited before. Over ``limit`` good ones,
    the rest are listed as invalid with code ``too_many`` left to the caller to tell."""
    result = Addresses()
    seen: set[str] = set()
    invited = {a.casefold() for a in already}
    for raw in candidates:
        address = raw.strip().strip(".,;")
        if not address:
            continue
        folded = address.casefold()
        if len(address) > ADDRESS_MAX or not is_address(address):
            result.invalid.append(address)
        elif folded in seen:
            result.duplicates.append(address)
        elif folded in invited:
            result.existing.append(address)
            seen.add(folded)
        else:
            seen.add(folded)
            result.valid.append(address)
    if limit is not None and len(result.valid) > limit:
        result.invalid.extend(result.valid[limit:])
        del result.valid[limit:]
    return result


class CsvProblem(ValueError):
    def __init__(self, code: str, line: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.line = line


def addresses_from_csv(data: bytes, *, max_bytes: int) -> list[str]:
    """The addresses of a CSV file: the column headed ``email`` (or ``e-mail``, ``адрес``,
    …), else the first column; a header row that is not an address is skipped. UTF-8 (with or
    without a BOM) or Windows-1251; ``,`` ``;`` or tab. ``CsvProblem``: too large, not text,
    no rows, a row with a NUL."""
    if len(data) > max_bytes:
        raise CsvProblem("csv_too_large")
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes nearly anything; kept for clarity
        raise CsvProblem("csv_not_text")
    if "\x00" in text:
        raise CsvProblem("csv_not_text")
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)]
    if not rows:
        raise CsvProblem("csv_empty")
    header = [cell.strip().casefold() for cell in rows[0]]
    column = next((header.index(h) for h in _EMAIL_HEADERS if h in header), None)
    body = rows[1:] if column is not None else rows
    if column is None:
        column = 0
        if "@" not in rows[0][0]:
            body = rows[1:]  # a header with other names: skip it
    return [row[column].strip() for row in body if len(row) > column and row[column].strip()]


# --- recording --------------------------------------------------------------------------------
#
# A candidate answers the questions in their order, one at a time. Each answer is recorded in
# one or more **takes**: the first, plus up to the question's retakes. A take cut short by a
# reload or a lost camera (``interrupted``) does not use one up — a dropped connection is not
# the candidate's fault — up to ``INTERRUPTIONS_FORGIVEN`` of them per question. The
# candidate keeps one take per question (the last question's keep hands the interview in);
# what was kept is never replaced.

WEBM: Final = "webm"
MP4: Final = "mp4"
CONTAINER_TYPES: Final = {WEBM: "video/webm", MP4: "video/mp4"}
SNIFF_BYTES: Final = 64  # enough of a file's start to tell WebM (EBML) and MP4 (ftyp) apart

# Why a take may not start or be kept (stable codes; the services translate them).
NOT_OPEN: Final = "interview_not_open"
NOT_CURRENT: Final = "not_current_question"
NO_TAKES_LEFT: Final = "no_takes_left"
ANSWERED: Final = "answered_already"
TAKE_NOT_UPLOADED: Final = "take_not_uploaded"
TAKE_GONE: Final = "take_gone"


@dataclass(frozen=True)
class AnswerSeen:
    """What the services read about one question's answer."""

    order: int
    retakes: int
    kept: bool
    takes_counted: int  # takes begun that were not interrupted


# Takes cut short that are given back, per question: enough for a bad connection, not an
# endless supply of retakes for whoever cuts their own recordings short on purpose.
INTERRUPTIONS_FORGIVEN: Final = 2


def takes_counted(whole: int, interrupted: int) -> int:
    """The takes that use up the first take and the retakes: every whole one, and the cut
    ones past the ``INTERRUPTIONS_FORGIVEN`` first."""
    return whole + max(0, interrupted - INTERRUPTIONS_FORGIVEN)


def takes_left(retakes: int, takes_counted: int) -> int:
    return max(0, 1 + retakes - takes_counted)


def current_question(answers: Sequence[AnswerSeen]) -> int | None:
    """The place of the first question without a kept answer (``None``: all answered)."""
    for answer in sorted(answers, key=lambda a: a.order):
        if not answer.kept:
            return answer.order
    return None


def take_refusal(*, open_: bool, answers: Sequence[AnswerSeen], order: int) -> str | None:
    """Why the candidate may not begin a take of question ``order`` now (``None``: they may)."""
    if not open_:
        return NOT_OPEN
    current = current_question(answers)
    if current is None or current != order:
        answered = any(a.order == order and a.kept for a in answers)
        return ANSWERED if answered else NOT_CURRENT
    [answer] = [a for a in answers if a.order == order]
    return NO_TAKES_LEFT if takes_left(answer.retakes, answer.takes_counted) == 0 else None


def sniff_container(head: bytes) -> str | None:
    """``webm``, ``mp4`` or ``None`` from a file's first bytes, never from its name or the
    browser's word: WebM is EBML (``1A 45 DF A3``) whose DocType is ``webm`` (or Matroska);
    MP4 has an ``ftyp`` box first."""
    if head[:4] == b"\x1a\x45\xdf\xa3" and (b"webm" in head[:SNIFF_BYTES] or b"matroska" in head):
        return WEBM
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return MP4
    return None


def take_max_bytes(answer_seconds: int, bits_per_second: int, slack_bytes: int) -> int:
    """The most a take of an answer of ``answer_seconds`` may weigh."""
    return answer_seconds * bits_per_second // 8 + slack_bytes
