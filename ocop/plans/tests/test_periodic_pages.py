"""The periodic report pages: who sees, makes, writes and files which report (roles × reports ×
actions), the confirmation before filing, the messages of bad input, the downloads, the menu, and
the queries of the list and the detail page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ocop.certification.tests.conftest import make_certificate
from ocop.core.concurrency import version_of
from ocop.core.confirm import CONFIRM_FIELD, CONFIRM_VALUE
from ocop.plans.models import PeriodicReport, ReportKind, ReportStatus
from ocop.plans.periodic import steps
from ocop.registry.tests.conftest import communes_of, make_producer, make_product
from ocop.registry.tests.test_list_queries import assert_constant

pytestmark = pytest.mark.django_db

# report → the accounts that read it (others: 404, or 403 for roles that read no report)
SEES = {
    "country": {"admin", "central"},
    "hn": {"admin", "central", "province_hn", "viewer_hn"},
    "hn1": {"admin", "central", "province_hn", "commune_hn1", "viewer_hn", "viewer_hn1"},
    "hcm": {"admin", "central", "province_hcm"},
}
# report → the accounts that refresh it, write its narrative and file it
CHANGES = {
    "country": {"admin", "central"},
    "hn": {"admin", "province_hn"},
    "hn1": {"admin", "province_hn", "commune_hn1"},
    "hcm": {"admin", "province_hcm"},
}
NEVER_READ = {"council_hn", "producer_hn1"}  # their role reads no report: 403
READ_ONLY = {"viewer_hn", "viewer_hn1"}  # 403 on every change


@pytest.fixture
def reports(data) -> dict[str, PeriodicReport]:
    users, places = data.world.users, data.places
    made = {
        "country": steps.create(users["central"], ReportKind.SEMIANNUAL, 2026, None),
        "hn": steps.create(users["province_hn"], ReportKind.SEMIANNUAL, 2026, places["hn"]),
        "hn1": steps.create(users["commune_hn1"], ReportKind.SEMIANNUAL, 2026, places["hn1"]),
        "hcm": steps.create(users["province_hcm"], ReportKind.SEMIANNUAL, 2026, places["hcm"]),
    }
    for report in made.values():
        PeriodicReport.objects.filter(pk=report.pk).update(narrative="Đánh giá của đơn vị.")
    return made


def expected(user: str, allowed: set[str], read_only: set[str] = frozenset()) -> int:
    if user in allowed:
        return 200
    return 403 if user in NEVER_READ | read_only else 404


@pytest.mark.parametrize("name", sorted(SEES))
def test_matrix_read_pages(data, reports, name) -> None:
    report = reports[name]
    for user in data.world.users:
        client = data.world.client(user)
        for url_name in ("plans:report_detail", "plans:report_xlsx"):
            status = client.get(reverse(url_name, args=[report.pk])).status_code
            assert status == expected(user, SEES[name]), (user, url_name, status)


def test_matrix_pdf(data, reports) -> None:
    report = reports["hn1"]
    for user in ("viewer_hn1", "commune_hn2", "producer_hn1"):
        response = data.world.client(user).get(reverse("plans:report_pdf", args=[report.pk]))
        assert response.status_code == expected(user, SEES["hn1"]), user
    response = data.world.client("viewer_hn1").get(reverse("plans:report_pdf", args=[report.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert 'filename="bao-cao-6-thang-dau-nam-2026' in response["Content-Disposition"]


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_matrix_change_pages_and_steps(data, reports, name) -> None:
    report = reports[name]
    for user in data.world.users:
        client = data.world.client(user)
        edit = client.get(reverse("plans:report_edit", args=[report.pk])).status_code
        assert edit == expected(user, CHANGES[name], READ_ONLY), (user, "edit", edit)
        refresh = client.post(reverse("plans:report_refresh", args=[report.pk])).status_code
        assert refresh == (302 if user in CHANGES[name] else expected(user, set(), READ_ONLY)), (
            user,
            refresh,
        )
        filing = client.post(reverse("plans:report_file", args=[report.pk]), {CONFIRM_FIELD: CONFIRM_VALUE})
        stored = PeriodicReport.objects.get(pk=report.pk)
        if user in CHANGES[name]:
            assert filing.status_code == 302 and stored.status == ReportStatus.FILED, user
            assert stored.filed_by == data.world.users[user]
            PeriodicReport.objects.filter(pk=report.pk).update(
                status=ReportStatus.DRAFT, filed_at=None, filed_by=None
            )
        else:
            assert filing.status_code == expected(user, set(), READ_ONLY), (user, "file")
            assert stored.status == ReportStatus.DRAFT


def test_list_shows_the_reports_in_scope(data, reports) -> None:
    url = reverse("plans:report_list")
    for user, names in {
        "central": set(SEES),
        "province_hn": {"hn", "hn1"},
        "commune_hn1": {"hn1"},
        "commune_hn2": set(),
        "viewer_hn1": {"hn1"},
    }.items():
        response = data.world.client(user).get(url)
        assert response.status_code == 200
        page = response.content.decode()
        shown = {name for name, report in reports.items() if f'href="{report.get_absolute_url()}"' in page}
        assert shown == names, user
    for user in NEVER_READ:
        assert data.world.client(user).get(url).status_code == 403
    page = data.world.client("central").get(url + "?level=province&status=draft").content.decode()
    assert reports["hn"].get_absolute_url() in page and reports["hn1"].get_absolute_url() not in page


def test_menu_entry_for_officers_only(data) -> None:
    url = reverse("plans:report_list")
    for user in ("central", "province_hn", "commune_hn1", "viewer_hn"):
        page = data.world.client(user).get("/").content.decode()
        assert f'href="{url}"' in page and "Báo cáo định kỳ" in page, user
    for user in ("producer_hn1", "council_hn"):
        assert f'href="{url}"' not in data.world.client(user).get("/").content.decode(), user


# --- making a report ----------------------------------------------------------------------------


def test_create_page_offers_the_users_units(data) -> None:
    url = reverse("plans:report_create")
    page = data.world.client("province_hn").get(url).content.decode()
    assert f'value="{data.places["hn"].code}"' in page and f'value="{data.places["hn1"].code}"' in page
    assert 'value="country"' not in page and f'value="{data.places["hcm"].code}"' not in page
    page = data.world.client("central").get(url).content.decode()
    assert 'value="country"' in page and f'value="{data.places["hn"].code}"' not in page
    for user in ("viewer_hn", "council_hn", "producer_hn1"):
        assert data.world.client(user).get(url).status_code == 403, user


def test_create_makes_the_report_and_shows_its_figures(data) -> None:
    client = data.world.client("province_hn")
    response = client.post(
        reverse("plans:report_create"), {"unit": data.places["hn"].code, "kind": "semiannual", "year": "2026"}
    )
    report = PeriodicReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Số liệu tính đến ngày 30/06/2026" in page
    assert "4 sao tiềm năng 5 sao" in page and "Nộp báo cáo" in page
    assert "Cần viết nội dung đánh giá trước khi nộp báo cáo." in page


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"unit": "79", "kind": "semiannual", "year": "2026"}, "unit"),  # another province
        ({"unit": "country", "kind": "semiannual", "year": "2026"}, "unit"),
        ({"unit": "01", "kind": "quarterly", "year": "2026"}, "kind"),
        ({"unit": "01", "kind": "semiannual", "year": "2017"}, "year"),
        ({"unit": "01", "kind": "semiannual", "year": "2027"}, "year"),  # not begun
        ({"unit": "01", "kind": "semiannual"}, "year"),
    ],
)
def test_create_refuses_bad_input_with_a_message(data, post, field) -> None:
    response = data.world.client("province_hn").post(reverse("plans:report_create"), post)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0] in response.content.decode()
    assert not PeriodicReport.objects.exists()


def test_create_a_duplicate_points_to_the_existing_report(data, reports) -> None:
    response = data.world.client("admin").post(
        reverse("plans:report_create"), {"unit": data.places["hn"].code, "kind": "semiannual", "year": "2026"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "mỗi đơn vị chỉ có một báo cáo cho mỗi kỳ" in page
    assert reports["hn"].get_absolute_url() in page
    assert PeriodicReport.objects.count() == 4


# --- narrative, refresh, filing -----------------------------------------------------------------


def test_narrative_is_saved_with_the_reason_in_the_history(data, reports) -> None:
    report = reports["hn"]
    client = data.world.client("province_hn")
    url = reverse("plans:report_edit", args=[report.pk])
    stored = PeriodicReport.objects.get(pk=report.pk)
    response = client.post(
        url, {"narrative": "Kết quả tốt.", "_version": version_of(stored), "_reason": "Bổ sung đánh giá"}
    )
    assert response.status_code == 302
    stored = PeriodicReport.objects.get(pk=report.pk)
    assert stored.narrative == "Kết quả tốt."
    assert stored.history.first().history_change_reason == "Bổ sung đánh giá"
    # A form read before that save is stale: nothing saved, the conflict shown.
    response = client.post(url, {"narrative": "Bản cũ", "_version": "1"})
    assert response.status_code == 200 and response.context["stale"]
    assert PeriodicReport.objects.get(pk=report.pk).narrative == "Kết quả tốt."


def test_filing_asks_for_confirmation_first(data, reports) -> None:
    report = reports["hn"]
    client = data.world.client("province_hn")
    url = reverse("plans:report_file", args=[report.pk])
    response = client.post(url)
    page = response.content.decode()
    assert response.status_code == 200 and "core/confirm.html" in [t.name for t in response.templates]
    assert "giữ nguyên mãi" in page and report.title in page
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    response = client.post(url, {CONFIRM_FIELD: CONFIRM_VALUE}, follow=True)
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.FILED
    page = response.content.decode()
    assert "Đã nộp" in page and "Lấy lại số liệu" not in page and "Viết nội dung đánh giá" not in page


def test_filing_without_a_narrative_is_refused_with_a_message(data, reports) -> None:
    report = reports["hn"]
    PeriodicReport.objects.filter(pk=report.pk).update(narrative="")
    response = data.world.client("province_hn").post(
        reverse("plans:report_file", args=[report.pk]), {CONFIRM_FIELD: CONFIRM_VALUE}, follow=True
    )
    assert "Cần viết nội dung đánh giá trước khi nộp báo cáo." in response.content.decode()
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_filed_report_pages_refuse_changes_and_keep_the_figures(data, reports) -> None:
    report = reports["hn"]
    client = data.world.client("province_hn")
    client.post(reverse("plans:report_file", args=[report.pk]), {CONFIRM_FIELD: CONFIRM_VALUE})
    before = client.get(reverse("plans:report_xlsx", args=[report.pk]))
    before_content = b"".join(before.streaming_content)
    # A certificate issued afterwards in the period changes nothing in the filed report.
    make_certificate(make_product(make_producer(data.places["hn1"])), star=5, issue_date=dt.date(2026, 6, 1))
    response = client.post(reverse("plans:report_refresh", args=[report.pk]), follow=True)
    assert "Báo cáo đã nộp" in response.content.decode()
    response = client.get(reverse("plans:report_edit", args=[report.pk]), follow=True)
    assert "Báo cáo đã nộp" in response.content.decode()
    stored = PeriodicReport.objects.get(pk=report.pk)
    assert stored.figures["stars"]["5"] == 1 and stored.narrative == "Đánh giá của đơn vị."
    after = b"".join(client.get(reverse("plans:report_xlsx", args=[report.pk])).streaming_content)
    from .test_periodic import xlsx_cells

    assert xlsx_cells(after) == xlsx_cells(before_content)


def test_refresh_of_a_draft_recounts(data, reports) -> None:
    report = reports["hn"]
    make_certificate(make_product(make_producer(data.places["hn1"])), star=5, issue_date=dt.date(2026, 6, 1))
    response = data.world.client("province_hn").post(
        reverse("plans:report_refresh", args=[report.pk]), follow=True
    )
    assert "Đã lấy lại số liệu, tính đến ngày 30/06/2026." in response.content.decode()
    assert PeriodicReport.objects.get(pk=report.pk).figures["stars"]["5"] == 2


def test_detail_of_the_national_report_shows_the_roll_up(data, reports) -> None:
    hn = reports["hn"]
    steps.file(hn, data.world.users["province_hn"])
    national = reports["country"]
    steps.generate(national, data.world.users["central"])
    page = data.world.client("central").get(national.get_absolute_url()).content.decode()
    assert "Báo cáo các tỉnh, thành phố đã nộp cho kỳ này" in page
    assert "Tỉnh, thành phố chưa nộp báo cáo kỳ này" in page
    assert "Tổng các tỉnh đã nộp (1)" in page


def test_history_tab_shows_who_refreshed_and_filed(data, reports) -> None:
    report = reports["hn1"]
    client = data.world.client("commune_hn1")
    client.post(reverse("plans:report_refresh", args=[report.pk]), {"_reason": "Số liệu mới"})
    client.post(reverse("plans:report_file", args=[report.pk]), {CONFIRM_FIELD: CONFIRM_VALUE})
    page = data.world.client("province_hn").get(report.get_absolute_url() + "?tab=history").content.decode()
    assert page.count("<td>commune_hn1</td>") == 2 and "<td>Số liệu mới</td>" in page
    assert "<del>draft</del> → <ins>filed</ins>" in page
    entry = PeriodicReport.history.filter(id=report.pk).order_by("-history_date", "-history_id").first()
    assert (
        entry.history_user == data.world.users["commune_hn1"] and entry.filed_by_id == entry.history_user.pk
    )


# --- queries --------------------------------------------------------------------------------------


def test_list_query_count_does_not_grow_with_rows(data) -> None:
    communes = communes_of(data.places["hn"], 60)
    users = data.world.users
    made: list[int] = []

    def grow(n: int) -> None:
        for _ in range(n):
            commune = communes[len(made)]
            made.append(steps.create(users["province_hn"], ReportKind.SEMIANNUAL, 2026, commune).pk)

    assert_constant(data.world.client("central"), reverse("plans:report_list"), grow)


def test_detail_query_count_is_bounded(data, reports, django_assert_max_num_queries) -> None:
    for name in ("hn", "hcm"):
        steps.file(reports[name], reports[name].created_by)
    national = reports["country"]
    steps.generate(national, data.world.users["central"])
    client = data.world.client("central")
    client.get(national.get_absolute_url())  # warm the per-process caches
    # Session, user, the report with its units, the unread notifications (+ the history).
    with django_assert_max_num_queries(4):
        assert client.get(national.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(national.get_absolute_url() + "?tab=history").status_code == 200
