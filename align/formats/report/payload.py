"""Quality reports: one JSON and one self-contained HTML file per aligned pair, and a corpus index.

The JSON holds everything the HTML shows (summary, every bead with its text,
scores and flags, the unaligned segments with their reasons, a reduced
similarity matrix, what the readers left out of the documents by reason),
so the HTML can be rebuilt from it later without the documents or the model
(``align report ALIGNMENT.json``). ``write_report`` itself renders the HTML
from that same JSON payload, so a rebuilt page is the same page.

Every file is written through a temporary file and a rename: an interrupted
run leaves the old report or the new one, never half of one.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Sequence
from json.encoder import encode_basestring as _quote
from pathlib import Path
from typing import Any

import numpy as np

from align.common.atomic import atomic_write
from align.common.errors import InputError
from align.common.files import read_bounded_text
from align.common.model import Alignment
from align.formats.base import AlignedPair, OutputOptions
from align.formats.report import html as html_page
from align.formats.report.check import MAX_REPORT_JSON_BYTES, check_payload, parse_report
from align.formats.report.plots import MAX_CELLS, downsample, encode_matrix
from align.formats.report.tally import unaligned_tally
from align.formats.tmx import REVIEW_TMX, TMX, TmxStats
from align.quality.flags import FLAGS, flag_beads, flag_details, summary
from align.reading.read import left_out

FORMAT = "align-report"
FORMAT_VERSION = 1
INDEX_FORMAT = "align-corpus-index"

QUALITY_DEFINITION = (
    "quality = share of the text (source and target characters together) that lies in translation "
    "units carrying no quality flag; 1.0 means everything is aligned and nothing looked suspicious"
)


_PLAIN = frozenset({str, int, bool, type(None)})  # JSON as they are (exact types: no subclass, no numpy scalar)


def _jsonable(obj):
    """Strict JSON: NaN and infinities (say, in the aligner's settings) become null, unknown types text.

    Plain values inside a container are kept without a call each: the report's
    rows are most of its values, and a call per value cost most of its writing.
    """
    t = type(obj)
    if t in _PLAIN:
        return obj
    if t is float:
        return obj if math.isfinite(obj) else None
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): v if type(v) in _PLAIN else _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [v if type(v) in _PLAIN else _jsonable(v) for v in obj]
    if isinstance(obj, (str, int, bool)):
        return obj
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    return str(obj)


def json_text(obj: dict) -> str:
    """``obj`` as the text of a report's JSON file: strict JSON (see ``_jsonable``), UTF-8 as is, one key per line.

    The text ``json.dumps(_jsonable(obj), ensure_ascii=False, indent=1)`` gives, byte for
    byte, written in one pass without the converted copy: ``json.dumps`` with an indent
    runs its pure-Python encoder, a generator call per value, which cost seconds on a
    long document's rows. Here each value is one call at most and each report row one template.
    """
    out: list[str] = []
    _write(obj, 0, out)
    out.append("\n")
    return "".join(out)


def _encode_scalar(obj, level: int) -> str:
    """One value that is not a container, as ``json.dumps`` writes what ``_jsonable`` makes of it."""
    if isinstance(obj, float):
        return float.__repr__(obj) if math.isfinite(obj) else "null"
    if isinstance(obj, str):
        return _quote(obj)
    if obj is None:
        return "null"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    if isinstance(obj, int):
        return int.__repr__(obj)
    if isinstance(obj, np.generic):
        return _encode(obj.item(), level)
    return _quote(str(obj))


def _plain_list(items: Any, level: int) -> str | None:
    """A list of plain ints or of plain strings (a row's indices, its flags) as JSON at ``level``; None otherwise."""
    if type(items) is not list:
        return None
    if not items:
        return "[]"
    first = type(items[0])
    if len(items) == 1 and (first is int or first is str):  # most rows' indices
        text = int.__repr__(items[0]) if first is int else _quote(items[0])
    elif first is int and all(type(v) is int for v in items):
        text = (",\n" + " " * (level + 1)).join(map(int.__repr__, items))
    elif first is str and all(type(v) is str for v in items):
        text = (",\n" + " " * (level + 1)).join(map(_quote, items))
    else:
        return None
    return "[\n" + " " * (level + 1) + text + "\n" + " " * level + "]"


def _plain_number(value) -> str | None:
    """A score as JSON: a finite float, an int or None; None for anything else (left to the general path)."""
    t = type(value)
    if t is float:
        return float.__repr__(value) if value - value == 0 else None  # NaN, inf: the general path writes null
    if value is None:
        return "null"
    return int.__repr__(value) if t is int else None


#: The keys of a report row (``_bead_rows``) and of a paragraph bead, in their order: written by a template.
_ROW_KEYS = ("n", "src", "tgt", "type", "score", "flags", "issues", "src_text", "tgt_text", "src_para", "tgt_para")
_PARA_KEYS = ("src", "tgt", "score")


def _row_text(row: dict, level: int) -> str | None:
    """A report row of plain values as JSON at ``level``, in one template; None when it is not one (``_encode``).

    Rows are nearly all of a report: a template per row, rather than a call per
    value, is what keeps writing a long document's report cheap.
    """
    keys = tuple(row)
    if keys == _ROW_KEYS:
        n, src, tgt, kind, score, flags, issues, src_text, tgt_text, src_para, tgt_para = row.values()
        if not (type(n) is int and type(kind) is str and type(src_text) is str and type(tgt_text) is str
                and type(issues) is dict):
            return None
        p = ",\n" + " " * (level + 1)
        parts = (
            _plain_list(src, level + 1), _plain_list(tgt, level + 1), _plain_number(score),
            _plain_list(flags, level + 1), _plain_list(src_para, level + 1), _plain_list(tgt_para, level + 1),
        )
        if None in parts:
            return None
        src, tgt, score, flags, src_para, tgt_para = parts
        issues = _encode(issues, level + 1) if issues else "{}"
        return (f'{{\n{p[2:]}"n": {n}{p}"src": {src}{p}"tgt": {tgt}{p}"type": {_quote(kind)}{p}"score": {score}'
                f'{p}"flags": {flags}{p}"issues": {issues}{p}"src_text": {_quote(src_text)}'
                f'{p}"tgt_text": {_quote(tgt_text)}{p}"src_para": {src_para}{p}"tgt_para": {tgt_para}\n{" " * level}}}')
    if keys == _PARA_KEYS:
        para = (_plain_list(row["src"], level + 1), _plain_list(row["tgt"], level + 1), _plain_number(row["score"]))
        if None in para:
            return None
        p = ",\n" + " " * (level + 1)
        return f'{{\n{p[2:]}"src": {para[0]}{p}"tgt": {para[1]}{p}"score": {para[2]}\n{" " * level}}}'
    return None


def _encode(obj, level: int) -> str:
    """``obj`` (any value ``_jsonable`` takes) as JSON indented by one space a level, starting at ``level``."""
    out: list[str] = []
    _write(obj, level, out)
    return "".join(out)


def _write(obj, level: int, out: list[str]) -> None:
    """``_encode(obj, level)`` appended to ``out`` in pieces: a long document's rows are held as text once and
    joined once, at the end (not once per level of nesting); a report row is one template (``_row_text``)."""
    t = type(obj)
    if t is str:
        out.append(_quote(obj))
    elif t is int:
        out.append(int.__repr__(obj))
    elif isinstance(obj, dict):
        if not obj:
            out.append("{}")
            return
        if t is dict and (len(obj) == len(_ROW_KEYS) or len(obj) == len(_PARA_KEYS)):
            text = _row_text(obj, level)
            if text is not None:
                out.append(text)
                return
        if not all(type(k) is str for k in obj):
            obj = {str(k): v for k, v in obj.items()}  # as _jsonable: keys that read the same collapse to one
        pad = "\n" + " " * (level + 1)
        opening = "{"
        for k, v in obj.items():
            out.append(opening + pad + _quote(k) + ": ")
            _write(v, level + 1, out)
            opening = ","
        out.append("\n" + " " * level + "}")
    elif isinstance(obj, (list, tuple)):
        text = _plain_list(obj, level) if obj else "[]"
        if text is not None:
            out.append(text)
            return
        pad = "\n" + " " * (level + 1)
        opening = "["
        for v in obj:
            out.append(opening + pad)
            _write(v, level + 1, out)
            opening = ","
        out.append("\n" + " " * level + "]")
    else:
        out.append(_encode_scalar(obj, level))


def report_payload(alignment: Alignment, *, sim_matrix: np.ndarray | None = None, max_cells: int = MAX_CELLS,
                   tmx: dict | None = None, warnings: Sequence[str] | None = None) -> dict:
    """The report as JSON-ready data: what the JSON file holds and the HTML is rendered from.

    An alignment that has not been through ``flag_beads`` (no ``params["quality"]``)
    is flagged here first, with ``sim_matrix`` standing in for the vectors.
    ``warnings``: every warning of the run (``summary["warnings"]``, listed on
    the page); default: the documents' reading warnings.
    """
    sim = None
    if sim_matrix is not None:
        sim = np.asarray(sim_matrix)  # no copy: an array or a memory map stays what it is
        if sim.shape != (len(alignment.src), len(alignment.tgt)):
            raise ValueError(
                f"similarity matrix is {sim.shape[0]}×{sim.shape[1]} but the alignment has "
                f"{len(alignment.src)} source and {len(alignment.tgt)} target segments"
                "; pass the cosines of the aligned segments' vectors, source rows by target columns"
            )
    small_sim = sim if sim is not None and sim.size <= 4_000_000 else None
    flagged_here = "quality" not in alignment.params
    if flagged_here:
        alignment = flag_beads(alignment, sim=small_sim)
    details = flag_details(alignment, sim=small_sim)
    summ = summary(alignment)
    summ["flagged_by_report"] = flagged_here
    if tmx is not None:
        # What the TMX writer did with the beads (dedupe, --min-score): the report's TU
        # count is then the file's, and the difference is explained.
        summ["tmx"] = dict(tmx)
    if warnings is None:
        warnings = [*alignment.source.warnings, *alignment.target.warnings]
    summ["warnings"] = list(warnings)  # nothing changed or left out silently: the page lists them
    unaligned = summ.pop("unaligned")
    # The pair's id (a corpus folder, --doc-id): the page's title, so a corpus's reports can be told apart.
    summ["document"] = alignment.document_id or None
    # ``flagged`` (from ``summary``) said whether the checks had run, beside ``flagged_beads`` (how many
    # rows carry a flag): ``flagged: true`` with ``flagged_beads: 0`` read as a contradiction. Renamed.
    summ["quality_checked"] = bool(summ.pop("flagged", True))
    summ["unaligned_segments"] = unaligned_tally(str(u["reason"]) for u in unaligned)
    # The text's size, so that a corpus index can weigh each document's quality and coverage by it.
    summ["characters"] = {"src": sum(len(x.text) for x in alignment.src), "tgt": sum(len(x.text) for x in alignment.tgt)}
    matrix = None
    if sim is not None and sim.size:
        reduced, block = downsample(sim, max_cells)
        matrix = encode_matrix(reduced, sim.shape, block)
    return {  # what the JSON file will hold, exactly (JSON-ready, see ``_jsonable``): the HTML is rendered from this
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "signature": _jsonable(alignment.signature),
        "quality_definition": QUALITY_DEFINITION,
        "summary": _jsonable(summ),
        "flag_legend": {c: {"title": f.title, "explanation": f.explanation} for c, f in FLAGS.items()},
        "beads": _bead_rows(alignment, details),
        "unaligned": _jsonable(unaligned),
        "removed": _jsonable(removed_groups(alignment)),
        "para_beads": [{"src": _ints(b.src), "tgt": _ints(b.tgt), "score": _jsonable(b.score)} for b in alignment.para_beads],
        "matrix": _jsonable(matrix),
    }


def _ints(values) -> list:
    """Indices as a JSON-ready list, through ``_jsonable`` (a numpy integer becomes an int)."""
    return _jsonable(list(values))


def _bead_rows(alignment: Alignment, details: Sequence[dict]) -> list[dict]:
    """The report's rows, one per bead, built JSON-ready: no converted copy of them is ever made.

    One pass over the beads (a test counts the rows built): the rows are the
    bulk of a report, and a second pass or copy of them is what made long
    documents' reports slow and large in memory. Indices, paragraph numbers
    and flags are checked to be plain ints and strings once for all the beads
    (they always are from the aligner); only otherwise is each converted.
    """
    src, tgt, beads = alignment.src, alignment.tgt, alignment.beads
    plain = (all(type(i) is int for b in beads for i in b.src) and all(type(j) is int for b in beads for j in b.tgt)
             and all(type(x.para) is int for x in src) and all(type(x.para) is int for x in tgt)
             and all(type(f) is str for b in beads for f in b.flags))
    idx = list if plain else _ints
    rows = []
    for k, (b, d) in enumerate(zip(beads, details, strict=True)):
        score = b.score
        s_text, s_para = _side(src, b.src)
        t_text, t_para = _side(tgt, b.tgt)
        rows.append({
            "n": k,
            "src": idx(b.src),
            "tgt": idx(b.tgt),
            "type": b.kind,
            "score": score if type(score) is float and score - score == 0 else _jsonable(score),
            "flags": list(b.flags) if plain else _jsonable(list(b.flags)),
            "issues": _jsonable(d) if d else {},
            "src_text": s_text,
            "tgt_text": t_text,
            "src_para": s_para if plain else _ints(s_para),
            "tgt_para": t_para if plain else _ints(t_para),
        })
    return rows


def _side(segments: Sequence, indices: Sequence[int]) -> tuple[str, list]:
    """One side of a row: its segments' texts, a line each, and their distinct paragraphs in order."""
    if len(indices) == 1:  # most beads: no join, no set
        seg = segments[indices[0]]
        return seg.text, [seg.para]
    return "\n".join([segments[i].text for i in indices]), sorted({segments[i].para for i in indices})


def removed_groups(alignment: Alignment) -> list[dict]:
    """What the readers left out of both documents, by reason: the report's "Left out by the reader" list.

    One group per reason (``{"reason", "count", "items": [{"side", "text", "set_aside", "block"}]}``),
    in the order ``reading.read.left_out`` gives (what was removed first, then the
    noise set aside), source before target within a group. ``set_aside`` is false
    for text the reader removed before segmenting (an HTML page's menu, footer,
    comment box, what lies outside its article: in no segment, so listed nowhere
    else; ``block`` null) and true for a noise segment (a photo credit, a byline, a
    running header; ``block`` its 0-based block, ``Segment.para``). The page lists
    both in one place, so that a user sees nothing was dropped silently, and why.
    """
    groups: dict[str, dict] = {}
    for side, doc in (("src", alignment.source), ("tgt", alignment.target)):
        removed = Counter(reason for reason, _ in doc.removed)
        noise: dict[str, list[int]] = {}
        for seg in doc.noise:
            noise.setdefault(seg.reason or "set aside", []).append(seg.para)  # left_out's reason for each
        for reason, texts in left_out(doc).items():
            group = groups.setdefault(reason, {"reason": reason, "count": 0, "items": []})
            # left_out lists a reason's removed texts first, then its noise segments in document order.
            cut = removed[reason]
            group["items"].extend({"side": side, "text": text, "set_aside": k >= cut,
                                   "block": noise[reason][k - cut] if k >= cut else None}
                                  for k, text in enumerate(texts))
            group["count"] += len(texts)
    return list(groups.values())


def write_report(
    alignment: Alignment,
    html_path: str | os.PathLike | None = None,
    json_path: str | os.PathLike | None = None,
    *,
    sim_matrix: np.ndarray | None = None,
    max_cells: int = MAX_CELLS,
    tmx: dict | None = None,
    payload: dict | None = None,
    full_table: Sequence[str] | None = None,
) -> dict:
    """Write the HTML and/or JSON report of one alignment; return its summary.

    ``tmx`` (``{"path", "tus_written", "duplicates", "skipped_below_min", ...}``)
    records what the TMX writer did, so the report agrees with the file.

    ``sim_matrix`` (source × target cosines of the segment vectors, any size:
    it is reduced to at most ``max_cells`` per side in chunks) draws the dot
    plot's heat map; without it the plot shows the path alone. The returned
    summary (``quality.flags.summary`` plus the unaligned list) is what
    ``write_corpus_index`` ranks.

    ``payload``: the ``report_payload`` of this alignment when the caller has it
    already (the pipeline's HTML and JSON writers share one); ``sim_matrix``,
    ``max_cells`` and ``tmx`` are then not used.

    ``full_table``: the files holding every row, named on a page that shows only
    the worst ``html.MAX_HTML_ROWS`` (default: the JSON written here, if any).
    """
    if payload is None:
        payload = report_payload(alignment, sim_matrix=sim_matrix, max_cells=max_cells, tmx=tmx)
    if json_path is not None:
        atomic_write(json_path, json_text(payload))
    if html_path is not None:
        if full_table is None:
            full_table = [_link(json_path, html_path) or ""] if json_path is not None else []
        atomic_write(html_path, html_page.render_report(payload, full_table=full_table))
    return {**payload["summary"], "unaligned": payload["unaligned"]}


def load_report(json_path: str | os.PathLike) -> dict:
    """Read a JSON report written by ``write_report``, checking that it is one the page can be rendered from.

    Bounded and checked (``check``): a device, a FIFO or a file over
    ``MAX_REPORT_JSON_BYTES`` is refused, and so is a report whose fields are not
    of the types written (a string for a score, bad base64, a matrix larger than
    the plot): each an ``InputError`` naming the file, never a crash.
    """
    name = str(json_path)
    hint = "give the .json written next to the report by `align run`"
    text = read_bounded_text(json_path, limit=MAX_REPORT_JSON_BYTES, what="JSON report")
    try:
        payload = parse_report(text)
    except ValueError as e:  # json.JSONDecodeError is one
        raise InputError(f"not a readable JSON report: {e}", path=name, hint=hint) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise InputError("not an alignment report (no \"format\": \"align-report\")", path=name, hint=hint)
    version = payload.get("format_version", 0)
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise InputError(f"report format version {version} is newer than this tool reads", path=name,
                         hint="upgrade align")
    try:
        check_payload(payload)
    except ValueError as e:
        raise InputError(f"not a valid alignment report: {e}", path=name,
                         hint="was it written by align? `align run` writes it anew") from None
    return payload


def rebuild_report(json_path: str | os.PathLike, html_path: str | os.PathLike) -> dict:
    """Rebuild the HTML report from a saved JSON report, without documents or model; return its summary.

    The page is the one ``write_report`` wrote: the same rows (the worst
    ``html.MAX_HTML_ROWS`` of a longer alignment), naming ``json_path`` as the
    file holding every row.
    """
    payload = load_report(json_path)
    atomic_write(html_path, html_page.render_report(payload, full_table=[_link(json_path, html_path) or ""]))
    return payload["summary"]


# --------------------------------------------------------------------------- writers (align.formats.base)

#: Above this many source × target cells the pipeline draws the dot plot without the heat map.
MAX_SIM_CELLS = 4_000_000


class ReportWriter:
    """Writer of a pair's report, one per file: the HTML page (``report_html``) or its JSON (``report_json``).

    Both are rendered from one payload, computed once per pair (``AlignedPair.memo``),
    with the similarity matrix of the pair's vectors and what the TMX writers did.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.name = f"report_{kind}"
        self.suffix = f".report.{kind}"

    def write(self, pair: AlignedPair, path: str, options: OutputOptions) -> dict:
        """Write the page or the JSON of ``pair``'s report; return its summary (``write_report``)."""
        payload = _pair_payload(pair, options)
        if self.kind == "html":
            # Named on a page showing only the worst rows: the files with every row, relative to the page.
            final = pair.paths.get(self.name, path)
            full = [_link(pair.paths[k], final) or "" for k in ("report_json", "review_xlsx", "review_tsv")
                    if pair.paths.get(k)]
            return write_report(pair.alignment, path, None, payload=payload, full_table=full)
        return write_report(pair.alignment, None, path, payload=payload)


def _pair_payload(pair: AlignedPair, options: OutputOptions) -> dict:
    cached = pair.memo.get("report_payload")
    if isinstance(cached, dict):
        return cached
    sim = None
    if pair.src_vecs is not None and pair.tgt_vecs is not None and len(pair.src_vecs) * len(pair.tgt_vecs) <= MAX_SIM_CELLS:
        sim = pair.src_vecs @ pair.tgt_vecs.T
    collected = pair.memo.get("warnings")  # the pipeline's: readers' and the writers' before this one
    payload = report_payload(pair.alignment, sim_matrix=sim, tmx=_tmx_info(pair, options),
                             warnings=collected if isinstance(collected, list) else None)
    pair.memo["report_payload"] = payload
    return payload


def _tmx_info(pair: AlignedPair, options: OutputOptions) -> dict | None:
    """What the TMX writers did with the beads (dedupe, --min-score, the review TMX), for the report's summary."""
    stats = pair.results.get(TMX.name)
    if not isinstance(stats, TmxStats):
        return None
    info: dict = {"path": os.path.basename(pair.paths[TMX.name]), "level": options.level,
                  "tus_written": stats.tus_written, "duplicates": stats.duplicates,
                  "skipped_below_min": stats.skipped_below_min}
    review = pair.results.get(REVIEW_TMX.name)
    if isinstance(review, TmxStats):
        info["review_path"] = os.path.basename(pair.paths[REVIEW_TMX.name])
        info["review_tus_written"] = review.tus_written
    return info


REPORT_HTML = ReportWriter("html")
REPORT_JSON = ReportWriter("json")


# --------------------------------------------------------------------------- corpus index


def _link(target: str | os.PathLike | None, index_path: str | os.PathLike | None) -> str | None:
    """``target`` relative to the folder of ``index_path``, with forward slashes (for href and JSON)."""
    if not target:
        return None
    start = Path(index_path).resolve().parent if index_path else Path.cwd()
    return Path(os.path.relpath(Path(target).resolve(), start)).as_posix()


def _rank_key(row: dict) -> tuple:
    """Worst first: failed pairs, then lowest quality, lowest mean score, then by name."""
    q = row.get("quality")
    m = row.get("mean_score")
    return (row.get("error") is None, q if q is not None else -1.0, m if m is not None else -1.0, row["name"])


def corpus_rows(entries: Sequence[dict], html_path=None, json_path=None) -> list[dict]:
    """One flat, ranked row per document, for the index page and its JSON.

    An entry is ``{"name": ..., "summary": <write_report's result>, "html": path,
    "json": path}``, or ``{"name": ..., "error": "why it failed"}``.
    """
    rows = []
    for e in entries:
        s = e.get("summary") or {}
        score = s.get("score") or {}
        flags = s.get("flags") or {}
        # Omitted and added segments as the report's card counts them (``unaligned_tally``); a summary
        # from before that count falls back on the beads flagged omission/addition.
        tally = s.get("unaligned_segments") or {"omission": flags.get("omission", 0), "addition": flags.get("addition", 0)}
        rows.append({
            "name": str(e.get("name") or s.get("source", {}).get("path") or "?"),
            "error": e.get("error"),
            "quality": s.get("quality"),
            "mean_score": score.get("mean"),
            "min_score": score.get("min"),
            "tus": s.get("tus"),
            "segments": s.get("segments"),
            "coverage": s.get("coverage"),
            "flagged_beads": s.get("flagged_beads"),
            "flagged_share": s.get("flagged_share"),
            "flags": flags,
            "beads": s.get("beads"),
            "omissions": tally.get("omission", 0),
            "additions": tally.get("addition", 0),
            "unaligned": tally.get("content", tally.get("omission", 0) + tally.get("addition", 0)),
            "noise": tally.get("noise"),
            "characters": s.get("characters"),
            "model_id": s.get("model_id"),
            "signature": s.get("signature"),
            "warnings": list(s.get("warnings") or []),
            "html": _link(e.get("html"), html_path),
            "html_from_json": _link(e.get("html"), json_path),
            "json": _link(e.get("json"), json_path),
        })
    rows.sort(key=_rank_key)
    for rank, r in enumerate(rows, 1):
        r["rank"] = rank
    return rows


def _weighted(pairs: Sequence[tuple[float | None, float]]) -> float | None:
    """The mean of the values weighted by their weights, over the values known; None when none is."""
    known = [(v, w) for v, w in pairs if v is not None and w > 0]
    total = sum(w for _, w in known)
    return sum(v * w for v, w in known) / total if total else None


def corpus_totals(rows: Sequence[dict]) -> dict:
    """The whole corpus in one row (the index's last): sums of the counts, shares weighed as they add up.

    Quality and coverage are weighed by each document's characters (what they are
    shares of), so the totals are those of the corpus as one text; the mean score by
    its translation units; failed documents are counted, and left out of the rest.
    """
    ok = [r for r in rows if r.get("error") is None]

    def total(key: str) -> int:
        return sum(int(r.get(key) or 0) for r in ok)

    def chars(r: dict, side: str | None = None) -> float:
        c = r.get("characters") or {}
        return float(c.get(side, 0) if side else c.get("src", 0) + c.get("tgt", 0))

    beads = total("beads")
    flagged = total("flagged_beads")
    mins = [r["min_score"] for r in ok if r.get("min_score") is not None]
    cov = [r.get("coverage") or {} for r in ok]
    return {
        "documents": len(rows),
        "failed": len(rows) - len(ok),
        "segments": {side: sum(int((r.get("segments") or {}).get(side) or 0) for r in ok) for side in ("src", "tgt")},
        "tus": total("tus"),
        "beads": beads,
        "flagged_beads": flagged,
        "flagged_share": flagged / beads if beads else None,
        "omissions": total("omissions"),
        "additions": total("additions"),
        "unaligned": total("unaligned"),
        "noise": total("noise"),
        "quality": _weighted([(r.get("quality"), chars(r)) for r in ok]),
        "coverage": {side: _weighted([(c.get(side), chars(r, side)) for c, r in zip(cov, ok, strict=True)])
                     for side in ("src", "tgt")},
        "mean_score": _weighted([(r.get("mean_score"), float(r.get("tus") or 0)) for r in ok]),
        "min_score": min(mins) if mins else None,
    }


def write_corpus_index(
    entries: Sequence[dict],
    html_path: str | os.PathLike | None,
    json_path: str | os.PathLike | None,
) -> list[dict]:
    """Write the corpus index (HTML and/or JSON): documents ranked worst to best by ``quality``, then the totals.

    Links to each report are relative to the index file, so the folder can be
    moved or shared as a whole. Returns the ranked rows.
    """
    rows = corpus_rows(entries, html_path, json_path)
    totals = corpus_totals(rows)
    if json_path is not None:
        doc = {
            "format": INDEX_FORMAT,
            "format_version": FORMAT_VERSION,
            "quality_definition": QUALITY_DEFINITION,
            "totals": totals,
            "documents": [
                {k: v for k, v in r.items() if k not in ("html", "html_from_json")} | {"html": r["html_from_json"]}
                for r in rows
            ],
        }
        atomic_write(json_path, json_text(doc))
    if html_path is not None:
        atomic_write(html_path, html_page.render_index(rows, QUALITY_DEFINITION, totals))
    return rows
