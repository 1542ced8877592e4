"""The editor's data: an alignment as rows a reviewer changes, and the operations that change it.

A ``Sheet`` is immutable: every operation returns a new one, so undo is a
stack of earlier sheets and nothing is ever half-applied. Segments are kept
per side (``Sheet.src``/``Sheet.tgt``, in document order); a ``Row`` holds the
indices of its segments on each side (a bead), its score and flags from the
aligner, and the reviewer's verdict.

Every operation ends with ``check_sheet``: every segment of each side is in
exactly one row, the rows not ``moved`` hold them in document order, no row is
empty on both sides, a moved row pairs one segment with one. An operation
whose result would break that raises ``EditError`` (a user error: the page
says why) and the sheet stays as it was.

Operations are named and take plain JSON arguments (``OPS``), so that the
journal can record them and replay them after a restart.
"""

from __future__ import annotations

import dataclasses
import itertools
import operator
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from align.common.errors import UsageError
from align.core.members import join_window

Status = Literal["unreviewed", "confirmed", "rejected"]
STATUSES: tuple[str, ...] = ("unreviewed", "confirmed", "rejected")
SIDES: tuple[str, ...] = ("src", "tgt")


class EditError(UsageError):
    """An operation that cannot be done on this row (the page shows the message; nothing changed)."""


@dataclass(frozen=True, slots=True)
class Seg:
    """One segment: its text (NFC) and the paragraph it comes from."""

    text: str
    para: int = 0


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the editor: a bead and what the reviewer did with it.

    ``score`` is the aligner's (``None`` once a person changed the row's
    segments: the aligner's number no longer describes it); ``edited`` says a
    person changed the row (its segments or their text); ``status`` is the
    reviewer's verdict. ``changedate``/``changeid`` say when and by whom the
    row was last changed (TMX ``changedate``/``changeid`` on export).
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float | None = None
    flags: tuple[str, ...] = ()
    status: str = "unreviewed"
    edited: bool = False
    moved: bool = False
    changedate: str | None = None
    changeid: str | None = None

    def side(self, side: str) -> tuple[int, ...]:
        return self.src if side == "src" else self.tgt

    def with_side(self, side: str, idx: tuple[int, ...]) -> Row:
        return replace(self, src=idx) if side == "src" else replace(self, tgt=idx)

    @property
    def review(self) -> str:
        """The TMX ``x-review`` value: confirmed, edited or unreviewed."""
        if self.status == "confirmed":
            return "confirmed"
        return "edited" if self.edited else "unreviewed"

    def to_json(self) -> dict[str, Any]:
        # field by field: ``dataclasses.asdict`` deep-copies every value, a tenth of a second per thousand rows
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    @staticmethod
    def from_json(d: dict[str, Any]) -> Row:
        return Row(
            src=tuple(int(i) for i in d["src"]), tgt=tuple(int(j) for j in d["tgt"]),
            score=None if d.get("score") is None else float(d["score"]), flags=tuple(str(f) for f in d.get("flags", ())),
            status=_status(d.get("status", "unreviewed")), edited=bool(d.get("edited", False)),
            moved=bool(d.get("moved", False)), changedate=d.get("changedate"), changeid=d.get("changeid"),
        )


@dataclass(frozen=True)
class Sheet:
    """The whole alignment being edited: segments of both sides and the rows over them."""

    src: tuple[Seg, ...]
    tgt: tuple[Seg, ...]
    rows: tuple[Row, ...]

    def segs(self, side: str) -> tuple[Seg, ...]:
        return self.src if side == "src" else self.tgt

    def texts(self, k: int, side: str) -> list[str]:
        segs = self.segs(side)
        return [segs[i].text for i in self.rows[k].side(side)]


@dataclass(frozen=True)
class Stamp:
    """When and by whom an operation was done (written on the rows it changes)."""

    date: str | None = None
    user: str | None = None


# --------------------------------------------------------------------------- invariant


