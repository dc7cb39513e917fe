"""The pipeline's lists (issue 14's acceptance: "every list page and API list costs the same
number of queries with 1 and 200 rows"): positions, vendors, candidates, plans, a candidate's
own rounds, history, resumes and rating sheet, an interviewer's rounds and history, the
reports' CSV, notices, people, drives and search — each page measured for the people who
read it (a recruiter, a manager, the interviewer on the rounds, an assistant on them), with
``tests.api.query_counts.grow``. The first row of each list is written by the real services;
the other 199 are its copies (``copies``, one insert per table), so the rows carry what the
real ones do (positions, vendor, tags, aspects, assistants, sessions) and the file stays
fast."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from candidates import services as candidates
from candidates.models import Candidate, CandidateEvent, Position, ResumeVersion, Vendor
from interviews import drives
from interviews import services as interviews
from interviews.models import Interview, PlanAspect, PlanRound, Round, RoundAspect
from notify.models import Notice
from sessions_live import services as live
from tests.api.query_counts import Page, copies, grow, session_copies, signed_in, through
from tests.factories import TopicFactory, UserFactory
from tests.interviews.drive_files import pdf, sheet_upload, xlsx
from tests.interviews.helpers import A, three_round_position

pytestmark = pytest.mark.django_db

PERIOD = "start=2026-01-01&end=2030-12-31"
ALL_TABLES = "&".join(
    f"table={t}" for t in ("funnel", "status", "vendor", "interviewers", "stages")
)


def _first_then_copies(first: Callable[[], Any], more: Callable[[Any, int], None]):  # noqa: ANN202
    """``add`` for ``grow``: the first row through the real services, the rest copies of it."""
    made: list[Any] = []

    def add(count: int) -> None:
        if not made:
            made.append(first())
            count -= 1
        if count:
            more(made[0], count)

    return add


def _people(name: str, count: int, role: str) -> list[User]:
    """``count`` people named ``name`` with ``role``, in two inserts."""
    people = User.objects.bulk_create(
        [
            UserFactory.build(username=f"u{uuid.uuid4().hex[:12]}", first_name=name)
            for _n in range(count)
        ]
    )
    group = Group.objects.get(name=role)
    through(User.groups, [(person.pk, group.pk) for person in people])
    return people


def _round_copies(
    template: Round, count: int, change: Callable[[int], dict[str, Any]]
) -> list[Round]:
    """Copies of a round with its aspects and assistants; ``change(n)`` names at least the
    copy's interview."""
    rounds = Round.objects.bulk_create(
        copies(template, count, lambda n: {"uid": uuid.uuid4(), **change(n)})
    )
    aspects = list(template.aspects.all())
    RoundAspect.objects.bulk_create(
        [
            c
            for r in rounds
            for a in aspects
            for c in copies(a, 1, lambda _n, r=r: {"round_id": r.pk})
        ]
    )
    helpers = list(template.assistants.values_list("pk", flat=True))
    through(Round.assistants, [(r.pk, person) for r in rounds for person in helpers])
    return rounds


def _rate(round_: Round, by: User, points: int = 3) -> Round:
    return interviews.round_rate(
        round_=round_,
        by=by,
        ratings={a.pk: interviews.Rating(points, "Fine.") for a in round_.aspects.all()},
        feedback="Good.",
        recommendation="yes",
        outcome="selected",
    )


@pytest.fixture
def position(recruiter, ann, lead, bob):  # noqa: ANN001, ANN201
    """Screening (Ann), a technical panel (Lena), a final (Bob)."""
    return three_round_position(recruiter, ann, lead, bob)


@pytest.fixture
def template_session(lead, ann):  # noqa: ANN001, ANN201
    """A real live session led by Lena with Ann on the panel, to copy for other candidates."""
    topic = TopicFactory(name="Copied topic")
    session = live.session_create(
        lead=lead,
        candidate_fields={"full_name": "Session Template", "email": "template@example.com"},
        resume=None,
        topics=[live.TopicChoice(topic=topic, seconds=300)],
        shuffle=False,
        intro_text="Hi",
        closing_text="Bye",
    )
    live.session_join(session=session, user=ann)
    return session


# --- positions and vendors ----------------------------------------------------------------------


