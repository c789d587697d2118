"""Open data (/open-data/): CSV and JSON of every certificate in effect with its status today,
byte-identical re-downloads, ETag/Last-Modified, the DCAT-AP catalogue, the Atom changes feed and
the documentation page. Never personal data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone

from ocop.certification.models import Certificate
from ocop.certification.tests.conftest import make_certificate
from ocop.core import clock
from ocop.public import opendata

from .conftest import PRIVATE, TODAY
from .shared import module_catalogue, module_world  # noqa: F401 - fixtures "catalogue" and "world"

pytestmark = pytest.mark.django_db

CSV_URL = reverse("public:open_data_csv")
JSON_URL = reverse("public:open_data_json")
EXPECTED_COLUMNS = [
    "certificate_code",
    "certificate_number",
    "status",
    "star",
    "potential_5_star",
    "issued",
    "expires",
    "extended",
    "valid_until",
    "revoked_on",
    "revocation_ground",
    "revocation_decision_number",
    "revocation_decision_date",
    "superseded_by",
    "decision_number",
    "decision_date",
    "authority",
    "product_code",
    "product_legacy_code",
    "gtin",
    "product_name",
    "product_name_en",
    "product_current_name",
    "product_set",
    "sector",
    "producer_id",
    "producer_name",
    "certified_place",
    "province_code",
    "province_name",
    "commune_code",
    "commune_name",
    "product_url",
    "verification_url",
]


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())  # UTF-8 BOM, for Excel
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_lists_every_certificate_in_effect_with_its_status(anonymous, catalogue) -> None:
    response = anonymous.get(CSV_URL)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.content
    assert body.split(b"\r\n")[0].decode("utf-8-sig").split(",") == EXPECTED_COLUMNS
    records = read_csv(body)
    by_code = {r["certificate_code"]: r for r in records}
    c = catalogue.certificates
    assert set(by_code) == {cert.code for cert in c.values()}  # the unpublished product has none
    assert [r["certificate_code"] for r in records] == sorted(by_code)  # stable order
    assert {key: by_code[cert.code]["status"] for key, cert in c.items()} == {
        "valid": "valid",
        "expired": "expired",
        "revoked": "revoked",
        "superseded": "superseded",
        "successor": "valid",
        "hcm": "valid",
    }
    valid = by_code[c["valid"].code]
    product = catalogue.products["valid"]
    assert valid["product_code"] == product.code and valid["gtin"] == product.gtin  # 13 digits, as printed
    assert (valid["star"], valid["issued"], valid["expires"]) == ("4", "2025-01-10", "2028-01-10")
    assert valid["certificate_number"] == "15/GCN" and valid["potential_5_star"] == "false"
    assert (valid["extended"], valid["valid_until"]) == ("false", "2028-01-10")  # no Art. 12.3 extension
    assert valid["product_set"] == "B03" and valid["sector"] == "I"
    assert valid["verification_url"] == f"http://testserver/v/{c['valid'].code}"
    assert valid["product_url"] == f"http://testserver/p/{product.code}"
    assert valid["revoked_on"] == "" and valid["superseded_by"] == ""
    revoked = by_code[c["revoked"].code]
    assert (revoked["revoked_on"], revoked["revocation_ground"], revoked["revocation_decision_number"]) == (
        "2026-03-01",
        "b",
        "77/QĐ-UBND",
    )
    assert by_code[c["superseded"].code]["superseded_by"] == c["successor"].code


def test_no_personal_data(anonymous, catalogue) -> None:
    for url in (CSV_URL, JSON_URL, reverse("public:open_data_feed")):
        text = anonymous.get(url).content.decode("utf-8-sig")
        for value in PRIVATE.values():
            assert value not in text, (url, value)
        assert "representative" not in text and "tax" not in text


def test_redownload_is_byte_identical_and_conditional(anonymous, catalogue) -> None:
    first = anonymous.get(CSV_URL)
    cache.clear()  # rebuilt from the database: still the same bytes
    second = anonymous.get(CSV_URL)
    assert first.content == second.content
    assert first["ETag"] == second["ETag"] and first["Last-Modified"] == second["Last-Modified"]
    not_modified = anonymous.get(CSV_URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and not_modified.content == b""
    since = anonymous.get(CSV_URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    assert anonymous.head(CSV_URL).status_code == 200


def test_a_change_changes_the_file(anonymous, catalogue, monkeypatch) -> None:
    before = anonymous.get(CSV_URL)
    make_certificate(catalogue.products["unpublished"], star=3, issue_date=dt.date(2026, 11, 1))
    after = anonymous.get(CSV_URL)  # the signals invalidate the cached file
    assert after.content != before.content and after["ETag"] != before["ETag"]
    assert len(read_csv(after.content)) == len(read_csv(before.content)) + 1
    # The day after a certificate's last day, its status (and so the file) changes.
    expiry = catalogue.certificates["valid"].expiry
    monkeypatch.setattr(clock, "today", lambda: expiry + dt.timedelta(days=1))
    later = {r["certificate_code"]: r for r in read_csv(anonymous.get(CSV_URL).content)}
    assert later[catalogue.certificates["valid"].code]["status"] == "expired"


def test_last_modified_is_the_latest_change_of_the_data(anonymous, catalogue) -> None:
    rows = Certificate.objects.filter(issue_date__lte=TODAY)
    latest = max(
        value
        for field in ("updated", "decision__updated", "product__updated", "product__producer__updated")
        for value in rows.values_list(field, flat=True)
    )
    response = anonymous.get(CSV_URL)
    assert parsedate_to_datetime(response["Last-Modified"]) == latest.replace(microsecond=0)
    catalog = json.loads(anonymous.get(reverse("public:open_data_catalog")).content)
    modified = catalog["dcat:dataset"][0]["dct:modified"]["@value"]
    assert modified == timezone.localtime(latest).date().isoformat()


def test_json_has_the_same_records(anonymous, catalogue) -> None:
    response = anonymous.get(JSON_URL)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(response.content)
    assert body["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert body["columns"] == EXPECTED_COLUMNS and body["count"] == len(body["items"]) == 6
    item = next(i for i in body["items"] if i["certificate_code"] == catalogue.certificates["valid"].code)
    assert list(item) == EXPECTED_COLUMNS
    assert item["star"] == 4 and item["potential_5_star"] is False and item["revoked_on"] is None
    assert anonymous.get(JSON_URL).content == response.content


def test_dcat_catalogue(anonymous, catalogue) -> None:
    response = anonymous.get(reverse("public:open_data_catalog"))
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    data = json.loads(response.content)
    assert data["@type"] == "dcat:Catalog" and data["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    (dataset,) = data["dcat:dataset"]
    assert dataset["@type"] == "dcat:Dataset"
    assert dataset["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    distributions = {d["dcat:mediaType"]["@id"]: d for d in dataset["dcat:distribution"]}
    iana = "https://www.iana.org/assignments/media-types/"
    assert set(distributions) == {iana + "text/csv", iana + "application/json", iana + "application/atom+xml"}
    for distribution in distributions.values():
        assert distribution["@type"] == "dcat:Distribution" and distribution["dct:license"]
        url = distribution["dcat:downloadURL"]["@id"]
        assert url.startswith("http://testserver/open-data/")
        assert anonymous.get(url.removeprefix("http://testserver")).status_code == 200


def test_changes_feed(anonymous, catalogue) -> None:
    response = anonymous.get(reverse("public:open_data_feed"))
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.content)
    entries = root.findall("a:entry", ns)
    events = {(e.find("a:id", ns).text.split(":")[-2], e.find("a:category", ns).get("term")) for e in entries}
    c = catalogue.certificates
    assert (c["revoked"].code, "revoked") in events
    assert (c["expired"].code, "expired") in events  # expired on 11/01/2026
    assert (c["successor"].code, "new") in events and (c["valid"].code, "new") in events
    assert (c["superseded"].code, "expired") not in events  # replaced before it expired: not an expiry
    days = [e.find("a:updated", ns).text for e in entries]
    assert days == sorted(days, reverse=True)  # newest first
    assert root.find("a:updated", ns).text == days[0]  # from the data, not the clock
    assert anonymous.get(reverse("public:open_data_feed")).content == response.content


def test_documentation_page(anonymous, catalogue) -> None:
    response = anonymous.get(reverse("public:open_data"))
    assert response.status_code == 200
    html = response.content.decode()
    for column in opendata.COLUMNS:
        assert f"<code>{column.name}</code>" in html
    assert "CC BY 4.0" in html and "https://creativecommons.org/licenses/by/4.0/" in html
    assert CSV_URL in html and JSON_URL in html and reverse("public:open_data_catalog") in html
    assert "6 dòng" in html


def test_open_data_queries_are_bounded(anonymous, catalogue, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(2):  # the rows, and the dates for Last-Modified
        anonymous.get(CSV_URL)
    with django_assert_max_num_queries(0):
        anonymous.get(CSV_URL)
    with django_assert_max_num_queries(3):
        anonymous.get(reverse("public:open_data_feed"))


ATTACKS = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\tX", "\rX"]


def test_csv_cells_cannot_run_as_formulas_json_keeps_the_values(anonymous, catalogue) -> None:
    from ocop.certification.models import Certificate
    from ocop.registry.models import Product

    keys = ["valid", "expired", "revoked", "superseded", "hcm"]  # five products ("successor": superseded's)
    names = dict(zip(keys, ATTACKS, strict=False))
    for key, name in names.items():  # as a careless import could have stored them
        Product.objects.filter(pk=catalogue.certificates[key].product_id).update(name=name)
        # Around the frozen-field rule (CertificateQuerySet.update refuses it), as a repair would.
        models.QuerySet(Certificate).filter(pk=catalogue.certificates[key].pk).update(
            certified_product_name=name
        )
    Product.objects.filter(pk=catalogue.certificates["valid"].product_id).update(name_en=ATTACKS[-1])
    cache.clear()
    by_code = {r["certificate_code"]: r for r in read_csv(anonymous.get(CSV_URL).content)}
    # OWASP: a quote before what a spreadsheet would run; the rest of the row is untouched.
    assert {key: by_code[catalogue.certificates[key].code]["product_name"] for key in keys} == {
        key: "'" + name for key, name in names.items()
    }
    valid = by_code[catalogue.certificates["valid"].code]
    assert valid["product_name_en"] == "'\rX" and valid["star"] == "4"
    items = {i["certificate_code"]: i for i in json.loads(anonymous.get(JSON_URL).content)["items"]}
    assert {key: items[catalogue.certificates[key].code]["product_name"] for key in keys} == names
