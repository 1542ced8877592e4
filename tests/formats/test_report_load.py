"""Issue 19, case 4: ``align report FILE.json`` reads a JSON report bounded and checks it before use.

A device, an oversized file, a compressed matrix that inflates far past its
header, bad base64, a string where a score belongs: each is one ``InputError``
line naming the file (exit 3), never a MemoryError, a crash or "internal error".
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import os
import tracemalloc
import zlib

import pytest
from fuzz_report import seed_payload

import align.formats.report.payload as payload_mod
from align.cli.main import main
from align.common.errors import InputError
from align.formats.report.check import MAX_DEPTH, MAX_REPORT_JSON_BYTES
from align.formats.report.payload import load_report, rebuild_report
from align.formats.report.plots import MAX_DECODE_CELLS, decode_matrix


def write(tmp_path, payload, name="r.report.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return str(path)


def tampered(**changes) -> dict:
    """The seed report with fields replaced: ``changes`` maps a dotted path ("beads.1.score") to its new value."""
    doc = copy.deepcopy(seed_payload())
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[int(last) if isinstance(node, list) else last] = value
    return doc


@functools.cache
def bomb(inflated: int) -> str:
    """Base64 of zlib data that inflates to ``inflated`` zero bytes (a few hundred KB for 400 MB)."""
    z = zlib.compressobj(9)
    chunk = b"\x00" * (1 << 20)
    parts = [z.compress(chunk) for _ in range(inflated >> 20)]
    return base64.b64encode(b"".join(parts) + z.flush()).decode("ascii")


def cli_error(capsys, path: str, tmp_path) -> str:
    with pytest.raises(SystemExit) as e:
        main(["report", path, "-o", str(tmp_path / "out.html")])
    err = capsys.readouterr().err
    assert e.value.code == 3, err
    assert err.count("\n") == 1 and err.startswith("align: error: ") and "internal error" not in err
    assert not (tmp_path / "out.html").exists()
    return err


def test_the_seed_report_rebuilds(tmp_path):
    path = write(tmp_path, seed_payload())
    rebuild_report(path, tmp_path / "r.html")
    assert "<!DOCTYPE html>" in (tmp_path / "r.html").read_text("utf-8")


# ----------------------------------------------------------------------------- the file


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_report_from_dev_zero_is_refused_not_a_memory_error(tmp_path, capsys):
    with pytest.raises(InputError, match="is a device, not a regular file"):
        load_report("/dev/zero")
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    err = cli_error(capsys, str(link), tmp_path)
    assert "zero.json" in err and "device" in err


def test_report_fifo_is_refused_not_a_hang(tmp_path):
    fifo = tmp_path / "r.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="is a FIFO"):
        load_report(fifo)


def test_report_json_over_the_limit_is_refused_naming_the_limit(tmp_path, monkeypatch):
    from align.common import files

    assert MAX_REPORT_JSON_BYTES == 256 * 2**20
    path = write(tmp_path, seed_payload())
    monkeypatch.setattr(payload_mod, "MAX_REPORT_JSON_BYTES", 1024)
    with pytest.raises(InputError, match=r"is too large \(\d+ KB; the limit is 1 KB\)") as e:
        load_report(path)
    assert "r.report.json" in str(e.value)
    assert files.MAX_FILE_BYTES < MAX_REPORT_JSON_BYTES  # a report of two 64 MB documents is larger than either


def test_report_not_utf8_is_an_input_error(tmp_path):
    (tmp_path / "r.json").write_bytes(b'{"format": "align-report", "x": "\xff"}')
    with pytest.raises(InputError, match="not UTF-8"):
        load_report(tmp_path / "r.json")


# ----------------------------------------------------------------------------- the matrix


def test_report_matrix_bomb_is_refused_before_inflating(tmp_path, capsys):
    """A 522 KB file declaring a 20,000 x 20,000 matrix (400 MB inflated): refused by its header."""
    s = seed_payload()["summary"]["segments"]
    data = bomb(400 << 20)
    assert len(data) < 800_000
    doc = tampered(**{"matrix.cells": [20_000, 20_000], "matrix.shape": [20_000, 20_000], "matrix.data": data,
                      "summary.segments.src": 20_000, "summary.segments.tgt": 20_000})
    path = write(tmp_path, doc)
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=rf"matrix.cells: 20000×20000 cells; a report's matrix has 1 to {MAX_DECODE_CELLS}"):
            load_report(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30 * 2**20, peak
    assert s["src"] == 3
    assert "r.report.json" in cli_error(capsys, path, tmp_path)


def test_report_matrix_bomb_behind_a_small_header_inflates_no_more_than_declared(tmp_path):
    """The header says 3 x 2 cells, the data inflates to 400 MB: at most 7 bytes are ever inflated."""
    doc = tampered(**{"matrix.data": bomb(400 << 20)})
    path = write(tmp_path, doc)
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=r"matrix data does not hold the 3×2 cells its header says"):
            load_report(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, peak


def test_report_matrix_header_must_match_the_segments(tmp_path):
    with pytest.raises(InputError, match=r"matrix.shape: 4×2, but the report has 3 source and 2 target segments"):
        load_report(write(tmp_path, tampered(**{"matrix.shape": [4, 2]})))
    with pytest.raises(InputError, match=r"matrix.block: blocks of 1×5 do not give 3×2 cells"):
        load_report(write(tmp_path, tampered(**{"matrix.block": [1, 5]})))


def test_report_with_bad_base64_is_an_input_error(tmp_path, capsys):
    path = write(tmp_path, tampered(**{"matrix.data": "!!!not base64!!!"}))
    with pytest.raises(InputError, match="not a valid alignment report: matrix data is not base64"):
        load_report(path)
    with pytest.raises(InputError, match="not zlib-compressed"):
        load_report(write(tmp_path, tampered(**{"matrix.data": base64.b64encode(b"plain").decode()}), "z.json"))
    assert "matrix data is not base64" in cli_error(capsys, path, tmp_path)


def test_decode_matrix_refuses_what_its_header_does_not_say():
    good = seed_payload()["matrix"]
    assert decode_matrix(good).shape == (3, 2)
    for bad in ({**good, "cells": [3, 3]}, {**good, "cells": [MAX_DECODE_CELLS + 1, 1]},
                {**good, "data": good["data"][:-8]}, {**good, "data": "é"}):
        with pytest.raises(ValueError):
            decode_matrix(bad)


# ----------------------------------------------------------------------------- the fields


def test_report_with_a_string_score_is_an_input_error(tmp_path, capsys):
    path = write(tmp_path, tampered(**{"beads.1.score": "0.4"}))
    with pytest.raises(InputError, match=r"beads\[1\].score: expected a number from -1000 to 1000 or null, found the string '0.4'"):
        load_report(path)
    err = cli_error(capsys, path, tmp_path)
    assert "r.report.json" in err and "beads[1].score" in err


@pytest.mark.parametrize("field, value, message", [
    ("summary.quality", "high", r"summary.quality: expected a number from -1000 to 1000 or null"),
    ("summary.segments.src", -3, r"summary.segments.src: expected a count"),
    ("summary.flags.low-score", [1], r"summary.flags.low-score: expected a count"),
    ("summary.params", [], r"summary.params: expected an object"),
    ("summary.params.quality", "strict", r"summary.params.quality: expected an object"),
    ("summary.params.quality.low_score", "0.5", r"summary.params.quality.low_score: expected a number from -1000 to 1000 or null"),
    ("summary.source.warnings", "guessed", r"summary.source.warnings: expected a list"),
    ("summary.tmx", {"tus_written": 3}, r"summary.tmx.duplicates: missing"),
    ("beads.0.src", [10**30], r"beads\[0\].src\[0\]: expected a count"),
    ("beads.0.src_text", None, r"beads\[0\].src_text: expected a string, found null"),
    ("beads.2.src", [], r"beads\[2\]: a bead with neither a source nor a target segment"),
    ("beads.0.issues", {"drift": {"x": 1}}, r"beads\[0\].issues.drift: expected a string or number"),
    ("unaligned.0.reason", 7, r"unaligned\[0\].reason: expected a string"),
    ("flag_legend.omission", {"title": "Omission"}, r"flag_legend.omission.explanation: missing"),
    ("format_version", "1", r"format_version: expected a whole number"),
    ("matrix", [], r"matrix: expected an object or null"),
])
def test_report_with_a_field_of_the_wrong_type_is_an_input_error(tmp_path, field, value, message):
    with pytest.raises(InputError, match=message) as e:
        load_report(write(tmp_path, tampered(**{field: value})))
    assert "r.report.json" in str(e.value) and "\n" not in str(e.value)


def test_report_with_nan_or_a_huge_number_is_an_input_error(tmp_path):
    text = json.dumps(seed_payload())
    for bad in (text.replace('"score": 0.9', '"score": NaN', 1), text.replace('"score": 0.9', '"score": 1e999', 1)):
        assert bad != text
        (tmp_path / "r.json").write_text(bad)
        with pytest.raises(InputError, match="not a readable JSON report"):
            load_report(tmp_path / "r.json")


def test_report_nested_too_deeply_is_an_input_error(tmp_path):
    for depth in (MAX_DEPTH + 1, 100_000):
        doc = tampered(**{"summary.params": {"deep": json.loads("[" * min(depth, 900) + "]" * min(depth, 900))}})
        text = json.dumps(doc) if depth < 900 else json.dumps(seed_payload()).replace(
            '"params": {', '"params": {"deep": ' + "[" * depth + "]" * depth + ",", 1)
        (tmp_path / "r.json").write_text(text)
        with pytest.raises(InputError, match="nested"):
            load_report(tmp_path / "r.json")


def test_report_unknown_fields_are_left_alone(tmp_path):
    doc = tampered(**{"para_beads": "not read", "summary.later_field": {"x": [1, 2]}})
    rebuild_report(write(tmp_path, doc), tmp_path / "r.html")
    assert (tmp_path / "r.html").exists()


def test_report_output_equal_to_its_input_is_refused(tmp_path, capsys):
    path = write(tmp_path, seed_payload())
    with pytest.raises(SystemExit) as e:
        main(["report", path, "-o", path])
    assert e.value.code == 2 and "overwrite an input" in capsys.readouterr().err
    assert json.loads(open(path, encoding="utf-8").read())["format"] == "align-report"