def test_positions_and_vendors_pages_and_api(recruiter, manager, ann) -> None:  # noqa: ANN001
    numbers = itertools.count()
    statuses = itertools.cycle(Position.Status.values)

    def add(count: int) -> None:
        ns = list(itertools.islice(numbers, count))
        Position.objects.bulk_create(
            [
                Position(
                    title=f"Listed position {n}",
                    team="Listed team",
                    description="What the job is.",
                    openings=n % 4 + 1,
                    status=next(statuses),
                    created_by=recruiter,
                )
                for n in ns
            ]
        )
        Vendor.objects.bulk_create(
            [
                Vendor(
                    name=f"Listed vendor {n}",
                    contact_name="Listed contact",
                    contact_email=f"agency{n}@example.com",
                    phone="+7 900 000-00-00",
                    terms="10% of the first year",
                    active=bool(n % 2),
                )
                for n in ns
            ]
        )

    rec, mgr, interviewer = signed_in(recruiter), signed_in(manager), signed_in(ann)
    positions, vendors = ("<td>Listed team</td>",), ("<td>Listed contact",)
    grow(
        add,
        {
            "/positions/ (recruiter)": Page(rec, "/positions/", positions),
            "/positions/ (manager)": Page(mgr, "/positions/", positions),
            "/positions/ (interviewer)": Page(interviewer, "/positions/", positions),
            "/vendors/ (recruiter)": Page(rec, "/vendors/", vendors),
            "/vendors/ (manager)": Page(mgr, "/vendors/", vendors),
            "/api/positions/ (recruiter)": Page(rec, "/api/positions/?page_size=200"),
            "/api/positions/ (interviewer)": Page(interviewer, "/api/positions/?page_size=200"),
            "/api/vendors/ (recruiter)": Page(rec, "/api/vendors/?page_size=200"),
            "/api/vendors/ (manager)": Page(mgr, "/api/vendors/?page_size=200"),
        },
    )


# --- candidates: rows with positions, a vendor, tags, sessions and rounds ------------------------


def test_candidate_lists_whose_rows_carry_positions_vendor_tags_and_sessions(
    recruiter,
    manager,
    ann,
    position,
    template_session,  # noqa: ANN001
) -> None:
    """Each candidate comes from a vendor of its own, is on two positions, has tags, a
    session with Ann on the panel and a round of Ann's: every part of a row is a relation."""

    def first() -> Candidate:
        vendor = candidates.vendor_create(fields={"name": "Agency 0"})
        carla = candidates.candidate_create(
            by=recruiter,
            fields={"full_name": "Carla Candidate", "email": "carla@example.com", "phone": "+7"},
            source="vendor",
            vendor=vendor,
            positions=[position, candidates.position_create(by=recruiter, fields={"title": "P0"})],
            tags=["python", "go"],
        )
        interview = interviews.interview_create(candidate=carla, position=position, by=recruiter)
        interviews.round_assign(round_=interview.rounds.get(order=0), by=recruiter, interviewer=ann)
        session_copies(template_session, [carla])
        return carla

    def more(carla: Candidate, count: int) -> None:
        vendors = Vendor.objects.bulk_create(
            copies(carla.vendor, count, lambda n: {"name": f"Agency {uuid.uuid4().hex}"})
        )
        extra = Position.objects.bulk_create(
            copies(position, count, lambda n: {"title": f"Other position {n}"})
        )
        people = Candidate.objects.bulk_create(
            copies(carla, count, lambda n: {"full_name": f"Copy {n}", "vendor_id": vendors[n].pk})
        )
        through(
            Candidate.positions,
            [(c.pk, p) for n, c in enumerate(people) for p in (position.pk, extra[n].pk)],
        )
        interview = carla.interviews.get()
        opened = Interview.objects.bulk_create(
            copies(interview, count, lambda n: {"candidate_id": people[n].pk})
        )
        _round_copies(
            interview.rounds.get(order=0),
            count,
            lambda n: {"interview_id": opened[n].pk, "candidate_id": people[n].pk},
        )
        session_copies(template_session, people)

    rows = ('<tr data-status="',)
    pages = {}
    for who, user in (("recruiter", recruiter), ("manager", manager), ("interviewer", ann)):
        client = signed_in(user)
        pages[f"/api/candidates/ ({who})"] = Page(client, "/api/candidates/?page_size=200")
        pages[f"/candidates/ ({who})"] = Page(client, "/candidates/", rows, shows=50)
    grow(_first_then_copies(first, more), pages)
    row = signed_in(ann).get("/api/candidates/?page_size=1").json()["results"][0]
    assert len(row["positions"]) == 2 and row["tags"] == ["python", "go"] and row["sessions"]


