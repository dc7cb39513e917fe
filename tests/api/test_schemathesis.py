"""Schemathesis against /api/schema/: generated requests (valid and invalid) to every operation,
as a superuser with a token, through the WSGI app, inside the test's transaction.

Checked on every response: no server error; the status code is one the schema documents; the
content type and the body match the schema (errors included: they are documented)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, Phase
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from interviews.models import RoundAspect
from questionbank.models import Topic

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Examples per operation and generation mode: the pipeline doubled the operations and the
# video interviews added a third more, so each gets fewer (the run was the suite's longest
# test at 8); every operation still has a successful request and the negative cases.
EXAMPLES_PER_OPERATION = 6
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@contextmanager
def app_in_this_transaction() -> Iterator[None]:
    """The WSGI app runs in this thread on the test's connection; Django's per-request
    connection clean-up would close it mid-transaction, so it is paused (as the test client
    does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def pipeline(world, admin_user):  # noqa: ANN001, ANN201
    """A position with a plan (a one-to-one round and a panel round, both the test user's,
    and a spare round to delete), and candidates on it: one with no interview yet (to
    create one), and one interview each for the round operations that change a round for
    good (assign, cancel, rate, start the session), so none takes another's row away."""
    from candidates import services as candidates
    from interviews import services as interviews

    # Random ids are small numbers: far from these rows' ids, a random cancel or delete cannot
    # take a real row from the operation that has it (the first ids would be 1, 2, 3, …).
    with connection.cursor() as cursor:
        for table in ("interviews_planround", "interviews_round", "interviews_interview"):
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, 7**19])
    position = candidates.position_create(by=admin_user, fields={"title": "Schemathesis plan"})
    aspects = [interviews.AspectSpec("Depth", 5), interviews.AspectSpec("Breadth", 5)]
    first = interviews.plan_round_create(
        position=position,
        fields={"name": "One", "kind": "one_to_one", "default_interviewer": admin_user},
        aspects=aspects,
    )
    interviews.plan_round_create(
        position=position,
        fields={"name": "Panel", "kind": "panel", "default_interviewer": admin_user},
        topics=list(Topic.objects.filter(pk=world["topic"])),
    )
    spare = interviews.plan_round_create(position=position, fields={"name": "Spare"})
    rows = {"plan_position": position.pk, "plan_round": first.pk, "spare_round": spare.pk}
    for use in ("new", "assign", "cancel", "rating", "session"):
        candidate = candidates.candidate_create(
            by=admin_user,
            fields={"full_name": f"Pipeline {use}", "email": f"{use}@example.com"},
            positions=[position],
        )
        rows[f"candidate_{use}"] = candidate.pk
        if use != "new":
            interview = interviews.interview_create(
                candidate=candidate, position=position, by=admin_user
            )
            rows["interview"] = interview.pk
            rounds = list(interview.rounds.order_by("order"))
            rows[f"round_{use}"] = (rounds[1] if use == "session" else rounds[0]).pk
    rows["aspects"] = list(
        RoundAspect.objects.filter(round_id=rows["round_rating"]).values_list(
            "pk", "expected_points"
        )
    )
    rows["interviewer"] = admin_user.pk
    rows["assistant"] = world["people"]["member"].pk
    rows.update(_availability_rows(admin_user))
    rows.update(_video_rows(admin_user))
    rows["round_invite"] = _one_way_round(admin_user)
    from scheduling import booking

    rows["run"] = booking.scheduler_run(by=admin_user, preview=True).pk  # a run to read
    return rows


def _availability_rows(admin_user):  # noqa: ANN001, ANN202
    """The test user's slots (one to read and change, one to delete) and a day off, far
    from any random id; the availability operations point at these."""
    from datetime import timedelta

    from django.utils import timezone

    from scheduling import services as scheduling

    with connection.cursor() as cursor:
        for table in ("scheduling_slot", "scheduling_dayexception"):
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, 7**19])
    soon = timezone.now().replace(microsecond=0) + timedelta(days=2)
    kept = scheduling.slot_add(
        by=admin_user,
        user=admin_user,
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
        zone="UTC",
    )
    spare = scheduling.slot_add(
        by=admin_user, user=admin_user, starts_at=soon + timedelta(days=1),
        ends_at=soon + timedelta(days=1, hours=1), zone="UTC",
    )  # fmt: skip
    off = scheduling.exception_add(
        by=admin_user, user=admin_user, day=(soon + timedelta(days=5)).date(), zone="UTC"
    )
    return {"slot": kept.pk, "spare_slot": spare.pk, "day_off": off.pk, "soon": soon}


