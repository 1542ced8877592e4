"""The import contracts hold, and they would catch a wrong import.

``lint-imports`` (import-linter, configured in ``pyproject.toml``) checks the layers
cli → corpus/tools → pipeline → formats → quality → core → embedding/reading →
common. This test runs it on the real tree and on a copy where the aligner core
imports a format, which must break the contract: a contract that cannot fail
protects nothing. ``.ci/run`` also runs it, with ruff and mypy.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (pip install -e '.[test]')")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "pyproject.toml"],
        cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=120,
    )


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "align", tmp_path / "align", ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_its_layers(tmp_path):
    res = _lint(_copy(tmp_path))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 kept, 0 broken" in res.stdout or "0 broken" in res.stdout


def test_the_core_importing_a_format_breaks_the_contract(tmp_path):
    root = _copy(tmp_path)
    search = root / "align" / "core" / "search.py"
    search.write_text(search.read_text() + "\nimport align.formats.tmx  # a deliberately wrong import\n")
    res = _lint(root)
    assert res.returncode != 0
    assert "BROKEN" in res.stdout
    assert "align.core.search -> align.formats.tmx" in res.stdout
