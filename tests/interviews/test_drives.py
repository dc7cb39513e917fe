"""Drives: a file of candidates with their resumes becomes the position's candidates, each
with the plan's rounds — checked first with a line-numbered report, then all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from openpyxl import load_workbook

from candidates import services as candidates
from candidates.models import Candidate, CandidateEvent
from interviews import drives
from interviews.models import Drive, Interview, Round
from tests.factories import UserFactory
from tests.interviews.drive_files import (
    csv_bytes,
    pdf,
    people,
    resume_uploads,
    sheet_upload,
    xlsx,
)
from tests.interviews.helpers import three_round_position

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def position(recruiter, ann, lead, bob):  # noqa: ANN001, ANN201
    return three_round_position(recruiter, ann, lead, bob)


def _client(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def _nothing_written() -> None:
    assert Candidate.objects.count() == 0
    assert Interview.objects.count() == 0
    assert Round.objects.count() == 0
    assert CandidateEvent.objects.count() == 0


def _stored_resumes() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "resumes"
    return sorted(folder.iterdir()) if folder.exists() else []


def _drive_files(drive: Drive) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "drives" / drive.key.hex
    return sorted(folder.iterdir()) if folder.exists() else []


def _upload(client: Client, position, sheet, resumes=()):  # noqa: ANN001, ANN202
    return client.post(f"/drives/new/{position.pk}/", {"sheet": sheet, "resumes": list(resumes)})


def _start(position, recruiter, rows, resumes=(), name="drive.xlsx") -> Drive:  # noqa: ANN001
    data = xlsx(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return drives.drive_start(
        position=position, by=recruiter, sheet=sheet_upload(data, name), resumes=list(resumes)
    )


# --- the whole flow --------------------------------------------------------------------------


def test_twenty_rows_with_twenty_resumes_become_twenty_candidates_with_the_plans_rounds(
    position,
    recruiter,
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    client = _client(recruiter)
    page = client.get(f"/positions/{position.pk}/drives/new/")
    assert page.status_code == 200 and 'name="resumes" multiple' in page.content.decode()

    response = _upload(client, position, sheet_upload(xlsx(people(20))), resume_uploads(20))
    assert response.status_code == 302, response.content.decode()[:3000]
    drive = Drive.objects.get()
    assert response["Location"] == f"/drives/{drive.pk}/"
    assert drive.status == Drive.Status.DRAFT and drive.created_by == recruiter
    _nothing_written()  # step 1 writes no candidate
    report = client.get(f"/drives/{drive.pk}/").content.decode()
    assert "20 candidates are ready to import" in report
    assert "20 with a resume" in report and 'id="drive-import"' in report

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/drives/{drive.pk}/import/")
    assert done.status_code == 302 and done["Location"] == f"/drives/{drive.pk}/"
    drive.refresh_from_db()
    assert drive.status == Drive.Status.DONE and drive.total == drive.done == 20
    made = list(Candidate.objects.filter(positions=position).order_by("email"))
    assert [c.email for c in made] == [f"candidate{n:02d}@example.com" for n in range(1, 21)]
    plan = list(position.plan_rounds.order_by("order").values_list("name", "kind"))
    for number, candidate in enumerate(made, start=1):
        assert candidate.full_name == f"Candidate {number:02d}"
        assert candidate.tags == "drive,backend" and candidate.source == "direct"
        assert candidate.resume_name == f"cv-{number:02d}.pdf"
        with candidate.resume.open("rb") as handle:
            assert handle.read() == pdf(f"cv {number}")
        interview = candidate.interviews.get(status=Interview.Status.OPEN)
        assert list(interview.rounds.order_by("order").values_list("name", "kind")) == plan
        created = candidate.events.get(kind="created")
        assert created.details["drive"] == drive.pk and created.by == recruiter
        assert created.details["positions"] == [position.pk]
    assert _drive_files(drive) == []  # the uploaded files go once imported
    outcome = client.get(f"/drives/{drive.pk}/").content.decode()
    assert "20 candidates imported" in outcome
    first_round = Round.objects.filter(candidate=made[0]).order_by("order").first()
    assert f'href="/rounds/{first_round.pk}/assign/"' in outcome
    # A drive is imported once.
    again = client.post(f"/drives/{drive.pk}/import/")
    assert again.status_code == 400
    assert Candidate.objects.count() == 20


def test_the_import_tells_its_progress_while_its_rows_are_not_committed(
    position,
    recruiter,  # noqa: ANN001
) -> None:
    drive = _start(position, recruiter, people(5, resumes=False))
    seen = []

    def watch(done: int, row: drives.CheckedRow) -> None:
        # What the page's poll reads from another request: the row says running, the
        # cache says how far.
        seen.append((row.line, drives.drive_progress(Drive.objects.get(pk=drive.pk))))

    drives.drive_import(drive=drive, by=recruiter, on_row=watch)
    assert [line for line, _p in seen] == [2, 3, 4, 5, 6]
    assert [p for _l, p in seen] == [
        {"status": "running", "total": 5, "done": n} for n in range(1, 6)
    ]
    polled = _client(recruiter).get(f"/drives/{drive.pk}/progress/").json()
    assert polled == {"status": "done", "total": 5, "done": 5, "url": f"/drives/{drive.pk}/"}


# --- the report: line numbers, nothing written -----------------------------------------------


def test_a_bad_email_on_line_7_is_named_and_nothing_is_written(position, recruiter) -> None:  # noqa: ANN001
    rows = people(10, resumes=False)
    rows[5][1] = "not-an-address"  # the 6th candidate: line 7 (the header is line 1)
    client = _client(recruiter)
    response = _upload(client, position, sheet_upload(xlsx(rows)))
    drive = Drive.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "1 problem found: nothing can be imported until it is fixed." in page
    assert '<tr class="bad-row" data-line="7"><th scope="row">7</th><td>E-mail</td>' in page
    assert "“not-an-address” is not an e-mail address." in page
    assert 'id="drive-import"' not in page  # no import button
    report = drives.drive_check(drive)
    assert [(p.line, p.column) for p in report.errors] == [(7, "email")]
    refused = client.post(f"/drives/{drive.pk}/import/")
    assert refused.status_code == 302
    _nothing_written()
    drive.refresh_from_db()
    assert drive.status == Drive.Status.DRAFT
    assert "no longer passes the check" in drive.failure


def test_duplicate_emails_in_the_file_and_on_the_position(position, recruiter) -> None:  # noqa: ANN001
    on_position = candidates.candidate_create(
        by=recruiter, fields={"full_name": "Early Bird", "email": "Candidate03@Example.com"},
        positions=[position],
    )  # fmt: skip
    elsewhere = candidates.candidate_create(
        by=recruiter, fields={"full_name": "Other Role", "email": "candidate04@example.com"}
    )
    rows = people(5, resumes=False)
    rows[4][1] = "CANDIDATE01@example.com"  # line 6 repeats line 2
    drive = _start(position, recruiter, rows)
    report = drives.drive_check(drive)
    errors = {(p.line, p.message) for p in report.errors}
    assert (6, "The same e-mail is on line 2 already.") in errors
    assert (
        4,
        "Early Bird, with this e-mail, is a candidate for this position already.",
    ) in errors
    assert len(report.errors) == 2
    assert [(p.line, p.column) for p in report.warnings] == [(5, "email")]
    with pytest.raises(drives.DriveRefused):
        drives.drive_import(drive=drive, by=recruiter)
    assert set(Candidate.objects.all()) == {on_position, elsewhere}


def test_vendors_by_name_unknown_and_inactive_ones_refused(position, recruiter) -> None:  # noqa: ANN001
    candidates.vendor_create(fields={"name": "Talent Hunters"})
    gone = candidates.vendor_create(fields={"name": "Old Agency"})
    candidates.vendor_update(vendor=gone, fields={"active": False})
    rows = people(4, resumes=False)
    rows[0][3:5] = ["", "talent hunters"]  # the source follows the vendor
    rows[1][3:5] = ["vendor", "Nobody Ltd"]
    rows[2][3:5] = ["vendor", "Old Agency"]
    rows[3][3:5] = ["vendor", ""]
    report = drives.drive_check(_start(position, recruiter, rows))
    assert [(p.line, p.column, p.message) for p in report.errors] == [
        (3, "vendor", "There is no vendor named “Nobody Ltd”."),
        (4, "vendor", "The vendor “Old Agency” is no longer active."),
        (5, "vendor", "Name the vendor the candidate came from."),
    ]
    assert report.rows[0].source == "vendor" and report.rows[0].vendor.name == "Talent Hunters"


def test_a_resume_that_is_not_a_pdf_by_its_content_is_refused_and_nothing_kept(
    position,
    recruiter,  # noqa: ANN001
) -> None:
    fake = SimpleUploadedFile("cv-02.pdf", b"MZ\x90\x00 an executable", "application/pdf")
    response = _upload(
        _client(recruiter),
        position,
        sheet_upload(xlsx(people(3))),
        [*resume_uploads(1), fake],
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "cv-02.pdf: The resume must be a PDF file; this file is not a PDF." in page
    assert 'id="drive-resumes-error"' in page and 'aria-invalid="true"' in page
    assert Drive.objects.count() == 0
    assert not (Path(settings.MEDIA_ROOT) / "drives").exists() or not any(
        (Path(settings.MEDIA_ROOT) / "drives").rglob("*.*")
    )
    _nothing_written()


def test_resumes_matched_by_name_or_email_unmatched_ones_reported(position, recruiter) -> None:  # noqa: ANN001
    rows = people(3, resumes=False)
    rows[0][6] = "CV-Anna.PDF"  # named (any case)
    rows[2][6] = "missing.pdf"  # named but not uploaded
    files = [
        SimpleUploadedFile("cv-anna.pdf", pdf("a")),
        SimpleUploadedFile("Resume candidate02@example.com.pdf", pdf("b")),  # by its e-mail
        SimpleUploadedFile("stray.pdf", pdf("c")),
    ]
    drive = _start(position, recruiter, rows, files)
    report = drives.drive_check(drive)
    assert [(p.line, p.column) for p in report.errors] == [(4, "resume")]
    assert "No uploaded resume is named “missing.pdf”" in report.errors[0].message
    assert [(p.line, p.message) for p in report.warnings] == [
        (0, "The resume “stray.pdf” matches no row: it is not imported.")
    ]
    # The missing file added on the drive's page: the check passes, the stray stays unused.
    client = _client(recruiter)
    added = client.post(
        f"/drives/{drive.pk}/resumes/", {"resumes": [SimpleUploadedFile("missing.pdf", pdf("d"))]}
    )
    assert added.status_code == 302
    report = drives.drive_check(Drive.objects.get(pk=drive.pk))
    assert report.ok and [r.resume.name for r in report.rows] == [
        "cv-anna.pdf",
        "Resume candidate02@example.com.pdf",
        "missing.pdf",
    ]
    drives.drive_import(drive=drive, by=recruiter)
    assert sorted(Candidate.objects.values_list("resume_name", flat=True)) == sorted(
        ["cv-anna.pdf", "Resume candidate02@example.com.pdf", "missing.pdf"]
    )


def test_a_csv_with_russian_headers_and_words(position, recruiter) -> None:  # noqa: ANN001
    candidates.vendor_create(fields={"name": "Кадры Плюс"})
    header = ["ФИО", "Электронная почта", "Телефон", "Источник", "Агентство", "Теги", "Резюме"]
    rows = [
        ["Иван Петров", "ivan@example.ru", "+7 900 1", "рекомендация", "", "java", ""],
        ["Мария Сидорова", "maria@example.ru", "", "", "кадры плюс", "", ""],
        ["Олег Орлов", "oleg@example.ru", "", "напрямую", "", "", ""],
    ]
    sheet = sheet_upload(csv_bytes(rows, header).replace(b",", b";"), "кандидаты.csv")
    drive = drives.drive_start(
        position=position,
        by=recruiter,
        sheet=sheet,
        resumes=[SimpleUploadedFile("ivan@example.ru.pdf", pdf("ivan"))],
    )
    report = drives.drive_check(drive)
    assert report.errors == [] and report.warnings == []
    assert [(r.line, r.source) for r in report.rows] == [
        (2, "referral"),
        (3, "vendor"),
        (4, "direct"),
    ]
    drives.drive_import(drive=drive, by=recruiter)
    ivan = Candidate.objects.get(email="ivan@example.ru")
    assert ivan.full_name == "Иван Петров" and ivan.resume_name == "ivan@example.ru.pdf"
    assert Candidate.objects.get(email="maria@example.ru").vendor.name == "Кадры Плюс"


def test_the_russian_template_reads_back(position, recruiter) -> None:  # noqa: ANN001
    client = _client(recruiter)
    got = client.get("/drives/template.xlsx", HTTP_ACCEPT_LANGUAGE="ru")
    assert got.status_code == 200 and got["Content-Type"] == drives.XLSX_CONTENT_TYPE
    import io

    book = load_workbook(io.BytesIO(got.content))
    header = [cell.value for cell in book.worksheets[0][1]]
    assert header[:2] == ["ФИО", "Электронная почта"]
    assert len(book.worksheets) == 2  # the help sheet
    english = client.get("/drives/template.csv", HTTP_ACCEPT_LANGUAGE="en")
    assert english.content.decode("utf-8-sig").splitlines()[0] == (
        "Full name,E-mail,Phone,Source,Vendor,Tags,Resume"
    )
    columns, rows, errors, warnings = drives.read_sheet(
        xlsx([["Анна Ли", "anna@example.ru"]], header), "xlsx"
    )
    assert columns == list(drives.COLUMNS) and rows[0].cells["email"] == "anna@example.ru"
    assert errors == [] and warnings == []


# --- all or nothing -----------------------------------------------------------------------------


def test_a_failure_at_write_time_on_the_15th_row_leaves_nothing_written(
    position,
    recruiter,  # noqa: ANN001
) -> None:
    """The check passes; the database refuses the 15th candidate only when it is written (a
    trigger stands for anything the check cannot foresee): the 14 before it are rolled back,
    their stored resumes removed, the drive a draft saying where it stopped."""
    drive = _start(position, recruiter, people(20), resume_uploads(20))
    assert drives.drive_check(drive).ok
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION test_refuse_fifteenth() RETURNS trigger AS $$
            BEGIN
              IF NEW.email = 'candidate15@example.com' THEN
                RAISE EXCEPTION 'refused by the test';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER test_refuse_fifteenth BEFORE INSERT ON candidates_candidate
              FOR EACH ROW EXECUTE FUNCTION test_refuse_fifteenth();
            """
        )
    response = _client(recruiter).post(f"/drives/{drive.pk}/import/")
    assert response.status_code == 302
    _nothing_written()
    assert _stored_resumes() == []
    drive.refresh_from_db()
    assert drive.status == Drive.Status.DRAFT and drive.done == 0
    assert drive.failure == "Line 16 could not be written: nothing was imported. Try again."
    assert len(_drive_files(drive)) == 21  # kept for another try
    page = _client(recruiter).get(f"/drives/{drive.pk}/").content.decode()
    assert "The last import stopped:" in page and "Line 16 could not be written" in page
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_fifteenth ON candidates_candidate")
    drives.drive_import(drive=drive, by=recruiter)
    assert Candidate.objects.count() == 20