def _availability_bodies(pipeline, case) -> None:  # noqa: ANN001
    """Valid availability bodies at real, near times (random ones are almost always in the
    past, too long or reversed), so the writes succeed too, not only their refusals."""
    from datetime import timedelta

    body, path, method = case.body, case.operation.path, case.operation.method.upper()
    soon = pipeline["soon"]
    if not path.startswith("/api/availability/"):
        return
    if path == "/api/availability/slots/" and method == "POST":
        body.update(starts_at=(soon + timedelta(days=3)).isoformat(),
                    ends_at=(soon + timedelta(days=3, hours=1)).isoformat(), zone="UTC")  # fmt: skip
        if isinstance(case.query, dict):
            case.query.pop("candidate", None)
    if path == "/api/availability/slots/{id}/" and method == "PATCH":
        body.update(starts_at=soon.isoformat(), ends_at=(soon + timedelta(hours=3)).isoformat())
        body["zone"] = "UTC"
    if path == "/api/availability/weekly-hours/":
        body["hours"] = [{"weekday": 0, "starts": "09:00", "ends": "17:00"}]
        body["zone"] = "UTC"
        body["confirm"] = True
    if path == "/api/availability/exceptions/":
        body.update(day=(soon + timedelta(days=9)).date().isoformat(), zone="UTC")
        body.pop("starts", None), body.pop("ends", None)
    if path == "/api/availability/capacity/":
        body.update(per_day=2, per_week=8)


def _video_rows(admin_user):  # noqa: ANN001, ANN202
    """A one-way interview with two invitations (one for each action that changes one) and a
    question set, far from any random id."""
    from tests.video_interviews.helpers import interview

    with connection.cursor() as cursor:
        for table in ("video_interviews_videointerview", "video_interviews_invitation",
                      "video_interviews_questionsettemplate", "video_interviews_answer"):  # fmt: skip
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, 7**19])
    video = interview(admin_user, ("revoke@example.com", "resend@example.com"))
    from video_interviews import rules, services

    template = services.template_save(by=admin_user, name="Schemathesis set",
                                      questions=[rules.QuestionSpec("Q?")])  # fmt: skip
    invitations = {i.email.split("@")[0]: i.pk for i in video.invitations.all()}
    from tests.video_interviews.review_helpers import scene

    reviewed = scene(admin_user, email="reviewed@example.com")  # answers ready to review
    return {"video": video.pk, "video_set": template.pk,
            "video_revoke": invitations["revoke"], "video_resend": invitations["resend"],
            "video_review": reviewed.invitation.pk, "video_answer": reviewed.answers[0].pk}  # fmt: skip


def _one_way_round(admin_user):  # noqa: ANN001, ANN202
    """A candidate's one-way round not reached yet (a one-to-one round comes first), so its
    invitation may be sent by hand; its video interview's id far from any random one."""
    from candidates import services as candidates
    from interviews import services as interviews
    from tests.video_interviews.helpers import interview

    video = interview(admin_user, (), title="Schemathesis one-way")
    position = candidates.position_create(by=admin_user, fields={"title": "Schemathesis video"})
    interviews.plan_round_create(
        position=position,
        fields={"name": "Talk", "kind": "one_to_one", "default_interviewer": admin_user},
    )
    interviews.plan_round_create(
        position=position, fields={"name": "Video", "kind": "one_way", "video_interview": video}
    )
    candidate = candidates.candidate_create(
        by=admin_user,
        fields={"full_name": "Pipeline invite", "email": "invite@example.com"},
        positions=[position],
    )
    made = interviews.interview_create(candidate=candidate, position=position, by=admin_user)
    return made.rounds.get(order=1).pk


def _video_bodies(case) -> None:  # noqa: ANN001
    """A deadline ahead, real addresses and no random bank or position ids, so creating an
    interview and inviting succeed too, not only their refusals."""
    from datetime import timedelta

    from django.utils import timezone

    body, path = case.body, case.operation.path
    if not path.startswith("/api/video-"):
        return
    if "deadline" in body:
        body["deadline"] = (timezone.now() + timedelta(days=3)).isoformat()
    if isinstance(body.get("emails"), list):
        body["emails"] = [f"s{n}@example.com" for n in range(min(2, len(body["emails"])))]
    body.pop("position", None)
    for question in body.get("questions") or []:
        if isinstance(question, dict):
            question.pop("bank_question", None)
    if "language" in body:
        body["language"] = "en"
    if "status" in body and path == "/api/video-interviews/{id}/":
        # The run's one interview stays open, so inviting, reminding and resending it succeed
        # too whatever order the operations come in (their refusals are exercised all the same).
        body["status"] = "active"


