"""The pipeline's services: positions and vendors, and a candidate's source, vendor,
positions and tags checked on creation (a refusal writes nothing, in the person's language)."""

from __future__ import annotations

import pytest
from django.utils import translation

from candidates import services
from candidates.models import Candidate, CandidateEvent, Position, Vendor
from tests.factories import UserFactory

FIELDS = {"full_name": "Carla Candidate", "email": "carla@example.com"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", roles=["recruiter"])


@pytest.fixture
def position(recruiter) -> Position:  # noqa: ANN001
    return services.position_create(by=recruiter, fields={"title": "Backend engineer"})


@pytest.fixture
def vendor() -> Vendor:
    return services.vendor_create(fields={"name": "Talent Bridge", "terms": "15% of salary"})


def test_a_position_opens_with_one_opening_by_default(position, recruiter) -> None:  # noqa: ANN001
    assert (position.status, position.openings, position.created_by) == ("open", 1, recruiter)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": "  "}, "title_required"),
        ({"title": "QA", "openings": 0}, "bad_openings"),
        ({"title": "QA", "status": "paused"}, "bad_status"),
    ],
)
def test_a_bad_position_is_refused(recruiter, fields, code) -> None:  # noqa: ANN001
    with pytest.raises(services.CandidateRefused) as refused:
        services.position_create(by=recruiter, fields=fields)
    assert refused.value.code == code
    assert not Position.objects.exists()


def test_a_position_is_put_on_hold_and_closed(position) -> None:  # noqa: ANN001
    services.position_update(position=position, fields={"status": "on_hold", "openings": 3})
    position.refresh_from_db()
    assert (position.status, position.openings) == ("on_hold", 3)
    services.position_update(position=position, fields={"status": "closed"})
    assert Position.objects.get(pk=position.pk).status == "closed"


def test_a_service_writes_only_its_fields(position) -> None:  # noqa: ANN001
    with pytest.raises(ValueError):
        services.position_update(position=position, fields={"created_by": None})
    with pytest.raises(ValueError):
        services.vendor_create(fields={"name": "X", "id": 7})


def test_vendor_names_are_unique_whatever_the_case(vendor) -> None:  # noqa: ANN001
    with pytest.raises(services.CandidateRefused) as refused:
        services.vendor_create(fields={"name": " talent BRIDGE "})
    assert refused.value.code == "name_taken"
    other = services.vendor_create(fields={"name": "Headhunters"})
    with pytest.raises(services.CandidateRefused):
        services.vendor_update(vendor=other, fields={"name": "Talent bridge"})
    services.vendor_update(vendor=vendor, fields={"name": "Talent Bridge Ltd", "active": False})
    vendor.refresh_from_db()
    assert (vendor.name, vendor.active) == ("Talent Bridge Ltd", False)


def test_a_candidate_starts_direct_with_no_vendor(recruiter) -> None:  # noqa: ANN001
    candidate = services.candidate_create(by=recruiter, fields=FIELDS)
    assert (candidate.source, candidate.vendor, candidate.tags) == ("direct", None, "")
    assert list(candidate.positions.all()) == []


def test_a_candidate_from_a_vendor_for_a_position(recruiter, vendor, position) -> None:  # noqa: ANN001
    candidate = services.candidate_create(
        by=recruiter,
        fields=FIELDS,
        source="vendor",
        vendor=vendor,
        positions=[position],
        tags=" Python ,sql,, python , Team  Lead",
    )
    candidate.refresh_from_db()
    assert (candidate.source, candidate.vendor) == ("vendor", vendor)
    assert list(candidate.positions.all()) == [position]
    assert candidate.tag_list == ["python", "sql", "team lead"]
    event = CandidateEvent.objects.get(candidate=candidate)
    assert event.details == {"source": "vendor", "vendor": vendor.pk, "positions": [position.pk]}


def test_tags_may_come_as_a_list(recruiter) -> None:  # noqa: ANN001
    candidate = services.candidate_create(by=recruiter, fields=FIELDS, tags=["Go", "k8s, Go"])
    assert candidate.tags == "go,k8s"


@pytest.mark.parametrize(
    ("source", "with_vendor", "code"),
    [
        ("vendor", False, "vendor_required"),
        ("referral", True, "vendor_not_expected"),
        ("direct", True, "vendor_not_expected"),
        ("friend", False, "bad_source"),
    ],
)
def test_the_vendor_is_named_exactly_when_the_source_is_one(
    recruiter,
    vendor,
    source,
    with_vendor,
    code,  # noqa: ANN001
) -> None:
    with pytest.raises(services.CandidateRefused) as refused:
        services.candidate_create(
            by=recruiter, fields=FIELDS, source=source, vendor=vendor if with_vendor else None
        )
    assert refused.value.code == code
    assert not Candidate.objects.exists()


def test_an_inactive_vendor_supplies_no_new_candidate(recruiter, vendor) -> None:  # noqa: ANN001
    services.vendor_update(vendor=vendor, fields={"active": False})
    with pytest.raises(services.CandidateRefused) as refused:
        services.candidate_create(by=recruiter, fields=FIELDS, source="vendor", vendor=vendor)
    assert refused.value.code == "vendor_inactive"


def test_a_closed_position_takes_no_new_candidate(recruiter, position) -> None:  # noqa: ANN001
    services.position_update(position=position, fields={"status": "closed"})
    with translation.override("ru"):
        with pytest.raises(services.CandidateRefused) as refused:
            services.candidate_create(by=recruiter, fields=FIELDS, positions=[position])
    assert refused.value.code == "position_closed"
    assert refused.value.message == "Вакансия «Backend engineer» закрыта."
    assert not Candidate.objects.exists()


def test_a_position_on_hold_still_takes_candidates(recruiter, position) -> None:  # noqa: ANN001
    services.position_update(position=position, fields={"status": "on_hold"})
    candidate = services.candidate_create(by=recruiter, fields=FIELDS, positions=[position])
    assert list(candidate.positions.all()) == [position]


def test_pipeline_fields_are_not_passed_in_fields(recruiter) -> None:  # noqa: ANN001
    with pytest.raises(ValueError):
        services.candidate_create(by=recruiter, fields={**FIELDS, "source": "vendor"})


def test_a_vendor_with_candidates_cannot_be_deleted(recruiter, vendor) -> None:  # noqa: ANN001
    from django.db.models import ProtectedError

    services.candidate_create(by=recruiter, fields=FIELDS, source="vendor", vendor=vendor)
    with pytest.raises(ProtectedError):
        vendor.delete()