def test_a_candidate_created_meanwhile_is_found_by_the_check_at_import(
    position,
    recruiter,  # noqa: ANN001
) -> None:
    drive = _start(position, recruiter, people(20, resumes=False))
    assert drives.drive_check(drive).ok
    candidates.candidate_create(
        by=recruiter,
        fields={"full_name": "Quick", "email": "candidate15@example.com"},
        positions=[position],
    )
    with pytest.raises(drives.DriveRefused) as refused:
        drives.drive_import(drive=drive, by=recruiter)
    assert "no longer passes the check" in refused.value.message
    assert Candidate.objects.count() == 1 and Interview.objects.count() == 0


# --- refusals of the upload ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("people.txt", b"full name,e-mail\n", "Choose a .csv or .xlsx file of candidates."),
        ("people.xlsx", b"not a zip", "The file is not an .xlsx workbook."),
        ("people.csv", b"\xff\xfe\x00", "The file is not UTF-8 text."),
        (
            "people.csv",
            b"phone,tags\n1,a\n",
            "Line 1: The header (line 1) lacks: Full name, E-mail.",
        ),
        ("people.csv", b"full name,e-mail\n", "The file names its columns but has no candidates."),
        (
            "people.csv",
            b"full name,e-mail\n" + b"x,x@example.com\n" * 1001,
            "Line 1002: Too many candidates: at most 1000 in one drive.",
        ),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_with_its_reason(
    position,
    recruiter,
    name,
    data,
    expected,  # noqa: ANN001
) -> None:
    response = _upload(_client(recruiter), position, SimpleUploadedFile(name, data))
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert Drive.objects.count() == 0
    _nothing_written()


