"""Guessing codes is slow: wrong codes are counted per candidate account and per client
address in the shared cache (Redis); past either limit every try is 429 with Retry-After —
even the right code — until the window ends. Adding one's own interview again is no guess.
Sign-ups are limited per address too."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from tests.video_interviews import helpers
from video_interviews.models import Invitation

pytestmark = pytest.mark.django_db

# A window starts at a multiple of its length: 09:00:00 is one (900 s windows).
BASE = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def limits(settings):  # noqa: ANN001, ANN201
    settings.VIDEO_CODE_MISSES_PER_ACCOUNT = 3
    settings.VIDEO_CODE_MISSES_PER_ADDRESS = 5
    settings.VIDEO_CODE_WINDOW_SECONDS = 900
    settings.VIDEO_SIGNUPS_PER_HOUR = 2


_days = itertools.count()


@dataclass
class Clock:
    start: datetime  # 09:00 of the test's own day; the test runs from 09:05
    traveller: time_machine.Coordinates


@pytest.fixture
def clock():  # noqa: ANN201
    """Each test on a day of its own, so no two share a window's counts (the cache is the
    machine's Redis, never flushed: other runs use it too)."""
    start = BASE + timedelta(days=next(_days))
    with time_machine.travel(start + timedelta(minutes=5), tick=False) as traveller:
        yield Clock(start, traveller)


def wrong_code(right: str) -> str:
    return "000001" if right != "000001" else "000002"


def test_past_the_accounts_limit_even_the_right_code_is_429_until_the_window_ends(
    rita, clock
) -> None:  # noqa: ANN001
    interview = helpers.interview(
        rita, ("anna@example.com",), deadline=clock.start + timedelta(days=7)
    )
    code = helpers.invitation(interview).code
    client = helpers.signed_in(helpers.candidate("anna@example.com"))
    for _ in range(3):
        assert (
            client.post("/candidate/interviews/add/", {"code": wrong_code(code)}).status_code == 400
        )
    blocked = client.post("/candidate/interviews/add/", {"code": code})
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "600"  # 09:05 → the window ends at 09:15
    assert "Too many wrong codes. Wait 10 minutes" in blocked.content.decode()
    assert Invitation.objects.get(code=code).status == "pending"
    clock.traveller.move_to(clock.start + timedelta(minutes=15))
    assert client.post("/candidate/interviews/add/", {"code": code}).status_code == 302


def test_many_accounts_from_one_address_share_its_limit(rita, clock) -> None:  # noqa: ANN001
    interview = helpers.interview(
        rita, ("anna@example.com",), deadline=clock.start + timedelta(days=7)
    )
    code = helpers.invitation(interview).code
    for n in range(5):  # two wrong codes each, from the same address
        client = helpers.signed_in(helpers.candidate(f"guess{n}@example.com"))
        statuses = [
            client.post("/candidate/interviews/add/", {"code": wrong_code(code)}).status_code
            for _ in range(2)
        ]
        if n < 2:
            assert statuses == [400, 400]
    assert statuses == [429, 429]
    # Another address is not held back by this one.
    elsewhere = helpers.signed_in(helpers.candidate("anna@example.com"))
    added = elsewhere.post("/candidate/interviews/add/", {"code": code}, REMOTE_ADDR="10.0.0.9")
    assert added.status_code == 302


def test_adding_ones_own_interview_again_is_not_a_guess(rita, clock) -> None:  # noqa: ANN001
    interview = helpers.interview(
        rita, ("anna@example.com",), deadline=clock.start + timedelta(days=7)
    )
    code = helpers.invitation(interview).code
    client = helpers.signed_in(helpers.candidate("anna@example.com"))
    assert client.post("/candidate/interviews/add/", {"code": code}).status_code == 302
    for _ in range(6):
        again = client.post("/candidate/interviews/add/", {"code": code})
        assert again.status_code == 400 and "on your dashboard already" in again.content.decode()


def test_a_code_in_the_signup_link_counts_as_a_try(clock) -> None:  # noqa: ANN001
    client = Client()
    fields = {"password1": helpers.PASSWORD, "password2": helpers.PASSWORD, "code": "000009"}
    assert client.post("/signup", {"email": "a@example.com", **fields}).status_code == 302
    from video_interviews import guessing

    account, address = guessing.code_counters(user_id=client.session["_auth_user_id"],
                                              address="127.0.0.1")  # fmt: skip
    now = (clock.start + timedelta(minutes=5)).timestamp()
    assert cache.get(account._key(now)) == 1 and cache.get(address._key(now)) == 1


def test_sign_ups_are_limited_per_address(clock) -> None:  # noqa: ANN001
    fields = {"password1": helpers.PASSWORD, "password2": helpers.PASSWORD}
    for n in range(2):
        assert Client().post("/signup", {"email": f"c{n}@example.com", **fields}).status_code == 302
    refused = Client().post("/signup", {"email": "c9@example.com", **fields})
    assert refused.status_code == 429 and int(refused["Retry-After"]) == 3300
    assert "Too many sign-ups from here" in refused.content.decode()
