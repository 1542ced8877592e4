"""Issue 24: writing a report is linear in its rows, and writes what it always wrote.

No timing here (the machine is shared): the tests count the work instead. The
JSON text is compared, byte for byte, with what ``json.dumps(..., indent=1)``
gives for the strict conversion the report always made (``reference_jsonable``
below is that conversion as it was), on plain rows and on every odd value the
fast paths must hand back to the general one.
"""

from __future__ import annotations

import enum
import json
import math

import numpy as np
import pytest
from bench_report import synthetic_alignment

import align.formats.report.html as report_html
import align.formats.report.payload as payload_module
from align.formats.report.html import render_report
from align.formats.report.payload import json_text, report_payload


def reference_jsonable(obj):
    """The report's conversion before issue 24: one call per value (the text it gives must not change)."""
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): reference_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [reference_jsonable(v) for v in obj]
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    if isinstance(obj, np.generic):
        return reference_jsonable(obj.item())
    return str(obj)


def reference_text(obj) -> str:
    return json.dumps(reference_jsonable(obj), ensure_ascii=False, indent=1, allow_nan=False) + "\n"


class Level(enum.IntEnum):
    LOW = 3


class Shown:
    """An object JSON has no type for: written as its text."""

    def __str__(self) -> str:
        return "<shown>"


def plain_row(**change):
    row = {"n": 7, "src": [3, 4], "tgt": [5], "type": "2-1", "score": 0.8125, "flags": ["low-score", "length"],
           "issues": {"low-score": "0.81 < 0.9", "length": "long"}, "src_text": 'A "quoted"\nline \\ é \u2028 \x01',
           "tgt_text": "Một câu", "src_para": [0], "tgt_para": [0, 1]}
    row.update(change)
    return row


ODD_VALUES = [
    plain_row(),
    plain_row(src=[], tgt=[], flags=[], issues={}, src_para=[], tgt_para=[]),
    plain_row(score=None),
    plain_row(score=float("nan")),
    plain_row(score=math.inf),
    plain_row(score=1),
    plain_row(score=np.float32(0.3)),
    plain_row(score=np.float64(0.3)),
    plain_row(n=np.int64(7)),
    plain_row(src=[np.int64(3)]),
    plain_row(src=(3, 4)),
    plain_row(tgt=[True]),
    plain_row(flags=[1, "x"]),
    plain_row(issues={1: "a", "1": "b", None: [1.5, float("nan")]}),
    plain_row(src_text=np.str_("numpy text")),
    plain_row(type=Level.LOW),
    {"src": [1], "tgt": [2], "score": 0.5},
    {"src": [1], "tgt": [], "score": float("-inf")},
    {"src": [np.int32(1)], "tgt": [2], "score": np.float16(0.5)},
    {"tgt": [2], "src": [1], "score": 0.5},  # the keys of a paragraph bead in another order
    {"n": 1, "extra": True},
    {True: 1, False: 0, 2.5: "x", None: None, Level.LOW: Level.LOW},
    [1, 2, Level.LOW, True, False, None, 1.0, -0.0, 1e300, float("nan")],
    ["a", "b", np.str_("c")],
    [np.bool_(True), np.int8(-3), np.float64(2.5), np.datetime64("2024-01-02")],
    [[], {}, [[]], [{}], ({},), ()],
    {"set": {1}, "bytes": b"x", "object": Shown(), "complex": 1j},
    [np.array(3).reshape(()).item()],
    "just a string",
    42,
    None,
]


@pytest.mark.parametrize("value", ODD_VALUES, ids=range(len(ODD_VALUES)))
def test_json_text_is_what_json_dumps_gave(value):
    wrapped = {"beads": [value, value], "para_beads": [value], "deep": {"x": [{"y": value}]}}
    assert json_text(wrapped) == reference_text(wrapped)
    if isinstance(value, (dict, list)):
        assert json_text(value) == reference_text(value)


def test_a_whole_report_is_the_json_it_was(monkeypatch):
    al = synthetic_alignment(300, seed=3)
    data = report_payload(al, sim_matrix=np.zeros((len(al.src), len(al.tgt)), dtype=np.float32))
    assert data == reference_jsonable(data)  # the payload is JSON-ready as built: no converted copy is needed
    assert json_text(data) == reference_text(data)
    assert json.loads(json_text(data)) == data


def count_calls(monkeypatch, module, name: str, *, answered: bool = False) -> list[int]:
    """Count the calls of ``module.name`` (``answered``: only those that returned something but None)."""
    calls = [0]
    original = getattr(module, name)

    def counted(*args, **kwargs):
        result = original(*args, **kwargs)
        calls[0] += not answered or result is not None
        return result

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.mark.parametrize("n", [150, 600])
def test_the_rows_are_built_and_written_once_each(monkeypatch, n):
    """Linear by construction: one row builder call per report, one template per row, one general call per container.

    A report that converted or walked its rows again (per row, or per row per
    row) would make these counts grow faster than the rows.
    """
    al = synthetic_alignment(n, seed=1)
    builds = count_calls(monkeypatch, payload_module, "_bead_rows")
    data = report_payload(al)
    assert builds[0] == 1 and len(data["beads"]) == n
    rows = count_calls(monkeypatch, payload_module, "_row_text", answered=True)
    general = count_calls(monkeypatch, payload_module, "_encode")
    text = json_text(data)
    n_rows = len(data["beads"]) + len(data["para_beads"])
    assert rows[0] == n_rows  # every row through its template, once
    # The general path: the containers that are not rows (the summary's, the unaligned list's) and each
    # flagged row's issue details; never a call per value of a row.
    flagged = sum(1 for b in data["beads"] if b["issues"])
    others = len(data["unaligned"]) + 60
    assert general[0] <= n_rows + flagged + others, (general[0], n_rows, flagged)
    assert text.count('\n  {\n   "n": ') == n  # and every row is written


def test_the_page_builds_each_shown_row_once(monkeypatch):
    monkeypatch.setattr(report_html, "MAX_HTML_ROWS", 100, raising=False)
    data = report_payload(synthetic_alignment(400, seed=2))
    made = count_calls(monkeypatch, report_html, "_Row")
    plots = count_calls(monkeypatch, report_html, "dot_plot")
    page = render_report(data)
    assert made[0] == 100 and plots[0] == 1
    assert page.count('<tr id="bead-') == 100


def test_a_row_missing_a_field_is_still_an_error_on_the_page():
    data = report_payload(synthetic_alignment(20, seed=4))
    del data["beads"][3]["type"]
    with pytest.raises(Exception, match="type"):  # StrictUndefined, as with a dict row
        render_report(data)