def test_upload_limits_explain_themselves(position, recruiter, monkeypatch) -> None:  # noqa: ANN001
    client = _client(recruiter)
    monkeypatch.setattr(drives, "MAX_RESUMES_PER_UPLOAD", 3)
    many = _upload(client, position, sheet_upload(xlsx(people(4))), resume_uploads(4))
    assert many.status_code == 400
    assert "At most 3 resumes at a time: upload the others on the next page." in (
        many.content.decode()
    )
    monkeypatch.setattr(drives, "SHEET_MAX_BYTES", 100)
    big = _upload(client, position, sheet_upload(xlsx(people(4))))
    assert big.status_code == 400 and "the limit is 100" in big.content.decode()
    assert Drive.objects.count() == 0


def test_a_closed_position_or_one_without_a_plan_takes_no_drive(position, recruiter) -> None:  # noqa: ANN001
    client = _client(recruiter)
    empty = candidates.position_create(by=recruiter, fields={"title": "No plan"})
    page = client.get(f"/positions/{empty.pk}/drives/new/").content.decode()
    assert "has no interview plan yet" in page and 'id="drive-upload"' not in page
    assert _upload(client, empty, sheet_upload(xlsx(people(1)))).status_code == 400
    candidates.position_update(position=position, fields={"status": "closed"})
    refused = _upload(client, position, sheet_upload(xlsx(people(1))))
    assert refused.status_code == 400 and "a drive needs an open position" in (
        refused.content.decode()
    )
    assert Drive.objects.count() == 0


