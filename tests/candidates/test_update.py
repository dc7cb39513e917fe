"""Editing a candidate's card: ``candidate_update`` checks as ``candidate_create`` does and
writes one ``updated`` event; the recruiter's edit page (labels tied to fields, refusals on
their field, Russian)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from candidates import services
from candidates.models import Candidate, CandidateEvent, Position, Vendor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_reset():  # noqa: ANN202
    """A Russian request leaves its language active in the thread: the next test starts
    afresh."""
    yield
    translation.deactivate()


FIELDS = {"full_name": "Carla Candidate", "email": "carla@example.com"}


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", roles=["recruiter"])


@pytest.fixture
def candidate(recruiter) -> Candidate:  # noqa: ANN001
    return services.candidate_create(by=recruiter, fields=FIELDS)


@pytest.fixture
def vendor() -> Vendor:
    return services.vendor_create(fields={"name": "Talent Bridge"})


@pytest.fixture
def position(recruiter) -> Position:  # noqa: ANN001
    return services.position_create(by=recruiter, fields={"title": "Backend engineer"})


def _client(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def test_an_update_writes_the_fields_and_one_event(candidate, recruiter, vendor, position) -> None:  # noqa: ANN001, E501
    services.candidate_update(
        candidate=candidate,
        by=recruiter,
        fields={
            "full_name": "Carla Smith",
            "email": "carla@example.com",  # unchanged: not named
            "phone": "+7 900 000 00 00",
            "source": "vendor",
            "vendor": vendor,
            "positions": [position],
            "tags": "Python, SQL",
            "hr_email": "hr@example.com",
        },
    )
    candidate.refresh_from_db()
    assert (candidate.full_name, candidate.source, candidate.vendor) == (
        "Carla Smith",
        "vendor",
        vendor,
    )
    assert candidate.tag_list == ["python", "sql"]
    assert list(candidate.positions.all()) == [position]
    event = CandidateEvent.objects.get(candidate=candidate, kind="updated")
    assert event.by == recruiter
    assert event.details == {
        "fields": ["full_name", "hr_email", "phone", "positions", "source", "tags", "vendor"]
    }


def test_nothing_changed_writes_nothing(candidate, recruiter) -> None:  # noqa: ANN001
    services.candidate_update(candidate=candidate, by=recruiter, fields=dict(FIELDS))
    assert not CandidateEvent.objects.filter(kind="updated").exists()


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"full_name": "Carla\r\nBcc: x@example.com"}, "control_character", "full_name"),
        ({"email": "a@example.com\n"}, "control_character", "email"),
        ({"full_name": "  "}, "full_name_required", "full_name"),
        ({"source": "vendor"}, "vendor_required", "vendor"),
        ({"source": "friend"}, "bad_source", "source"),
        ({"tags": "x" * 600}, "tags_too_long", "tags"),
    ],
)
def test_a_bad_update_is_refused_and_writes_nothing(
    candidate, recruiter, fields, code, field
) -> None:  # noqa: ANN001, E501, PLR0913
    with pytest.raises(services.CandidateRefused) as refused:
        services.candidate_update(candidate=candidate, by=recruiter, fields=fields)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Candidate.objects.get(pk=candidate.pk).full_name == "Carla Candidate"
    assert not CandidateEvent.objects.filter(kind="updated").exists()


def test_a_closed_position_or_inactive_vendor_stays_but_is_not_newly_given(  # noqa: ANN001
    recruiter, vendor, position
) -> None:
    candidate = services.candidate_create(
        by=recruiter, fields=FIELDS, source="vendor", vendor=vendor, positions=[position]
    )
    services.position_update(position=position, fields={"status": "closed"})
    services.vendor_update(vendor=vendor, fields={"active": False})
    services.candidate_update(
        candidate=candidate,
        by=recruiter,
        fields={"phone": "123", "vendor": Vendor.objects.get(pk=vendor.pk),
                "positions": [Position.objects.get(pk=position.pk)]},
    )  # fmt: skip
    other = services.candidate_create(by=recruiter, fields={**FIELDS, "email": "o@example.com"})
    with pytest.raises(services.CandidateRefused) as refused:
        services.candidate_update(
            candidate=other, by=recruiter, fields={"positions": [Position.objects.get()]}
        )
    assert refused.value.code == "position_closed"
    with pytest.raises(services.CandidateRefused) as refused:
        services.candidate_update(
            candidate=other,
            by=recruiter,
            fields={"source": "vendor", "vendor": Vendor.objects.get()},
        )
    assert refused.value.code == "vendor_inactive"


def test_leaving_the_vendor_source_drops_the_vendor(recruiter, vendor) -> None:  # noqa: ANN001
    candidate = services.candidate_create(
        by=recruiter, fields=FIELDS, source="vendor", vendor=vendor
    )
    services.candidate_update(candidate=candidate, by=recruiter, fields={"source": "referral"})
    candidate.refresh_from_db()
    assert (candidate.source, candidate.vendor) == ("referral", None)


def test_the_status_is_not_written_here(candidate, recruiter) -> None:  # noqa: ANN001
    with pytest.raises(ValueError):
        services.candidate_update(candidate=candidate, by=recruiter, fields={"status": "hired"})


@pytest.mark.parametrize(
    ("roles_", "expected"), [(["recruiter"], 200), (["manager"], 403), (["interviewer"], 403)]
)
def test_only_recruiters_open_the_edit_page(roles, candidate, roles_, expected) -> None:  # noqa: ANN001
    user = UserFactory(username="someone", roles=roles_)
    assert _client(user).get(f"/candidates/{candidate.pk}/edit/").status_code == expected


def test_the_edit_page_labels_its_fields_and_saves(candidate, recruiter, vendor) -> None:  # noqa: ANN001
    client = _client(recruiter)
    page = client.get(f"/candidates/{candidate.pk}/edit/").content.decode()
    for name in ("full_name", "email", "phone", "source", "vendor", "positions", "tags",
                 "hr_email", "hr_telegram_chat_id", "hr_language"):  # fmt: skip
        assert f'for="id_{name}"' in page
        assert re.search(rf'id="id_{name}"', page)
    detail = client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert f"/candidates/{candidate.pk}/edit/" in detail
    response = client.post(
        f"/candidates/{candidate.pk}/edit/",
        {"full_name": "Carla Smith", "email": "carla@example.com", "source": "vendor",
         "vendor": vendor.pk, "tags": "Go, go", "hr_language": ""},
    )  # fmt: skip
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.full_name, candidate.vendor, candidate.tags) == ("Carla Smith", vendor, "go")


def test_a_refusal_shows_on_its_field_in_russian(candidate, recruiter) -> None:  # noqa: ANN001
    client = _client(recruiter)
    response = client.post(
        f"/candidates/{candidate.pk}/edit/",
        {"full_name": "Carla", "email": "carla@example.com", "source": "vendor"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_vendor_error"' in page
    assert "Укажите кадровое агентство" in page
    assert Candidate.objects.get(pk=candidate.pk).source == "direct"
