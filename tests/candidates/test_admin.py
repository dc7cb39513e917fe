"""The admin lists, searches and filters positions and vendors."""

from __future__ import annotations

import pytest
from django.test import Client

from candidates.models import Position, Vendor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(roles):  # noqa: ANN001, ANN201
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_positions_are_searched_and_filtered(admin_client) -> None:  # noqa: ANN001
    Position.objects.create(title="Backend engineer", team="Platform")
    Position.objects.create(title="Designer", team="Product", status="closed")
    found = admin_client.get("/admin/candidates/position/", {"q": "backend"}).content.decode()
    assert "Backend engineer" in found and "Designer" not in found
    closed = admin_client.get("/admin/candidates/position/", {"status__exact": "closed"})
    assert "Designer" in closed.content.decode()
    assert "Backend engineer" not in closed.content.decode()


def test_vendors_are_searched_and_filtered(admin_client) -> None:  # noqa: ANN001
    Vendor.objects.create(name="Talent Bridge", contact_email="hi@bridge.example")
    Vendor.objects.create(name="Old Agency", active=False)
    found = admin_client.get("/admin/candidates/vendor/", {"q": "bridge"}).content.decode()
    assert "Talent Bridge" in found and "Old Agency" not in found
    inactive = admin_client.get("/admin/candidates/vendor/", {"active__exact": "0"})
    assert "Old Agency" in inactive.content.decode()
    page = admin_client.get(
        f"/admin/candidates/vendor/{Vendor.objects.get(active=False).pk}/change/"
    )
    assert page.status_code == 200
