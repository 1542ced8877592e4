"""Issue 22 item 6: the first model build says what it is doing while it runs, not only when it starts and ends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from align.embedding.e5 import build_model
from align.embedding.e5.build import BUILD_STEPS

try:
    from test_convert import write_tiny_e5
except ImportError:  # pragma: no cover - tests/ imported as a package
    from tests.embedding.test_convert import write_tiny_e5


def test_model_build_prints_a_progress_line_per_stage(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    source = tmp_path / "tiny-q4.bin"
    write_tiny_e5(source)
    lines: list[str] = []
    build_model(tmp_path / "m", source=source, echo=lines.append)
    steps = [ln for ln in lines if ln.startswith("align: model build [")]
    # one numbered, timed line per stage, in order, between the start line and the end line
    assert [re.match(r"align: model build \[(\d+)/(\d+)\]", ln).groups() for ln in steps] == [
        (str(k), str(BUILD_STEPS)) for k in range(1, BUILD_STEPS + 1)
    ]
    assert all(re.search(r"\(\d+\.\d s\)$", ln) for ln in steps)
    assert lines[0].startswith("align: building the default model") and lines[-1].startswith("align: model built in")
    assert lines[1:-1] == steps
    assert any("weights" in ln for ln in steps) and any("tokenizer" in ln for ln in steps)


def test_model_build_progress_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The default ``echo`` writes to stderr: a TMX written to stdout, or a parsed stdout, is never mixed with it."""
    pytest.importorskip("transformers")
    source = tmp_path / "tiny-q4.bin"
    write_tiny_e5(source)
    build_model(tmp_path / "m", source=source)
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("align: model build [") == BUILD_STEPS


def test_a_current_build_prints_nothing(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    source = tmp_path / "tiny-q4.bin"
    write_tiny_e5(source)
    build_model(tmp_path / "m", source=source, echo=None)
    lines: list[str] = []
    build_model(tmp_path / "m", source=source, echo=lines.append)
    assert lines == []
