"""The web import wizard: template download, upload → preview (nothing written) → confirm (one
transaction), error reports, the uploader's scope, private storage of the file between steps,
expired or foreign tokens, CSRF, and who may use it.

The dry run and the import are background tasks (ocop.registry.import_tasks); here they run with
Django's immediate backend, so each request returns with its task done (test_import_jobs.py runs
them through the database queue and a worker, and looks at the pages while they run)."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from ocop.certification.io import HISTORY_SPEC
from ocop.certification.models import Certificate
from ocop.registry import imports_views
from ocop.registry.io import PRODUCER_SPEC, PRODUCT_SPEC
from ocop.registry.models import ImportJob, Producer, Product

from .conftest import World, make_producer, make_product

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VIETTEL = "0100109106"  # a real tax code (valid check digit)


IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    return settings.MEDIA_ROOT


def stored_files(media_root: Path) -> list[Path]:
    folder = media_root / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def xlsx_file(spec, rows: list[dict[str, str]], name: str = "du-lieu.xlsx") -> SimpleUploadedFile:
    stream = io.BytesIO()
    spec.write_rows(rows, stream, "xlsx")
    return SimpleUploadedFile(name, stream.getvalue(), content_type=XLSX)


def sheet(content: bytes) -> list[list[str]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [[str(c) for c in row] for row in workbook.get_sheet_by_index(0).to_python()]


def producer_row(world: World, place: str = "hn1", **values: str) -> dict[str, str]:
    row = {"name": "Hợp tác xã Mật ong Ba Vì", "producer_type": "HTX", "unit_code": world.places[place].code}
    row.update(values)
    return row


def upload(client: Client, kind: str, file: SimpleUploadedFile, **extra):
    return client.post(reverse("registry:import", args=[kind]), {"file": file}, **extra)


def token_of(response) -> str:
    return response.context["upload"].token


# --- template and access ---


@pytest.mark.parametrize(("kind", "spec"), [("producers", PRODUCER_SPEC), ("products", PRODUCT_SPEC)])
def test_template_download(world: World, kind: str, spec) -> None:
    response = world.client("commune_hn1").get(reverse("registry:import_template", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="mau-nhap-')
    assert sheet(b"".join(response.streaming_content))[0] == spec.headers


def test_wizard_is_for_roles_that_may_add(world: World, client: Client) -> None:
    for name in ("viewer_hn", "council_hn", "producer_hn1"):
        user_client = world.client(name)
        for url in (
            reverse("registry:import", args=["producers"]),
            reverse("registry:import_template", args=["products"]),
        ):
            assert user_client.get(url).status_code == 403, (name, url)
        file = xlsx_file(PRODUCER_SPEC, [producer_row(world)])
        assert upload(user_client, "producers", file).status_code == 403
    assert not Producer.objects.exists()
    # Anonymous users go to the login page; an unknown kind is a 404.
    response = client.get(reverse("registry:import", args=["products"]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert world.client("admin").get(reverse("registry:import", args=["units"])).status_code == 404
    page = world.client("commune_hn1").get(reverse("registry:import", args=["products"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'accept=".xlsx,.xls,.ods,.csv"' in html
    assert 'enctype="multipart/form-data"' in html


# --- the happy path ---


def test_upload_preview_confirm(world: World, media_root: Path) -> None:
    client = world.client("commune_hn1")
    rows = [
        producer_row(world, tax_code=VIETTEL),
        producer_row(world, name="Hộ kinh doanh Chè Đỗ Quyên", producer_type="HO_SX"),
    ]
    response = upload(client, "producers", xlsx_file(PRODUCER_SPEC, rows, "Danh sách chủ thể.xlsx"))
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.updated, result.errors) == (2, 0, [])
    html = response.content.decode()
    assert "Danh sách chủ thể.xlsx" in html
    assert "Hộ kinh doanh Chè Đỗ Quyên" in html  # the preview table
    token = token_of(response)
    assert reverse("registry:import_confirm", args=["producers", token]) in html
    # Nothing is written by the preview; the file waits in private storage.
    assert not Producer.objects.exists()
    assert [p.name for p in stored_files(media_root)] == [token]

    # Reloading the preview shows the dry run's result again, still writing nothing.
    again = client.get(reverse("registry:import_preview", args=["producers", token]))
    assert again.status_code == 200 and again.context["result"].created == 2
    assert not Producer.objects.exists()

    response = client.post(reverse("registry:import_confirm", args=["producers", token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import_done", args=["producers"])
    producers = Producer.objects.order_by("name")
    assert [p.name for p in producers] == ["Hộ kinh doanh Chè Đỗ Quyên", "Hợp tác xã Mật ong Ba Vì"]
    assert {p.commune_id for p in producers} == {world.places["hn1"].pk}
    record = Producer.objects.get(tax_code=VIETTEL).history.get()
    assert record.history_user == world.users["commune_hn1"]
    assert "Danh sách chủ thể.xlsx" in record.history_change_reason
    # The file is gone, and the token with it.
    assert stored_files(media_root) == []
    done = client.get(response["Location"])
    assert done.status_code == 200
    html = done.content.decode()
    assert reverse("registry:producer_list") in html and reverse("registry:product_list") in html
    assert done.context["done"]["created"] == 2
    again = client.post(reverse("registry:import_confirm", args=["producers", token]))
    assert again.status_code == 302
    assert again["Location"] == reverse("registry:import", args=["producers"])
    assert Producer.objects.count() == 2


def test_preview_puts_new_and_changed_rows_first_with_changes_and_matched_places(world: World) -> None:
    same = make_producer(world.places["hn1"], name="Hợp tác xã Không Đổi", tax_code="0100109106")
    other = make_producer(world.places["hn1"], name="Hợp tác xã Sẽ Đổi", tax_code="0100686174")
    other.phone = "0243 111 222"
    other.save()
    rows = [
        producer_row(world, name=same.name, tax_code=same.tax_code, status="active"),
        producer_row(world, name=other.name, tax_code=other.tax_code, phone="0243 999", status="suspended"),
        producer_row(world, name="Hộ Mới", producer_type="HO_SX", unit_code="", former_unit_code="00004"),
    ]
    for row in rows[:2]:
        row["producer_type"] = "HTX"
    client = world.client("admin")
    response = upload(client, "producers", xlsx_file(PRODUCER_SPEC, rows))
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged, result.errors) == (1, 1, 1, [])
    table = response.context["preview_table"]
    # The new row, then the changed one, then the unchanged one (the file's rows 4, 3, 2).
    order = [(r["number"], r["action"]) for r in table["rows"]]
    assert order == [(4, "create"), (3, "update"), (2, "unchanged")]
    new, changed, unchanged = table["rows"]
    # How the former code was matched: the former unit, and the current commune with its code.
    assert new["place"]["place"]["former"] and "(00004)" in new["place"]["place"]["current"]
    headers = table["headers"]
    phone = changed["cells"][headers.index(str(PRODUCER_SPEC.column("phone").header))]
    assert (phone["changed"], phone["old"], phone["text"]) == (True, "0243 111 222", "0243 999")
    # Choice codes are shown as their labels, never as "suspended" or "active".
    status = changed["cells"][headers.index(str(PRODUCER_SPEC.column("status").header))]
    assert (status["old"], status["text"]) == ("Đang hoạt động", "Tạm ngừng hoạt động")
    assert not any(cell["changed"] for cell in unchanged["cells"])
    html = response.content.decode()
    assert "Tạm ngừng hoạt động" in html and ">suspended<" not in html and "Đơn vị cũ:" in html
    assert html.count("data-changed") == 2
    # In English, the same labels in English.
    client.cookies["django_language"] = "en"
    english = client.get(reverse("registry:import_preview", args=["producers", token_of(response)]))
    text = english.content.decode()
    assert "Temporarily suspended" in text and "New" in text and "Former unit:" in text


def test_exported_list_reimports_unchanged(world: World) -> None:
    producer = make_producer(world.places["hn1"], tax_code=VIETTEL)
    make_product(producer, name="Mật ong hoa nhãn")
    make_product(producer, name="Mật ong hoa cà phê")
    client = world.client("commune_hn1")
    exported = client.get(reverse("registry:product_list"), {"export": "xlsx"})
    content = b"".join(exported.streaming_content)
    response = upload(client, "products", SimpleUploadedFile("san-pham.xlsx", content, content_type=XLSX))
    result = response.context["result"]
    # The file says exactly what the database holds: nothing to create or update, nothing written.
    assert (result.created, result.updated, result.unchanged, result.errors) == (0, 0, 2, [])
    assert "Không thay đổi" in response.content.decode()
    assert Product.objects.count() == 2


def test_exports_write_labels_and_import_back_unchanged_from_either_language(world: World) -> None:
    producer = make_producer(world.places["hn1"], tax_code=VIETTEL, status="suspended")
    make_product(producer, name="Mật ong hoa nhãn")
    client = world.client("commune_hn1")
    exported = client.get(reverse("registry:producer_list"), {"export": "xlsx"})
    rows = sheet(b"".join(exported.streaming_content))
    status = rows[0].index(str(PRODUCER_SPEC.column("status").header))
    assert rows[1][status] == "Tạm ngừng hoạt động"  # the label, not "suspended"
    client.cookies["django_language"] = "en"
    for kind, name in (("producers", "registry:producer_list"), ("products", "registry:product_list")):
        content = b"".join(client.get(reverse(name), {"export": "xlsx"}).streaming_content)
        if kind == "producers":
            # The file format is the template's, in Vietnamese whatever the page's language.
            assert "Tạm ngừng hoạt động" in {cell for row in sheet(content) for cell in row}
        response = upload(client, kind, SimpleUploadedFile(f"{kind}.xlsx", content, content_type=XLSX))
        result = response.context["result"]
        assert (result.created, result.updated, result.unchanged, result.errors) == (0, 0, 1, [])


def test_htmx_upload_swaps_the_step_and_pushes_the_preview_url(world: World) -> None:
    client = world.client("commune_hn1")
    response = upload(
        client, "producers", xlsx_file(PRODUCER_SPEC, [producer_row(world)]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert response["HX-Push-Url"] == reverse(
        "registry:import_preview", args=["producers", token_of(response)]
    )


# --- errors ---


def test_bad_row_is_shown_by_row_and_column_and_nothing_is_written(world: World, media_root: Path) -> None:
    client = world.client("commune_hn1")
    rows = [producer_row(world), producer_row(world, name="Hợp tác xã Gạo", producer_type="XYZ")]
    response = upload(client, "producers", xlsx_file(PRODUCER_SPEC, rows))
    assert response.status_code == 200
    errors = response.context["result"].errors
    assert [(e.row, e.column, e.value) for e in errors] == [(3, "Loại hình chủ thể", "XYZ")]
    html = response.content.decode()
    assert "<mark" in html and "XYZ" in html
    assert errors[0].message in html
    token = token_of(response)
    assert reverse("registry:import_confirm", args=["producers", token]) not in html  # no confirm button
    assert 'name="file"' in html  # a new upload instead
    assert not Producer.objects.exists()

    report = client.get(reverse("registry:import_errors", args=["producers", token]))
    assert report.status_code == 200
    assert report["Content-Type"] == XLSX
    lines = sheet(b"".join(report.streaming_content))
    assert lines[0] == ["Dòng", "Cột", "Giá trị", "Lỗi"]
    assert lines[1][:3] == ["3", "Loại hình chủ thể", "XYZ"]

    # Confirming anyway (a forged POST) writes nothing either.
    response = client.post(reverse("registry:import_confirm", args=["producers", token]))
    assert response.status_code == 200
    assert response.context["result"].errors
    assert not Producer.objects.exists()


def test_commune_officer_cannot_import_rows_for_another_commune(world: World) -> None:
    client = world.client("commune_hn1")
    rows = [producer_row(world), producer_row(world, place="hn2", name="Hợp tác xã Gốm Bát Tràng")]
    response = upload(client, "producers", xlsx_file(PRODUCER_SPEC, rows))
    errors = response.context["result"].errors
    assert [e.row for e in errors] == [3]
    assert "phạm vi" in errors[0].message
    assert errors[0].message in response.content.decode()
    response = client.post(reverse("registry:import_confirm", args=["producers", token_of(response)]))
    assert not Producer.objects.exists()
    # Nor update another commune's producer by its id.
    other = make_producer(world.places["hn2"], name="Hợp tác xã Gốm Bát Tràng")
    rows = [producer_row(world, place="hn1", id=str(other.pk), name="Đổi tên")]
    response = upload(client, "producers", xlsx_file(PRODUCER_SPEC, rows))
    assert response.context["result"].errors
    client.post(reverse("registry:import_confirm", args=["producers", token_of(response)]))
    other.refresh_from_db()
    assert other.name == "Hợp tác xã Gốm Bát Tràng" and other.commune == world.places["hn2"]


def test_confirm_validates_again(world: World) -> None:
    producer = make_producer(world.places["hn1"], tax_code=VIETTEL)
    client = world.client("commune_hn1")
    rows = [{"name": "Mật ong hoa nhãn", "producer_tax_code": VIETTEL, "classification_set": "B07"}]
    response = upload(client, "products", xlsx_file(PRODUCT_SPEC, rows))
    assert response.context["result"].created == 1
    # Meanwhile a colleague files the same product by hand.
    make_product(producer, name="Mật ong hoa nhãn")
    response = client.post(reverse("registry:import_confirm", args=["products", token_of(response)]))
    assert response.status_code == 200
    assert response.context["result"].errors
    assert "chưa có dòng nào được ghi" in response.content.decode()
    assert Product.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ho-so.pdf", b"%PDF-1.4", "không được hỗ trợ"),
        ("hong.xlsx", b"not a zip at all", "Không đọc được tệp bảng tính"),
        ("trong.csv", "Tên chủ thể,Loại hình chủ thể\n".encode(), "không có dòng dữ liệu"),
    ],
)
def test_unreadable_files_get_a_clear_message(world: World, media_root: Path, name, content, message) -> None:
    response = upload(world.client("commune_hn1"), "producers", SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert response.context["step"] == "upload"
    assert message in response.content.decode()
    assert stored_files(media_root) == []


def test_file_size_limit(world: World, media_root: Path, monkeypatch) -> None:
    monkeypatch.setattr(imports_views, "MAX_UPLOAD_BYTES", 1024)
    file = SimpleUploadedFile("lon.csv", b"a" * 2048)
    response = upload(world.client("commune_hn1"), "producers", file)
    assert "Tệp quá lớn" in response.content.decode()
    assert stored_files(media_root) == []
    # No file at all.
    response = world.client("commune_hn1").post(reverse("registry:import", args=["producers"]))
    assert "Hãy chọn một tệp" in response.content.decode()


# --- the stored file between the steps ---


def test_foreign_and_expired_tokens_are_refused(world: World, media_root: Path) -> None:
    mine = world.client("commune_hn2")
    response = upload(mine, "producers", xlsx_file(PRODUCER_SPEC, [producer_row(world, place="hn2")]))
    token = token_of(response)

    # Another officer cannot preview, download errors of, or confirm someone else's upload: to them
    # the job does not exist.
    other = world.client("commune_hn1")
    for url, method in (
        (reverse("registry:import_preview", args=["producers", token]), other.get),
        (reverse("registry:import_errors", args=["producers", token]), other.get),
        (reverse("registry:import_confirm", args=["producers", token]), other.post),
    ):
        assert method(url).status_code == 404, url
    assert not Producer.objects.exists()
    # An administrator may look at it, but only its uploader may confirm it.
    admin = world.client("admin")
    assert admin.get(reverse("registry:import_preview", args=["producers", token])).status_code == 200
    assert admin.post(reverse("registry:import_confirm", args=["producers", token])).status_code == 404
    assert not Producer.objects.exists()
    # Nor use it under another kind.
    response = mine.post(reverse("registry:import_confirm", args=["products", token]))
    assert response.status_code == 302 and not Product.objects.exists()
    # An unknown token is an upload that is no more.
    response = mine.get(reverse("registry:import_preview", args=["producers", "khong-co"]), follow=True)
    assert "Tệp đã tải lên không còn" in response.content.decode()

    # A day later the upload has expired (and the file is removed).
    ImportJob.objects.filter(token=token).update(
        created=timezone.now() - timedelta(seconds=imports_views.UPLOAD_TTL_SECONDS + 1)
    )
    response = mine.post(reverse("registry:import_confirm", args=["producers", token]), follow=True)
    assert "Tệp đã tải lên không còn" in response.content.decode()
    assert not Producer.objects.exists()
    assert stored_files(media_root) == []


def test_old_uploads_are_cleaned_up_on_each_upload(world: World, media_root: Path) -> None:
    folder = media_root / "imports"
    folder.mkdir(parents=True)
    old, recent = folder / "old-token", folder / "recent-token"
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    response = upload(
        world.client("commune_hn1"), "producers", xlsx_file(PRODUCER_SPEC, [producer_row(world)])
    )
    assert not old.exists()
    assert recent.exists()
    assert (folder / token_of(response)).exists()


def test_posts_need_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["commune_hn1"])
    file = xlsx_file(PRODUCER_SPEC, [producer_row(world)])
    assert upload(client, "producers", file).status_code == 403
    # Upload through a normal client, then confirm without the token.
    token = token_of(
        upload(world.client("commune_hn1"), "producers", xlsx_file(PRODUCER_SPEC, [producer_row(world)]))
    )
    response = client.post(reverse("registry:import_confirm", args=["producers", token]))
    assert response.status_code == 403
    assert not Producer.objects.exists()
    # The pages carry the token for the real forms.
    page = client.get(reverse("registry:import", args=["producers"]))
    assert "csrfmiddlewaretoken" in page.content.decode()


def test_history_ratings_import_through_the_wizard(world: World) -> None:
    product = make_product(make_producer(world.places["hn1"]), name="Gạo ruộng rươi")
    client = world.client("province_hn")
    template = client.get(reverse("registry:import_template", args=["history"]))
    assert template.status_code == 200
    headers = [str(column.header) for column in HISTORY_SPEC.columns]
    row = {
        "Mã sản phẩm": product.code,
        "Hạng sao": "4",
        "Số quyết định": "125/QĐ-UBND",
        "Ngày quyết định": "10/01/2025",
        "Cơ quan ban hành": "UBND thành phố Hà Nội",
        "Ngày cấp giấy chứng nhận": "10/01/2025",
    }
    csv = ",".join(headers) + "\n" + ",".join(row.get(h, "") for h in headers) + "\n"
    response = upload(
        client, "history", SimpleUploadedFile("lich-su.csv", csv.encode(), content_type="text/csv")
    )
    assert response.context["result"].errors == []
    assert not Certificate.objects.exists()  # the preview writes nothing
    client.post(reverse("registry:import_confirm", args=["history", token_of(response)]))
    certificate = Certificate.objects.get(product=product)
    assert (certificate.star, certificate.expiry.isoformat()) == (4, "2028-01-10")
    # Read-only roles never reach the wizard.
    assert world.client("viewer_hn").get(reverse("registry:import", args=["history"])).status_code == 403


def test_zip_bomb_is_refused_and_nothing_is_imported(world: World, media_root: Path, tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from ocop.core.tests import bombs

    bomb = bombs.xlsx(60 * 2**20, header=PRODUCER_SPEC.headers[0])  # 60 MB cell, ~60 KB file
    response = upload(world.client("commune_hn1"), "producers", SimpleUploadedFile("bom.xlsx", bomb))
    assert response.status_code == 200
    assert response.context["step"] == "upload"
    assert "tối đa 50 MB sau khi giải nén" in response.content.decode()
    assert stored_files(media_root) == []
    path = tmp_path / "bom.xlsx"
    path.write_bytes(bomb)
    count = Producer.objects.count()
    with pytest.raises(CommandError, match="50 MB"):
        call_command("import", "producers", str(path))
    assert Producer.objects.count() == count
