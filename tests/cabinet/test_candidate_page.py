"""The candidate's decision page as served: the session page's form (every control labelled,
the choices in fieldsets with a legend, hints tied by aria-describedby), wide tables in
focusable scroll boxes, nothing wider than a phone by itself, the same in Russian."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.cabinet.helpers import selected_by_rounds

pytestmark = pytest.mark.django_db


def _page(client: Client, candidate, **headers) -> str:  # noqa: ANN001, ANN003
    response = client.get(f"/cabinet/candidates/{candidate.pk}/decide/", **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_the_form_is_the_session_pages_with_every_control_labelled(
    client: Client, recruiter, ann, manager, platform, weak_sql
) -> None:  # noqa: ANN001
    candidate = selected_by_rounds(recruiter, ann)
    client.force_login(manager)
    page = _page(client, candidate)
    assert '<meta name="viewport" content="width=device-width' in page
    form = re.search(
        r'<form method="post" action="[^"]+/decide/" id="decision-form".*?</form>', page, re.S
    )
    assert form, "the decision form"
    form_html = form[0]
    # The choice groups are fieldsets with a legend; the others have a label for their id.
    assert form_html.count("<fieldset") == 2 and form_html.count("<legend") == 2
    for field in ("id_team", "id_comment", "id_hr_language"):
        assert f'<label for="{field}"' in form_html, field
    for control in re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', form_html):
        assert f'for="{control}"' in form_html, control
    assert 'aria-describedby="id_team_helptext"' in form_html
    assert form_html.removesuffix("</form>").rstrip().endswith("</button>")  # the button comes last
    # Tables wider than a phone scroll in their own box, reachable by the keyboard.
    assert page.count('class="table-scroll" role="region" tabindex="0"') == 2  # two sheets
    assert not re.search(r'style="[^"]*width:\s*\d{3,}px', page)


def test_the_page_in_russian(client: Client, recruiter, ann, manager) -> None:  # noqa: ANN001
    candidate = selected_by_rounds(recruiter, ann)
    client.force_login(manager)
    client.cookies["django_language"] = "ru"
    page = _page(client, candidate)
    assert '<html lang="ru">' in page
    assert "Листы оценок" in page and "2 оценённых этапа" in page
    assert "Карточка кандидата" in page
    lists = client.get("/cabinet/?fragment=lists").content.decode()
    assert "По итогам этапов, без живого собеседования" in lists