def check_sheet(sheet: Sheet) -> None:
    """Raise ``EditError`` unless every segment is in exactly one row, in document order (see the module docstring).

    Run after every operation, so it is linear and uses builtins only (a few ms for 5,000 rows); when it
    finds a fault, ``_explain`` walks the rows again to say which row breaks what.
    """
    rows = sheet.rows
    any_moved = any(r.moved for r in rows)
    ok = all(r.src or r.tgt for r in rows) and not (
        any_moved and any(r.moved and (len(r.src) != 1 or len(r.tgt) != 1) for r in rows))
    for side in SIDES if ok else ():
        n = len(sheet.segs(side))
        sides = [r.src for r in rows] if side == "src" else [r.tgt for r in rows]
        if any_moved:
            flat = list(itertools.chain.from_iterable(x for x, r in zip(sides, rows, strict=True) if not r.moved))
            moved = [x[0] for x, r in zip(sides, rows, strict=True) if r.moved and x]
        else:
            flat, moved = list(itertools.chain.from_iterable(sides)), []
        if not all(map(operator.lt, flat, itertools.islice(flat, 1, None))) or len(flat) + len(moved) != n:
            ok = False
        elif not moved and flat and (flat[0] < 0 or flat[-1] >= n):
            ok = False  # n increasing indices inside 0..n-1: exactly 0..n-1
        elif moved and (min(flat + moved) < 0 or max(flat + moved) >= n or len(set(flat).union(moved)) != n):
            ok = False
        if not ok:
            break
    if not ok:
        _explain(sheet)
        raise EditError("the rows would not cover every segment once, in order")


def _explain(sheet: Sheet) -> None:
    """Raise the ``EditError`` that names the first fault ``check_sheet`` found."""
    for side in SIDES:
        n = len(sheet.segs(side))
        seen = [False] * n
        last = -1
        for k, row in enumerate(sheet.rows):
            idx = row.side(side)
            for i in idx:
                if not 0 <= i < n:
                    raise EditError(f"row {k + 1}: {side} segment {i} does not exist")
                if seen[i]:
                    raise EditError(f"row {k + 1}: {side} segment {i + 1} would be in two rows")
                seen[i] = True
            if list(idx) != sorted(idx):
                raise EditError(f"row {k + 1}: its {side} segments would be out of order")
            if not row.moved and idx:
                if idx[0] <= last:
                    raise EditError(f"row {k + 1}: its {side} segments would come before those of an earlier row")
                last = idx[-1]
        if not all(seen):
            raise EditError(f"{side} segment {seen.index(False) + 1} would be in no row")
    for k, row in enumerate(sheet.rows):
        if not row.src and not row.tgt:
            raise EditError(f"row {k + 1} would be empty")
        if row.moved and (len(row.src) != 1 or len(row.tgt) != 1):
            raise EditError(f"row {k + 1} pairs segments out of order and must stay one to one")


# --------------------------------------------------------------------------- helpers


def nfc(text: str) -> str:
    """Edited text as the reader makes document text: NFC, no line breaks (a segment is one line)."""
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.splitlines()).strip()


def _status(value: object) -> str:
    if value not in STATUSES:
        raise EditError(f"unknown status {value!r}", hint=f"use one of {', '.join(STATUSES)}")
    return str(value)


def _side_arg(side: object) -> str:
    if side not in SIDES:
        raise EditError(f"unknown side {side!r}", hint="use src or tgt")
    return str(side)


def _row_index(sheet: Sheet, k: object) -> int:
    if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < len(sheet.rows):
        raise EditError(f"no row {k!r}")
    return k


def _changed(row: Row, stamp: Stamp, *, structure: bool = True) -> Row:
    """``row`` as a person changed it: edited, back to unreviewed, no longer the aligner's score."""
    return replace(row, edited=True, status="unreviewed", changedate=stamp.date, changeid=stamp.user,
                   score=None if structure else row.score, flags=() if structure else row.flags)


def _with_rows(sheet: Sheet, start: int, stop: int, new: Sequence[Row]) -> Sheet:
    rows = sheet.rows[:start] + tuple(r for r in new if r.src or r.tgt) + sheet.rows[stop:]
    return replace(sheet, rows=rows)


