"""The layer contracts (pyproject.toml, docs/architecture.md) hold, and they catch an upward import.

`make test` runs `lint-imports` on the tree itself; this test proves the contracts bite: on a copy
of the package with one deliberate upward import, `lint-imports` fails and names the chain.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is a dev dependency")


def _copy(tmp_path: Path) -> Path:
    """The ocop package's Python files and pyproject.toml, in a fresh directory."""
    shutil.copytree(ROOT / "ocop", tmp_path / "ocop", ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}  # the copy, not the installed package
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, timeout=600
    )


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_tree_keeps_its_layers(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Apps import only the apps below them KEPT" in result.stdout
    assert "Pure rules know nothing of Django KEPT" in result.stdout


def test_an_upward_import_breaks_the_build(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    _append(
        tree / "ocop" / "registry" / "forms.py", "from ocop.certification.models import Certificate  # noqa"
    )
    result = _lint(tree)
    assert result.returncode != 0
    assert "Apps import only the apps below them BROKEN" in result.stdout
    assert "ocop.registry.forms -> ocop.certification.models" in result.stdout


def test_django_in_a_pure_rule_module_breaks_the_build(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    _append(tree / "ocop" / "evaluation" / "scoring.py", "from django.utils import timezone  # noqa")
    result = _lint(tree)
    assert result.returncode != 0
    assert "Pure rules know nothing of Django BROKEN" in result.stdout
