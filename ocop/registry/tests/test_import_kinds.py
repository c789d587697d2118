"""The kinds of the import wizard and `ocop import`: the registry's own, then those of higher apps."""

import dataclasses

import pytest
from django.core.management import CommandError, call_command

from ocop.core.tabular import ImportResult
from ocop.registry import extensions


def test_kinds_are_the_registrys_then_the_history_of_the_certificates() -> None:
    # Then the history of inspections (ocop.oversight).
    assert extensions.import_kinds.keys() == ("producers", "products", "history", "inspections")
    history = extensions.import_kinds.get("history")
    # Registered by the certification app, which the registry never imports.
    assert history.run.__module__ == "ocop.certification.io"
    assert history.model._meta.label == "certification.Certificate"
    assert extensions.import_kinds.get("inspections").run.__module__ == "ocop.oversight.io"


def test_an_unknown_kind_is_refused(tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\n")
    with pytest.raises(CommandError, match="invalid choice: 'decisions'"):
        call_command("import", "decisions", str(path))


def test_cli_history_runs_the_registered_importer(db, tmp_path, monkeypatch) -> None:
    calls = []

    def fake_import(file, filename, user, *, dry_run=False, progress=None):
        calls.append((filename, user, dry_run, progress is not None))
        return ImportResult(created=3)

    history = dataclasses.replace(extensions.import_kinds.get("history"), run=fake_import)
    monkeypatch.setitem(extensions.import_kinds._items, "history", history)
    path = tmp_path / "lich-su.xlsx"
    path.write_bytes(b"x")
    call_command("import", "history", str(path), "--dry-run")
    assert calls == [("lich-su.xlsx", None, True, True)]
