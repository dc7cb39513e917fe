"""The one-way interviews' pure core: codes, the invitation's life, questions' limits and the
addresses a recruiter types, pastes or uploads. No database."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from video_interviews import rules
from video_interviews.rules import Seen

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)


# --- codes ------------------------------------------------------------------------------------


def test_a_code_is_six_digits_with_its_leading_zeros() -> None:
    assert rules.new_code(lambda n: 42) == "000042"
    assert rules.new_code(lambda n: 999_999) == "999999"
    for _ in range(200):
        code = rules.new_code()
        assert len(code) == 6 and code.isascii() and code.isdigit()


def test_codes_come_from_the_operating_systems_csprng(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []

    def spy(n: int) -> int:
        asked.append(n)
        return 123_456

    monkeypatch.setattr(secrets, "randbelow", spy)
    assert rules.new_code() == "123456"
    assert asked == [1_000_000]  # the whole space, each code equally likely
    assert rules.fresh_code(lambda code: False) == "123456" and len(asked) == 2


def test_a_number_outside_the_space_is_refused() -> None:
    with pytest.raises(ValueError):
        rules.new_code(lambda n: n)


def test_a_fresh_code_skips_the_taken_ones_and_gives_up_in_the_end() -> None:
    numbers = iter([7, 7, 8])
    assert rules.fresh_code({"000007"}.__contains__, lambda n: next(numbers)) == "000008"
    with pytest.raises(RuntimeError):
        rules.fresh_code(lambda code: True, lambda n: 1, tries=3)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("123456", "123456"),
        (" 123 456 ", "123456"),
        ("123-456", "123456"),
        ("012345", "012345"),
        ("12345", None),
        ("1234567", None),
        ("12345a", None),
        ("١٢٣٤٥٦", None),  # Arabic-Indic digits are digits, not codes
        ("", None),
        (None, None),
        ("1" * 40, None),
    ],
)
def test_what_a_candidate_types_is_read_as_a_code(typed: object, code: str | None) -> None:
    assert rules.clean_code(typed) == code


# --- the invitation's life ----------------------------------------------------------------------


def test_a_live_invitation_expires_at_the_deadline_not_before() -> None:
    assert rules.current_status("pending", LATER, LATER - timedelta(seconds=1)) == "pending"
    assert rules.current_status("pending", LATER, LATER) == "expired"
    assert rules.current_status("accepted", LATER, LATER + timedelta(days=1)) == "expired"
    for done in ("completed", "revoked", "expired"):
        assert rules.current_status(done, LATER, LATER + timedelta(days=1)) == done


def seen(**fields: object) -> Seen:
    base: dict[str, object] = {"status": "pending", "deadline": LATER, "interview_status": "active"}
    return Seen(**{**base, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("invitation", "now", "refusal"),
    [
        (None, NOW, rules.NO_SUCH_CODE),
        (seen(), NOW, None),
        (seen(), LATER, rules.CODE_EXPIRED),
        (seen(status="expired"), NOW, rules.CODE_EXPIRED),
        (seen(status="revoked"), NOW, rules.CODE_REVOKED),
        (seen(status="completed"), NOW, rules.CODE_USED),
        (seen(status="accepted", accepted_by_other=True), NOW, rules.CODE_USED),
        (seen(status="accepted", accepted_by_asker=True), NOW, rules.ADDED_ALREADY),
        # One's own interview is "on your dashboard", even after its deadline.
        (seen(status="accepted", accepted_by_asker=True), LATER, rules.ADDED_ALREADY),
        (seen(asker_has_interview=True), NOW, rules.ADDED_ALREADY),
        (seen(interview_status="inactive"), NOW, rules.INTERVIEW_CLOSED),
        (seen(interview_status="completed"), NOW, rules.INTERVIEW_CLOSED),
        (seen(status="revoked", interview_status="inactive"), NOW, rules.CODE_REVOKED),
    ],
)
def test_why_a_code_does_not_add_an_interview(
    invitation: Seen | None, now: datetime, refusal: str | None
) -> None:
    assert rules.accept_refusal(invitation, now) == refusal


def test_every_refusal_but_ones_own_interview_counts_as_a_guess() -> None:
    assert not rules.counts_as_guess(None)
    assert not rules.counts_as_guess(rules.ADDED_ALREADY)
    assert all(rules.counts_as_guess(r) for r in rules.REFUSALS if r != rules.ADDED_ALREADY)


@pytest.mark.parametrize(
    ("status", "now", "plan"),
    [
        ("pending", NOW, "same_code"),
        ("accepted", NOW, "same_code"),
        ("revoked", NOW, "new_code"),
        ("expired", NOW, "new_code"),  # the deadline was moved after it expired
        ("completed", NOW, rules.NOT_RESENDABLE),
        ("pending", LATER, rules.DEADLINE_PASSED),
        ("revoked", LATER, rules.DEADLINE_PASSED),
    ],
)
def test_how_an_invitation_is_sent_again(status: str, now: datetime, plan: str) -> None:
    assert rules.resend_plan(status, LATER, now) == plan


def test_live_invitations_are_revoked_and_reminded_finished_ones_not() -> None:
    assert [s for s in rules.STATUSES if rules.can_revoke(s)] == ["pending", "accepted"]
    assert [s for s in rules.STATUSES if rules.remindable(s, LATER, NOW)] == ["pending", "accepted"]
    assert not rules.remindable("pending", LATER, LATER)


def test_the_automatic_reminder_comes_once_in_the_last_hours() -> None:
    day = timedelta(hours=24)
    assert not rules.auto_reminder_due(
        "pending", LATER, LATER - day * 2, reminded=False, before=day
    )
    assert rules.auto_reminder_due("pending", LATER, LATER - day, reminded=False, before=day)
    assert not rules.auto_reminder_due("pending", LATER, LATER - day, reminded=True, before=day)
    assert not rules.auto_reminder_due("completed", LATER, LATER - day, reminded=False, before=day)
    assert not rules.auto_reminder_due("accepted", LATER, LATER, reminded=False, before=day)


# --- questions ----------------------------------------------------------------------------------


def test_questions_within_their_limits_pass_and_each_problem_is_named() -> None:
    good = [rules.QuestionSpec("Why us?", 0, 10, 0), rules.QuestionSpec("And?", 600, 600, 5)]
    assert rules.question_problems(good) == []
    assert rules.total_seconds(good) == 1210
    bad = [
        rules.QuestionSpec("  ", 30, 120, 1),
        rules.QuestionSpec("x" * 2001, -1, 9, 6),
        rules.QuestionSpec("Fine", 601, 601, 1),
    ]
    assert [(p.code, p.where) for p in rules.question_problems(bad)] == [
        ("question_text_required", 0),
        ("question_text_too_long", 1),
        ("bad_thinking_seconds", 1),
        ("bad_answer_seconds", 1),
        ("bad_retakes", 1),
        ("bad_thinking_seconds", 2),
        ("bad_answer_seconds", 2),
    ]
    assert [p.code for p in rules.question_problems([])] == ["no_questions"]
    many = [rules.QuestionSpec("Q")] * 31
    assert [p.code for p in rules.question_problems(many)] == ["too_many_questions"]


def test_a_question_moves_by_one_place_and_stays_at_the_ends() -> None:
    assert rules.moved(["a", "b", "c"], "b", -1) == ["b", "a", "c"]
    assert rules.moved(["a", "b", "c"], "b", 1) == ["a", "c", "b"]
    assert rules.moved(["a", "b", "c"], "a", -1) == ["a", "b", "c"]
    assert rules.moved(["a", "b", "c"], "c", 1) == ["a", "b", "c"]
    assert rules.moved(["a", "b"], "z", 1) == ["a", "b"]


# --- addresses ----------------------------------------------------------------------------------


def looks_like_an_address(text: str) -> bool:
    name, at, domain = text.partition("@")
    return bool(name and at and "." in domain)


def test_addresses_are_split_on_lines_commas_semicolons_and_spaces() -> None:
    text = "a@x.io, b@x.io;c@x.io\n d@x.io  e@x.io\n\nAnna Smith <anna@x.io>, Bob <bob@x.io>"
    assert rules.split_addresses(text) == [
        "a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io", "anna@x.io", "bob@x.io",
    ]  # fmt: skip


def test_addresses_are_sorted_into_good_repeated_bad_and_invited_before() -> None:
    sorted_out = rules.sort_addresses(
        ["a@x.io", "A@X.io", "nope", "b@x.io", "old@x.io", "b@x.io.", ""],
        is_address=looks_like_an_address,
        already=["OLD@x.io"],
    )
    assert sorted_out.valid == ["a@x.io", "b@x.io"]
    assert sorted_out.duplicates == ["A@X.io", "b@x.io"]
    assert sorted_out.invalid == ["nope"]
    assert sorted_out.existing == ["old@x.io"]
    assert not sorted_out.ok
    limited = rules.sort_addresses(["a@x.io", "b@x.io", "c@x.io"], is_address=looks_like_an_address,
                                   limit=2)  # fmt: skip
    assert limited.valid == ["a@x.io", "b@x.io"] and limited.invalid == ["c@x.io"]


@pytest.mark.parametrize(
    ("data", "addresses"),
    [
        (b"email,name\na@x.io,Anna\nb@x.io,Bob\n", ["a@x.io", "b@x.io"]),
        (b"name;E-mail\nAnna;a@x.io\nBob;b@x.io\n", ["a@x.io", "b@x.io"]),
        (b"a@x.io\nb@x.io\n", ["a@x.io", "b@x.io"]),
        (b"Who\na@x.io\n", ["a@x.io"]),  # a header of another name is skipped
        ("\ufeffАдрес,Имя\na@x.io,Анна\n".encode(), ["a@x.io"]),
        ("Адрес,Имя\nb@x.io,Борис\n".encode("cp1251"), ["b@x.io"]),
        (b"email\n\n\na@x.io\n,\n", ["a@x.io"]),
    ],
)
def test_a_csv_file_gives_its_address_column(data: bytes, addresses: list[str]) -> None:
    assert rules.addresses_from_csv(data, max_bytes=1024) == addresses


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"a@x.io\n" * 200, "csv_too_large"),
        (b"\n\n", "csv_empty"),
        (b"a@x.io\x00\n", "csv_not_text"),
    ],
)
def test_a_csv_file_that_cannot_be_read_is_refused(data: bytes, code: str) -> None:
    with pytest.raises(rules.CsvProblem) as problem:
        rules.addresses_from_csv(data, max_bytes=1024)
    assert problem.value.code == code
