"""The candidates list (filtered, paged, a fixed number of queries per page whatever the
total) and a recruiter's new candidate page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from candidates import services
from candidates.models import Candidate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", roles=["recruiter"])


def _client(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def _make(recruiter, n: int, position=None) -> None:  # noqa: ANN001
    for i in range(n):
        services.candidate_create(
            by=recruiter,
            fields={"full_name": f"Кандидат Номер{i}", "email": f"c{i}@example.com"},
            positions=[position] if position else [],
            tags=["python"] if i % 2 else ["go"],
        )


def _count(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_list_filters_and_pages_with_the_same_queries_for_one_and_many(recruiter) -> None:  # noqa: ANN001
    position = services.position_create(by=recruiter, fields={"title": "Backend"})
    client = _client(recruiter)
    _make(recruiter, 1, position)
    one, _body = _count(client, "/candidates/")
    _make(recruiter, 120, position)
    many, body = _count(client, "/candidates/")
    assert one == many
    assert body.count('data-status="created"') == 50 and "Page 1 of 3" in body
    _queries, second = _count(client, "/candidates/?page=3")
    assert second.count('data-status="created"') == 21
    _q, found = _count(client, "/candidates/?q=кандидат+номер7")  # Cyrillic, any case
    names = {f"Кандидат Номер{i}" for i in (7, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79)}
    assert all(name in found for name in names) and "Кандидат Номер8<" not in found
    _q, tagged = _count(client, f"/candidates/?q=python&position={position.pk}")
    assert tagged.count('data-status="created"') == 50  # 60 odd ones, first page


def test_a_recruiter_adds_a_candidate_with_a_resume_and_a_bad_file_is_refused(recruiter) -> None:  # noqa: ANN001
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _client(recruiter)
    assert client.get("/candidates/new/").status_code == 200
    bad = client.post("/candidates/new/", {
        "full_name": "Pavel", "email": "pavel@example.com", "source": "direct",
        "resume": SimpleUploadedFile("cv.pdf", b"not a pdf at all", content_type="application/pdf"),
    })  # fmt: skip
    assert bad.status_code == 400 and not Candidate.objects.filter(full_name="Pavel").exists()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    good = client.post("/candidates/new/", {
        "full_name": "Pavel", "email": "pavel@example.com", "source": "referral", "tags": "go, rust",
        "resume": SimpleUploadedFile("cv.pdf", pdf, content_type="application/pdf"),
    })  # fmt: skip
    assert good.status_code == 302, good.content.decode()[:2000]
    pavel = Candidate.objects.get(full_name="Pavel")
    assert (pavel.source, pavel.tag_list, bool(pavel.resume)) == ("referral", ["go", "rust"], True)


def test_interviewers_may_not_add_candidates(ann) -> None:  # noqa: ANN001
    assert _client(ann).get("/candidates/new/").status_code == 403
