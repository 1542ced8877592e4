"""report/html: the page renders from a minimal payload, and document text is shown as text, never run."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser

import pytest

from align.formats.report.html import VERDICTS, render_index, render_report, warm_up

EVIL_SRC = 'Một <b>hai</b> & "ba" <img src=x onerror=alert(1)>.'
EVIL_TGT = "Satu <script>alert(1)</script> dua."


def minimal_payload(src_text: str = "Một.", tgt_text: str = "Satu.", quality: float = 1.0) -> dict:
    """The least a payload must hold for the page (what ``report_payload`` always writes)."""
    return {
        "summary": {
            "source": {"path": "docs/vi.txt", "lang": "vi", "encoding": "utf-8", "warnings": []},
            "target": {"path": "docs/id.txt", "lang": "id", "encoding": "utf-8", "warnings": []},
            "segments": {"src": 2, "tgt": 1, "src_noise": 0, "tgt_noise": 0},
            "beads": 2, "tus": 1, "coverage": {"src": 0.5, "tgt": 1.0}, "quality": quality,
            "bead_types": {"1-1": 1, "1-0": 1}, "score": {"mean": 0.9, "median": 0.9, "min": 0.9},
            "flags": {"omission": 1}, "flagged_beads": 1, "flagged_share": 0.5,
            "model_id": "hash", "params": {}, "versions": {}, "flagged_by_report": False,
        },
        "flag_legend": {"omission": {"title": "Omission", "explanation": "No counterpart."}},
        "beads": [
            {"n": 0, "src": [0], "tgt": [0], "type": "1-1", "score": 0.9, "flags": [], "issues": {},
             "src_text": src_text, "tgt_text": tgt_text, "src_para": [0], "tgt_para": [0]},
            {"n": 1, "src": [1], "tgt": [], "type": "1-0", "score": 0.0, "flags": ["omission"], "issues": {},
             "src_text": "Hai.", "tgt_text": "", "src_para": [1], "tgt_para": []},
        ],
        "unaligned": [{"side": "src", "pos": 1, "para": 1, "kind": "sentence", "text": "Hai.",
                       "reason": "omission: no counterpart in the translation"}],
    }


class _Collect(HTMLParser):
    """The elements and the text of a page, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN201
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):  # noqa: ANN001, ANN201
        self._in_script = False

    def handle_data(self, data):  # noqa: ANN001, ANN201
        (self.scripts if self._in_script else self.text).append(data)


def parse(page: str) -> _Collect:
    p = _Collect()
    p.feed(page)
    return p


def test_minimal_payload_renders_a_whole_page():
    page = render_report(minimal_payload())
    assert page.lstrip().lower().startswith("<!doctype html")
    doc = parse(page)
    text = " ".join(doc.text)
    assert "Một." in text and "Satu." in text and "Hai." in text  # both beads, the omission too
    assert "vi.txt" in text and "Alignment report" in page
    images = [a["src"] for t, a in doc.tags if t == "img"]
    assert images and all(src.startswith("data:image/png;base64,") for src in images)  # plots inline, nothing fetched


def test_a_payload_without_a_required_summary_key_is_refused():
    bad = minimal_payload()
    del bad["summary"]["quality"]
    with pytest.raises(Exception, match="quality"):  # StrictUndefined: a missing number is an error, not a blank
        render_report(bad)


def test_document_text_is_shown_as_text_never_as_markup():
    page = render_report(minimal_payload(EVIL_SRC, EVIL_TGT))
    doc = parse(page)
    plain = parse(render_report(minimal_payload()))
    assert [t for t, _ in doc.tags] == [t for t, _ in plain.tags]  # the text added no element
    assert ("img", {"src": "x", "onerror": "alert(1)"}) not in doc.tags
    assert not any("alert(1)" in s for s in doc.scripts), "document text ended up inside a script"
    text = "".join(doc.text)
    assert EVIL_SRC in text and EVIL_TGT in text  # shown verbatim, as the reader would see it
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&amp;" in page


def test_the_only_script_is_allowed_by_hash_in_the_content_security_policy():
    page = render_report(minimal_payload(EVIL_SRC, EVIL_TGT))
    doc = parse(page)
    csp = next(a["content"] for t, a in doc.tags if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy")
    assert "default-src 'none'" in csp and re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", csp)
    assert sum(1 for t, _ in doc.tags if t == "script") == 1


@pytest.mark.parametrize("quality, verdict", [(0.99, "good"), (0.85, "review"), (0.2, "bad"), (None, "bad")])
def test_the_verdict_follows_the_quality(quality, verdict):
    payload = minimal_payload(quality=quality)
    payload["unaligned"] = []  # nothing omitted: the quality alone decides (see test_report_fixes for omissions)
    page = render_report(payload)
    title = next(title for _, cls, title, _ in VERDICTS if cls == verdict)
    assert title in page
    for _, cls, other, _ in VERDICTS:
        if cls != verdict:
            assert other not in page


def test_rendering_is_deterministic():
    payload = minimal_payload(EVIL_SRC, EVIL_TGT)
    assert render_report(copy.deepcopy(payload)) == render_report(payload)


def test_index_escapes_names_and_links_the_reports():
    rows = [{"rank": 1, "name": "<b>doc</b>", "error": None, "quality": 0.5, "mean_score": 0.7, "min_score": 0.1,
             "tus": 3, "segments": {"src": 4, "tgt": 3}, "coverage": {"src": 0.75, "tgt": 1.0}, "flagged_beads": 1,
             "flagged_share": 0.25, "flags": {}, "omissions": 1, "additions": 0, "model_id": "hash", "signature": "",
             "html": "doc/doc.report.html", "html_from_json": "doc/doc.report.html", "json": "doc/doc.report.json"}]
    page = render_index(rows, "quality = ...")
    doc = parse(page)
    plain = parse(render_index([{**rows[0], "name": "doc"}], "quality = ..."))
    assert [t for t, _ in doc.tags] == [t for t, _ in plain.tags] and "<b>doc</b>" in "".join(doc.text)
    assert any(t == "a" and a.get("href") == "doc/doc.report.html" for t, a in doc.tags)


def test_warm_up_loads_the_template_and_the_font():
    from align.formats.report.html import _env
    from align.formats.report.plots import _font

    warm_up()
    assert _env.cache_info().currsize == 1 and _font.cache_info().currsize >= 1
