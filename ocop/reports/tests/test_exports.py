"""The dashboard's figures as a spreadsheet (/reports/statistics.xlsx|csv): the API's numbers, the
same scope, a clear refusal of bad parameters."""

from __future__ import annotations

import csv
import io

from python_calamine import CalamineWorkbook

from .conftest import History
from .test_statistics_pages import api_get

URL = "/reports/statistics.{fmt}"


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_holds_the_api_figures_of_that_day(history: History) -> None:
    world = history.world
    response = world.client("central").get(URL.format(fmt="csv"), {"date": "31/12/2022", "unit": "01"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('2022-12-31.csv"')
    rows = _csv(response)
    header, communes, total = rows[0], rows[1:-1], rows[-1]
    assert header[:2] == ["Mã địa bàn", "Địa bàn"] and "4 sao tiềm năng 5 sao" in header
    data = api_get(world, "central", date="31/12/2022", unit="01").json()
    assert [row[0] for row in communes] == [row["code"] for row in data["by_commune"]]
    by_star = data["products"]["by_star"]
    column = {name: index for index, name in enumerate(header)}
    assert total[0] == "01" and total[1] == "Tổng: Thành phố Hà Nội"
    assert int(total[column["4 sao tiềm năng 5 sao"]]) == by_star["4p"]
    assert int(total[column["Bị thu hồi"]]) == by_star["revoked"]
    assert int(total[column["Sản phẩm OCOP"]]) == data["products"]["ocop"]
    assert int(total[column["Tổng số sản phẩm"]]) == data["products"]["total"]
    assert total[column["Tính đến ngày"]] == "31/12/2022"


def test_the_xlsx_of_the_whole_country_has_a_row_per_province(history: History) -> None:
    response = history.world.client("central").get(URL.format(fmt="xlsx"))
    assert response.status_code == 200
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = workbook.get_sheet_by_index(0).to_python()
    body = [row for row in rows[1:] if row and row[0]]
    assert len(body) == 34  # every current province, then the total (no code for the country)
    assert str(rows[-1][1]).startswith("Tổng:")


def test_scope_and_bad_parameters(history: History) -> None:
    world = history.world
    assert world.client("province_hcm").get(URL.format(fmt="csv"), {"unit": "01"}).status_code == 403
    bad = world.client("province_hn").get(URL.format(fmt="csv"), {"date": "31/02/2022"})
    assert bad.status_code == 400 and "ngày" in bad.content.decode().lower()
    assert world.client("central").get(URL.format(fmt="pdf")).status_code == 404
    anonymous = world.client("central")
    anonymous.logout()
    assert anonymous.get(URL.format(fmt="csv")).status_code == 302
    # A province officer's own file: its communes only.
    rows = _csv(world.client("province_hn").get(URL.format(fmt="csv")))
    assert rows[-1][0] == "01"
