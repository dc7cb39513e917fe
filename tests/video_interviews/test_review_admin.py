"""The admin looks the review up: answers (by the invitation's address, by status), takes,
ratings, recommendations and the interviews' questions (by the bank topic they came from),
each searchable and filtered, none editable."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.video_interviews.review_helpers import scene
from video_interviews import review_services
from video_interviews.models import Take


@pytest.fixture
def admin_client(roles) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_the_review_in_the_admin(admin_client, rita, lead) -> None:  # noqa: ANN001
    anna = scene(rita, (lead,))
    answer = anna.answers[0]
    Take.objects.create(answer=answer, number=1, status="kept", offset=10, length=10)
    review_services.rating_give(answer=answer, reviewer=lead, score=4, feedback="Calm and clear")
    review_services.recommendation_give(
        invitation=anna.invitation, reviewer=lead, choice="yes", summary="Worth a call"
    )
    pages = {
        "/admin/video_interviews/answer/?q=anna@example.com&status__exact=ready": "anna@example.com",
        "/admin/video_interviews/take/?q=anna@example.com&status__exact=kept": "anna@example.com",
        "/admin/video_interviews/answerrating/?q=Calm&score=4": "Lena",
        "/admin/video_interviews/recommendation/?q=Worth&choice__exact=yes": "anna@example.com",
        "/admin/video_interviews/question/?q=proud": "Tell us about a project",
        f"/admin/video_interviews/answer/{answer.pk}/change/": "Calm and clear",
    }
    for url, text in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
    empty = admin_client.get("/admin/video_interviews/answer/?q=nobody@example.com")
    assert "anna@example.com" not in empty.content.decode()
    assert admin_client.get("/admin/video_interviews/answerrating/add/").status_code == 403
