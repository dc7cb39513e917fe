"""A candidate's resume after creation: every upload is a version, the newest is the current
one, each downloadable (as an attachment, after the access check) by those who may see the
candidate; a file that is not a PDF, or too large, changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from candidates import services
from candidates.models import Candidate, CandidateEvent, ResumeVersion, private_storage
from tests.factories import UserFactory
from tests.sessions_live.conftest import make_session

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECOND = b"%PDF-1.7\n% the second one\n%%EOF\n"


@pytest.fixture(autouse=True)
def _language_reset():  # noqa: ANN202
    yield
    translation.deactivate()


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def session(lead, ann):  # noqa: ANN001, ANN201
    return make_session(lead, [ann])  # Carla Candidate, Ann on the panel


@pytest.fixture
def candidate(session) -> Candidate:  # noqa: ANN001
    return session.candidate


def _client(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, candidate: Candidate, name: str, content: bytes):  # noqa: ANN202
    return client.post(
        f"/candidates/{candidate.pk}/resume/",
        {"resume": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def _stored_files() -> list[str]:
    try:
        return sorted(private_storage.listdir("resumes")[1])
    except FileNotFoundError:
        return []


def test_every_upload_is_kept_and_the_newest_is_current(recruiter, candidate) -> None:  # noqa: ANN001
    client = _client(recruiter)
    assert _upload(client, candidate, "Carla CV.pdf", PDF).status_code == 302
    assert _upload(client, candidate, "Carla CV 2024.pdf", SECOND).status_code == 302
    versions = services.resume_versions(candidate=candidate)
    assert [v.original_name for v in versions] == ["Carla CV 2024.pdf", "Carla CV.pdf"]
    assert [v.uploaded_by for v in versions] == [recruiter, recruiter]
    assert [v.size for v in versions] == [len(SECOND), len(PDF)]
    candidate.refresh_from_db()
    assert candidate.resume_name == "Carla CV 2024.pdf"
    assert candidate.resume.name == versions[0].file.name
    with candidate.resume.open("rb") as current:
        assert current.read() == SECOND
    assert len(_stored_files()) == 2
    kinds = list(candidate.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["resume_uploaded", "resume_replaced"]
    # The page lists both, who and when, each with its own download link.
    page = client.get(f"/candidates/{candidate.pk}/").content.decode()
    section = page.split('id="resumes"', 1)[1].split("</section>", 1)[0]
    for version in versions:
        assert f'href="/candidates/{candidate.pk}/resume/{version.pk}/"' in section
    assert section.count("Rita") == 2 and "current" in section
    history = page.split('id="history"', 1)[1]
    assert "Resume replaced" in history and "Resume uploaded" in history
    for version, content in zip(versions, [SECOND, PDF], strict=True):
        response = client.get(f"/candidates/{candidate.pk}/resume/{version.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert version.original_name.split()[0] in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == content


def test_a_file_that_is_not_a_pdf_is_refused_and_nothing_changes(recruiter, candidate) -> None:  # noqa: ANN001
    client = _client(recruiter)
    _upload(client, candidate, "cv.pdf", PDF)
    events = CandidateEvent.objects.count()
    files = _stored_files()
    response = _upload(client, candidate, "cv.pdf", b"MZ\x90\x00 this is a program, not a PDF")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "The resume must be a PDF file; this file is not a PDF." in page
    assert ResumeVersion.objects.filter(candidate=candidate).count() == 1
    assert CandidateEvent.objects.count() == events
    assert _stored_files() == files
    candidate.refresh_from_db()
    with candidate.resume.open("rb") as current:
        assert current.read() == PDF


def test_a_file_over_the_limit_is_refused(recruiter, candidate, settings) -> None:  # noqa: ANN001
    settings.RESUME_MAX_BYTES = 1024
    with pytest.raises(services.CandidateRefused) as refused:
        services.resume_add(
            candidate=candidate,
            upload=SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2048 + b"%%EOF"),
            by=recruiter,
        )
    assert refused.value.code == "too_large" and refused.value.field == "resume"
    assert not ResumeVersion.objects.exists() and _stored_files() == []


def test_the_refusal_in_russian(recruiter, candidate) -> None:  # noqa: ANN001
    client = _client(recruiter)
    response = client.post(
        f"/candidates/{candidate.pk}/resume/",
        {"resume": SimpleUploadedFile("cv.pdf", b"plain text")},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Резюме должно быть в формате PDF; этот файл — не PDF." in page
    assert "Загрузить резюме" in page and "Резюме пока нет." in page


def test_only_those_who_may_see_the_candidate_download_and_only_recruiters_upload(
    recruiter, candidate, ann, outsider, manager
) -> None:  # noqa: ANN001
    version = services.resume_add(
        candidate=candidate, upload=SimpleUploadedFile("cv.pdf", PDF), by=recruiter
    )
    url = f"/candidates/{candidate.pk}/resume/{version.pk}/"
    assert _client(ann).get(url).status_code == 200  # on the candidate's panel
    assert _client(manager).get(url).status_code == 200
    assert _client(outsider).get(url).status_code == 403  # another interviewer
    assert Client().get(url).status_code == 302  # to the login page
    # A version is reached only through its own candidate.
    other = services.candidate_create(by=recruiter, fields={"full_name": "O", "email": "o@e.com"})
    assert _client(recruiter).get(f"/candidates/{other.pk}/resume/{version.pk}/").status_code == 404
    # Uploading is the recruiters'.
    for person in (ann, manager, outsider):
        assert _upload(_client(person), candidate, "x.pdf", SECOND).status_code == 403
    assert ResumeVersion.objects.count() == 1
    page = _client(ann).get(f"/candidates/{candidate.pk}/").content.decode()
    assert 'id="resume-form"' not in page and url in page


def test_a_resume_given_at_creation_is_the_first_version(recruiter) -> None:  # noqa: ANN001
    candidate = services.candidate_create(
        by=recruiter,
        fields={"full_name": "Dana", "email": "d@example.com"},
        resume=SimpleUploadedFile("dana.pdf", PDF),
    )
    (version,) = services.resume_versions(candidate=candidate)
    assert version.original_name == "dana.pdf" and version.uploaded_by == recruiter
    assert version.file.name == candidate.resume.name


def test_the_api_uploads_and_lists_versions(recruiter, candidate, ann, outsider) -> None:  # noqa: ANN001
    api = APIClient()
    api.force_login(recruiter)
    created = api.post(
        f"/api/candidates/{candidate.pk}/resume/",
        {"file": SimpleUploadedFile("cv.pdf", PDF)},
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["original_name"] == "cv.pdf" and body["size"] == len(PDF)
    assert body["download"] == f"/candidates/{candidate.pk}/resume/{body['id']}/"
    refused = api.post(
        f"/api/candidates/{candidate.pk}/resume/",
        {"file": SimpleUploadedFile("cv.pdf", b"not a pdf")},
        format="multipart",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "not_pdf"
    assert ResumeVersion.objects.count() == 1
    listed = api.get(f"/api/candidates/{candidate.pk}/resumes/").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    member = APIClient()
    member.force_login(ann)
    assert member.get(f"/api/candidates/{candidate.pk}/resumes/").status_code == 200
    assert (
        member.post(
            f"/api/candidates/{candidate.pk}/resume/",
            {"file": SimpleUploadedFile("cv.pdf", PDF)},
            format="multipart",
        ).status_code
        == 403
    )
    stranger = APIClient()
    stranger.force_login(outsider)
    assert stranger.get(f"/api/candidates/{candidate.pk}/resumes/").status_code == 404


BEFORE = [("candidates", "0005_pipeline_positions_vendors")]
AFTER = [("candidates", "0006_resume_versions")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_each_existing_resume_the_first_version() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("candidates", "Candidate")
        stored = private_storage.save("resumes/old.pdf", SimpleUploadedFile("x", PDF))
        with_resume = old.objects.create(
            full_name="Old", email="o@example.com", resume=stored, resume_name="Old CV.pdf"
        )
        old.objects.create(full_name="None", email="n@example.com")
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        apps = MigrationExecutor(connection).loader.project_state(AFTER).apps
        versions = list(apps.get_model("candidates", "ResumeVersion").objects.all())
        assert [(v.candidate_id, v.file.name, v.original_name, v.size) for v in versions] == [
            (with_resume.pk, stored, "Old CV.pdf", len(PDF))
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
