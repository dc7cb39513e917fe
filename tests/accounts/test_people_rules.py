"""Who may create people, grant which role, and deactivate whom (``access.people``), asked by
the pages and the API alike."""

from __future__ import annotations

import pytest

import access
from accounts.roles import INTERVIEWER, MANAGER, QUESTION_EDITOR, RECRUITER
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL = {INTERVIEWER, MANAGER, QUESTION_EDITOR, RECRUITER}


@pytest.fixture
def people(roles):  # noqa: ANN001, ANN201
    return {
        "recruiter": UserFactory(username="rita", roles=[RECRUITER]),
        "head": UserFactory(username="hank", roles=[RECRUITER, MANAGER]),
        "admin": UserFactory(username="root", is_superuser=True, is_staff=True),
        "manager": UserFactory(username="maria", roles=[MANAGER]),
        "interviewer": UserFactory(username="ivan", roles=[INTERVIEWER]),
        "editor": UserFactory(username="quentin", roles=[QUESTION_EDITOR], is_staff=True),
        "nobody": UserFactory(username="nora"),
    }


def test_only_those_holding_the_recruiters_permission_keep_people(people) -> None:  # noqa: ANN001
    keeps = {name for name, person in people.items() if access.can_manage_people(person)}
    assert keeps == {"recruiter", "head", "admin"}
    people["recruiter"].is_active = False
    assert not access.can_manage_people(people["recruiter"])


def test_which_roles_each_may_grant(people) -> None:  # noqa: ANN001
    assert access.grantable_roles(people["recruiter"]) == {INTERVIEWER, RECRUITER}
    assert access.grantable_roles(people["head"]) == ALL
    assert access.grantable_roles(people["admin"]) == ALL
    for name in ("manager", "interviewer", "editor", "nobody"):
        assert access.grantable_roles(people[name]) == frozenset(), name


def test_a_recruiter_creates_interviewers_and_recruiters_not_managers(people) -> None:  # noqa: ANN001
    recruiter = people["recruiter"]
    assert access.can_create_person(recruiter, [INTERVIEWER])
    assert access.can_create_person(recruiter, [INTERVIEWER, RECRUITER])
    assert access.can_create_person(recruiter, [])
    assert not access.can_create_person(recruiter, [MANAGER])
    assert not access.can_create_person(recruiter, [INTERVIEWER, QUESTION_EDITOR])
    assert access.can_create_person(people["head"], [MANAGER, QUESTION_EDITOR])
    assert not access.can_create_person(people["manager"], [INTERVIEWER])


def test_nobody_changes_or_deactivates_themselves(people) -> None:  # noqa: ANN001
    for name in ("recruiter", "head", "admin"):
        person = people[name]
        assert not access.can_change_person(person, person), name
        assert not access.can_set_active(person, person), name
        assert not access.can_set_roles(person, person, [INTERVIEWER]), name


def test_a_recruiter_changes_only_people_holding_roles_they_may_grant(people) -> None:  # noqa: ANN001
    recruiter = people["recruiter"]
    assert access.can_set_active(recruiter, people["interviewer"])
    assert access.can_set_active(recruiter, people["nobody"])
    assert access.can_set_roles(recruiter, people["interviewer"], [INTERVIEWER, RECRUITER])
    assert not access.can_set_roles(recruiter, people["interviewer"], [MANAGER])
    # A manager or an editor is out of a plain recruiter's reach; a superuser of everyone's
    # but a superuser's.
    for name in ("manager", "editor", "head", "admin"):
        assert not access.can_set_active(recruiter, people[name]), name
    assert access.can_set_active(people["head"], people["manager"])
    assert access.can_set_roles(people["head"], people["interviewer"], [MANAGER])
    assert not access.can_set_active(people["head"], people["admin"])
    other_admin = UserFactory(username="root2", is_superuser=True)
    assert access.can_set_active(people["admin"], other_admin)


def test_people_without_the_right_change_nobody(people) -> None:  # noqa: ANN001
    for name in ("manager", "interviewer", "editor", "nobody"):
        assert not access.can_set_active(people[name], people["nobody"]), name
        assert not access.can_set_roles(people[name], people["nobody"], []), name
