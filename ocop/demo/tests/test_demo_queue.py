"""`ocop demo` gives each role something on its home page's "Việc cần làm" (ocop.core.queues)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ocop.accounts.models import User
from ocop.core import queues


@pytest.mark.django_db
def test_demo_accounts_find_their_work_on_the_home_page() -> None:
    call_command("demo", stdout=StringIO())

    def waiting(username: str) -> dict[str, int]:
        user = User.objects.get(username=username)
        return {item.key: item.count for item in queues.collect(user) if item.count}

    # The commune: the Nem dossier to receive, the producer's change request to decide.
    assert waiting("xa.lapvo") == {"dossiers_at_commune": 1, "change_requests": 1}
    # The province: Hủ tiếu Sa Đéc in its re-evaluation window, the same change request, and its
    # oversight: Hòa Lộc and Lấp Vò's re-inspection still to visit, a consumer's report, the scan signals.
    assert waiting("tinh.dongthap") == {
        "certificates_reevaluation": 1,
        "change_requests": 1,
        "oversight_planned_inspections": 2,
        "consumer_reports_new": 1,
        "oversight_signals_open": 4,
    }
    # The council: the chair has sent and closes; the two members still have their sheets to send.
    assert waiting("chutich.dongthap") == {"sessions_to_close": 1}
    assert waiting("hoidong.dongthap") == {"sheets_to_send": 1}
    assert waiting("hoidong2.dongthap") == {"sheets_to_send": 1}

    client = Client()
    client.force_login(User.objects.get(username="hoidong.dongthap"))
    html = client.get(reverse("core:home")).content.decode()
    assert 'data-queue="sheets_to_send"' in html and "Phiếu chấm cần gửi" in html
