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
text cell up to ``MAX_CELL_CHARS`` characters, so the page's size does not grow
with the documents' past those bounds (about 3 MB of rows for news text).
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import jinja2

from align.formats.report import plots
from align.formats.report.plots import dot_plot, score_colour, score_histogram

_TEMPLATES = Path(__file__).resolve().parents[2] / "data" / "report"

# Verdicts on the quality figure (share of text in clean translation units).
VERDICTS = (
    (0.95, "good", "Looks reliable", "Nearly all the text is in translation units that passed every check."),
    (0.80, "review", "Review the flagged rows", "A noticeable share of the text is unaligned or flagged."),
    (0.0, "bad", "Needs careful review", "Much of the text is unaligned or flagged; do not use as is."),
)


#: The most rows of the bead table one page holds; a longer alignment shows its worst rows
#: (``worst_first``) and says where the others are. 2,000 rows of news text are about 3 MB.
MAX_HTML_ROWS = 2_000
#: The most unaligned segments listed a group (omissions, additions ..., noise); the counts are of all.
#: Omissions and additions are rows of the table too (1-0, 0-1): the lists only gather them.
MAX_HTML_UNALIGNED = 500
#: A longer text cell is cut there on the page (the JSON keeps it whole): segments over
#: 2,000 characters are warned about by the run already, and one cell must not make the page.
MAX_CELL_CHARS = 5_000


def worst_first(bead: dict) -> tuple:
    """Sort key of a report row as a reviewer reads them: flagged rows first, lowest score first, then in order."""
    score = bead.get("score")
    return (not bead.get("flags"), score if isinstance(score, (int, float)) else -1.0, bead.get("n", 0))


def row_limit_note(total: int, full_table: Sequence[str] = ()) -> str | None:
    """The line saying the page holds only the worst ``MAX_HTML_ROWS`` of ``total`` rows, or None when it holds all.

    ``full_table`` names the files holding every row (the JSON report, a review sheet).
    """
    if total <= MAX_HTML_ROWS:
        return None
    where = " and ".join(full_table) if full_table else "the JSON report written with this page"
    return (f"showing the worst {MAX_HTML_ROWS:,} of {total:,} rows (flagged first, lowest score first); "
            f"the full table is in {where}")


def _cut(text: str) -> str:
    if len(text) <= MAX_CELL_CHARS:
        return text
    return f"{text[:MAX_CELL_CHARS]} … [{len(text) - MAX_CELL_CHARS:,} more characters: the JSON report holds the whole text]"


@cache
def _env() -> jinja2.Environment:
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


def _verdict(quality: float | None) -> dict:
    q = quality or 0.0
    for bar, cls, title, text in VERDICTS:
        if q >= bar:
            return {"cls": cls, "title": title, "text": text, "bar": bar}
    bar, cls, title, text = VERDICTS[-1]  # below 0: only an edited report has that
    return {"cls": cls, "title": title, "text": text, "bar": bar}


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
        row = {**b, "para_start": not limited and para is not None and prev_para is not None and para != prev_para}
        row["src_text"], row["tgt_text"] = _cut(b["src_text"]), _cut(b["tgt_text"])
        rows.append(row)
        if b["src_para"]:
            prev_para = b["src_para"][-1]
    groups: dict[str, list[dict]] = {}
    noise = [u for u in payload["unaligned"] if u["reason"].startswith("noise")]
    content = [u for u in payload["unaligned"] if not u["reason"].startswith("noise")]
    for u in content:
        groups.setdefault(u["reason"].split(":")[0], []).append(u)
    noise_reasons = Counter(u["reason"].split(":", 1)[-1].strip() for u in noise).most_common()
    script = _asset("report.js")
    return _env().get_template("report.html.j2").render(
        s=s,
        title=payload.get("title") or "Alignment report",
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
        plots=plots,
        low_score=low,
        has_matrix=payload.get("matrix") is not None,
        matrix=payload.get("matrix"),
        verdict=_verdict(s.get("quality")),
        quality_definition=payload.get("quality_definition", ""),
        style=_asset("report.css"),
        script=script,
        csp=_csp(script),
    )


def render_index(rows: list[dict], quality_definition: str) -> str:
    """The corpus index page: one ranked row per document, worst first, with links to the reports."""
    return _env().get_template("index.html.j2").render(
        rows=rows,
        quality_definition=quality_definition,
        verdicts=VERDICTS,
        verdict=_verdict,
        style=_asset("report.css"),
        csp=_csp(None),
    )
