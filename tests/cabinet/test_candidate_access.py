"""Only managers decide on a candidate with no session (``access.can_decide``); the read-only
summary HR's messages link to is for managers, recruiters and those on the candidate's rounds
(``access.can_view_candidate_decision``), with the points only where they may see them."""

from __future__ import annotations

import pytest
from django.test import Client

from cabinet import services
from cabinet.models import Decision
from candidates.models import Candidate
from notify.models import Outbox
from tests.cabinet.helpers import selected_by_rounds

pytestmark = pytest.mark.django_db


@pytest.fixture
def nora(recruiter, ann):  # noqa: ANN001, ANN201
    return selected_by_rounds(recruiter, ann, hr_email="hr@example.com")


def _actions(candidate: Candidate, platform) -> list[tuple[str, str, dict | None]]:  # noqa: ANN001
    return [
        ("get", f"/cabinet/candidates/{candidate.pk}/decide/", None),
        (
            "post",
            f"/cabinet/candidates/{candidate.pk}/decide/",
            {"outcome": "hire", "team": platform.pk},
        ),
        ("post", f"/cabinet/candidates/{candidate.pk}/reopen/", {"note": "no"}),
    ]


@pytest.mark.parametrize("who", ["ann", "recruiter", "outsider", "editor"])
def test_nobody_but_a_manager_decides_on_a_candidate(request, who, nora, platform) -> None:  # noqa: ANN001
    """Ann rated both rounds herself (an interviewer), Rita keeps the candidates (a recruiter):
    neither decides, nor does anyone else who is not a manager."""
    client = Client()
    client.force_login(request.getfixturevalue(who))
    for method, url, data in _actions(nora, platform):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (who, url, response.status_code)
    assert not Decision.objects.exists() and not Outbox.objects.exists()
    assert Candidate.objects.get(pk=nora.pk).status == "selected"
    with pytest.raises(services.DecisionRefused) as refused:
        services.decision_make(
            candidate=nora, manager=request.getfixturevalue(who), outcome="hire", team=platform
        )
    assert refused.value.code == "forbidden"


def test_anonymous_people_are_sent_to_log_in(nora, platform) -> None:  # noqa: ANN001
    client = Client()
    for method, url, data in [
        *_actions(nora, platform),
        ("get", f"/decisions/candidates/{nora.pk}/", None),
    ]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    assert not Decision.objects.exists()


def test_a_manager_decides_and_an_unknown_candidate_is_404(
    client: Client, manager, nora, platform
) -> None:  # noqa: ANN001
    client.force_login(manager)
    assert client.get(f"/cabinet/candidates/{nora.pk}/decide/").status_code == 200
    assert client.get("/cabinet/candidates/999999/decide/").status_code == 404
    assert client.post("/cabinet/candidates/999999/reopen/").status_code == 404
    assert client.get("/decisions/candidates/999999/").status_code == 404
    # Other methods than the page's are refused, and change nothing.
    assert client.put(f"/cabinet/candidates/{nora.pk}/decide/").status_code == 405
    assert client.get(f"/cabinet/candidates/{nora.pk}/reopen/").status_code == 405


def test_the_summary_for_hr_is_read_by_recruiters_and_the_rounds_interviewer_only(
    manager, recruiter, ann, outsider, nora, platform
) -> None:  # noqa: ANN001
    services.decision_make(candidate=nora, manager=manager, outcome="hire", team=platform)
    url = f"/decisions/candidates/{nora.pk}/"
    for person in (manager, recruiter, ann):
        client = Client()
        client.force_login(person)
        page = client.get(url)
        assert page.status_code == 200, person.username
        text = page.content.decode()
        assert "hire" in text and "Platform" in text and "7 / 10" in text
        # The cabinet's link only for whoever may decide.
        assert (f"/cabinet/candidates/{nora.pk}/decide/" in text) is (person == manager)
    client = Client()
    client.force_login(outsider)  # an interviewer on none of Nora's rounds or sessions
    assert client.get(url).status_code == 403
