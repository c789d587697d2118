"""The units list runs the same queries for a few rows and for a full page."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ocop.accounts.models import Role, User


def _queries(client: Client, url: str) -> tuple[int, int]:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.context["table"].page.object_list)


def test_unit_list_query_count_does_not_grow_with_rows(db) -> None:
    client = Client()
    client.force_login(User.objects.create_user("xem", role=Role.CENTRAL))
    few, few_rows = _queries(client, "/units/?q=ba+dinh")
    # Both searched: a search reads its page's keys with the count (ocop.core.paging), a list
    # without one counts first; each kind stays constant whatever the number of rows.
    many, many_rows = _queries(client, "/units/?structure=current&level=commune&q=xa")
    assert few_rows < 10 < 50 < many_rows
    assert few == many
    plain_few, _rows = _queries(client, "/units/?structure=current&level=province")
    plain_many, _rows = _queries(client, "/units/?structure=current&level=commune")
    assert plain_few == plain_many
