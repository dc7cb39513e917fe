"""Free time kept with a new candidate on ``/candidates/new/``: rows of from–until on the clock
of the candidate's zone, written through ``scheduling.services.slot_add`` in the transaction
that creates the candidate (``candidate_create_with_slots``): all or nothing, a bad row is that
row's error, "Another free time" adds a row and saves nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from candidates.models import Candidate, CandidateEvent, get_private_storage
from scheduling import services
from scheduling.models import Slot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rita(roles) -> Any:  # noqa: ANN001
    return UserFactory(username="rita", roles=["recruiter"], time_zone="Europe/Berlin")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def card(**more: str) -> dict[str, Any]:
    """The new-candidate form as the page posts it: two free-time rows, blank unless given."""
    return {
        "full_name": "Carla Candidate",
        "email": "carla@example.com",
        "source": "direct",
        "free-TOTAL_FORMS": "2",
        "free-INITIAL_FORMS": "0",
        "free-MIN_NUM_FORMS": "0",
        "free-MAX_NUM_FORMS": "50",
        **more,
    }


def errors_of(html: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}_error">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


def test_the_page_has_free_time_rows_on_the_candidates_clock(rita) -> None:  # noqa: ANN001
    page = signed_in(rita).get("/candidates/new/").content.decode()
    assert 'id="free-time"' in page
    for n in (0, 1):
        for end in ("starts", "ends"):
            assert f'type="datetime-local" name="free-{n}-{end}"' in page
            assert f'<label for="id_free-{n}-{end}">' in page
    assert 'name="free_zone"' in page and 'placeholder="Europe/Berlin"' in page
    assert 'name="free_more"' in page
    # Save comes first: Enter in a field saves, it does not add a row.
    assert page.index('class="primary">Save') < page.index('name="free_more"')


def test_a_recruiter_adds_a_candidate_with_free_time_in_the_candidates_zone(rita) -> None:  # noqa: ANN001
    answer = signed_in(rita).post(
        "/candidates/new/",
        card(**{
            "free_zone": "Asia/Tokyo",
            "free-0-starts": "2026-12-03T10:00", "free-0-ends": "2026-12-03T13:30",
            "free-1-starts": "2026-12-04T22:00", "free-1-ends": "2026-12-05T01:00",
        }),
    )  # fmt: skip

    assert answer.status_code == 302, answer.content.decode()[:3000]
    carla = Candidate.objects.get(full_name="Carla Candidate")
    slots = list(Slot.objects.filter(candidate=carla).order_by("starts_at"))
    # Tokyo is UTC+9: 10:00 there is 01:00 UTC; 22:00 on the 4th is 13:00 UTC.
    assert [(s.starts_at, s.ends_at) for s in slots] == [
        (datetime(2026, 12, 3, 1, tzinfo=UTC), datetime(2026, 12, 3, 4, 30, tzinfo=UTC)),
        (datetime(2026, 12, 4, 13, tzinfo=UTC), datetime(2026, 12, 4, 16, tzinfo=UTC)),
    ]
    assert {(s.zone, s.created_by, s.user) for s in slots} == {("Asia/Tokyo", rita, None)}
    assert CandidateEvent.objects.get(candidate=carla).kind == "created"
    # The scheduler reads it as the candidate's free time.
    free = services.free_time(candidate=carla, start=NOW, end=datetime(2026, 12, 8, tzinfo=UTC))
    assert free == [(s.starts_at, s.ends_at) for s in slots]


def test_a_blank_zone_is_the_recruiters_and_blank_rows_are_no_free_time(rita) -> None:  # noqa: ANN001
    client = signed_in(rita)
    answer = client.post(
        "/candidates/new/",
        card(**{"free-1-starts": "2026-12-03T10:00", "free-1-ends": "2026-12-03T11:00"}),
    )
    assert answer.status_code == 302
    [slot] = Slot.objects.all()
    assert slot.zone == "Europe/Berlin" and slot.starts_at == datetime(2026, 12, 3, 9, tzinfo=UTC)
    nothing = client.post("/candidates/new/", card(full_name="Dan Candidate", email="d@e.com"))
    assert nothing.status_code == 302
    assert not Slot.objects.filter(candidate__full_name="Dan Candidate").exists()


@pytest.mark.parametrize(
    ("row", "field", "says"),
    [
        ({"free-1-starts": "2026-12-03T10:00", "free-1-ends": "2026-12-03T09:00"}, "ends",
         "A slot ends after it starts."),
        ({"free-1-starts": "2026-11-20T10:00", "free-1-ends": "2026-11-20T11:00"}, "starts",
         "That time is already over."),
        ({"free-1-starts": "2026-12-03T10:00"}, "ends", "This field is required."),
        ({"free-1-starts": "2026-12-03T10:00", "free-1-ends": "soon"}, "ends",
         "Enter a valid date/time."),
        ({"free-1-starts": "2026-12-01T10:00", "free-1-ends": "2026-12-20T10:00"}, "ends",
         "A slot lasts at most 14 days."),
    ],
    ids=["ends-before-start", "in-the-past", "one-end-only", "not-a-time", "too-long"],
)  # fmt: skip
def test_a_bad_row_is_that_rows_error_and_nothing_is_created(rita, row, field, says) -> None:  # noqa: ANN001
    good = {"free-0-starts": "2026-12-02T10:00", "free-0-ends": "2026-12-02T12:00"}
    answer = signed_in(rita).post("/candidates/new/", card(**good, **row))

    assert answer.status_code == 400
    html = answer.content.decode()
    assert says in errors_of(html, f"id_free-1-{field}")
    assert errors_of(html, "id_free-0-starts") == errors_of(html, "id_free-0-ends") == ""
    assert 'value="2026-12-02T10:00"' in html  # what was typed stays
    assert not Candidate.objects.exists() and not Slot.objects.exists()


def test_a_bad_zone_is_the_zone_fields_error(rita) -> None:  # noqa: ANN001
    answer = signed_in(rita).post(
        "/candidates/new/",
        card(**{"free_zone": "Mars/Base", "free-0-starts": "2026-12-02T10:00",
                "free-0-ends": "2026-12-02T12:00"}),
    )  # fmt: skip
    assert answer.status_code == 400
    assert "is not a time zone name" in errors_of(answer.content.decode(), "id_free_zone")
    assert not Candidate.objects.exists() and not Slot.objects.exists()


def test_a_range_the_clocks_skip_is_refused_on_its_row(rita) -> None:  # noqa: ANN001
    with time_machine.travel(datetime(2027, 3, 1, tzinfo=UTC), tick=False):
        answer = signed_in(rita).post(
            "/candidates/new/",
            card(**{"free-0-starts": "2027-03-28T02:00", "free-0-ends": "2027-03-28T02:45"}),
        )
    assert answer.status_code == 400
    assert "The clocks skip that time" in errors_of(answer.content.decode(), "id_free-0-starts")
    assert not Candidate.objects.exists()


def test_a_card_the_service_refuses_keeps_no_free_time(rita) -> None:  # noqa: ANN001
    from candidates import services as candidates

    closed = candidates.position_create(by=rita, fields={"title": "Closed", "status": "closed"})
    answer = signed_in(rita).post(
        "/candidates/new/",
        card(**{"positions": [str(closed.pk)], "free-0-starts": "2026-12-02T10:00",
                "free-0-ends": "2026-12-02T12:00"}),
    )  # fmt: skip
    assert answer.status_code == 400
    assert not Candidate.objects.exists() and not Slot.objects.exists()


def test_a_slot_refused_inside_the_transaction_undoes_the_candidate_and_its_resume(
    rita, monkeypatch  # noqa: ANN001
) -> None:  # fmt: skip
    # Past the checks a slot may still be refused (here: the owner's slot limit, set to
    # none): the candidate, its history and its resume's file go with it.
    monkeypatch.setattr(services, "MAX_SLOTS", 0)
    storage = get_private_storage()
    before = set(storage.listdir("resumes")[1]) if storage.exists("resumes") else set()
    answer = signed_in(rita).post(
        "/candidates/new/",
        card(**{"resume": SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
                "free-0-starts": "2026-12-02T10:00", "free-0-ends": "2026-12-02T12:00"}),
    )  # fmt: skip
    assert answer.status_code == 400
    assert "At most 0 slots" in answer.content.decode()
    assert not Candidate.objects.exists() and not CandidateEvent.objects.exists()
    assert not Slot.objects.exists()
    after = set(storage.listdir("resumes")[1]) if storage.exists("resumes") else set()
    assert after == before


def test_another_free_time_adds_a_row_keeps_what_was_typed_and_saves_nothing(rita) -> None:  # noqa: ANN001
    answer = signed_in(rita).post(
        "/candidates/new/",
        card(**{"free_more": "1", "free_zone": "Asia/Tokyo", "phone": "+7 900",
                "free-0-starts": "2026-12-02T10:00", "free-0-ends": "2026-12-02T12:00"}),
    )  # fmt: skip

    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'name="free-TOTAL_FORMS" value="3"' in html
    assert 'name="free-2-starts"' in html and 'name="free-3-starts"' not in html
    assert 'value="2026-12-02T10:00"' in html and 'value="Asia/Tokyo"' in html
    assert 'value="Carla Candidate"' in html and 'value="+7 900"' in html
    assert "errorlist" not in html  # nothing was checked yet
    assert not Candidate.objects.exists() and not Slot.objects.exists()


def test_the_free_time_speaks_russian(rita) -> None:  # noqa: ANN001
    rita.language = "ru"
    rita.save()
    page = signed_in(rita).get("/candidates/new/").content.decode()
    assert "Свободное время" in page and "Free time" not in page
    assert "Another free time" not in page and "time zone" not in page