def _renumber(rows: tuple[Row, ...], side: str, at: int, delta: int) -> tuple[Row, ...]:
    """Indices on ``side`` at or after ``at`` moved by ``delta`` (a segment split or joined before them)."""
    out = []
    for r in rows:
        idx = r.src if side == "src" else r.tgt
        if idx and idx[-1] >= at:
            new = tuple(i + delta if i >= at else i for i in idx)
            r = Row(new if side == "src" else r.src, new if side == "tgt" else r.tgt, r.score, r.flags, r.status,
                    r.edited, r.moved, r.changedate, r.changeid)
        out.append(r)
    return tuple(out)


def _not_moved(sheet: Sheet, *ks: int) -> None:
    for k in ks:
        if sheet.rows[k].moved:
            raise EditError(f"row {k + 1} pairs segments out of order; unpair it first")


# --------------------------------------------------------------------------- operations


def shift(sheet: Sheet, stamp: Stamp, *, row: int, side: str, direction: str) -> Sheet:
    """Move a boundary on one side: ``up`` moves the row's first segment to the end of the row above,
    ``down`` its last segment to the start of the row below (InterText's shift). A row left empty goes."""
    k, side = _row_index(sheet, row), _side_arg(side)
    if direction not in ("up", "down"):
        raise EditError(f"unknown direction {direction!r}", hint="use up or down")
    other = k - 1 if direction == "up" else k + 1
    if not 0 <= other < len(sheet.rows):
        raise EditError(f"row {k + 1} has no row {'above' if direction == 'up' else 'below'} it")
    _not_moved(sheet, k, other)
    idx = sheet.rows[k].side(side)
    if not idx:
        raise EditError(f"row {k + 1} has no {side} segment to move")
    to = sheet.rows[other].side(side)
    if direction == "up":
        moved, rest, to = idx[0], idx[1:], to + (idx[0],)
    else:
        moved, rest, to = idx[-1], idx[:-1], (idx[-1],) + to
    del moved
    a = _changed(sheet.rows[k].with_side(side, rest), stamp)
    b = _changed(sheet.rows[other].with_side(side, to), stamp)
    lo = min(k, other)
    return _with_rows(sheet, lo, lo + 2, [a, b] if lo == k else [b, a])


def merge(sheet: Sheet, stamp: Stamp, *, row: int) -> Sheet:
    """Row ``row`` and the row below become one row."""
    k = _row_index(sheet, row)
    if k + 1 >= len(sheet.rows):
        raise EditError(f"row {k + 1} is the last row")
    _not_moved(sheet, k, k + 1)
    a, b = sheet.rows[k], sheet.rows[k + 1]
    return _with_rows(sheet, k, k + 2, [_changed(replace(a, src=a.src + b.src, tgt=a.tgt + b.tgt), stamp)])


def split_row(sheet: Sheet, stamp: Stamp, *, row: int, src_at: int, tgt_at: int) -> Sheet:
    """Split a row in two at a segment boundary: the first ``src_at``/``tgt_at`` segments stay, the rest go below."""
    k = _row_index(sheet, row)
    _not_moved(sheet, k)
    r = sheet.rows[k]
    if not (isinstance(src_at, int) and isinstance(tgt_at, int) and 0 <= src_at <= len(r.src)
            and 0 <= tgt_at <= len(r.tgt)):
        raise EditError(f"row {k + 1} cannot be split there")
    first = r.with_side("src", r.src[:src_at]).with_side("tgt", r.tgt[:tgt_at])
    second = r.with_side("src", r.src[src_at:]).with_side("tgt", r.tgt[tgt_at:])
    if not (first.src or first.tgt) or not (second.src or second.tgt):
        raise EditError(f"splitting row {k + 1} there would leave an empty row")
    return _with_rows(sheet, k, k + 1, [_changed(first, stamp), _changed(second, stamp)])