# --- the interview plan ----------------------------------------------------------------------


def test_the_plan_page_and_api(recruiter, ann, bob, lead, position) -> None:  # noqa: ANN001
    """Rounds with aspects, an assistant, a pool, topics and a default interviewer each."""
    topics = [TopicFactory(name=f"Plan topic {n}") for n in range(2)]
    orders = itertools.count(3)

    def add(count: int) -> None:
        rounds = PlanRound.objects.bulk_create(
            [
                PlanRound(
                    position=position,
                    order=next(orders),
                    name=f"Listed round {n}",
                    kind=("one_to_one", "panel")[n % 2],
                    default_interviewer=(ann, lead)[n % 2],
                    instructions="Ask about the last project.",
                )
                for n in range(count)
            ]
        )
        PlanAspect.objects.bulk_create(
            [
                PlanAspect(plan_round=r, order=k, name=f"Aspect {k}")
                for r in rounds
                for k in range(2)
            ]
        )
        through(PlanRound.assistants, [(r.pk, bob.pk) for r in rounds])
        through(PlanRound.pool, [(r.pk, p.pk) for r in rounds for p in (ann, lead)])
        through(PlanRound.topics, [(r.pk, t.pk) for r in rounds for t in topics])

    plan, api = (
        f"/positions/{position.pk}/plan/",
        f"/api/positions/{position.pk}/plan/?page_size=200",
    )
    rows = ('class="card plan-round"',)
    grow(
        add,
        {
            "plan page (recruiter)": Page(signed_in(recruiter), plan, rows),
            "plan page (interviewer)": Page(signed_in(ann), plan, rows),
            "plan API (recruiter)": Page(signed_in(recruiter), api),
            "plan API (interviewer)": Page(signed_in(ann), api),
        },
    )


# --- one candidate's own lists -----------------------------------------------------------------


def test_a_candidates_page_rating_sheet_and_resumes_grow_with_its_own_rows(
    recruiter,
    manager,
    ann,
    bob,
    position,
    template_session,  # noqa: ANN001
) -> None:
    """Carla's card lists her interviews' rounds, her history, her resumes, positions and
    sessions; her rating sheet one sheet per rated round; the API her resume versions. Every
    round is Ann's with Bob assisting, rated: Bob reads them as an assistant."""
    carla = candidates.candidate_create(
        by=recruiter,
        fields={"full_name": "Carla Candidate", "email": "carla@example.com"},
        positions=[position],
    )

    def first() -> Round:
        interview = interviews.interview_create(candidate=carla, position=position, by=recruiter)
        screening = interview.rounds.get(order=0)
        interviews.round_assign(
            round_=screening,
            by=recruiter,
            interviewer=ann,
            assistants=[bob],
            starts_at=timezone.now() - timedelta(days=1),
        )
        _rate(screening, ann)
        candidates.resume_add(
            candidate=carla,
            upload=SimpleUploadedFile("cv.pdf", pdf("first"), content_type="application/pdf"),
            by=recruiter,
        )
        session_copies(template_session, [carla])
        return Round.objects.get(pk=screening.pk)

    def more(rated: Round, count: int) -> None:
        closed = Interview.objects.bulk_create(
            copies(rated.interview, count, lambda n: {"status": Interview.Status.CLOSED})
        )
        rounds = _round_copies(rated, count, lambda n: {"interview_id": closed[n].pk})
        event = carla.events.get(kind="round_rated")
        CandidateEvent.objects.bulk_create(
            copies(event, count, lambda n: {"details": {**event.details, "round": rounds[n].pk}})
        )
        ResumeVersion.objects.bulk_create(
            copies(carla.resume_versions.get(), count, lambda n: {"original_name": f"cv-{n}.pdf"})
        )
        extra = Position.objects.bulk_create(
            copies(position, count, lambda n: {"title": f"Other position {n}"})
        )
        through(Candidate.positions, [(carla.pk, p.pk) for p in extra])
        session_copies(template_session, [carla] * count)

    card, sheet = f"/candidates/{carla.pk}/", f"/candidates/{carla.pk}/ratings/"
    resumes = f"/api/candidates/{carla.pk}/resumes/?page_size=200"
    on_card = ('class="round-row"', 'class="event"', "data-version=")
    # Each reader takes another path through ``access``: every round (recruiter), the
    # sessions' results (manager), the rounds one assists on (Bob). Ann's card and sheet are
    # left out (she is the rounds' interviewer: known without a query, as the recruiter's
    # rights are), as a card of 1,000 rows takes about a second to draw.
    pages = {
        "card (recruiter)": Page(signed_in(recruiter), card, on_card),
        "card (manager)": Page(signed_in(manager), card, on_card),
        "card (assistant)": Page(signed_in(bob), card, on_card),
        "rating sheet (recruiter)": Page(signed_in(recruiter), sheet, ('class="rating-sheet"',)),
        "rating sheet (manager)": Page(signed_in(manager), sheet, ('class="rating-sheet"',)),
        "rating sheet (assistant)": Page(signed_in(bob), sheet, ('class="rating-sheet"',)),
        "resumes API (recruiter)": Page(signed_in(recruiter), resumes),
        "resumes API (interviewer)": Page(signed_in(ann), resumes),
    }
    grow(_first_then_copies(first, more), pages)


