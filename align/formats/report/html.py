"""Render the report payload (see ``payload.report_payload``) as one self-contained HTML page.

Jinja2 with autoescaping on every template: all document text goes through
it, so a ``<script>`` in an input is shown, never run. As a second wall, the
page carries a Content-Security-Policy that allows only its own inline script
(by hash), inline styles and ``data:`` images: nothing is fetched from
anywhere, and an injected script would be refused even if escaping failed.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
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
    raise AssertionError("unreachable")


def render_report(payload: dict) -> str:
    """The HTML page of one report payload (a dict as ``report_payload`` or the JSON file gives)."""
    s = payload["summary"]
    beads = payload["beads"]
    quality_params = (s.get("params") or {}).get("quality") or {}
    low = quality_params.get("low_score")
    scores = [b["score"] for b in beads if b["src"] and b["tgt"] and b["score"] is not None]
    plots = {
        "dot": dot_plot(beads, s["segments"]["src"], s["segments"]["tgt"], payload.get("matrix")),
        "hist": score_histogram(scores, low),
    }
    prev_para = None
    rows = []
    for b in beads:
        para = b["src_para"][0] if b["src_para"] else None
        rows.append({**b, "para_start": para is not None and prev_para is not None and para != prev_para})
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
