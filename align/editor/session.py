"""One editing session: the opened alignment, its journal, undo and redo, save, realign.

Nothing a reviewer did is lost. Every operation is appended to a journal
beside the report (``X.report.json.edits``: one JSON line per operation,
written and fsync'd before the operation is acknowledged), so ``kill -9`` of
the server loses no acknowledged edit: reopening replays the journal on the
report. Undo and redo are journal entries too, so they survive a restart.
``save`` compacts: the whole history goes into ``X.edited.json`` (written
atomically, with a snapshot of the rows for other readers) and the journal is
emptied; opening replays the saved history, then the journal. A journal line
cut short by a crash (never acknowledged) is dropped when the session opens.

``version`` counts the operations applied; a request made against another
version (a second tab, a stale page) is refused with ``Conflict``.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import numpy as np

from align.common.atomic import atomic_write
from align.common.errors import AlignError, InputError
from align.common.files import read_bounded_text
from align.core.aligner import align_segments
from align.core.params import AlignParams
from align.core.vectors import TextEncoder
from align.editor.model import EditError, Row, Sheet, Stamp, apply
from align.editor.source import load_sheet
from align.embedding.base import LazyEncoder

EDITED_FORMAT = "align-edited"
JOURNAL_SUFFIX = ".edits"
MAX_JOURNAL_BYTES = 256 * 1024 * 1024


class Conflict(AlignError):
    """The page's version is not the session's: the alignment changed elsewhere (another tab); reload."""

    exit_code = 2


def edited_path(report: str) -> str:
    """Where ``save`` writes: ``X.report.json`` -> ``X.edited.json``."""
    base = report[: -len(".report.json")] if report.endswith(".report.json") else report
    return base + ".edited.json"


def now_stamp() -> str:
    """A TMX date (``20261206T041500Z``)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Patch:
    """What changed between two sheets, for the page: rows ``start:stop`` of the old became ``rows`` of the new."""

    start: int
    stop: int
    rows: list[Row]


def diff(old: Sheet, new: Sheet) -> Patch:
    """The smallest run of rows that differs as the page sees them (texts, score, flags, verdict)."""
    a, b = old.rows, new.rows
    n = min(len(a), len(b))
    lo = 0
    while lo < n and (a[lo] is b[lo] or _same(old, a[lo], new, b[lo])):
        lo += 1
    hi = 0
    while hi < n - lo and (a[-1 - hi] is b[-1 - hi] or _same(old, a[-1 - hi], new, b[-1 - hi])):
        hi += 1
    return Patch(lo, len(a) - hi, list(b[lo:len(b) - hi]))


def _same(old: Sheet, a: Row, new: Sheet, b: Row) -> bool:
    """Whether the page shows rows ``a`` (of ``old``) and ``b`` (of ``new``) alike (``row_view``, without building it)."""
    if (a.score, a.flags, a.status, a.edited, a.moved, len(a.src), len(a.tgt)) != \
            (b.score, b.flags, b.status, b.edited, b.moved, len(b.src), len(b.tgt)):
        return False
    return all(old.src[i].text == new.src[j].text for i, j in zip(a.src, b.src, strict=True)) and \
        all(old.tgt[i].text == new.tgt[j].text for i, j in zip(a.tgt, b.tgt, strict=True))


def row_view(sheet: Sheet, r: Row) -> dict[str, Any]:
    """One row as the page shows it (no segment indices: they shift when a segment is split)."""
    return {
        "s": [sheet.src[i].text for i in r.src], "t": [sheet.tgt[j].text for j in r.tgt],
        "sc": r.score, "f": list(r.flags), "st": r.status, "e": r.edited, "m": r.moved,
    }