# --- an interviewer's rounds and history --------------------------------------------------------


def _ann_and_bobs_rounds(recruiter: Any, ann: Any, bob: Any, position: Any, coming: bool):  # noqa: ANN202
    """``add`` for ``grow``: per candidate a round Ann held with Bob assisting, rated, in the
    last weeks (and, with ``coming``, one to come): the first through the services."""
    now = timezone.now()

    def first() -> list[Round]:
        carla = candidates.candidate_create(
            by=recruiter,
            fields={"full_name": "Carla", "email": "c@example.com"},
            positions=[position],
        )
        interview = interviews.interview_create(candidate=carla, position=position, by=recruiter)
        held = [(interview.rounds.get(order=0), now - timedelta(days=3))]
        if coming:
            held.append((interview.rounds.get(order=2), now + timedelta(days=3)))
        for round_, at in held:
            interviews.round_assign(
                round_=round_, by=recruiter, interviewer=ann, assistants=[bob], starts_at=at
            )
        _rate(held[0][0], ann)
        return [Round.objects.get(pk=round_.pk) for round_, _at in held]

    def more(made: list[Round], count: int) -> None:
        people = Candidate.objects.bulk_create(
            copies(made[0].candidate, count, lambda n: {"full_name": f"Copy {n}"})
        )
        opened = Interview.objects.bulk_create(
            copies(made[0].interview, count, lambda n: {"candidate_id": people[n].pk})
        )
        for template, sign in zip(made, (-1, 1), strict=False):
            _round_copies(
                template,
                count,
                lambda n, t=template, s=sign: {
                    "interview_id": opened[n].pk,
                    "candidate_id": people[n].pk,
                    "starts_at": t.starts_at + s * timedelta(hours=7 * (n + 1)),
                },
            )

    return _first_then_copies(first, more)


def test_an_interviewers_rounds(ann, bob, recruiter, position) -> None:  # noqa: ANN001
    """/rounds/: the rounds to come (200) and the last 50 done, for the interviewer and the
    assistant on them."""
    rows = ('class="round-row"',)
    grow(
        _ann_and_bobs_rounds(recruiter, ann, bob, position, coming=True),
        {
            "/rounds/ (interviewer)": Page(signed_in(ann), "/rounds/", rows),
            "/rounds/ (assistant)": Page(signed_in(bob), "/rounds/", rows),
        },
    )


def test_an_interviewers_history(recruiter, ann, bob, position) -> None:  # noqa: ANN001
    """/people/{id}/rounds/: every round the person is on, a page at a time, and the load per
    week (per candidate a rated round and one to come: 400 rounds), read by the person and by
    those who keep people. The first page holds the rounds to come (with their status), the
    fifth the rated ones (with their sheets); a full page either way."""
    from interviews.selectors import HISTORY_PER_PAGE

    entry, sheet = ('class="history-entry"',), ('class="rating-sheet"',)
    first, rated = "/people/{}/rounds/", "/people/{}/rounds/?page=5"  # 200 to come: pages 1-4
    full = HISTORY_PER_PAGE
    grow(
        _ann_and_bobs_rounds(recruiter, ann, bob, position, coming=True),
        {
            "history (interviewer's own)": Page(signed_in(ann), first.format(ann.pk), entry, full),
            "history (assistant's own)": Page(signed_in(bob), first.format(bob.pk), entry, full),
            "history (recruiter)": Page(signed_in(recruiter), first.format(ann.pk), entry, full),
            "history, rated (interviewer's own)": Page(
                signed_in(ann), rated.format(ann.pk), sheet, full
            ),
            "history, rated (recruiter)": Page(
                signed_in(recruiter), rated.format(ann.pk), sheet, full
            ),
        },
    )


