"""`ocop score FILE.json` and the criteria API, on the law's own sheets (the issue's hand-made cases)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ocop.evaluation import criteria
from ocop.evaluation.scoring import member_total

B01 = criteria.get_sheet("26-2026", "B01")
BEST = {c.code: max(c.options, key=lambda o: o.points).position for c in B01.criteria}


def _score(tmp_path: Path, document: dict) -> dict:
    path = tmp_path / "score.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = StringIO()
    call_command("score", str(path), stdout=out)
    return json.loads(out.getvalue())


def _members(*answers: dict) -> list[dict]:
    return [{"answers": a} for a in answers]


def test_all_best_options_score_100_five_stars(tmp_path):
    result = _score(tmp_path, {"sheet": "B01", "version": "26-2026", "members": _members(BEST, BEST, BEST)})
    assert result["total"] == 100.0
    # A province council sends it to the Ministry: it never prints "recognised": true for it.
    assert (result["band"], result["star"], result["recognised"]) == (5, 5, False)
    assert result["unmet_minimums"] == [] and result["knocked_out"] is False
    assert result["members"] == [100.0, 100.0, 100.0] and result["spread"] == 0.0
    assert result["potential_five_star"] is True and result["outcome"] == "potential_five_star"
    central = _score(
        tmp_path, {"sheet": "B01", "version": "26-2026", "members": _members(BEST), "level": "central"}
    )
    assert (central["star"], central["recognised"], central["outcome"]) == (5, True, "recognised")


def test_ninety_plus_missing_a_five_star_mark_is_referred_by_default(tmp_path, settings):
    five = next(c for c in B01.criteria if any(o.min_star == 5 for o in c.options))
    answers = dict(BEST)
    answers[five.code] = next(
        o.position
        for o in reversed(five.options)
        if o.min_star != 5 and o.points < max(o.points for o in five.options)
    )
    document = {"sheet": "B01", "version": "26-2026", "members": _members(answers)}
    result = _score(tmp_path, document)
    assert result["total"] >= 90 and {"criterion": five.code, "star": 5} in result["unmet_minimums"]
    assert (result["outcome"], result["recognised"], result["potential_five_star"]) == (
        "potential_five_star",
        False,
        True,
    )
    settings.OCOP_FIVE_STAR_REFERRAL = "minimums"
    older = _score(tmp_path, document)
    assert (older["star"], older["outcome"], older["recognised"]) == (4, "recognised", True)


def test_missing_e_traceability_caps_a_four_star_band_at_three(tmp_path):
    answers = dict(BEST, **{"2.3": 1})
    for criterion in B01.criteria:
        if member_total(B01, answers) < 88:
            break
        if not criterion.marks and criterion.applies_if is None:
            answers[criterion.code] = min(criterion.options, key=lambda o: o.points).position
    result = _score(tmp_path, {"sheet": "B01", "version": "26-2026", "members": _members(answers)})
    assert result["band"] == 4 and result["star"] == 3 and result["recognised"] is True
    assert {"criterion": "2.3", "star": 4} in result["unmet_minimums"]


def test_member_totals_89_90_90_are_band_four(tmp_path):
    def sheet_with(total: int) -> dict:
        answers = dict(BEST)
        for criterion in B01.criteria:  # lower unmarked criteria one option at a time to the target
            while not criterion.marks and criterion.applies_if is None:
                current = sum(B01.criterion(c).option(p).points for c, p in answers.items())
                position = answers[criterion.code]
                if current == total or position == 1:
                    break
                lower = B01.criterion(criterion.code).option(position - 1).points
                if current - (criterion.option(position).points - lower) < total:
                    break
                answers[criterion.code] = position - 1
        assert sum(B01.criterion(c).option(p).points for c, p in answers.items()) == total
        return answers

    result = _score(
        tmp_path,
        {
            "sheet": "B01",
            "version": "26-2026",
            "members": _members(sheet_with(89), sheet_with(90), sheet_with(90)),
        },
    )
    assert result["members"] == [89.0, 90.0, 90.0]
    assert result["total"] == 89.67 and result["band"] == 4


def test_a_knockout_is_loai(tmp_path):
    knockout = next(k.id for k in B01.knockouts if k.criterion is None)
    result = _score(tmp_path, {"sheet": "B01", "members": _members(BEST), "knockouts": [knockout]})
    assert result["knocked_out"] is True and result["star"] is None and result["recognised"] is False
    assert result["outcome"] == "knocked_out"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"sheet": "B01", "members": [{"answers": dict(BEST, **{"9.9": 1})}]}, "9.9"),
        ({"sheet": "B01", "members": [{"answers": {k: v for k, v in BEST.items() if k != "1.3"}}]}, "1.3"),
        ({"sheet": "B01", "members": [{"answers": dict(BEST, **{"1.1": 9})}]}, "lựa chọn 9"),
        ({"sheet": "B99", "members": [{"answers": BEST}]}, "B99"),
        ({"sheet": "B01", "version": "1-1900", "members": [{"answers": BEST}]}, "1-1900"),
        ({"sheet": "B01", "members": []}, "members"),
        ({"sheet": "B01", "members": [{"answers": BEST}], "knockouts": ["K99"]}, "K99"),
    ],
)
def test_bad_input_is_an_error_naming_it(tmp_path, document, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match=message) as error:
        call_command("score", str(path), stdout=StringIO())
    assert error.value.returncode == 2


def test_cli_exit_status_and_json_output(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps({"sheet": "B01", "version": "26-2026", "members": _members(BEST)}), encoding="utf-8"
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    ocop = Path(sys.executable).with_name("ocop")
    env = dict(os.environ)
    done = subprocess.run([ocop, "score", str(good)], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["star"] == 5
    failed = subprocess.run(
        [ocop, "score", str(broken)], capture_output=True, text=True, env=env, check=False
    )
    assert failed.returncode == 2
    assert "JSON" in failed.stderr


# --- API ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_criteria_api_lists_versions(client):
    body = client.get("/api/v1/criteria/").json()
    current = next(v for v in body if v["id"] == "26-2026")
    assert current["parts"] == {"A": 40, "B": 25, "C": 35}
    assert len(current["sheets"]) == 26
    assert {v["legal_basis"] for v in body} >= {"QD148", "QD490/1048", "QD26/2026"}


@pytest.mark.django_db
def test_criteria_api_returns_every_sheet_totalling_100(client):
    for code in criteria.sheet_codes("26-2026"):
        body = client.get(f"/api/v1/criteria/26-2026/sheets/{code}").json()
        total = sum(
            max(option["points"] for option in c["options"])
            for part in body["parts"]
            for section in part["sections"]
            for c in section["criteria"]
        )
        assert total == 100 == body["total"], code
        assert [p["max"] for p in body["parts"]] == [40, 25, 35]


@pytest.mark.django_db
def test_criteria_api_sheet_b01_is_nested_with_positions_and_knockouts(client):
    body = client.get("/api/v1/criteria/26-2026/sheets/B01").json()
    first = body["parts"][0]["sections"][0]["criteria"][0]
    assert first["code"] == "1.1"
    assert [(o["position"], o["points"]) for o in first["options"]] == [(1, 1), (2, 2), (3, 3)]
    label = next(c for s in body["parts"][0]["sections"] for c in s["criteria"] if c["code"] == "2.3")
    assert label["options"][-1]["min_star"] == 4
    assert body["knockouts"] and all(k["id"] for k in body["knockouts"])


@pytest.mark.django_db
def test_criteria_api_unknown_sheet_is_404_with_detail(client):
    response = client.get("/api/v1/criteria/26-2026/sheets/B27")
    assert response.status_code == 404 and "B27" in response.json()["detail"]
    assert client.get("/api/v1/criteria/nope").status_code == 404