def split_segment(sheet: Sheet, stamp: Stamp, *, row: int, side: str, seg: int, at: int) -> Sheet:
    """Split the ``seg``-th segment of a row's side at character ``at`` into two segments (both stay in the row)."""
    k, side = _row_index(sheet, row), _side_arg(side)
    r = sheet.rows[k]
    idx = r.side(side)
    if not isinstance(seg, int) or not 0 <= seg < len(idx):
        raise EditError(f"row {k + 1} has no {side} segment {seg!r}")
    i = idx[seg]
    old = sheet.segs(side)[i]
    if not isinstance(at, int):
        raise EditError("the split position must be a number")
    left, right = nfc(old.text[:at]), nfc(old.text[at:])
    if not left or not right:
        raise EditError("split inside the text: both parts must hold text")
    segs = sheet.segs(side)[:i] + (Seg(left, old.para), Seg(right, old.para)) + sheet.segs(side)[i + 1:]
    rows = _renumber(sheet.rows, side, i + 1, 1)
    ri = rows[k].side(side)
    pos = ri.index(i)
    rows = rows[:k] + (_changed(rows[k].with_side(side, ri[:pos + 1] + (i + 1,) + ri[pos + 1:]), stamp),) + rows[k + 1:]
    return replace(sheet, rows=rows, **{side: segs})


def join_segments(sheet: Sheet, stamp: Stamp, *, row: int, side: str, seg: int) -> Sheet:
    """Join the ``seg``-th segment of a row's side with the next one of the same row (one side only)."""
    k, side = _row_index(sheet, row), _side_arg(side)
    r = sheet.rows[k]
    idx = r.side(side)
    if not isinstance(seg, int) or not 0 <= seg < len(idx) - 1:
        raise EditError(f"row {k + 1} has no two {side} segments to join there")
    i, j = idx[seg], idx[seg + 1]
    if j != i + 1:
        raise EditError("only segments next to each other in the document can be joined")
    segs = sheet.segs(side)
    joined = Seg(join_window([segs[i].text, segs[j].text]), segs[i].para)
    new_segs = segs[:i] + (joined,) + segs[j + 1:]
    rows = list(sheet.rows)
    rows[k] = _changed(r.with_side(side, idx[:seg + 1] + idx[seg + 2:]), stamp)
    out = _renumber(tuple(rows), side, j + 1, -1)
    return replace(sheet, rows=out, **{side: new_segs})


def edit_text(sheet: Sheet, stamp: Stamp, *, row: int, side: str, seg: int, text: str) -> Sheet:
    """Replace the text of one segment (NFC; line breaks become spaces; it must not be empty)."""
    k, side = _row_index(sheet, row), _side_arg(side)
    idx = sheet.rows[k].side(side)
    if not isinstance(seg, int) or not 0 <= seg < len(idx):
        raise EditError(f"row {k + 1} has no {side} segment {seg!r}")
    if not isinstance(text, str):
        raise EditError("the text must be a string")
    clean = nfc(text)
    if not clean:
        raise EditError("a segment cannot be empty", hint="join it with its neighbour or shift it instead")
    i = idx[seg]
    segs = sheet.segs(side)
    if segs[i].text == clean:
        return sheet
    new_segs = segs[:i] + (Seg(clean, segs[i].para),) + segs[i + 1:]
    rows = sheet.rows[:k] + (_changed(sheet.rows[k], stamp, structure=False),) + sheet.rows[k + 1:]
    return replace(sheet, rows=rows, **{side: new_segs})


def unpair(sheet: Sheet, stamp: Stamp, *, row: int) -> Sheet:
    """A two-sided row becomes its source part and its target part, each a one-sided row, in document order."""
    k = _row_index(sheet, row)
    r = sheet.rows[k]
    if not r.src or not r.tgt:
        raise EditError(f"row {k + 1} is one-sided already")
    a = _changed(replace(r, tgt=(), moved=False), stamp)
    b = _changed(replace(r, src=(), moved=False), stamp)
    if not r.moved:
        return _with_rows(sheet, k, k + 1, [a, b])
    rows = list(sheet.rows[:k] + sheet.rows[k + 1:])
    for part, side in ((a, "src"), (b, "tgt")):
        i = part.side(side)[0]
        at = next((p for p, x in enumerate(rows) if not x.moved and x.side(side) and x.side(side)[0] > i), len(rows))
        rows.insert(at, part)
    return replace(sheet, rows=tuple(rows))