# --- the reports' CSV ------------------------------------------------------------------------


def test_the_reports_csv_with_every_table(recruiter, manager) -> None:  # noqa: ANN001
    """Each candidate on a position of its own, from a vendor of its own, interviewed by an
    interviewer of their own: every table of the CSV (funnel and status per position, per
    vendor, per interviewer, the stages) grows a row per candidate."""

    def first() -> Round:
        ann = UserFactory(
            username="ann", first_name="Listed", last_name="person 0", roles=["interviewer"]
        )
        listed = candidates.position_create(by=recruiter, fields={"title": "Listed position 0"})
        interviews.plan_round_create(
            position=listed,
            fields={"name": "Talk", "kind": "one_to_one", "default_interviewer": ann},
            aspects=[A("Depth", 5)],
        )
        carla = candidates.candidate_create(
            by=recruiter,
            fields={"full_name": "Carla", "email": "c@example.com"},
            source="vendor",
            vendor=candidates.vendor_create(fields={"name": "Listed vendor 0"}),
            positions=[listed],
        )
        round_ = interviews.interview_create(
            candidate=carla, position=listed, by=recruiter
        ).rounds.get()
        interviews.round_assign(
            round_=round_,
            by=recruiter,
            interviewer=ann,
            starts_at=datetime(2027, 1, 4, 9, tzinfo=UTC),
        )
        return _rate(round_, ann)

    def more(rated: Round, count: int) -> None:
        carla = rated.candidate
        listed = Position.objects.bulk_create(
            copies(
                rated.position, count, lambda n: {"title": f"Listed position {uuid.uuid4().hex}"}
            )
        )
        vendors = Vendor.objects.bulk_create(
            copies(carla.vendor, count, lambda n: {"name": f"Listed vendor {uuid.uuid4().hex}"})
        )
        interviewers = _people("Listed person", count, "interviewer")
        people = Candidate.objects.bulk_create(
            copies(carla, count, lambda n: {"vendor_id": vendors[n].pk})
        )
        through(Candidate.positions, [(c.pk, listed[n].pk) for n, c in enumerate(people)])
        events = list(carla.events.all())
        CandidateEvent.objects.bulk_create(
            [
                c
                for p in people
                for e in events
                for c in copies(e, 1, lambda _n, p=p: {"candidate_id": p.pk})
            ]
        )
        opened = Interview.objects.bulk_create(
            copies(
                rated.interview,
                count,
                lambda n: {"candidate_id": people[n].pk, "position_id": listed[n].pk},
            )
        )
        _round_copies(
            rated,
            count,
            lambda n: {
                "interview_id": opened[n].pk,
                "candidate_id": people[n].pk,
                "position_id": listed[n].pk,
                "interviewer_id": interviewers[n].pk,
                "rated_by_id": interviewers[n].pk,
            },
        )

    url = f"/reports/export.csv?{PERIOD}&{ALL_TABLES}"
    rows = ("Listed position", "Listed vendor", "Listed person")
    grow(
        _first_then_copies(first, more),
        {
            "CSV (recruiter)": Page(signed_in(recruiter), url, rows),
            "CSV (manager)": Page(signed_in(manager), url, rows),
        },
    )


# --- notices, people, drives, search at 200 ------------------------------------------------------


def test_notices_and_people(recruiter, ann) -> None:  # noqa: ANN001
    """Ann's notices (a page of 25 of them) and the people a recruiter keeps (each with
    roles)."""
    from notify import services as notify

    def first() -> Notice:
        notify.notice_send(user=ann, kind="round_assigned", title="Round 1", link="/rounds/1/")
        return Notice.objects.get(recipient=ann)

    def more(notice: Notice, count: int) -> None:
        Notice.objects.bulk_create(copies(notice, count, lambda n: {"title": f"Round {n + 2}"}))
        _people("Person", count, ("interviewer", "manager", "recruiter")[count % 3])

    grow(
        _first_then_copies(first, more),
        {
            "/notices/": Page(signed_in(ann), "/notices/", ("data-notice=",), shows=25),
            "/people/": Page(signed_in(recruiter), "/people/", ("<tr data-person=",)),
        },
    )


