"""Start-up stays light: ``import align``, ``align --help``/``--version`` and an early error never import torch.

torch (with sentence-transformers) takes seconds to import; a user who asks
for help or mistypes a file name must get the answer at once. Each case runs
in a fresh interpreter with ``-X importtime``, which lists every module the
process imported.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "sentence_transformers", "transformers", "tokenizers", "safetensors", "starlette", "uvicorn")


def _run(*args: str, cwd=None) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``python -X importtime ARGS``; the result and the top-level names of the modules it imported."""
    p = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True, text=True, timeout=120,
                       cwd=cwd)
    imported = set()
    for line in p.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            imported.add(name.split(".")[0])
    return p, imported


def _messages(p: subprocess.CompletedProcess) -> list[str]:
    return [ln for ln in p.stderr.splitlines() if not ln.startswith("import time:")]


def test_import_align_does_not_import_torch():
    p, imported = _run("-c", "import align")
    assert p.returncode == 0, p.stderr[-2000:]
    assert "align" in imported and "dataclasses" in imported  # the check sees what was imported (align.common's)
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_do_not_import_torch(flag):
    p, imported = _run("-m", "align", flag)
    assert p.returncode == 0, p.stderr[-2000:]
    assert ("Usage: align" in p.stdout) if flag == "--help" else ("align" in p.stdout)
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_a_missing_input_fails_at_once_without_loading_the_model(tmp_path):
    """The default model is asked for, but the missing file is found before anything loads it."""
    p, imported = _run("-m", "align", "run", "missing.txt", "x.txt", "-o", "y.tmx", cwd=tmp_path)
    assert p.returncode == 3, p.stderr[-2000:]
    lines = _messages(p)
    assert len(lines) == 1 and lines[0].startswith("align: error: ") and "missing.txt" in lines[0], lines
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
    assert sorted(x.name for x in tmp_path.iterdir()) == []  # no output, no temporary
