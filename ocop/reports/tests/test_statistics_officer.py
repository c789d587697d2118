"""Checked as an officer would: a province's certificate history loaded from a file, then its
dashboard, the API and the public province page give the same figures. (It builds its own rows; the
other statistics page tests share one history per module.)"""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from ocop.certification import io as history_io
from ocop.certification.tests.test_io import csv_file as history_file
from ocop.core import clock
from ocop.registry.classification import ProducerType

from .conftest import World, make_producer, make_product
from .test_statistics_pages import api_get, empty_cache, public_figures, star_rows  # noqa: F401 - autouse


def test_checked_as_an_officer_would(world: World) -> None:
    """After loading a province's history, its dashboard as of 31/12/2022 shows products by star
    with tiềm năng 5★ as its own figure, and the same figures come from the API and the public
    province page."""
    officer = world.users["province_hn"]
    producers = [
        make_producer(world.places["hn1"], name="Hợp tác xã Chè Ba Vì", producer_type=ProducerType.HTX),
        make_producer(world.places["hn2"], name="Hộ Nguyễn Văn An", producer_type=ProducerType.HO_SX),
    ]
    names = ["Chè búp", "Chè xanh", "Mật ong", "Miến dong", "Gạo nếp", "Tương Cự Đà", "Bánh chưng"]
    products = {name: make_product(producers[index % 2], name=name) for index, name in enumerate(names)}

    def row(name: str, star: str, day: str, number: str, **extra: str) -> dict[str, str]:
        values = {
            "product_code": products[name].code,
            "star": star,
            "decision_number": number,
            "decision_date": day,
            "issue_date": day,
        }
        if star == "5":
            values.update(authority="Bộ Nông nghiệp và Phát triển nông thôn", authority_level="central")
        else:
            values.update(authority="UBND thành phố Hà Nội", authority_level="province")
        values.update(extra)
        return values

    result = history_io.import_file(
        history_file(
            row("Chè búp", "3", "15/06/2020", "101/QĐ-UBND"),
            row("Chè xanh", "4", "20/07/2021", "202/QĐ-UBND", potential_5_star="Có"),
            row("Mật ong", "4", "20/07/2021", "202/QĐ-UBND", potential_5_star="Có"),
            row("Miến dong", "4", "20/07/2021", "202/QĐ-UBND"),
            row("Gạo nếp", "5", "10/03/2022", "88/QĐ-BNN"),
            row(
                "Tương Cự Đà",
                "3",
                "15/06/2020",
                "101/QĐ-UBND",
                revoked_on="01/10/2022",
                revocation_ground="b",
                revocation_number="900/QĐ-UBND",
                revocation_date="01/10/2022",
            ),
            row("Bánh chưng", "3", "05/09/2019", "55/QĐ-UBND"),  # expired 05/09/2022
        ),
        "lich-su-ha-noi.csv",
        officer,
    )
    assert result.ok, [str(error) for error in result.errors]

    # The dashboard, as a province officer reads it.
    html = world.client("province_hn").get("/", {"date": "31/12/2022"}).content.decode()
    expected = {
        "3 sao": "1",
        "4 sao": "1",
        "4 sao tiềm năng 5 sao": "2",
        "5 sao": "1",
        "Bị thu hồi": "1",
        "Chưa có sao": "1",
        "Tổng": "7",
    }
    assert star_rows(html) == expected
    assert re.search(r'data-stat="ocop">\s*5\s*<', html)

    # The same figures from the API…
    api = api_get(world, "province_hn", date="31/12/2022").json()
    assert api["products"]["by_star"] == {"3": 1, "4": 1, "4p": 2, "5": 1, "revoked": 1, "none": 1}
    assert api["products"]["ocop"] == 5

    # …and from the public province page.
    public = public_figures(Client().get("/tinh/01/", {"ngay": "31/12/2022"}).content.decode())
    assert public == {"ocop": "5", "5": "1", "4p": "2", "4": "1", "3": "1", "revoked": "1", "communes": "2"}
    assert dt.date(2022, 12, 31) < clock.today()