@pytest.mark.parametrize("state", ["draft", "done"])
def test_a_drives_page(recruiter, position, state) -> None:  # noqa: ANN001
    """A draft's report (every row from a vendor, each naming a resume not uploaded: a
    problem per row) or an imported drive's candidates with their rounds. The drive and its
    first row are real; a draft grows by a longer file, an imported drive by copies of its
    candidate, their history line naming the drive, their interview and rounds."""
    vendor = candidates.vendor_create(fields={"name": "Talent Bridge"})

    def sheet(count: int) -> Any:
        resume = "cv-{}.pdf" if state == "draft" else ""
        rows = [
            [f"Person {n}", f"person{n}@example.com", "", "vendor", vendor.name, "drive",
             resume.format(n)]
            for n in range(count)
        ]  # fmt: skip
        return sheet_upload(xlsx(rows))

    drive = drives.drive_start(position=position, by=recruiter, sheet=sheet(1))
    if state == "done":
        drive = drives.drive_import(drive=drive, by=recruiter)

    def draft_rows(drive: Any, count: int) -> None:
        drives.drive_replace_sheet(drive=drive, by=recruiter, sheet=sheet(1 + count))

    def imported_rows(drive: Any, count: int) -> None:
        created = CandidateEvent.objects.get(kind="created", details__drive=drive.pk)
        carla = created.candidate
        people = Candidate.objects.bulk_create(
            copies(carla, count, lambda n: {"full_name": f"Copy {n}", "email": f"c{n}@example.com"})
        )
        CandidateEvent.objects.bulk_create(
            copies(created, count, lambda n: {"candidate_id": people[n].pk})
        )
        interview = carla.interviews.get()
        opened = Interview.objects.bulk_create(
            copies(interview, count, lambda n: {"candidate_id": people[n].pk})
        )
        for template in interview.rounds.all():
            _round_copies(
                template,
                count,
                lambda n: {"interview_id": opened[n].pk, "candidate_id": people[n].pk},
            )

    more = draft_rows if state == "draft" else imported_rows
    rows = ('class="bad-row"',) if state == "draft" else ('class="drive-rounds"',)
    grow(
        _first_then_copies(lambda: drive, more),
        {f"drive page ({state})": Page(signed_in(recruiter), f"/drives/{drive.pk}/", rows)},
    )


def test_search_finds_200_of_every_pipeline_kind(
    recruiter, ann, position, template_session
) -> None:  # noqa: ANN001
    """Candidates, positions, vendors and people named Zeta; a recruiter sees every kind, an
    interviewer the candidates of their sessions, positions and people."""

    def first() -> Candidate:
        candidates.position_create(by=recruiter, fields={"title": "Zeta analyst", "team": "Zeta"})
        candidates.vendor_create(fields={"name": "Zeta staffing"})
        UserFactory(username="zeta", first_name="Zeta", roles=["interviewer"])
        zeta = candidates.candidate_create(
            by=recruiter, fields={"full_name": "Zeta Candidate", "email": "z@example.com"}
        )
        session_copies(template_session, [zeta])
        return zeta

    def more(zeta: Candidate, count: int) -> None:
        Position.objects.bulk_create(
            [Position(title=f"Zeta analyst {n}", team="Zeta") for n in range(count)]
        )
        Vendor.objects.bulk_create(
            [Vendor(name=f"Zeta staffing {uuid.uuid4().hex}") for _n in range(count)]
        )
        _people("Zeta", count, "interviewer")
        people = Candidate.objects.bulk_create(
            copies(zeta, count, lambda n: {"full_name": f"Zeta Copy {n}"})
        )
        session_copies(template_session, people)

    hits = ("<li><a href=",)
    grow(
        _first_then_copies(first, more),
        {
            "search (recruiter)": Page(signed_in(recruiter), "/search/?q=zeta", hits, shows=40),
            "search (interviewer)": Page(signed_in(ann), "/search/?q=zeta", hits, shows=20),
        },
    )