def _pipeline_rows(pipeline, world, topic_ids, case) -> None:  # noqa: ANN001
    """Point a valid body of the pipeline's operations at real rows (people who interview,
    the bank's topics, the round's own aspects), so they succeed, not only their refusals."""
    body, path = case.body, case.operation.path
    for name in ("interviewer", "default_interviewer"):
        if isinstance(body.get(name), int):
            body[name] = pipeline["interviewer"]
    if isinstance(body.get("assistants"), list):
        body["assistants"] = [pipeline["assistant"]] * min(1, len(body["assistants"]))
    if path.startswith(("/api/positions/{id}/plan/", "/api/plan-rounds/")):
        if isinstance(body.get("topics"), list):
            body["topics"] = [topic_ids[n % len(topic_ids)] for n in range(len(body["topics"]))]
    if path == "/api/rounds/{id}/rating/" and isinstance(body.get("ratings"), list):
        given = [r for r in body["ratings"] if isinstance(r, dict)] or [{}]
        body["ratings"] = [
            {**given[n % len(given)], "aspect_id": pk, "points": n % (expected + 1)}
            for n, (pk, expected) in enumerate(pipeline["aspects"])
        ]
    if path == "/api/interviews/":
        body["candidate_id"] = pipeline["candidate_new"]
        body["position_id"] = pipeline["plan_position"]
    if path == "/api/candidates/":
        body["vendor"] = world["vendor"] if body.get("source") == "vendor" else None
        if isinstance(body.get("positions"), list):
            body["positions"] = [pipeline["plan_position"]] * min(1, len(body["positions"]))


