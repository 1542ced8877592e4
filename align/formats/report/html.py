"""Render the report payload (see ``payload.report_payload``) as one self-contained HTML page.

Jinja2 with autoescaping on every template: all document text goes through
it, so a ``<script>`` in an input is shown, never run. As a second wall, the
page carries a Content-Security-Policy that allows only its own inline script
(by hash), inline styles and ``data:`` images: nothing is fetched from
anywhere, and an injected script would be refused even if escaping failed.

The page stays one a browser opens at any length: it holds the summary, the
plots (drawn from a matrix already reduced to at most ``plots.MAX_CELLS`` a
side) and at most ``MAX_HTML_ROWS`` rows of the table. A longer alignment shows
its worst rows (flagged first, lowest score first) with a line saying so and
naming the files that hold every row (the JSON report, the review sheets); an
alignment of up to ``MAX_HTML_ROWS`` beads is shown whole, in document order.
The unaligned segments are listed up to ``MAX_HTML_UNALIGNED`` a group and each
text cell up to ``MAX_CELL_CHARS`` characters; what the readers left out
("Left out by the reader", by reason) up to ``MAX_HTML_UNALIGNED`` a reason and
``MAX_LEFT_OUT_CHARS`` characters a text, so the page's size does not grow
with the documents' past those bounds (about 3 MB of rows for news text).
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from align.formats.report import plots
from align.formats.report.plots import dot_plot, score_colour, score_histogram
from align.formats.report.tally import VERDICTS, unaligned_phrase, unaligned_tally, verdict

if TYPE_CHECKING:
    import jinja2

_TEMPLATES = Path(__file__).resolve().parents[2] / "data" / "report"

#: The most rows of the bead table one page holds; a longer alignment shows its worst rows
#: (``worst_first``) and says where the others are. 2,000 rows of news text are about 3 MB.
MAX_HTML_ROWS = 2_000
#: The most unaligned segments listed a group (omissions, additions ..., noise); the counts are of all.
#: Omissions and additions are rows of the table too (1-0, 0-1): the lists only gather them.
MAX_HTML_UNALIGNED = 500
#: A longer text cell is cut there on the page (the JSON keeps it whole): segments over
#: 2,000 characters are warned about by the run already, and one cell must not make the page.
MAX_CELL_CHARS = 5_000
#: A text the reader left out is shown up to this many characters (a whole menu or footer can be long);
#: the rest is in the element's tooltip (up to ``MAX_CELL_CHARS``) and, whole, in the JSON report.
MAX_LEFT_OUT_CHARS = 240


def worst_first(bead: dict) -> tuple:
    """Sort key of a report row as a reviewer reads them: flagged rows first, lowest score first, then in order."""
    score = bead.get("score")
    return (not bead.get("flags"), score if isinstance(score, (int, float)) else -1.0, bead.get("n", 0))


class _Row:
    """A table row as the template reads it: its fields are attributes, so ``b.src`` is found at once.

    Jinja looks ``b.src`` up as an attribute first, then as a key: on a dict every
    lookup raised and caught an ``AttributeError`` first, tens of thousands a page
    (a tenth of the page's time). A field the row lacks is still undefined to the template.
    """

    def __init__(self, fields: dict, **more) -> None:
        self.__dict__.update(fields, **more)


def row_limit_note(total: int, full_table: Sequence[str] = ()) -> str | None:
    """The line saying the page holds only the worst ``MAX_HTML_ROWS`` of ``total`` rows, or None when it holds all.

    ``full_table`` names the files holding every row (the JSON report, a review sheet).
    """
    if total <= MAX_HTML_ROWS:
        return None
    where = " and ".join(full_table) if full_table else "the JSON report written with this page"
    return (f"showing the worst {MAX_HTML_ROWS:,} of {total:,} rows (flagged first, lowest score first); "
            f"the full table is in {where}")


def _brief(text: str) -> str:
    """A left-out text on one line, cut at a word before ``MAX_LEFT_OUT_CHARS`` characters, with "…" where cut."""
    text = " ".join(text.split())
    if len(text) <= MAX_LEFT_OUT_CHARS:
        return text
    head = text[: MAX_LEFT_OUT_CHARS - 1]
    space = head.rfind(" ")
    return (head[:space] if space > MAX_LEFT_OUT_CHARS // 2 else head).rstrip(" |·,;:") + " …"


def _cut(text: str) -> str:
    if len(text) <= MAX_CELL_CHARS:
        return text
    return f"{text[:MAX_CELL_CHARS]} … [{len(text) - MAX_CELL_CHARS:,} more characters: the JSON report holds the whole text]"


@cache
def _env() -> jinja2.Environment:
    import jinja2  # only where a report is written: a run with --no-report does not pay its import

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "default": str, "ensure_ascii": False}
    env.filters["pct"] = lambda x, d=1: "–" if x is None else f"{100 * x:.{d}f}%"
    env.filters["num"] = lambda x, d=2: "–" if x is None else f"{x:.{d}f}"
    env.filters["colour"] = score_colour
    env.filters["tint"] = _tint
    env.filters["basename"] = lambda p: Path(p).name if p else ""
    env.filters["cut"] = _cut
    env.filters["brief"] = _brief
    env.filters["from1"] = lambda idx: ", ".join(str(i + 1) for i in idx)  # the page counts from 1 (see the template)
    return env


def warm_up() -> None:
    """Load now what the first report would: the page template, the plot colours and the font.

    About a third of a second, once per process: corpus workers call this while
    they start (``align.pipeline.pair.warm_up``) rather than inside their first pair.
    """
    _env().get_template("report.html.j2")
    plots.warm_up()


@cache
def _asset(name: str) -> str:
    return (_TEMPLATES / name).read_text(encoding="utf-8")


def _tint(score: float | None, strength: float = 0.11) -> str:
    """A pale version of the score colour for a table row background."""
    c = score_colour(score).lstrip("#")
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    mix = lambda v: round(255 - (255 - v) * strength)  # noqa: E731
    return f"#{mix(r):02x}{mix(g):02x}{mix(b):02x}"


def _csp(script: str | None) -> str:
    """Only our own inline script (by its hash), inline styles and data: images; nothing fetched."""
    if script is None:
        src = "'none'"
    else:
        src = "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
    return (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src {src}; base-uri 'none'; form-action 'none'"
    )


def page_title(summary: dict, title: str) -> str:
    """The page's title: the pair's id first (a corpus folder, ``--doc-id``), so a corpus's tabs differ.

    Without an id (an alignment made outside ``align_pair``, an older JSON) the
    file names stand in; they are the same for every pair of a corpus laid out
    as ``pair/vi.txt``, which is why the id comes first.
    """
    src, tgt = summary["source"], summary["target"]
    langs = f"{src['lang']} → {tgt['lang']}"
    doc = summary.get("document")
    if isinstance(doc, str) and doc:
        return f"{doc} · {langs} · {title}"
    return f"{Path(src['path']).name} → {Path(tgt['path']).name} · {title}"


def render_report(payload: dict, *, full_table: Sequence[str] = ()) -> str:
    """The HTML page of one report payload (a dict as ``report_payload`` or the JSON file gives).

    ``full_table``: the files that hold every row (the JSON report, review
    sheets), named on the page when it shows only the worst ``MAX_HTML_ROWS``.
    """
    s = payload["summary"]
    beads = payload["beads"]
    quality_params = (s.get("params") or {}).get("quality") or {}
    low = quality_params.get("low_score")
    scores = [b["score"] for b in beads if b["src"] and b["tgt"] and b["score"] is not None]
    plots = {
        "dot": dot_plot(beads, s["segments"]["src"], s["segments"]["tgt"], payload.get("matrix")),
        "hist": score_histogram(scores, low),
    }
    # The summary counts every row even where the payload holds fewer (``align score`` keeps its worst).
    total = max(len(beads), s["beads"] if isinstance(s.get("beads"), int) else 0)
    limit_note = row_limit_note(total, full_table)
    limited = limit_note is not None
    shown = sorted(beads, key=worst_first)[:MAX_HTML_ROWS] if limited else beads
    prev_para = None
    rows = []
    for b in shown:
        para = b["src_para"][0] if b["src_para"] else None
        rows.append(_Row(b, para_start=not limited and para is not None and prev_para is not None and para != prev_para,
                         src_text=_cut(b["src_text"]), tgt_text=_cut(b["tgt_text"])))
        if b["src_para"]:
            prev_para = b["src_para"][-1]
    groups: dict[str, list[dict]] = {}
    noise = [u for u in payload["unaligned"] if u["reason"].startswith("noise")]
    content = [u for u in payload["unaligned"] if not u["reason"].startswith("noise")]
    for u in content:
        groups.setdefault(u["reason"].split(":")[0], []).append(u)
    noise_reasons = Counter(u["reason"].split(":", 1)[-1].strip() for u in noise).most_common()
    tally = unaligned_tally(u["reason"] for u in payload["unaligned"])  # as `align run` counts them
    removed = payload.get("removed") or []  # a report from before issue 22 has none
    script = _asset("report.js")
    return _env().get_template("report.html.j2").render(
        s=s,
        title=payload.get("title") or "Alignment report",
        page_title=page_title(s, payload.get("title") or "Alignment report"),
        document=s.get("document") if isinstance(s.get("document"), str) else None,
        tally=tally,
        unaligned_line=unaligned_phrase(tally),
        signature=payload.get("signature") or s.get("signature") or "",
        rows=rows,
        row_limit=limit_note,
        max_unaligned=MAX_HTML_UNALIGNED,
        legend=payload["flag_legend"],
        unaligned=payload["unaligned"],
        unaligned_groups=groups,
        content_unaligned=content,
        noise=noise,
        noise_reasons=noise_reasons,
        removed=removed,
        has_left_out=bool(removed),
        removed_total=sum(g["count"] for g in removed),
        plots=plots,
        low_score=low,
        has_matrix=payload.get("matrix") is not None,
        matrix=payload.get("matrix"),
        verdict=verdict(s.get("quality"), tally),
        quality_definition=payload.get("quality_definition", ""),
        style=_asset("report.css"),
        script=script,
        csp=_csp(script),
    )


def render_index(rows: list[dict], quality_definition: str, totals: dict | None = None) -> str:
    """The corpus index page: one ranked row per document, worst first, with links to the reports, and a totals row."""
    return _env().get_template("index.html.j2").render(
        rows=rows,
        totals=totals,
        quality_definition=quality_definition,
        verdicts=VERDICTS,
        verdict=verdict,
        style=_asset("report.css"),
        csp=_csp(None),
    )


def render_tm_report(page: dict, *, full_table: Sequence[str] = ()) -> str:
    """The TM health page of ``align score``: a memory's own report, not the alignment page.

    ``page`` is the JSON report (``align.tools.tmscore.score_report_json``) plus
    ``rows`` (the units to list, worst first), ``scores`` (every unit's score, for
    the histogram) and ``legend`` (the flags' explanations). A memory has no
    document order, coverage, noise or path, so none is shown; what is shown:
    the summary, the distribution of the scores (and of the aligner's own
    ``x-alignment-score`` beside it), the suspects worst first with both
    scores, duplicates and language checks. The rows are cut to
    ``MAX_HTML_ROWS`` with a line naming ``full_table`` (the scored TMX).
    """
    s = page["summary"]
    threshold = (page.get("params") or {}).get("threshold")
    rows = [{**r, "src": _cut(r["src"]), "tgt": _cut(r["tgt"])} for r in page["rows"][:MAX_HTML_ROWS]]
    aligner = page.get("aligner_scores") or []
    script = _asset("report.js")
    return _env().get_template("tmscore.html.j2").render(
        d=page,
        s=s,
        rows=rows,
        row_limit=_tm_row_note(len(rows), s["units"], full_table),
        threshold=threshold,
        hist=score_histogram(page.get("scores") or [], threshold, what="TM score (x-tm-score) of each unit",
                             unit="units", empty="no unit"),
        hist_aligner=score_histogram(aligner, None, what="the aligner's score (x-alignment-score) of each unit",
                                     unit="units") if aligner else None,
        legend=page.get("legend") or {},
        page_title=f"{Path(page['tmx']).name} · {page['src_lang']} → {page['tgt_lang']} · Translation memory health",
        style=_asset("report.css"),
        script=script,
        csp=_csp(script),
    )


def _tm_row_note(shown: int, total: int, full_table: Sequence[str]) -> str | None:
    """The line saying the TM page lists only its worst ``shown`` of ``total`` units, or None when it lists all."""
    if shown >= total:
        return None
    where = " and ".join(full_table) if full_table else "the scored TMX (x-tm-score on every unit)"
    return (f"showing the worst {shown:,} of {total:,} rows (suspects first, lowest score first); "
            f"the full table is in {where}")