class Session:
    """The alignment of one report opened for editing (thread-safe: one operation at a time)."""

    def __init__(self, report: str | os.PathLike[str], *, user: str = "align",
                 encoder_factory: Callable[[str], TextEncoder] | None = None) -> None:
        path = os.path.abspath(os.fspath(report))
        self.base, self.meta = load_sheet(path)
        self.report = path
        self.journal_path = path + JOURNAL_SUFFIX
        self.saved_path = edited_path(path)
        self.user = user
        self.encoder_factory = encoder_factory
        self._encoder: TextEncoder | None = None
        self._encoder_lock = threading.Lock()  # made once, by ``warm`` or the first realign
        self._lock = threading.RLock()
        self.sheet = self.base
        self.undo_stack: list[Sheet] = []
        self.redo_stack: list[Sheet] = []
        self.entries: list[dict[str, Any]] = []
        for entry in self._saved_entries():
            self._replay(entry)
        self._journal_entries_on_open = 0
        for entry in self._journal_entries():
            if entry["seq"] > len(self.entries):
                self._replay(entry)
                self._journal_entries_on_open += 1
        self._fd: int | None = None

    # ------------------------------------------------------------------ reading the history back

    def _saved_entries(self) -> list[dict[str, Any]]:
        if not os.path.exists(self.saved_path):
            return []
        try:
            data = json.loads(read_bounded_text(self.saved_path, limit=MAX_JOURNAL_BYTES, what="edited alignment"))
        except ValueError as e:
            raise InputError(f"not a readable edited alignment: {e}", path=self.saved_path) from None
        if not isinstance(data, dict) or data.get("format") != EDITED_FORMAT or not isinstance(data.get("entries"), list):
            raise InputError("not an edited alignment written by `align edit`", path=self.saved_path)
        return list(data["entries"])

    def _journal_entries(self) -> list[dict[str, Any]]:
        if not os.path.exists(self.journal_path):
            return []
        raw = read_bounded_text(self.journal_path, limit=MAX_JOURNAL_BYTES, what="edit journal")
        out: list[dict[str, Any]] = []
        good = 0
        lines = raw.split("\n")
        for k, line in enumerate(lines):
            last = k == len(lines) - 1
            if last and line == "":
                break
            try:
                entry = json.loads(line)
                if last:  # no newline after it: cut short while it was written, never acknowledged
                    raise ValueError("unfinished line")
            except ValueError:
                if last:
                    break
                raise InputError(f"line {k + 1} of the edit journal is damaged", path=self.journal_path,
                                 hint="move the journal away to open the alignment without its unsaved edits") from None
            out.append(entry)
            good += len(line.encode("utf-8")) + 1
        if good < len(raw.encode("utf-8")):
            os.truncate(self.journal_path, good)  # drop the torn tail so the next append starts a clean line
        return out

    def _replay(self, entry: dict[str, Any]) -> None:
        try:
            self._step(entry)
        except EditError as e:
            raise InputError(f"edit {entry.get('seq')} ({entry.get('op')}) no longer applies: {e.message}",
                             path=self.journal_path) from None
        self.entries.append(entry)

    def _step(self, entry: dict[str, Any]) -> Sheet:
        """Apply one journal entry to the session (undo and redo included); return the sheet before it."""
        old = self.sheet
        op = entry["op"]
        if op == "undo":
            if not self.undo_stack:
                raise EditError("nothing to undo")
            self.redo_stack.append(self.sheet)
            self.sheet = self.undo_stack.pop()
        elif op == "redo":
            if not self.redo_stack:
                raise EditError("nothing to redo")
            self.undo_stack.append(self.sheet)
            self.sheet = self.redo_stack.pop()
        else:
            new = apply(self.sheet, op, entry.get("args") or {}, Stamp(entry.get("at"), entry.get("by")))
            self.undo_stack.append(self.sheet)
            self.redo_stack.clear()
            self.sheet = new
        return old

    # ------------------------------------------------------------------ editing

    @property
    def version(self) -> int:
        return len(self.entries)

    def do(self, op: str, args: dict[str, Any] | None = None, *, version: int | None = None) -> Patch:
        """Apply ``op`` (or ``undo``/``redo``), journal it (fsync'd), and return what changed for the page.

        ``version``: the version the page saw; ``Conflict`` if it is not the session's.
        EditError (nothing changed, nothing journaled) if the operation cannot be done.
        """
        with self._lock:
            if version is not None and version != self.version:
                raise Conflict(f"the alignment changed elsewhere (version {self.version}, the page has {version}); "
                               "reload the page")
            entry = {"seq": self.version + 1, "op": op, "args": args or {}, "at": now_stamp(), "by": self.user}
            old = self._step(entry)
            try:
                self._append(entry)
            except BaseException:
                self._undo_unjournaled(old, op)
                raise
            self.entries.append(entry)
            return diff(old, self.sheet)

    def _undo_unjournaled(self, old: Sheet, op: str) -> None:
        """Put the session back as it was when the journal could not be written (the edit is not acknowledged)."""
        if op == "undo":
            self.undo_stack.append(self.redo_stack.pop())
        elif op == "redo":
            self.redo_stack.append(self.undo_stack.pop())
        else:
            self.undo_stack.pop()
        self.sheet = old

    def _append(self, entry: dict[str, Any]) -> None:
        if self._fd is None:
            self._fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        data = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        written = 0
        while written < len(data):
            written += os.write(self._fd, data[written:])
        os.fsync(self._fd)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    # ------------------------------------------------------------------ save

    def save(self) -> str:
        """Compact: the whole history into ``X.edited.json`` (atomic), then an empty journal; return the path."""
        with self._lock:
            doc = {
                "format": EDITED_FORMAT, "format_version": 1,
                "report": os.path.relpath(self.report, os.path.dirname(self.saved_path)),
                "version": self.version, "entries": self.entries,
                "src": [[s.text, s.para] for s in self.sheet.src], "tgt": [[s.text, s.para] for s in self.sheet.tgt],
                "rows": [r.to_json() for r in self.sheet.rows],
            }
            atomic_write(self.saved_path, json.dumps(doc, ensure_ascii=False, indent=0) + "\n")
            self.close()
            fd = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            return self.saved_path

    # ------------------------------------------------------------------ realign

    def stretches(self) -> list[tuple[int, int]]:
        """The runs of rows between confirmed rows (``[start, stop)``), which realign may change."""
        out: list[tuple[int, int]] = []
        start = None
        for k, r in enumerate(self.sheet.rows):
            if r.status == "confirmed":
                if start is not None:
                    out.append((start, k))
                start = None
            elif start is None:
                start = k
        if start is not None:
            out.append((start, len(self.sheet.rows)))
        return out

    def encoder(self) -> TextEncoder:
        """The encoder of the alignment's model (made once; its vectors come from the cache when there is one)."""
        with self._encoder_lock:
            if self._encoder is None:
                if self.encoder_factory is None:
                    raise EditError("no model to realign with", hint="open the alignment with `align edit --model NAME`")
                self._encoder = self.encoder_factory(self.meta.model_id)
            return self._encoder

    def warm(self) -> None:
        """Load the model and the aligner before the first realign (the server does it in the background).

        Without it the reviewer's first realign also pays for loading the model
        and the compiled search (seconds with the bundled model). Takes no
        session lock: edits go on meanwhile. Without a model only the aligner is
        loaded; a model that cannot be loaded is reported by the realign that needs it.
        """
        from align.core.warm import warm_up

        if self.encoder_factory is not None:
            try:
                enc = self.encoder()
                if isinstance(enc, LazyEncoder):
                    enc.loaded()  # an encoder is made without its model: the weights load on first use
            except AlignError:
                pass  # the reviewer's realign asks for it again and shows the error
        warm_up(self.meta.src_lang, self.meta.tgt_lang)

    def realign(self, *, version: int | None = None) -> Patch:
        """Align again the stretches between confirmed rows, from the segments' vectors; confirmed rows stay.

        Vectors come from the encoder (its memory and on-disk cache: only text
        edited or split since the run is embedded). One journal entry holds
        the new rows of every stretch, so replaying needs no model and one
        undo takes the whole realign back.
        """
        with self._lock:
            if version is not None and version != self.version:
                raise Conflict(f"the alignment changed elsewhere (version {self.version}, the page has {version}); "
                               "reload the page")
            sheet = self.sheet
            params = _params(self.meta.params)
            enc = self.encoder()
            stretches: list[list[Any]] = []
            for start, stop in self.stretches():
                rows = sheet.rows[start:stop]
                kept = [r for r in rows if r.moved]  # pairs out of order stay as they are
                src = sorted(i for r in rows if not r.moved for i in r.src)
                tgt = sorted(j for r in rows if not r.moved for j in r.tgt)
                new = kept + realign_stretch(sheet, src, tgt, enc, params, langs=(self.meta.src_lang, self.meta.tgt_lang))
                if tuple(new) != tuple(rows):
                    stretches.append([start, stop, [r.to_json() for r in new]])
            if not stretches:
                return Patch(0, 0, [])
            return self.do("realign", {"stretches": stretches}, version=version)


