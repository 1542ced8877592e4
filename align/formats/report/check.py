"""Reading a saved JSON report back (``align report FILE.json``): bounded, strict, and checked before use.

The file may have been edited, damaged or made to hurt: it is read through
``align.common.files.read_bounded`` (a regular file of at most
``MAX_REPORT_JSON_BYTES``), parsed as strict JSON (no ``NaN``, no number too
large for a float, no nesting past ``MAX_DEPTH``), and every field the page is
rendered from is checked for its type before the renderer sees it: a string
where a score belongs, a bead without its text, a matrix whose declared size
does not fit the plot. The similarity matrix is inflated with a bound
(``plots.decode_matrix``), so a small file cannot expand to gigabytes. Each
failure is one ``ValueError`` naming the field, which ``payload.load_report``
turns into an ``InputError`` naming the file.

Fields the page does not read (``para_beads``, fields a later version adds)
are not checked, and left alone.
"""

from __future__ import annotations

import json
import math
from typing import Any

from align.formats.report.plots import MAX_DECODE_CELLS, decode_matrix

#: The largest JSON report read back. Two documents at the reader's 64 MB limit give a
#: report of about 2 x 64 MB of text plus some 250 bytes a bead: 256 MB holds that.
MAX_REPORT_JSON_BYTES = 256 * 1024 * 1024
#: The deepest nesting of lists and objects accepted (a report's own is 5).
MAX_DEPTH = 64
_MAX_INT = 2**53  # counts and indices: exact in a float, so the page's arithmetic cannot overflow
#: Scores, shares and cosines lie in [-1, 1]; a number drawn on a plot must at least stay near its axis.
_MAX_NUM = 1000.0


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number (the report writer writes null for it)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def parse_report(text: str) -> Any:
    """Strict JSON: ``NaN``/``Infinity`` and numbers beyond a float are refused (``ValueError``), as is deep nesting."""
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    _check_depth(data)
    return data


def _check_depth(data: Any) -> None:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))


# --------------------------------------------------------------------------- the fields the page reads
#
# A spec is one of: a checker function (value -> None or an error text), a dict of
# required keys (``Opt`` wraps one that may be missing; other keys are allowed), a
# one-element list (a list of that), or ``Map(spec)`` (an object with any keys).


class Opt:
    """A key that may be missing (its value, when there, must match ``spec``)."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec


class Map:
    """An object with any (string) keys, each value matching ``spec``."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "a string" if len(value) > 30 else f"the string {value!r}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"[:60]
    return "an object" if isinstance(value, dict) else "a list"


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and -_MAX_INT <= v <= _MAX_INT


def _is_num(v: Any) -> bool:
    return _is_int(v) or (isinstance(v, float) and math.isfinite(v))


def _is_score(v: Any) -> bool:
    return _is_num(v) and -_MAX_NUM <= v <= _MAX_NUM


def INT(v: Any) -> str | None:  # noqa: N802 - spec constants read as types
    return None if _is_int(v) else f"expected a whole number, found {_describe(v)}"


def COUNT(v: Any) -> str | None:  # noqa: N802
    return None if _is_int(v) and v >= 0 else f"expected a count (0 or more), found {_describe(v)}"


def NUM(v: Any) -> str | None:  # noqa: N802
    """A score, share or cosine (between -1,000 and 1,000: they are drawn)."""
    return None if _is_score(v) else f"expected a number from {-_MAX_NUM:g} to {_MAX_NUM:g}, found {_describe(v)}"


def OPT_NUM(v: Any) -> str | None:  # noqa: N802
    if v is None or _is_score(v):
        return None
    return f"expected a number from {-_MAX_NUM:g} to {_MAX_NUM:g} or null, found {_describe(v)}"


def STR(v: Any) -> str | None:  # noqa: N802
    return None if isinstance(v, str) else f"expected a string, found {_describe(v)}"


def OPT_STR(v: Any) -> str | None:  # noqa: N802
    return None if v is None or isinstance(v, str) else f"expected a string or null, found {_describe(v)}"


def SCALAR(v: Any) -> str | None:  # noqa: N802
    """Anything shown as text: a string, number, true/false or null (never a list or object)."""
    ok = v is None or isinstance(v, (str, bool)) or _is_num(v)
    return None if ok else f"expected a string or number, found {_describe(v)}"


def OBJECT(v: Any) -> str | None:  # noqa: N802
    return None if isinstance(v, dict) else f"expected an object, found {_describe(v)}"


def OPT_OBJECT(v: Any) -> str | None:  # noqa: N802
    return None if v is None or isinstance(v, dict) else f"expected an object or null, found {_describe(v)}"