def test_a_draft_discarded_loses_its_files(
    position,
    recruiter,
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    drive = _start(position, recruiter, people(2), resume_uploads(2))
    assert len(_drive_files(drive)) == 3
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(recruiter).post(f"/drives/{drive.pk}/discard/")
    assert response.status_code == 302
    drive.refresh_from_db()
    assert drive.status == Drive.Status.DISCARDED and _drive_files(drive) == []
    with pytest.raises(drives.DriveRefused):
        drives.drive_import(drive=drive, by=recruiter)
    _nothing_written()


def test_a_corrected_file_replaces_the_sheet_and_keeps_the_resumes(
    position,
    recruiter,
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    rows = people(2)
    rows[1][1] = "broken"
    drive = _start(position, recruiter, rows, resume_uploads(2))
    assert not drives.drive_check(drive).ok
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(recruiter).post(
            f"/drives/{drive.pk}/sheet/", {"sheet": sheet_upload(xlsx(people(2)), "fixed.xlsx")}
        )
    assert response.status_code == 302
    drive.refresh_from_db()
    assert drive.sheet_name == "fixed.xlsx" and drives.drive_check(drive).with_resume == 2
    assert len(_drive_files(drive)) == 3  # the old sheet is gone


# --- who may ---------------------------------------------------------------------------------------


def test_only_recruiters_run_drives(position, recruiter, ann, manager) -> None:  # noqa: ANN001
    drive = _start(position, recruiter, people(2, resumes=False))
    urls_get = [
        f"/positions/{position.pk}/drives/new/",
        f"/drives/{drive.pk}/",
        f"/drives/{drive.pk}/progress/",
        "/drives/template.xlsx",
    ]
    urls_post = [
        f"/drives/new/{position.pk}/",
        f"/drives/{drive.pk}/import/",
        f"/drives/{drive.pk}/resumes/",
        f"/drives/{drive.pk}/sheet/",
        f"/drives/{drive.pk}/discard/",
    ]
    for person in (ann, manager):
        client = _client(person)
        for url in urls_get:
            assert client.get(url).status_code == 403, (person, url)
        for url in urls_post:
            assert client.post(url).status_code == 403, (person, url)
    anonymous = Client()
    assert anonymous.get(f"/drives/{drive.pk}/").status_code == 302
    assert anonymous.post(f"/drives/{drive.pk}/import/").status_code == 302
    _nothing_written()
    assert Drive.objects.get().status == Drive.Status.DRAFT


def test_the_positions_page_links_a_new_drive_for_recruiters(position, recruiter, ann) -> None:  # noqa: ANN001
    link = f'href="/positions/{position.pk}/drives/new/"'
    assert link in _client(recruiter).get("/positions/").content.decode()
    assert link not in _client(ann).get("/positions/").content.decode()


def test_the_report_reads_in_russian(position, recruiter) -> None:  # noqa: ANN001
    rows = people(3, resumes=False)
    rows[1][1] = "плохой-адрес"
    drive = _start(position, recruiter, rows)
    page = _client(recruiter).get(f"/drives/{drive.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
    text = page.content.decode()
    assert "Найдена 1 ошибка: ничего нельзя импортировать, пока она не исправлена." in text
    assert "«плохой-адрес» — не адрес электронной почты." in text
    assert "<td>Электронная почта</td>" in text and "Шаблон (.xlsx)" in text


@pytest.mark.parametrize("pages", ["draft", "done"])
def test_a_drives_page_costs_the_same_queries_with_2_and_12_rows(
    position,
    recruiter,
    pages,  # noqa: ANN001
) -> None:
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size, offset in ((2, 0), (12, 50)):
        rows = [[f"Row {n}", f"row{n + offset}@example.com"] for n in range(size)]
        drive = drives.drive_start(
            position=position, by=recruiter, sheet=sheet_upload(xlsx(rows, ["name", "email"]))
        )
        if pages == "done":
            drives.drive_import(drive=drive, by=recruiter)
        client = _client(recruiter)
        client.get(f"/drives/{drive.pk}/")  # the session and the like, once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/drives/{drive.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
