"""What ``align edit`` does: open one alignment (serve it, or export it), or list a corpus' pairs for review.

The CLI (``align.cli.main``) only parses options and prints; the work is here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass

from align.common.errors import AlignError, InputError, UsageError
from align.common.files import read_bounded_text
from align.editor.export import TmxExport, export
from align.editor.session import EDITED_FORMAT, Session, edited_path
from align.embedding import Encoder, load_encoder
from align.embedding.registry import DEFAULT_MODEL, entries

INDEX_LIMIT = 64 * 1024 * 1024


def report_of(path: str) -> str:
    """The JSON report behind ``path``: the report itself, or the one an ``X.edited.json`` was made from."""
    if path.endswith(".edited.json"):
        try:
            data = json.loads(read_bounded_text(path, limit=INDEX_LIMIT, what="edited alignment"))
        except ValueError as e:
            raise InputError(f"not a readable edited alignment: {e}", path=path) from None
        if not isinstance(data, dict) or data.get("format") != EDITED_FORMAT or not isinstance(data.get("report"), str):
            raise InputError("not an edited alignment written by `align edit`", path=path)
        return os.path.join(os.path.dirname(os.path.abspath(path)), data["report"])
    return path


def encoder_factory(model: str | None, cache: str | None) -> Callable[[str], Encoder]:
    """Makes the encoder realign needs, on first use: ``--model``, else the model the alignment was made with.

    The alignment names its model by id; the registered model whose encoder has
    that id is used (``hash-256``, the bundled ``e5-small``, ``e5-small-c``), so
    that the vectors realign compares are those the run compared (and the
    on-disk cache, keyed by that id, has them).
    """
    def make(model_id: str) -> Encoder:
        if model:
            return load_encoder(model, cache=cache)
        for name in dict.fromkeys((model_id, DEFAULT_MODEL, *(e.name for e in entries()))):
            try:
                enc = load_encoder(name, cache=cache)  # makes the encoder, loads no model
            except AlignError:  # a name that is no model here: try the next one
                continue
            if enc.model_id == model_id:
                return enc
        raise UsageError(f"the alignment was made with the model {model_id!r}, which is not known by that name",
                         hint="give it with `align edit --model NAME`")
    return make


@dataclass(frozen=True)
class PairRow:
    """One pair of a corpus in the review list."""

    name: str
    quality: float | None
    report: str | None
    rows: int
    confirmed: int

    @property
    def progress(self) -> float:
        return self.confirmed / self.rows if self.rows else 0.0


def corpus_pairs(folder: str) -> list[PairRow]:
    """The pairs of an ``align corpus`` output folder, worst first (as its index ranks them), with review progress.

    Progress is the share of rows confirmed, from each pair's saved edits and
    journal (the pair's report is replayed; nothing is written but the cut of a torn journal line).
    """
    index = os.path.join(folder, "index.json")
    if not os.path.isfile(index):
        raise InputError("no index.json: not a folder written by `align corpus`", path=folder,
                         hint="give the output folder of `align corpus`, or one pair's .report.json")
    try:
        doc = json.loads(read_bounded_text(index, limit=INDEX_LIMIT, what="corpus index"))
    except ValueError as e:
        raise InputError(f"not a readable corpus index: {e}", path=index) from None
    out = []
    for d in doc.get("documents") or []:
        if not isinstance(d, dict):
            continue
        rel = d.get("json")
        report = os.path.normpath(os.path.join(folder, rel)) if isinstance(rel, str) else None
        rows = confirmed = 0
        if report and os.path.isfile(report):
            if os.path.exists(edited_path(report)) or os.path.exists(report + ".edits"):
                s = Session(report)
                rows, confirmed = len(s.sheet.rows), sum(r.status == "confirmed" for r in s.sheet.rows)
            else:
                rows = int(d.get("tus") or 0)
        q = d.get("quality")
        out.append(PairRow(str(d.get("name", "?")), float(q) if isinstance(q, (int, float)) else None,
                           report if report and os.path.isfile(report) else None, rows, confirmed))
    return out  # index.json is ranked worst first already


def format_pairs(pairs: list[PairRow]) -> str:
    """The review list as text: rank, quality, progress, name, the command to open it."""
    lines = [f"{'#':>4}  {'quality':>7}  {'reviewed':>8}  pair"]
    for k, p in enumerate(pairs, 1):
        q = f"{100 * p.quality:6.1f}%" if p.quality is not None else "   n/a "
        lines.append(f"{k:>4}  {q}  {100 * p.progress:7.0f}%  {p.name}" + (f"   align edit {p.report}" if p.report else
                                                                               "   (no report)"))
    return "\n".join(lines)


def export_alignment(path: str, out: str, options: TmxExport, *, user: str = "align") -> str:
    """Export the edited alignment behind ``path`` to ``out`` (format from its suffix); return what was written."""
    session = Session(report_of(path), user=user)
    try:
        return export(session.sheet, session.meta, out, options)
    finally:
        session.close()


def run_edit(target: str, *, export_to: str | None = None, tmx: TmxExport | None = None, port: int | None = None,
             open_browser: bool = True, model: str | None = None, cache: str | None = None,
             echo: Callable[[str], None] = lambda line: None) -> None:
    """``align edit TARGET``: list a corpus folder's pairs, export an alignment, or serve it until Ctrl-C."""
    tmx = tmx or TmxExport()
    if os.path.isdir(target):
        if export_to:
            raise UsageError("--export takes one alignment, not a corpus folder")
        echo(format_pairs(corpus_pairs(target)))
        return
    if export_to:
        echo(f"align: edit: {export_alignment(target, export_to, tmx, user=tmx.creationid)}")
        return
    session = Session(report_of(target), user=tmx.creationid, encoder_factory=encoder_factory(model, cache))
    echo(f"align: edit: {len(session.sheet.rows)} rows, version {session.version}; journal {session.journal_path}")
    # The web stack (Starlette, uvicorn: ~140 ms to import) is loaded by `align edit` only, not by every command.
    from align.editor.server import serve

    saved = serve(session, port=port, open_browser=open_browser, tmx=tmx,
                  announce=lambda url: echo(f"align: edit: open {url}  (Ctrl-C stops; every edit is saved)"))
    echo(f"align: edit: saved {saved}")
