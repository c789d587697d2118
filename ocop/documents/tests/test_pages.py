"""Evidence pages: upload checks, private storage, scoped downloads, the tabs and the expiring list."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as project_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ocop.documents.models import EvidenceDocument, EvidenceType
from ocop.registry.tests.conftest import make_producer, make_product

from .conftest import EXE_BYTES, PDF_BYTES, PNG_BYTES, docx_bytes, make_document, stored_files


def _form(**overrides):
    data = {
        "doc_type": EvidenceType.FOOD_SAFETY,
        "title": "Giấy chứng nhận cơ sở đủ điều kiện ATTP",
        "number": "123/2025/ATTP-CNĐK",
        "issuer": "Chi cục An toàn vệ sinh thực phẩm Hà Nội",
        "issue_date": "03/04/2025",
        "expiry_date": "03/04/2028",
        "notes": "",
        "product": "",
        "_reason": "Bổ sung hồ sơ kỳ 1/2026",
    }
    data.update(overrides)
    return data


def _add_url(producer, product=None) -> str:
    url = reverse("documents:add", args=[producer.pk])
    return f"{url}?product={product.pk}" if product else url


# --- upload ---


def test_officer_uploads_a_document_stored_privately_once(world, hn1_producer, media_in_tmp):
    client = world.client("commune_hn1")
    upload = SimpleUploadedFile("../Giấy ATTP\u202e.pdf", PDF_BYTES, content_type="image/png")
    response = client.post(_add_url(hn1_producer), {**_form(), "upload": upload})
    assert response.status_code == 302
    assert response["Location"] == f"{hn1_producer.get_absolute_url()}?tab=evidence"

    document = EvidenceDocument.objects.get()
    assert (document.issue_date.day, document.issue_date.month) == (3, 4)  # dd/mm/yyyy
    assert document.original_name == "Giấy ATTP.pdf"
    assert document.content_type == "application/pdf"  # sniffed, not the browser's "image/png"
    assert document.size == len(PDF_BYTES)
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document.uploaded_by == world.users["commune_hn1"]
    assert document.history.get().history_change_reason == "Bổ sung hồ sơ kỳ 1/2026"

    # Stored under MEDIA_ROOT/evidence/<producer id>/<random name>, outside anything public.
    directory, name = document.file.name.rsplit("/", 1)
    assert directory == f"evidence/{hn1_producer.pk}"
    assert len(name) == 32 + len(".pdf") and "ATTP" not in name
    path = Path(document.file.path)
    assert path.read_bytes() == PDF_BYTES
    assert path.is_relative_to(media_in_tmp)
    assert stored_files(media_in_tmp) == [path]


def test_files_never_land_in_a_public_directory(world, hn1_producer):
    media = Path(project_settings.MEDIA_ROOT).resolve()
    public = [
        Path(project_settings.STATIC_ROOT),
        *map(Path, getattr(project_settings, "STATICFILES_DIRS", [])),
    ]
    for directory in public:
        directory = directory.resolve()
        assert not media.is_relative_to(directory) and not directory.is_relative_to(media)
    document = make_document(hn1_producer)
    client = world.client("admin")
    # No URL serves MEDIA_ROOT directly: only the scoped download view hands the file out.
    for url in (f"/media/{document.file.name}", f"/{document.file.name}", f"/static/{document.file.name}"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rong.pdf", b"", "Tệp rỗng"),
        ("giay-phep.pdf", EXE_BYTES, "Tệp là chương trình thực thi"),
        (
            "ghi-chu.txt",
            b"Just some plain text, not a document at all.",
            "Nội dung tệp không thuộc loại được nhận",
        ),
        ("bao-cao.docm", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "định dạng cũ"),
        ("anh-chup.pdf", PNG_BYTES, "Phần mở rộng “.pdf” không khớp với nội dung tệp (PNG)"),
    ],
)
def test_refused_uploads_store_nothing(world, hn1_producer, media_in_tmp, name, content, message):
    client = world.client("commune_hn1")
    response = client.post(_add_url(hn1_producer), {**_form(), "upload": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EvidenceDocument.objects.exists()
    assert stored_files(media_in_tmp) == []


def test_oversize_upload_is_refused(world, hn1_producer, media_in_tmp, settings):
    settings.OCOP_MAX_UPLOAD_MB = 1
    content = PDF_BYTES + b"0" * (1024 * 1024)
    client = world.client("commune_hn1")
    response = client.post(
        _add_url(hn1_producer), {**_form(), "upload": SimpleUploadedFile("to.pdf", content)}
    )
    assert "Tệp quá lớn (1,0 MB); tối đa 1 MB." in response.content.decode()
    assert not EvidenceDocument.objects.exists() and stored_files(media_in_tmp) == []


def test_missing_file_and_bad_dates_get_vietnamese_messages(world, hn1_producer, media_in_tmp):
    client = world.client("commune_hn1")
    response = client.post(_add_url(hn1_producer), _form(issue_date="31/02/2025"))
    page = response.content.decode()
    assert "Hãy chọn tệp cần tải lên." in page
    assert "Ngày cấp không hợp lệ; nhập theo dạng dd/mm/yyyy." in page

    upload = SimpleUploadedFile("a.pdf", PDF_BYTES)
    response = client.post(
        _add_url(hn1_producer), {**_form(issue_date="10/05/2025", expiry_date="09/05/2025"), "upload": upload}
    )
    assert "Ngày hết hạn phải từ ngày cấp (10/05/2025) trở đi." in response.content.decode()
    assert not EvidenceDocument.objects.exists() and stored_files(media_in_tmp) == []


def test_a_product_of_another_producer_cannot_be_chosen(world, hn1_producer, media_in_tmp):
    other = make_product(make_producer(world.places["hn1"]))
    client = world.client("commune_hn1")
    upload = SimpleUploadedFile("a.pdf", PDF_BYTES)
    response = client.post(_add_url(hn1_producer), {**_form(product=other.pk), "upload": upload})
    assert "Không tìm thấy sản phẩm này trong các sản phẩm của chủ thể." in response.content.decode()
    assert not EvidenceDocument.objects.exists()


def test_who_may_add(world, hn1_producer):
    assert world.client("viewer_hn").get(_add_url(hn1_producer)).status_code == 403
    assert world.client("council_hn").get(_add_url(hn1_producer)).status_code == 403
    assert world.client("commune_hn2").get(_add_url(hn1_producer)).status_code == 404
    assert world.client("province_hn").get(_add_url(hn1_producer)).status_code == 200


def test_producer_account_uploads_its_own_papers_only(world, hn1_producer, media_in_tmp):
    account = world.users["producer_hn1"]
    account.producer = hn1_producer
    account.save()
    client = world.client("producer_hn1")
    response = client.post(
        _add_url(hn1_producer), {**_form(), "upload": SimpleUploadedFile("a.pdf", PDF_BYTES)}
    )
    assert response.status_code == 302
    assert EvidenceDocument.objects.get().uploaded_by == account
    other = make_producer(world.places["hn1"])
    assert client.get(_add_url(other)).status_code == 404


# --- edit, delete ---


def test_replacing_the_file_removes_the_old_one(
    world, hn1_producer, media_in_tmp, django_capture_on_commit_callbacks
):
    document = make_document(hn1_producer)
    old_path = Path(document.file.path)
    client = world.client("commune_hn1")
    url = reverse("documents:edit", args=[document.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {**_form(title="Bản cập nhật"), "upload": SimpleUploadedFile("m.docx", docx_bytes())}
        )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Bản cập nhật" and document.original_name == "m.docx"
    assert stored_files(media_in_tmp) == [Path(document.file.path)] and not old_path.exists()

    # Metadata only: the file stays.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _form(title="Chỉ sửa tên"))
    document.refresh_from_db()
    assert document.title == "Chỉ sửa tên" and Path(document.file.path).exists()


def test_delete_removes_row_and_file_and_keeps_the_reason(
    world, hn1_producer, media_in_tmp, django_capture_on_commit_callbacks
):
    document = make_document(hn1_producer)
    url = reverse("documents:delete", args=[document.pk])
    assert world.client("commune_hn1").post(url).status_code == 403  # commune officers don't delete
    client = world.client("province_hn")
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"_reason": "Tải nhầm tệp"})
    assert response.status_code == 302
    assert not EvidenceDocument.objects.exists() and stored_files(media_in_tmp) == []
    assert EvidenceDocument.history.filter(history_type="-").get().history_change_reason == "Tải nhầm tệp"


# --- download ---


def test_download_for_users_in_scope_only(world, hn1_producer):
    pdf = make_document(hn1_producer)
    docx = make_document(hn1_producer, name="Danh sách lao động.docx", content=docx_bytes())
    url = reverse("documents:download", args=[pdf.pk])

    response = world.client("commune_hn1").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]

    response = world.client("viewer_hn").get(reverse("documents:download", args=[docx.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''Danh%20s%C3%A1ch" in response["Content-Disposition"]
    assert response["Content-Security-Policy"].endswith("sandbox")

    for name in ("commune_hn2", "commune_hcm1", "province_hcm", "producer_hn1"):
        assert world.client(name).get(url).status_code == 404, name
    anonymous = world.client("admin")
    anonymous.logout()
    response = anonymous.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_missing_file_on_disk_is_a_404_not_a_crash(world, hn1_producer):
    document = make_document(hn1_producer)
    Path(document.file.path).unlink()
    assert world.client("admin").get(reverse("documents:download", args=[document.pk])).status_code == 404


def test_detail_page_and_history(world, hn1_producer):
    document = make_document(hn1_producer, number="01/GP")
    client = world.client("commune_hn1")
    page = client.get(document.get_absolute_url()).content.decode()
    assert "01/GP" in page and document.sha256 in page and document.get_download_url() in page
    assert client.get(document.get_absolute_url() + "?tab=history").status_code == 200
    assert world.client("commune_hn2").get(document.get_absolute_url()).status_code == 404


# --- tabs ---


def test_product_tab_reuses_the_producer_general_documents(
    world, hn1_producer, hn1_product, django_assert_max_num_queries
):
    general = make_document(hn1_producer, title="Đăng ký HTX dùng chung")
    own = make_document(
        hn1_producer, hn1_product, doc_type=EvidenceType.LAB_REPORT, title="Phiếu kiểm nghiệm chè búp"
    )
    other_product = make_product(hn1_producer, name="Chè xanh")
    other = make_document(hn1_producer, other_product, title="Phiếu kiểm nghiệm chè xanh")
    client = world.client("commune_hn1")

    with django_assert_max_num_queries(20):
        page = client.get(hn1_product.get_absolute_url() + "?tab=evidence").content.decode()
    assert general.title in page and own.title in page and other.title not in page
    assert _add_url(hn1_producer, hn1_product) in page

    page = client.get(hn1_producer.get_absolute_url() + "?tab=evidence").content.decode()
    assert all(doc.title in page for doc in (general, own, other))
    assert "Mọi sản phẩm" in page

    # The tabs show nothing outside the viewer's scope (a product located elsewhere, say).
    assert (
        world.client("commune_hn2").get(hn1_product.get_absolute_url() + "?tab=evidence").status_code == 404
    )


def test_tab_badges_and_expiry_marks(world, hn1_producer):
    today = timezone.localdate()
    make_document(
        hn1_producer,
        title="Sắp hết",
        issue_date=today - timedelta(days=300),
        expiry_date=today + timedelta(days=10),
    )
    make_document(
        hn1_producer,
        title="Đã hết",
        issue_date=today - timedelta(days=900),
        expiry_date=today - timedelta(days=1),
    )
    page = world.client("commune_hn1").get(hn1_producer.get_absolute_url() + "?tab=evidence").content.decode()
    assert "Sắp hết hạn" in page and "Đã hết hạn" in page
    assert 'href="?tab=evidence">Hồ sơ minh chứng <span class="badge text-bg-secondary">2</span>' in page


# --- expiring list ---


def _expiring(client, **params):
    return client.get(reverse("documents:expiring"), params)


def test_expiring_page_window_scope_and_filters(world, hn1_producer, django_assert_max_num_queries):
    today = timezone.localdate()
    hn2_producer = make_producer(world.places["hn2"], name="HTX Mật ong")

    def doc(producer, title, days, **fields):
        issue = today - timedelta(days=400)
        return make_document(
            producer, title=title, issue_date=issue, expiry_date=today + timedelta(days=days), **fields
        )

    soon = doc(hn1_producer, "ATTP sắp hết hạn", 30, doc_type=EvidenceType.FOOD_SAFETY)
    later = doc(hn1_producer, "Công bố còn lâu", 120, doc_type=EvidenceType.QUALITY_DECLARATION)
    expired = doc(hn1_producer, "Kiểm nghiệm đã hết", -5, doc_type=EvidenceType.LAB_REPORT)
    elsewhere = doc(hn2_producer, "Mật ong ATTP", 20, doc_type=EvidenceType.FOOD_SAFETY)
    make_document(hn1_producer, title="Không thời hạn")

    province = world.client("province_hn")
    with django_assert_max_num_queries(15):
        page = _expiring(province).content.decode()  # default: 90 days
    assert soon.title in page and elsewhere.title in page
    assert later.title not in page and expired.title not in page and "Không thời hạn" not in page

    page = _expiring(province, days=150).content.decode()
    assert later.title in page
    page = _expiring(province, days=90, expired="on").content.decode()
    assert expired.title in page and "Đã hết hạn" in page

    page = _expiring(province, commune=world.places["hn2"].code).content.decode()
    assert elsewhere.title in page and soon.title not in page
    page = _expiring(province, days=150, type=EvidenceType.QUALITY_DECLARATION).content.decode()
    assert later.title in page and soon.title not in page

    page = _expiring(world.client("commune_hn1"), days=365).content.decode()
    assert soon.title in page and elsewhere.title not in page
    page = _expiring(world.client("province_hcm"), days=365).content.decode()
    assert soon.title not in page and elsewhere.title not in page

    response = _expiring(province, days=0)
    assert response.status_code == 200 and soon.title not in response.content.decode()
    assert (
        "Hết hạn trong vòng (ngày): Đảm bảo giá trị này lớn hơn hoặc bằng với 1" in response.content.decode()
    )


def test_expiring_page_needs_login(client):
    response = client.get(reverse("documents:expiring"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_deleting_a_producer_takes_its_files_with_it(
    world, hn1_producer, media_in_tmp, django_capture_on_commit_callbacks
):
    make_document(hn1_producer)
    client = world.client("province_hn")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:producer_delete", args=[hn1_producer.pk]))
    assert response.status_code == 302
    assert not EvidenceDocument.objects.exists() and stored_files(media_in_tmp) == []


def test_a_product_with_its_own_evidence_is_not_deleted_silently(world, hn1_producer, hn1_product):
    make_document(hn1_producer, hn1_product)
    client = world.client("province_hn")
    response = client.post(reverse("registry:product_delete", args=[hn1_product.pk]), follow=True)
    assert "còn hồ sơ liên quan" in response.content.decode()
    assert EvidenceDocument.objects.filter(product=hn1_product).exists()


def test_stale_edit_and_delete_save_nothing(world, hn1_producer, media_in_tmp):
    """Two officers on one document (core.concurrency): the later form shows both values."""
    document = make_document(hn1_producer)
    edit, delete = (
        reverse("documents:edit", args=[document.pk]),
        reverse("documents:delete", args=[document.pk]),
    )
    first, second = world.client("province_hn"), world.client("admin")
    read = second.get(edit).context["version"]
    assert 'name="_version"' in second.get(delete).content.decode()
    assert first.post(edit, {**_form(title="Bản của người thứ nhất"), "_version": read}).status_code == 302

    stale = second.post(edit, {**_form(title="Bản của người thứ hai"), "_version": read})
    assert stale.status_code == 200 and "người khác đã lưu thay đổi" in stale.content.decode()
    (row,) = [row for row in stale.context["conflicts"] if row["name"] == "title"]
    assert (row["theirs"], row["yours"]) == ("Bản của người thứ nhất", "Bản của người thứ hai")
    document.refresh_from_db()
    assert document.title == "Bản của người thứ nhất"

    refused = second.post(delete, {"_version": read})
    assert refused.status_code == 200 and EvidenceDocument.objects.filter(pk=document.pk).exists()
    assert second.post(delete, {"_version": refused.context["version"]}).status_code == 302