def _params(raw: dict[str, Any]) -> AlignParams:
    names = {f.name for f in fields(AlignParams)}
    return AlignParams(**{k: v for k, v in raw.items() if k in names})


def realign_stretch(sheet: Sheet, src: Sequence[int], tgt: Sequence[int], encoder: TextEncoder,
                    params: AlignParams, *, langs: tuple[str | None, str | None] = (None, None)) -> list[Row]:
    """The aligner's rows for the segments ``src`` and ``tgt`` (sheet indices, in order) from their vectors."""
    if not src and not tgt:
        return []
    if not src or not tgt:
        return [Row((i,), ()) for i in src] + [Row((), (j,)) for j in tgt]
    s_texts = [sheet.src[i].text for i in src]
    t_texts = [sheet.tgt[j].text for j in tgt]
    s_vecs = np.asarray(encoder.encode(s_texts))
    t_vecs = np.asarray(encoder.encode(t_texts))
    beads = align_segments(s_texts, t_texts, None, params=params, src_vecs=s_vecs, tgt_vecs=t_vecs,
                           src_paras=[sheet.src[i].para for i in src], tgt_paras=[sheet.tgt[j].para for j in tgt],
                           src_lang=langs[0], tgt_lang=langs[1])
    return [Row(tuple(src[a] for a in b.src), tuple(tgt[c] for c in b.tgt), score=float(b.score), moved=b.moved)
            for b in beads]