def pair(sheet: Sheet, stamp: Stamp, *, row: int, other: int) -> Sheet:
    """Two one-sided rows of opposite sides become one row, where the upper one is.

    The rows between them must hold nothing of the side that moves up (else
    the order would break: ``check_sheet`` says so)."""
    k, o = _row_index(sheet, row), _row_index(sheet, other)
    a, b = sorted((k, o))
    if a == b:
        raise EditError("pick two different rows")
    ra, rb = sheet.rows[a], sheet.rows[b]
    sides = (bool(ra.src), bool(ra.tgt)), (bool(rb.src), bool(rb.tgt))
    if sides not in (((True, False), (False, True)), ((False, True), (True, False))):
        raise EditError(f"rows {a + 1} and {b + 1} are not a source-only and a target-only row")
    joined = _changed(replace(ra, src=ra.src + rb.src, tgt=ra.tgt + rb.tgt, moved=False), stamp)
    rows = sheet.rows[:a] + (joined,) + sheet.rows[a + 1:b] + sheet.rows[b + 1:]
    return replace(sheet, rows=rows)


def set_status(sheet: Sheet, stamp: Stamp, *, row: int, status: str) -> Sheet:
    """Confirm, reject or reset one row (its segments are not touched)."""
    k = _row_index(sheet, row)
    r = replace(sheet.rows[k], status=_status(status), changedate=stamp.date, changeid=stamp.user)
    return replace(sheet, rows=sheet.rows[:k] + (r,) + sheet.rows[k + 1:])


def set_rows(sheet: Sheet, stamp: Stamp, *, start: int, stop: int, rows: list[dict[str, Any]]) -> Sheet:
    """Rows ``start:stop`` replaced by ``rows`` (what realign found for a stretch; kept in the journal as is)."""
    if not (isinstance(start, int) and isinstance(stop, int) and 0 <= start <= stop <= len(sheet.rows)):
        raise EditError("no such stretch of rows")
    return _with_rows(sheet, start, stop, [Row.from_json(r) for r in rows])


def realign_rows(sheet: Sheet, stamp: Stamp, *, stretches: list[list[Any]]) -> Sheet:
    """Several ``set_rows`` in one step (one realign, one undo): ``stretches`` is ``[[start, stop, rows], ...]``."""
    if not isinstance(stretches, list):
        raise EditError("stretches must be a list")
    for item in sorted(stretches, key=lambda s: -int(s[0])):  # from the end: earlier indices stay valid
        start, stop, rows = item
        sheet = set_rows(sheet, stamp, start=start, stop=stop, rows=rows)
    return sheet


Op = Callable[..., Sheet]

#: The operations by the name the journal and the page use.
OPS: dict[str, Op] = {
    "shift": shift,
    "merge": merge,
    "split_row": split_row,
    "split_segment": split_segment,
    "join_segments": join_segments,
    "edit_text": edit_text,
    "unpair": unpair,
    "pair": pair,
    "set_status": set_status,
    "set_rows": set_rows,
    "realign": realign_rows,
}


def apply(sheet: Sheet, op: str, args: dict[str, Any], stamp: Stamp | None = None) -> Sheet:
    """``sheet`` after operation ``op`` with ``args``, checked (``check_sheet``); EditError if it cannot be done."""
    fn = OPS.get(op)
    if fn is None:
        raise EditError(f"unknown operation {op!r}")
    if not isinstance(args, dict):
        raise EditError("operation arguments must be an object")
    try:
        new = fn(sheet, stamp or Stamp(), **args)
    except TypeError as e:
        raise EditError(f"wrong arguments for {op}: {e}") from None
    check_sheet(new)
    return new
