"""A quick hypothesis run of the import-review fuzz checks (``tests/fuzz/fuzz_review.py``).

Random TSV/CSV bytes and mutated small workbooks must give a TMX that reads back
as reported, or an ``AlignError``: never another exception.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
from fuzz_review import (  # noqa: E402
    HEADER,
    INFO,
    PARTS,
    TSV_SEEDS,
    Formula,
    Shared,
    check_import,
    replace_part,
    run_one,
    seed_xlsx,
    sheet_xml,
    xlsx_bytes,
)

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEED = seed_xlsx()
with zipfile.ZipFile(io.BytesIO(SEED)) as _z:
    SEED_PARTS = {name: _z.read(name) for name in PARTS}

# Pieces of review sheets and of SpreadsheetML that matter to the readers.
_TSV_PIECES = st.sampled_from(
    list("\t\n\r\"',;=+-@ ab\x00\x0b\x85") + ["\ufeff", "source", "target", "accept", "yes", "x", "bead", "score",
                                               "source (vi)", "target (xx_YY)", "source segments", "1,2", "nan", "1e999",
                                               "9" * 30, "Nhà mới", "''", "\u2028", "\ud7ff", "\U0001f600"]
)
_XML_PIECES = st.sampled_from([
    b"<", b">", b"/>", b'"', b"=", b" ", b"0", b"1", b"9999999999", b"A", b"XFD", b"r=", b't="s"', b't="e"',
    b't="inlineStr"', b't="b"', b't="d"', b"<v>", b"</v>", b"<f>B2</f>", b'<f t="shared" si="0"/>',
    b'<f t="array" ref="A1:B2">1</f>', b'<row r="99999999">', b'<c r="XFD1" t="s"><v>5</v></c>', b"<is><t>x</t></is>",
    b'<dimension ref="A1:XFD1048576"/>', b'<dimension ref="A1:B2"/>', b"&amp;", b"&#0;", b"&#x1F;", b"&e;",
    b'<!DOCTYPE x [<!ENTITY e "eee">]>', b'<sheet name="x" sheetId="9" r:id="rId1"/>', b"<si><t>", b"</t></si>",
    b"\xff", b"\x00", "Nhà".encode(),
])


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (position, kind, bytes) edits: 0 overwrite, 1 insert, 2 delete that many bytes, 3 cut the rest."""
    buf = bytearray(data)
    for pos, kind, piece in edits:
        at = pos % (len(buf) + 1)
        if kind == 0:
            buf[at:at + len(piece)] = piece
        elif kind == 1:
            buf[at:at] = piece
        elif kind == 2:
            del buf[at:at + len(piece) + 1]
        else:
            del buf[at:]
    return bytes(buf)


_EDITS = st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 3), st.binary(min_size=1, max_size=6)), max_size=6)
_XML_EDITS = st.lists(st.tuples(st.integers(0, 1 << 16), st.sampled_from([0, 1, 1, 1, 2]), _XML_PIECES), max_size=8)


_TSV_HEADER = st.sampled_from(["", "source\ttarget\taccept\n", "\t".join(HEADER) + "\n", "source,target,accept\n",
                               "accept\ttarget (id)\tsource (vi)\tscore\tbead\n"])
_TSV_TEXT = st.tuples(_TSV_HEADER, st.lists(_TSV_PIECES, max_size=60).map("".join)).map("".join)


@_SETTINGS
@given(st.binary(max_size=400) | _TSV_TEXT.map(lambda s: s.encode("utf-8", "surrogatepass")) | _TSV_TEXT.map(
       lambda s: s.encode("utf-16", "surrogatepass")), st.sampled_from([".tsv", ".csv", ".txt"]))
def test_random_tsv_bytes_give_a_tmx_or_an_input_error(data, suffix):
    check_import(data, suffix)


_CELL = st.one_of(
    st.none(), st.text(max_size=12), st.sampled_from(["yes", "x", "", "'", "''a", "=1+1", "1,2", "nan", "1e999"]),
    st.integers(-3, 10**20), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.builds(Formula, st.sampled_from(["B2", "1+1", "", "SUM(A1:A3)"])), st.builds(Shared, st.integers(-1, 4)),
).filter(lambda v: not isinstance(v, str) or all(c in "\t\n\r" or " " <= c < "\ud800" or "\ue000" <= c < "\ufffe"
                                                    for c in v))
_HEADERS = st.permutations(HEADER).map(list) | st.lists(st.sampled_from([*HEADER, "source", "target", "note", None]),
                                                        max_size=10)


@_SETTINGS
@given(_HEADERS, st.lists(st.lists(_CELL, max_size=10), max_size=8), st.sampled_from([None, "A1:B2", "A1:XFD1048576"]),
       st.booleans())
def test_generated_workbooks_give_a_tmx_or_an_input_error(header, rows, dimension, notes_first):
    sheets = [("review", sheet_xml([header, *rows], dimension=dimension)), ("info", INFO)]
    if notes_first:
        sheets.insert(0, ("notes", [["ghi chú"]]))
    check_import(xlsx_bytes(sheets, shared=["Một.", "''Hai", "=x"]), ".xlsx")


@_SETTINGS
@given(st.sampled_from(TSV_SEEDS), _EDITS)
def test_mutated_tsv_seeds(seed, edits):
    check_import(_mutate(seed.encode("utf-8"), edits), ".tsv")


@_SETTINGS
@given(_EDITS)
def test_mutated_xlsx_bytes_give_a_tmx_or_an_input_error(edits):
    check_import(_mutate(SEED, edits), ".xlsx")


@_SETTINGS
@given(st.sampled_from(PARTS), _XML_EDITS)
def test_mutated_xlsx_parts_give_a_tmx_or_an_input_error(part, edits):
    check_import(replace_part(SEED, part, _mutate(SEED_PARTS[part], edits)), ".xlsx")


@pytest.mark.parametrize("choice", range(8))
def test_seeds_pass_every_target(choice):
    # the TSV seeds are starting points (some malformed on purpose): a TMX or a clean refusal, nothing else
    assert {run_one(bytes([0, k]) + seed.encode("utf-8")) for k, seed in enumerate(TSV_SEEDS)} <= {"tmx", "refused"}
    # the seed workbook imports, and so does the workbook with one of its parts put back unchanged
    assert run_one(bytes([1, 0]) + SEED) == "tmx"
    assert run_one(bytes([2 + choice % 2, choice]) + SEED_PARTS[PARTS[choice % len(PARTS)]]) == "tmx"