_SIDE = {"path": STR, "lang": STR, "encoding": SCALAR, "warnings": [STR]}
SUMMARY = {
    "source": _SIDE,
    "target": _SIDE,
    "segments": {"src": COUNT, "tgt": COUNT, "src_noise": COUNT, "tgt_noise": COUNT},
    "beads": COUNT,
    "tus": COUNT,
    "coverage": {"src": OPT_NUM, "tgt": OPT_NUM},
    "quality": OPT_NUM,
    "bead_types": Map(SCALAR),
    "score": {"mean": OPT_NUM, "median": OPT_NUM, "min": OPT_NUM},
    "flags": Map(COUNT),
    "flagged_beads": COUNT,
    "flagged_share": OPT_NUM,
    "model_id": SCALAR,
    "params": OBJECT,
    "versions": Map(SCALAR),
    "flagged_by_report": SCALAR,
    "signature": Opt(OPT_STR),
    "tmx": Opt({"tus_written": COUNT, "duplicates": COUNT, "skipped_below_min": COUNT}),
    "warnings": Opt([STR]),
    "document": Opt(OPT_STR),
    "quality_checked": Opt(SCALAR),
    "unaligned_segments": Opt(Map(COUNT)),
    "characters": Opt({"src": COUNT, "tgt": COUNT}),
}
BEAD = {
    "n": COUNT,
    "src": [COUNT],
    "tgt": [COUNT],
    "type": STR,
    "score": OPT_NUM,
    "flags": [STR],
    "issues": Map(SCALAR),
    "src_text": STR,
    "tgt_text": STR,
    "src_para": [INT],
    "tgt_para": [INT],
}
REMOVED = {"reason": STR, "count": COUNT, "items": [{"side": STR, "text": STR, "set_aside": SCALAR, "block": Opt(SCALAR)}]}
UNALIGNED = {"side": STR, "pos": lambda v: None if v is None else COUNT(v), "para": SCALAR, "text": STR, "reason": STR}
PAYLOAD = {
    "format": STR,
    "format_version": Opt(INT),
    "title": Opt(OPT_STR),
    "signature": Opt(OPT_STR),
    "quality_definition": Opt(STR),
    "summary": SUMMARY,
    "flag_legend": Map({"explanation": STR, "title": Opt(STR)}),
    "beads": [BEAD],
    "unaligned": [UNALIGNED],
    "removed": Opt([REMOVED]),  # from issue 22 on: what the readers left out
    "matrix": Opt(OPT_OBJECT),
}


def _check(value: Any, spec: Any, where: str) -> None:
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise ValueError(f"{where or 'the file'}: expected an object, found {_describe(value)}")
        for key, sub in spec.items():
            if key not in value:
                if isinstance(sub, Opt):
                    continue
                raise ValueError(f"{where + '.' if where else ''}{key}: missing")
            _check(value[key], sub.spec if isinstance(sub, Opt) else sub, f"{where + '.' if where else ''}{key}")
    elif isinstance(spec, list):
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list, found {_describe(value)}")
        for k, item in enumerate(value):
            _check(item, spec[0], f"{where}[{k}]")
    elif isinstance(spec, Map):
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected an object, found {_describe(value)}")
        for key, item in value.items():
            _check(item, spec.spec, f"{where}.{key}")
    else:
        problem = spec(value)
        if problem:
            raise ValueError(f"{where}: {problem}")


def check_payload(payload: Any) -> None:
    """Refuse (``ValueError`` naming the field) a payload the page could not be rendered from.

    Checks the type of every field ``html.render_report`` reads, that each
    bead has a side, and that the similarity matrix, if any, is the size its
    header says, fits the plot and matches the segment counts (it is inflated
    here, with a bound, to be sure).
    """
    _check(payload, PAYLOAD, "")
    s = payload["summary"]
    quality = (s.get("params") or {}).get("quality")
    if quality is not None:
        _check(quality, {"low_score": Opt(OPT_NUM)} if isinstance(quality, dict) else OBJECT, "summary.params.quality")
    for k, b in enumerate(payload["beads"]):
        if not b["src"] and not b["tgt"]:
            raise ValueError(f"beads[{k}]: a bead with neither a source nor a target segment")
    matrix = payload.get("matrix")
    if matrix is not None:
        check_matrix(matrix, s["segments"]["src"], s["segments"]["tgt"])


def check_matrix(matrix: dict, n_src: int, n_tgt: int) -> None:
    """The encoded matrix's header against the segment counts and the plot's bound, then its data, inflated bounded."""
    _check(matrix, {"shape": [COUNT], "cells": [COUNT], "block": [COUNT], "lo": NUM, "hi": NUM, "encoding": STR,
                    "data": STR}, "matrix")
    if matrix["encoding"] != "uint8-zlib-base64":
        raise ValueError(f"matrix: unknown encoding {matrix['encoding'][:40]!r}")
    for key in ("shape", "cells", "block"):
        if len(matrix[key]) != 2:
            raise ValueError(f"matrix.{key}: expected two numbers, found {len(matrix[key])}")
    (n, m), (rows, cols), (bs, bt) = matrix["shape"], matrix["cells"], matrix["block"]
    if [n, m] != [n_src, n_tgt]:
        raise ValueError(f"matrix.shape: {n}×{m}, but the report has {n_src} source and {n_tgt} target segments")
    if not (0 < rows <= MAX_DECODE_CELLS and 0 < cols <= MAX_DECODE_CELLS):
        raise ValueError(f"matrix.cells: {rows}×{cols} cells; a report's matrix has 1 to {MAX_DECODE_CELLS} a side")
    if bs < 1 or bt < 1 or rows != math.ceil(n / bs) or cols != math.ceil(m / bt):
        raise ValueError(f"matrix.block: blocks of {bs}×{bt} do not give {rows}×{cols} cells for {n}×{m} segments")
    decode_matrix(matrix)  # ValueError when the data is not what the header says
