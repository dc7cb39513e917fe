"""The recruiters' pages, without JavaScript: *New interview* in three steps (questions
written, moved by the Up/Down buttons, from the bank, from a template; addresses typed,
pasted or in a CSV file, bad ones listed and nothing kept; review and create), and the
interview's page (counts and rates, each invitation's delivery, revoke, resend, remind,
invite more, settings, save as a template). Recruiters only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from notify.models import Outbox
from tests.factories import QuestionFactory, TopicFactory
from tests.video_interviews import helpers
from video_interviews.models import Invitation, QuestionSetTemplate, VideoInterview

pytestmark = pytest.mark.django_db

NEW = "/video-interviews/new/"


def keys(page: str) -> list[str]:
    return re.findall(r'name="q" value="([a-z0-9]+)"', page)


def step1(client: Client, rows: list[dict[str, str]], action: str, **extra: str):  # noqa: ANN201
    deadline = timezone.localtime(timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    data: dict[str, object] = {
        "title": "Backend screening",
        "description": "Three minutes of your time.",
        "deadline": deadline,
        "position": "",
        "q": [row["key"] for row in rows],
        "action": action,
        **extra,
    }
    for row in rows:
        key = row["key"]
        data[f"q-{key}-text"] = row.get("text", "")
        data[f"q-{key}-thinking"] = row.get("thinking", "30")
        data[f"q-{key}-answer"] = row.get("answer", "120")
        data[f"q-{key}-retakes"] = row.get("retakes", "1")
        data[f"q-{key}-bank"] = row.get("bank", "")
    return client.post(NEW, data)


def test_the_three_steps_without_javascript_create_the_interview_and_its_invitations(rita) -> None:  # noqa: ANN001
    client = helpers.signed_in(rita)
    first = keys(client.get(NEW).content.decode())
    assert len(first) == 1
    added = step1(client, [{"key": first[0], "text": "Why us?"}], "add")
    both = keys(added.content.decode())
    assert len(both) == 2 and both[0] == first[0]
    rows = [
        {"key": both[0], "text": "Why us?"},
        {
            "key": both[1],
            "text": "Your best project?",
            "thinking": "0",
            "answer": "60",
            "retakes": "2",
        },
    ]
    moved = step1(client, rows, f"up:{both[1]}")
    page = moved.content.decode()
    assert keys(page) == [both[1], both[0]]
    assert f'id="up-{both[1]}" data-move="up" disabled autofocus' in page  # focus stays put
    rows.reverse()
    assert step1(client, rows, "next")["Location"] == "/video-interviews/new/invite/"

    invite = client.post(
        "/video-interviews/new/invite/",
        {"emails": "anna@example.com, boris@example.com\nAnna@Example.com\ncarla@example.com",
         "language": "ru"},
    )  # fmt: skip
    assert invite["Location"] == "/video-interviews/new/review/"
    review = client.get("/video-interviews/new/review/").content.decode()
    assert "3 candidates invited" in review and "Anna@Example.com" in review
    assert "Thinking 0 s · answer up to 60 s · 2 retakes" in review
    created = client.post("/video-interviews/new/review/")
    interview = VideoInterview.objects.get()
    assert created["Location"] == f"/video-interviews/{interview.pk}/"
    assert [(q.order, q.text, q.thinking_seconds, q.answer_seconds, q.retakes)
            for q in interview.questions.all()] == [
        (0, "Your best project?", 0, 60, 2), (1, "Why us?", 30, 120, 1),
    ]  # fmt: skip
    assert sorted(interview.invitations.values_list("email", "language")) == [
        ("anna@example.com", "ru"), ("boris@example.com", "ru"), ("carla@example.com", "ru"),
    ]  # fmt: skip
    assert Outbox.objects.filter(kind="invitation").count() == 3
    detail = client.get(created["Location"]).content.decode()
    assert "3 invitations are on their way." in detail
    assert detail.count('data-delivery="pending"') == 3
    # The wizard is done: a new one starts empty.
    assert 'value="Backend screening"' not in client.get(NEW).content.decode()


def test_step_one_names_every_problem_and_keeps_what_was_typed(rita) -> None:  # noqa: ANN001
    client = helpers.signed_in(rita)
    key = keys(client.get(NEW).content.decode())[0]
    refused = step1(client, [{"key": key, "text": "", "answer": "5"}], "next", deadline="")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Question 1: write the question." in page
    assert "Question 1: an answer lasts 10 to 600 seconds." in page
    assert "This field is required." in page  # the deadline
    assert 'value="Backend screening"' in page and 'value="5"' in page
    assert client.get("/video-interviews/new/invite/")["Location"] == NEW


def test_questions_come_from_the_bank_by_topic(rita) -> None:  # noqa: ANN001
    topic = TopicFactory(name="Python")
    asked = QuestionFactory(topic=topic, text="What is a generator?")
    QuestionFactory(topic=topic, text="Retired one", active=False)
    client = helpers.signed_in(rita)
    key = keys(client.get(NEW).content.decode())[0]
    shown = step1(client, [{"key": key}], "bank", bank_topic=str(topic.pk)).content.decode()
    assert "What is a generator?" in shown and "Retired one" not in shown
    assert "reference" not in shown.lower() or asked.reference_answer not in shown
    picked = step1(client, [{"key": key}], "bank-add", bank_pick=str(asked.pk)).content.decode()
    [row] = keys(picked)  # the empty row made way for the bank's question
    assert f'name="q-{row}-bank" value="{asked.pk}"' in picked
    assert "What is a generator?</textarea>" in picked


def test_a_question_set_is_saved_as_a_template_and_used_again(rita) -> None:  # noqa: ANN001
    client = helpers.signed_in(rita)
    key = keys(client.get(NEW).content.decode())[0]
    saved = step1(client, [{"key": key, "text": "Tell us about you.", "answer": "90"}],
                  "template-save", template_name="Intro set")  # fmt: skip
    assert saved.status_code == 302
    template = QuestionSetTemplate.objects.get(name="Intro set")
    assert template.questions[0]["text"] == "Tell us about you."
    again = step1(
        client, [{"key": key, "text": "Other"}], "template-save", template_name="intro SET"
    )
    assert again.status_code == 400 and "exists already" in again.content.decode()
    fresh = Client()
    fresh.force_login(rita)
    key = keys(fresh.get(NEW).content.decode())[0]
    used = step1(fresh, [{"key": key}], "template-use", template=str(template.pk)).content.decode()
    [row] = keys(used)
    assert "Tell us about you.</textarea>" in used and f'name="q-{row}-answer" value="90"' in used


def test_a_bad_address_or_file_lists_the_problem_and_keeps_nothing(rita, settings) -> None:  # noqa: ANN001
    client = helpers.signed_in(rita)
    key = keys(client.get(NEW).content.decode())[0]
    step1(client, [{"key": key, "text": "Q?"}], "next")
    bad = client.post("/video-interviews/new/invite/",
                      {"emails": "good@example.com, nope, also@bad", "language": "en"})  # fmt: skip
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "These are not e-mail addresses: nope, also@bad. Nothing was sent." in page
    assert "<code>nope</code>" in page
    assert (
        client.get("/video-interviews/new/review/")["Location"] == "/video-interviews/new/invite/"
    )
    settings.VIDEO_CSV_MAX_BYTES = 1024
    big = SimpleUploadedFile("list.csv", b"a@example.com\n" * 100, content_type="text/csv")
    too_big = client.post("/video-interviews/new/invite/", {"csv_file": big, "language": "en"})
    assert too_big.status_code == 400 and "larger than 1 KB" in too_big.content.decode()
    binary = SimpleUploadedFile("list.csv", b"\x00\x01\x02", content_type="text/csv")
    not_text = client.post("/video-interviews/new/invite/", {"csv_file": binary, "language": "en"})
    assert "not a CSV text file" in not_text.content.decode()
    csv = SimpleUploadedFile(
        "list.csv",
        "email,name\nivan@example.com,Иван\nolga@example.com,Ольга\n".encode(),
        content_type="text/csv",
    )
    ok = client.post("/video-interviews/new/invite/",
                     {"csv_file": csv, "emails": "anna@example.com", "language": "en"})  # fmt: skip
    assert ok.status_code == 302
    review = client.get("/video-interviews/new/review/").content.decode()
    assert "3 candidates invited" in review and "olga@example.com" in review
    assert not VideoInterview.objects.exists() and not Outbox.objects.exists()


def test_the_interview_page_counts_and_acts_on_each_invitation(rita) -> None:  # noqa: ANN001
    from video_interviews import services

    interview = helpers.interview(rita, ("anna@example.com", "boris@example.com",
                                         "carla@example.com", "dan@example.com"))  # fmt: skip
    anna, boris, carla, dan = interview.invitations.order_by("id")
    services.invitation_accept(candidate=helpers.candidate("anna@example.com"), code=anna.code)
    Invitation.objects.filter(pk=carla.pk).update(status="completed", started_at=timezone.now(),
                                                  accepted_at=timezone.now())  # fmt: skip
    client = helpers.signed_in(rita)
    url = f"/video-interviews/{interview.pk}/"
    page = client.get(url).content.decode()
    stats = dict(re.findall(r'data-stat="(\w+)"><span class="stat-count">(\d+)', page))
    assert stats == {"invited": "4", "opened": "2", "started": "1", "completed": "1"}
    assert "50 %" in page and "25 %" in page
    assert anna.code in page

    assert client.post(f"/video-interviews/invitations/{dan.pk}/revoke/").status_code == 302
    assert Invitation.objects.get(pk=dan.pk).status == "revoked"
    resent = client.post(f"/video-interviews/invitations/{boris.pk}/resend/", follow=True)
    assert f"code {boris.code}" in resent.content.decode()
    reminded = client.post(f"{url}remind/", follow=True).content.decode()
    assert "2 reminders are on their way." in reminded  # Anna and Boris; Carla is done
    more = client.post(f"{url}invite/", {"emails": "eve@example.com\nanna@example.com",
                                         "language": "en"}, follow=True)  # fmt: skip
    text = more.content.decode()
    assert "1 invitation is on its way." in text and "Invited before" in text
    settings_saved = client.post(f"{url}settings/", {
        "title": "Renamed", "description": "", "status": "inactive",
        "deadline": timezone.localtime(interview.deadline).strftime("%Y-%m-%dT%H:%M"),
    })  # fmt: skip
    assert settings_saved.status_code == 302
    assert VideoInterview.objects.get(pk=interview.pk).status == "inactive"
    assert client.post(f"{url}template/", {"name": "From the page"}).status_code == 302
    assert QuestionSetTemplate.objects.get(name="From the page").specs()[1].text == "Why this team?"


def test_only_recruiters_open_the_pages(rita, lead, manager) -> None:  # noqa: ANN001
    interview = helpers.interview(rita)
    invitation = helpers.invitation(interview)
    gets = ["/video-interviews/", NEW, f"/video-interviews/{interview.pk}/"]
    posts = [f"/video-interviews/{interview.pk}/remind/",
             f"/video-interviews/invitations/{invitation.pk}/revoke/"]  # fmt: skip
    for person in (lead, manager):
        client = helpers.signed_in(person)
        assert [client.get(u).status_code for u in gets] == [403] * 3
        assert [client.post(u).status_code for u in posts] == [403] * 2
    assert Client().get("/video-interviews/")["Location"].startswith("/login/")
    nav = helpers.signed_in(rita).get("/video-interviews/").content.decode()
    assert 'href="/video-interviews/"' in nav
    assert 'href="/video-interviews/"' not in helpers.signed_in(lead).get("/").content.decode()
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"


def test_the_pages_speak_russian(rita) -> None:  # noqa: ANN001
    rita.language = "ru"
    rita.save()
    interview = helpers.interview(rita)
    client = helpers.signed_in(rita)
    assert "Новое видеоинтервью" in client.get("/video-interviews/").content.decode()
    assert "1. Вопросы" in client.get(NEW).content.decode()
    page = client.get(f"/video-interviews/{interview.pk}/").content.decode()
    assert "Напомнить всем, кто не завершил" in page and "Приглашения" in page
