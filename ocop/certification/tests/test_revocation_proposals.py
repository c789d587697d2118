"""The revocation proposals extension point (certification.extensions): an app above registers who
proposes a certificate's revocation; the certificate page lists it and the form is pre-filled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ocop.certification import extensions
from ocop.core import clock

from .conftest import make_certificate

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def proposal(monkeypatch):
    found = extensions.RevocationProposal(
        basis="Biên bản kiểm tra ngày 20/11/2026 — Kế hoạch thử",
        ground="d",
        concluded_on=dt.date(2026, 11, 20),
        deadline=dt.date(2026, 12, 5),
        reason="Theo biên bản kiểm tra ngày 20/11/2026 của Kế hoạch thử",
        url="/basis/1/",
    )
    monkeypatch.setattr(extensions, "_proposals", {"stub": lambda user, certificate: [found]})
    return found


def test_no_provider_no_proposals(world, products, monkeypatch):
    monkeypatch.setattr(extensions, "_proposals", {})
    certificate = make_certificate(products["hn1"])
    assert extensions.revocation_proposals(None, certificate) == []
    page = world.client("province_hn").get(certificate.get_absolute_url()).content.decode()
    assert 'id="revocation-proposals"' not in page


def test_page_lists_the_proposal_and_the_form_is_prefilled(world, products, proposal):
    certificate = make_certificate(products["hn1"])
    client = world.client("province_hn")
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert 'href="/basis/1/"' in page and "05/12/2026" in page
    assert "d) Sử dụng nhãn hiệu chứng nhận OCOP" in page or proposal.ground_label in page
    form = client.get(reverse("certification:certificate_revoke", args=[certificate.code]))
    assert form.context["form"].initial["ground"] == "d"
    assert form.context["form"].initial["conclusion_on"] == dt.date(2026, 11, 20)
    assert form.context["form"].initial["reason"] == proposal.reason
    assert "Điền sẵn theo đề nghị thu hồi" in form.content.decode()
