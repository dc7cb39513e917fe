"""Invitations through the real services and PostgreSQL: a unique code among live ones (the
database's partial constraint too), one outbox e-mail each in the invitation's language with
the title, code, recruiter and absolute links; the life pending → accepted → completed,
expired at the deadline (as time passes and by the beat job), revoked, sent again; reminders
by hand and the automatic one, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from notify.models import Outbox
from tests.video_interviews import helpers
from video_interviews import rules, services, tasks
from video_interviews.models import Invitation, InvitationMail

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=7)


@pytest.fixture
def clock():  # noqa: ANN201
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def three(rita, clock):  # noqa: ANN001, ANN201
    return helpers.interview(
        rita, ("anna@example.com", "Boris@Example.com", "carla@example.com"), deadline=DEADLINE
    )


def accept(email: str, invitation: Invitation) -> Invitation:
    user = helpers.candidate(email)
    return services.invitation_accept(candidate=user, code=invitation.code)


def test_each_address_gets_its_own_code_and_e_mail(three, rita) -> None:  # noqa: ANN001
    rows = list(three.invitations.order_by("id"))
    assert [r.email for r in rows] == ["anna@example.com", "Boris@Example.com", "carla@example.com"]
    assert len({r.code for r in rows}) == 3
    assert all(len(r.code) == 6 and r.code.isdigit() and r.status == "pending" for r in rows)
    mails = Outbox.objects.filter(kind="invitation").order_by("id")
    assert [m.recipient for m in mails] == [r.email for r in rows]
    for row in rows:
        [link] = InvitationMail.objects.filter(invitation=row)
        assert link.purpose == "invite" and link.outbox.recipient == row.email
    body = Outbox.objects.get(recipient="anna@example.com").body_text
    code = rows[0].code
    assert "Frontend developer screening" in body and code in body and "Rita Recruiter" in body
    assert f"http://127.0.0.1:8000/signup?code={code}" in body
    assert f"http://127.0.0.1:8000/candidates/dashboard?code={code}" in body
    assert "14 Dec 2026, 09:00 UTC" in body  # the deadline, with its zone
    html = Outbox.objects.get(recipient="anna@example.com").body_html
    assert f'href="http://127.0.0.1:8000/signup?code={code}"' in html
    subject = Outbox.objects.get(recipient="anna@example.com").subject
    assert subject == "Interview invitation: Frontend developer screening"


def test_the_e_mail_is_in_the_invitations_language_or_the_candidates_own(rita, clock) -> None:  # noqa: ANN001
    helpers.candidate("olga@example.com", language="en", time_zone="Europe/Moscow")
    interview = helpers.interview(
        rita, ("ivan@example.com", "olga@example.com"), deadline=DEADLINE, language="ru"
    )
    ivan = Outbox.objects.get(recipient="ivan@example.com")
    assert ivan.subject == "Приглашение на интервью: Frontend developer screening"
    assert "Ваш код интервью" in ivan.body_text and "Rita Recruiter" in ivan.body_text
    assert "14 декабря 2026" in ivan.body_text
    olga = helpers.invitation(interview, "olga@example.com")
    assert olga.language == "en"  # her account says English
    assert Outbox.objects.get(recipient="olga@example.com", kind="invitation").subject.startswith(
        "Interview"
    )


def test_a_code_is_unique_among_live_invitations_and_free_again_after(
    rita, clock, monkeypatch
) -> None:  # noqa: ANN001
    first = helpers.interview(rita, ("a@example.com",), deadline=DEADLINE)
    taken = helpers.invitation(first, "a@example.com").code
    # The CSPRNG gives the taken code first: the second invitation gets the next one.
    numbers = iter([int(taken), 654_321])
    monkeypatch.setattr(rules.secrets, "randbelow", lambda n: next(numbers))
    second = helpers.interview(rita, ("b@example.com",), deadline=DEADLINE)
    assert helpers.invitation(second, "b@example.com").code == "654321"
    # The database refuses two live invitations with one code …
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.filter(interview=second).update(code=taken)
    # … and allows it once the first is no longer live.
    Invitation.objects.filter(interview=first).update(status="expired")
    Invitation.objects.filter(interview=second).update(code=taken)


def test_a_code_taken_at_the_same_moment_makes_the_batch_try_again(
    rita, clock, monkeypatch
) -> None:  # noqa: ANN001
    first = helpers.interview(rita, ("a@example.com",), deadline=DEADLINE)
    taken = helpers.invitation(first, "a@example.com").code
    real_live_codes = services._live_codes
    calls = []

    def stale() -> set[str]:  # the first look misses the code another transaction holds
        calls.append(1)
        return set() if len(calls) == 1 else real_live_codes()

    numbers = iter([int(taken), int(taken), 111_111])
    monkeypatch.setattr(services, "_live_codes", stale)
    monkeypatch.setattr(rules.secrets, "randbelow", lambda n: next(numbers))
    second = helpers.interview(rita, ("b@example.com",), deadline=DEADLINE)
    assert helpers.invitation(second, "b@example.com").code == "111111" and len(calls) == 2


def test_a_batch_with_a_bad_address_creates_nothing(rita, clock) -> None:  # noqa: ANN001
    with pytest.raises(services.VideoRefused) as refused:
        helpers.interview(rita, ("good@example.com", "not an address", "x@"), deadline=DEADLINE)
    assert refused.value.code == "invalid_addresses"
    assert refused.value.details["invalid"] == ["not an address", "x@"]
    assert not Invitation.objects.exists() and not Outbox.objects.exists()
    from video_interviews.models import VideoInterview

    assert not VideoInterview.objects.exists()


def test_repeated_addresses_are_invited_once_and_invited_ones_left_alone(three, rita) -> None:  # noqa: ANN001
    invited = services.invitations_create(
        interview=three, by=rita, emails=["new@example.com", "NEW@example.com", "boris@example.com"],
        language="en",
    )  # fmt: skip
    assert [i.email for i in invited.created] == ["new@example.com"]
    assert invited.duplicates == ["NEW@example.com"]
    assert invited.existing == ["boris@example.com"]
    assert three.invitations.count() == 4


def test_accepted_then_completed_and_the_code_cannot_be_used_again(three) -> None:  # noqa: ANN001
    anna = helpers.invitation(three)
    accepted = accept("anna@example.com", anna)
    assert (accepted.status, accepted.accepted_at) == ("accepted", NOW)
    with pytest.raises(services.VideoRefused) as used:
        accept("eve@example.com", anna)
    assert used.value.code == "code_used"
    Invitation.objects.filter(pk=anna.pk).update(status="completed", completed_at=NOW)
    with pytest.raises(services.VideoRefused) as used:
        accept("mallory@example.com", anna)
    assert used.value.code == "code_used"


def test_adding_the_same_interview_twice_is_refused(three, rita) -> None:  # noqa: ANN001
    anna = helpers.candidate("anna@example.com")
    first, second = three.invitations.order_by("id")[:2]
    services.invitation_accept(candidate=anna, code=first.code)
    for code in (first.code, second.code):  # this one again, or another of the same interview
        with pytest.raises(services.VideoRefused) as again:
            services.invitation_accept(candidate=anna, code=code)
        assert again.value.code == "added_already"
        assert again.value.message == "This interview is on your dashboard already."
    assert Invitation.objects.get(pk=second.pk).status == "pending"


def test_invitations_expire_at_the_deadline_as_time_passes_and_by_the_beat_job(
    three, clock
) -> None:  # noqa: ANN001
    anna, boris = three.invitations.order_by("id")[:2]
    accept("anna@example.com", anna)
    clock.move_to(DEADLINE - timedelta(seconds=1))
    assert helpers.invitation(three).current_status() == "accepted"
    assert tasks.due() == {"expired": 0, "reminded": 3, "uploads_swept": 0}  # the last day: reminded, once
    clock.move_to(DEADLINE)
    assert Invitation.objects.get(pk=boris.pk).current_status() == "expired"  # before the job
    with pytest.raises(services.VideoRefused) as late:
        accept("boris@example.com", boris)
    assert late.value.code == "code_expired"
    assert tasks.due()["expired"] == 3
    assert set(three.invitations.values_list("status", flat=True)) == {"expired"}
    assert Invitation.objects.get(pk=boris.pk).expired_at == DEADLINE
    # An expired code is free for a new live invitation; the old one still reads "expired".
    assert not Invitation.objects.filter(status__in=rules.LIVE).exists()


def test_a_revoked_invitation_adds_nothing_and_sent_again_has_a_new_code(three, rita) -> None:  # noqa: ANN001
    anna = helpers.invitation(three)
    old_code = anna.code
    services.invitation_revoke(invitation=anna)
    with pytest.raises(services.VideoRefused) as revoked:
        accept("anna@example.com", anna)
    assert revoked.value.code == "code_revoked"
    with pytest.raises(services.VideoRefused) as again:
        services.invitation_revoke(invitation=anna)
    assert again.value.code == "not_revocable"
    reopened = services.invitation_resend(invitation=anna, by=rita)
    assert reopened.status == "pending" and reopened.code != old_code
    assert Outbox.objects.filter(recipient="anna@example.com", kind="invitation").count() == 2
    newest = InvitationMail.objects.filter(invitation=anna).order_by("-id").first()
    assert newest.purpose == "resend" and reopened.code in newest.outbox.body_text


def test_a_live_invitation_sent_again_keeps_its_code(three, rita) -> None:  # noqa: ANN001
    boris = helpers.invitation(three, "boris@example.com")
    again = services.invitation_resend(invitation=boris, by=rita)
    assert again.code == boris.code
    rows = Outbox.objects.filter(recipient="Boris@Example.com").order_by("id")
    assert rows.count() == 2 and boris.code in rows.last().body_text


def test_a_completed_one_or_one_past_the_deadline_is_not_sent_again(three, rita, clock) -> None:  # noqa: ANN001
    anna = helpers.invitation(three)
    Invitation.objects.filter(pk=anna.pk).update(status="completed")
    with pytest.raises(services.VideoRefused) as done:
        services.invitation_resend(invitation=anna, by=rita)
    assert done.value.code == "not_resendable"
    clock.move_to(DEADLINE)
    with pytest.raises(services.VideoRefused) as late:
        services.invitation_resend(
            invitation=helpers.invitation(three, "carla@example.com"), by=rita
        )
    assert late.value.code == "deadline_passed"


def test_a_reminder_goes_to_everyone_not_finished(three, rita) -> None:  # noqa: ANN001
    anna, boris, carla = three.invitations.order_by("id")
    Invitation.objects.filter(pk=carla.pk).update(status="completed")
    services.invitation_revoke(invitation=boris)
    assert services.invitations_remind(interview=three, by=rita) == 1
    [reminder] = Outbox.objects.filter(kind="reminder")
    assert reminder.recipient == "anna@example.com" and anna.code in reminder.body_text
    assert reminder.subject == "Reminder: interview “Frontend developer screening”"


def test_the_automatic_reminder_goes_once_a_day_before_the_deadline(three, clock) -> None:  # noqa: ANN001
    assert services.reminders_due() == 0  # a week ahead
    clock.move_to(DEADLINE - timedelta(hours=23))
    assert services.reminders_due() == 3
    assert services.reminders_due() == 0  # once per invitation
    assert Outbox.objects.filter(kind="reminder").count() == 3
    assert set(InvitationMail.objects.filter(purpose="auto_remind").values_list(
        "invitation__email", flat=True)) == {"anna@example.com", "Boris@Example.com",
                                             "carla@example.com"}  # fmt: skip


def test_an_inactive_interview_takes_no_code_and_sends_nothing(three, rita) -> None:  # noqa: ANN001
    services.interview_update(interview=three, fields={"status": "inactive"})
    with pytest.raises(services.VideoRefused) as closed:
        accept("anna@example.com", helpers.invitation(three))
    assert closed.value.code == "interview_closed"
    for call in (
        lambda: services.invitations_remind(interview=three, by=rita),
        lambda: services.invitations_create(
            interview=three, by=rita, emails=["z@example.com"], language="en"
        ),
    ):
        with pytest.raises(services.VideoRefused) as refused:
            call()
        assert refused.value.code == "interview_not_active"


def test_the_interviews_own_rules(rita, clock) -> None:  # noqa: ANN001
    cases = [
        ({"title": " "}, "title_required"),
        ({"title": "a\nb"}, "control_character"),
        ({"deadline": NOW - timedelta(minutes=1)}, "deadline_past"),
        ({"deadline": NOW + timedelta(days=400)}, "deadline_too_far"),
        ({"questions": []}, "no_questions"),
        ({"questions": [rules.QuestionSpec("Q", 0, 5, 0)]}, "bad_answer_seconds"),
        ({"language": "de"}, "bad_language"),
    ]
    for change, code in cases:
        fields = {
            "by": rita, "title": "T", "deadline": DEADLINE,
            "questions": helpers.two_questions(), **change,
        }  # fmt: skip
        with pytest.raises(services.VideoRefused) as refused:
            services.interview_create(**fields)
        assert refused.value.code == code, change