def test_schemathesis_finds_no_server_error_and_no_response_breaking_the_schema(
    world,
    pipeline,
    admin_user,  # noqa: ANN001
    settings,  # noqa: ANN001
) -> None:
    settings.API_RATE_USER = "100000/minute"  # thousands of calls in a minute, all to be served
    headers = {"Authorization": f"Token {Token.objects.create(user=admin_user).key}"}
    started = time.monotonic()
    calls = 0
    statuses: dict[str, set[int]] = defaultdict(set)
    with app_in_this_transaction():
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/", get_wsgi_application(), headers=headers
        )
        operations = [result.ok() for result in schema.get_all_operations()]
        # Reads before writes, so the reads see the world before deletes and retirements.
        operations.sort(key=lambda op: (op.method.upper() != "GET", op.method, op.path))

        def real_row(operation):  # noqa: ANN001, ANN202
            if "{code}" in operation.path:
                return {"code": world["code"]}
            method, kind = operation.method.upper(), operation.path.split("/")[2]
            if kind == "questions":  # a used one (to retire, and to refuse changes) or not
                return {"id": world["unused" if method == "DELETE" else "used"]}
            if kind == "topics":
                return {"id": world["empty_topic" if method == "DELETE" else "topic"]}
            if operation.path == "/api/positions/{id}/plan/":
                return {"id": pipeline["plan_position"]}
            if kind == "plan-rounds":
                return {"id": pipeline["spare_round" if method == "DELETE" else "plan_round"]}
            if kind == "interviews":
                return {"id": pipeline["interview"]}
            if kind == "availability":
                if "/exceptions/" in operation.path:
                    return {"id": pipeline["day_off"]}
                return {"id": pipeline["spare_slot" if method == "DELETE" else "slot"]}
            if kind == "scheduling":
                return {"id": pipeline["run"]}
            if operation.path.startswith("/api/video-interviews/answers/"):
                return {"id": pipeline["video_answer"]}
            if operation.path.startswith("/api/video-interviews/invitations/"):
                return {"id": pipeline["video_review"]}
            if kind.startswith("video-"):
                action = operation.path.rstrip("/").split("/")[-1]
                return {"id": pipeline[{
                    "video-interviews": "video", "video-question-sets": "video_set",
                    "video-invitations": "video_resend" if action == "resend" else "video_revoke",
                }[kind]]}  # fmt: skip
            if kind == "rounds":  # each action its own round; reads the one to rate
                action = operation.path.rstrip("/").split("/")[-1]
                return {"id": pipeline[f"round_{action if action != '{id}' else 'rating'}"]}
            return {
                "id": world[
                    {
                        "candidates": "candidate",
                        "decisions": "decision",
                        "positions": "position",
                        "vendors": "vendor",
                        "users": "user",
                    }[kind]
                ]
            }

        topic_ids = list(Topic.objects.order_by("id").values_list("id", flat=True))

        def with_real_rows(case):  # noqa: ANN001, ANN202
            """Random ids almost never exist: point valid bodies at real rows, so creating
            questions, sessions and decisions succeeds too, not only its refusals."""
            body = case.body
            if case.operation.path == "/api/availability/free-time/":
                case.query = {
                    "from": pipeline["soon"].isoformat(),
                    "to": (pipeline["soon"] + timedelta(days=7)).isoformat(),
                }
            if case.operation.path == "/api/availability/slots/" and isinstance(case.query, dict):
                case.query.pop("candidate", None)  # a random id is no candidate: 404 every time
            if case.operation.path == "/api/candidates/{id}/resume/" and isinstance(body, dict):
                body["file"] = PDF  # random bytes are never a PDF: upload a real one
            if not isinstance(body, dict):
                return case
            if isinstance(body.get("topic"), int):
                body["topic"] = topic_ids[body["topic"] % len(topic_ids)]
            if isinstance(body.get("topics"), list):
                for index, item in enumerate(body["topics"]):
                    if isinstance(item, dict):
                        item["topic"] = topic_ids[index % len(topic_ids)]
            if case.operation.path == "/api/sessions/" and "candidate_id" in body:
                body["candidate_id"] = world["candidate"]
            _pipeline_rows(pipeline, world, topic_ids, case)
            _availability_bodies(pipeline, case)
            _video_bodies(case)
            if case.operation.path == "/api/decisions/":
                body["session"] = world["ready"]
                body.pop("candidate", None)  # a session or a candidate, not both
                if isinstance(body.get("team"), int):
                    body["team"] = world["team"]
                if isinstance(body.get("reasons"), list):
                    body["reasons"] = [world["reason"]] * min(1, len(body["reasons"]))
            return case

        def nothing_to_break(operation, path_parameters) -> bool:  # noqa: ANN001
            """No body, and every parameter is either a path one given here or an optional
            header or cookie that takes any string (the token and the session cookie): a
            negative case would have nothing to negate, so Schemathesis would reject every
            one it draws (459 of them before Hypothesis gives up: a third of this test)."""
            given = set(path_parameters or ())

            def unbreakable(parameter) -> bool:  # noqa: ANN001
                if parameter.location == "path":
                    return parameter.name in given
                return (
                    parameter.location in ("header", "cookie")
                    and not parameter.is_required
                    and parameter.definition.get("schema") == {"type": "string"}
                )

            return not operation.body and all(map(unbreakable, operation.iter_parameters()))

        for operation in operations:
            fixed = [None]  # a real row first (before a random id hits it), then random ones
            if "{id}" in operation.path or "{code}" in operation.path:
                fixed.insert(0, real_row(operation))
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for path_parameters in fixed:
                    if mode is GenerationMode.NEGATIVE and nothing_to_break(
                        operation, path_parameters
                    ):
                        continue  # no invalid request exists
                    strategy = operation.as_strategy(
                        generation_mode=mode, path_parameters=path_parameters
                    )
                    if mode is GenerationMode.POSITIVE:
                        strategy = strategy.map(with_real_rows)

                    @hypothesis.settings(
                        max_examples=EXAMPLES_PER_OPERATION,
                        deadline=None,
                        database=None,
                        derandomize=True,
                        phases=[Phase.explicit, Phase.generate],
                        suppress_health_check=list(HealthCheck),
                    )
                    @hypothesis.given(case=strategy)
                    def run(case) -> None:  # noqa: ANN001
                        nonlocal calls
                        calls += 1
                        response = case.call_and_validate(headers=headers, checks=CHECKS)
                        statuses[case.operation.label].add(response.status_code)

                    try:
                        run()
                    except hypothesis.errors.Unsatisfiable:
                        # A fixed path and nothing else to break, or an operation that takes
                        # nothing at all (a GET of one's own settings): no invalid request exists.
                        takes_nothing = not [
                            p
                            for p in operation.iter_parameters()
                            if p.location in ("path", "query")
                        ] and not list(operation.get_bodies_for_media_type("application/json"))
                        assert mode is GenerationMode.NEGATIVE and (
                            path_parameters or takes_nothing
                        )
    elapsed = time.monotonic() - started
    print(f"schemathesis: {len(operations)} operations, {calls} calls in {elapsed:.1f} s")
    for label, seen in sorted(statuses.items()):
        print(f"  {label}: {sorted(seen)}")
    assert len(operations) >= 24
    unexercised = [label for label, seen in statuses.items() if not any(c < 300 for c in seen)]
    assert not unexercised, f"no request succeeded on {unexercised}"
    # No timed assertion here: the suite's time is watched by `make test`'s own total, and
    # speed targets live in `make bench`.
