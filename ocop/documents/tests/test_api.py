"""/api/v1/{products,producers}/{id}/evidence/: scoped lists with general documents reused, uploads
with the page's checks, and downloads through `download_url`."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ocop.accounts.models import ApiToken
from ocop.documents.models import EvidenceDocument, EvidenceType
from ocop.registry.tests.conftest import make_product

from .conftest import EXE_BYTES, PDF_BYTES, docx_bytes, make_document, stored_files


def _headers(user) -> dict[str, str]:
    _token, key = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def api(world, client):
    def call(name: str, method: str, url: str, data=None, **extra):
        return getattr(client, method)(url, data or {}, **_headers(world.users[name]), **extra)

    return call


def _product_url(product) -> str:
    return f"/api/v1/products/{product.pk}/evidence/"


def _producer_url(producer) -> str:
    return f"/api/v1/producers/{producer.pk}/evidence/"


def test_product_evidence_lists_its_own_and_the_producer_general_documents(
    api, hn1_producer, hn1_product, django_assert_max_num_queries
):
    general = make_document(hn1_producer, title="Đăng ký HTX")
    own = make_document(
        hn1_producer,
        hn1_product,
        doc_type=EvidenceType.LAB_REPORT,
        title="Phiếu kiểm nghiệm",
        name="kn.docx",
        content=docx_bytes(),
    )
    make_document(hn1_producer, make_product(hn1_producer), title="Của sản phẩm khác")

    with django_assert_max_num_queries(8):
        response = api("commune_hn1", "get", _product_url(hn1_product))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_id = {item["id"]: item for item in body["items"]}
    assert by_id[general.pk]["product"] is None
    item = by_id[own.pk]
    assert item["product"] == {"id": hn1_product.pk, "name": hn1_product.name}
    assert item["doc_type"] == "lab_report" and item["doc_type_label"] == "Phiếu kiểm nghiệm"
    assert item["original_name"] == "kn.docx" and item["sha256"] == own.sha256
    assert item["content_type"].endswith("wordprocessingml.document")
    assert item["download_url"] == f"http://testserver/api/v1/evidence/{own.pk}/file"
    assert "file" not in item and own.file.name not in response.content.decode()  # no storage path

    response = api("commune_hn1", "get", _product_url(hn1_product), {"type": "lab_report"})
    assert [i["id"] for i in response.json()["items"]] == [own.pk]

    response = api("commune_hn1", "get", _producer_url(hn1_producer), {"limit": 2})
    assert response.json()["count"] == 3 and len(response.json()["items"]) == 2


def test_lists_are_scoped(api, client, hn1_producer, hn1_product):
    make_document(hn1_producer)
    for name in ("commune_hn2", "province_hcm", "producer_hn1"):
        assert api(name, "get", _product_url(hn1_product)).status_code == 404, name
        assert api(name, "get", _producer_url(hn1_producer)).status_code == 404, name
    assert api("viewer_hn", "get", _producer_url(hn1_producer)).json()["count"] == 1
    response = client.get(_producer_url(hn1_producer))
    assert response.status_code == 401 and "detail" in response.json()


def test_download_url_serves_the_file_to_the_scope_only(api, hn1_producer):
    document = make_document(hn1_producer)
    url = f"/api/v1/evidence/{document.pk}/file"
    response = api("council_hn", "get", url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert response["X-Content-Type-Options"] == "nosniff"
    assert api("commune_hn2", "get", url).status_code == 404


def _upload(name="ĐKKD.pdf", content=PDF_BYTES, **fields):
    data = {"doc_type": "business_registration", "title": "Giấy chứng nhận ĐKKD", "issue_date": "15/01/2024"}
    data.update(fields)
    return {**data, "file": SimpleUploadedFile(name, content, content_type="application/pdf")}


def test_upload_to_a_product_and_to_a_producer(api, world, hn1_producer, hn1_product, media_in_tmp):
    response = api(
        "commune_hn1", "post", _product_url(hn1_product), _upload(), HTTP_X_AUDIT_REASON="Nhập qua API"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["product"]["id"] == hn1_product.pk and body["issue_date"] == "2024-01-15"
    document = EvidenceDocument.objects.get(pk=body["id"])
    assert document.producer == hn1_producer and document.uploaded_by == world.users["commune_hn1"]
    assert document.history.get().history_change_reason == "Nhập qua API"
    assert document.file.name.startswith(f"evidence/{hn1_producer.pk}/")

    response = api("province_hn", "post", _producer_url(hn1_producer), _upload(expiry_date="2029-01-15"))
    assert response.status_code == 201, response.json()
    assert response.json()["product"] is None and response.json()["expiry_date"] == "2029-01-15"

    response = api("province_hn", "post", _producer_url(hn1_producer), _upload(product_id=hn1_product.pk))
    assert response.status_code == 201 and response.json()["product"]["id"] == hn1_product.pk
    assert len(stored_files(media_in_tmp)) == 3


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (_upload(name="hoa-don.pdf", content=EXE_BYTES), "file: Tệp là chương trình thực thi"),
        (_upload(content=b""), "file: Tệp rỗng"),
        (
            _upload(issue_date="2024-01-15", expiry_date="2023-12-31"),
            "expiry_date: Ngày hết hạn phải từ ngày cấp",
        ),
        (_upload(doc_type="passport"), "doc_type"),
        # Unknown or read-only fields are refused, not dropped (issue 9).
        (_upload(uploaded_by="1"), "uploaded_by: trường không được nhận"),
        (_upload(producer="2"), "producer: trường không được nhận"),
    ],
)
def test_refused_uploads_are_422_and_store_nothing(api, hn1_producer, media_in_tmp, upload, message):
    response = api("commune_hn1", "post", _producer_url(hn1_producer), upload)
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not EvidenceDocument.objects.exists() and stored_files(media_in_tmp) == []


def test_upload_permissions(api, world, hn1_producer, hn1_product, media_in_tmp):
    assert api("viewer_hn", "post", _producer_url(hn1_producer), _upload()).status_code == 403
    assert api("council_hn", "post", _product_url(hn1_product), _upload()).status_code == 403
    assert api("commune_hn2", "post", _producer_url(hn1_producer), _upload()).status_code == 404
    other = make_product(
        hn1_producer.__class__.objects.create(name="Khác", producer_type="HTX", unit=world.places["hn2"])
    )
    response = api("commune_hn1", "post", _producer_url(hn1_producer), _upload(product_id=other.pk))
    assert response.status_code == 422 and "product_id" in response.json()["detail"]
    assert not EvidenceDocument.objects.exists() and stored_files(media_in_tmp) == []


def test_session_upload_needs_csrf(world, hn1_producer, media_in_tmp):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["commune_hn1"])
    response = client.post(_producer_url(hn1_producer), _upload())
    assert response.status_code == 403 and not EvidenceDocument.objects.exists()
