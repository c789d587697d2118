"""The kinds of `ocop import`: the registry's own, then those registered by higher apps."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from ocop.registry import import_kinds


def test_kinds_are_the_registrys_then_the_history_of_the_certificates() -> None:
    assert import_kinds.kinds() == ("producers", "products", "history")
    assert import_kinds.importer("history").__module__ == "ocop.evaluation.io"


def test_registering_again_is_harmless_but_a_second_importer_is_refused() -> None:
    import_kinds.register("history", "ocop.evaluation.io.import_file")  # as AppConfig.ready() may again
    with pytest.raises(ImproperlyConfigured, match="history"):
        import_kinds.register("history", "somewhere.else.import_file")
    assert import_kinds.kinds() == ("producers", "products", "history")


def test_an_unknown_kind_is_refused(tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\n")
    with pytest.raises(CommandError, match="invalid choice: 'decisions'"):
        call_command("import", "decisions", str(path))
