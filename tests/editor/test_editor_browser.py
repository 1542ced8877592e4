"""The editor as a reviewer uses it: headless Chromium (Debian's, driven by Playwright) against `align edit`.

The sample pair (aligned with ``--model hash``, fast) gets a planted slip: a block of three rows whose targets
are shifted by one. The reviewer fixes it by mouse and keyboard and exports the TMX, which must equal the
TMX of the alignment before the slip; the keystrokes and clicks it took are counted. Then every other
operation is done once by mouse or keyboard, the page is reloaded, the server is killed with SIGKILL and
started again, and the state is checked each time. Screenshots go to the test's folder and, for a human look,
to the folder named by $ALIGN_TEST_SHOTS when it is set.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest
from editor_data import SHOTS, plant_shift, sample_report, start_server

from align.editor.export import export
from align.editor.session import Session
from align.formats.tmx import read_tmx

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")


def shot(pg, folder: Path, name: str) -> Path:
    path = folder / name
    pg.screenshot(path=str(path))
    if SHOTS is None:
        return path
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS / name)
    except OSError:
        pass
    return path


def units(path: Path) -> list[tuple[str, str]]:
    return [(u.src, u.tgt) for u in read_tmx(path).tus]


class Editor:
    """A page on a running `align edit` server, with helpers that wait for the page's queue of requests."""

    def __init__(self, browser, report: Path) -> None:
        self.browser, self.report = browser, report
        self.proc, self.url = start_server(report)
        self.pg = browser.new_page(viewport={"width": 1440, "height": 1000})
        self.console: list[str] = []
        self.requests: list[str] = []
        self.pg.on("console", lambda m: self.console.append(m.text))
        self.pg.on("request", lambda r: self.requests.append(r.url))
        self.open()

    def open(self) -> None:
        self.pg.goto(self.url)
        self.pg.wait_for_selector("body[data-ready='1']")

    def idle(self) -> None:
        self.pg.evaluate("() => window.__editor.idle()")

    def keys(self, *keys: str) -> None:
        for k in keys:
            self.pg.keyboard.press(k)
        self.idle()

    def click(self, selector: str, page=None) -> None:
        pg = page or self.pg
        if selector.startswith("#rows"):  # rows off screen are drawn as the page scrolls: scroll, let it draw
            pg.locator(selector).scroll_into_view_if_needed()
            pg.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        pg.click(selector)
        pg.evaluate("() => window.__editor.idle()")

    def js(self, expr: str):
        return self.pg.evaluate(f"() => {expr}")

    def rows(self) -> list[dict]:
        return self.js("window.__editor.rows")

    def row(self, k: int) -> str:
        return f"#rows .row[data-k='{k}']"

    def msg(self) -> str:
        return self.pg.inner_text("#msg")

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("editor")
    report = sample_report(folder)
    expected = folder / "expected.tmx"
    s = Session(report)
    export(s.sheet, s.meta, str(expected))  # the hand-checked alignment: the run's, before the slip
    s.close()
    first, _ = plant_shift(report)
    return folder, report, first, expected


def test_a_reviewer_fixes_a_planted_three_row_shift_and_exports_the_expected_tmx(browser, planted):
    folder, report, p, expected = planted
    ed = Editor(browser, report)
    try:
        rows = ed.rows()
        assert len(rows[p]["t"]) == 2 and not rows[p + 4]["t"]  # the slip is there
        ed.pg.locator(f"{ed.row(p + 1)} .cell.tgt").scroll_into_view_if_needed()
        shot(ed.pg, folder, "editor-planted.png")
        ed.pg.evaluate("() => { window.__editor.counters.keys = 0; window.__editor.counters.clicks = 0; }")
        # the fix: on the row holding two targets, push its last target down, then each row's down
        ed.click(f"{ed.row(p)} .cell.tgt")
        ed.keys("]", "j", "]", "j", "]", "j", "]")
        rows = ed.rows()
        assert [len(rows[k]["t"]) for k in range(p, p + 5)] == [1, 1, 1, 1, 1], [rows[k] for k in range(p, p + 5)]
        ed.click("#b-export")
        ed.pg.wait_for_function("() => document.getElementById('msg').textContent.includes('TUs written')")
        counters = ed.js("window.__editor.counters")
        shot(ed.pg, folder, "editor-fixed.png")
        out = report.parent / "sample.edited.tmx"
        assert units(out) == units(expected)
        assert {u.props["x-review"] for u in read_tmx(out).tus if u.src in {r["s"][0] for r in rows[p:p + 5]}} == {"edited"}
        (folder / "keystrokes.json").write_text(json.dumps(counters))
        print(f"fix took {counters['keys']} keystrokes and {counters['clicks']} clicks; {counters['ops']} edits")
        assert counters["keys"] == 7 and counters["clicks"] == 2 and counters["ops"] == 4
        assert not [m for m in ed.console if "Refused" in m or "Content Security Policy" in m], ed.console
        port = ed.url.split("/")[2]
        assert all(port in u for u in ed.requests), ed.requests  # nothing fetched from elsewhere
    finally:
        ed.stop()


def test_every_operation_by_mouse_and_keyboard_then_reload_and_sigkill(browser, planted, tmp_path):
    folder, report, _, _ = planted
    ed = Editor(browser, report)
    try:
        v0 = ed.js("window.__editor.version")
        first = ed.rows()[0]
        n = len(ed.rows())
        # merge (key m), undo (Ctrl+Z), redo (button), split row (button)
        ed.click(f"{ed.row(0)} .cell.src")
        ed.keys("m")
        assert len(ed.rows()) == n - 1 and len(ed.rows()[0]["s"]) == len(first["s"]) + len(ed.rows()[1]["s"]) - len(ed.rows()[1]["s"]) + 1
        ed.keys("Control+z")
        assert ed.rows()[0] == first
        ed.click("#b-redo")
        assert len(ed.rows()) == n - 1
        ed.click("#b-split")
        assert len(ed.rows()) == n and ed.rows()[0]["s"] == first["s"] and ed.rows()[0]["t"] == first["t"]
        # split a segment at the cursor (double-click, caret, Shift+Enter) and join it back (key g)
        text = first["s"][0]
        ed.pg.dblclick(f"{ed.row(0)} .cell.src .seg")
        ed.idle()
        ed.pg.keyboard.press("Control+Home")
        for _ in range(4):
            ed.pg.keyboard.press("ArrowRight")
        ed.keys("Shift+Enter")
        assert ed.rows()[0]["s"] == [text[:4].strip(), text[4:].strip()], ed.msg()
        ed.keys("g")
        assert ed.rows()[0]["s"] == [text]
        # edit the text (Enter, type, Enter): NFC on the server; then undo by the button
        ed.keys("Enter")
        ed.pg.keyboard.press("Control+a")
        ed.pg.keyboard.type("Xin chào Hà Nội")
        ed.keys("Enter")
        assert ed.rows()[0]["s"] == ["Xin chào Hà Nội"] and ed.rows()[0]["e"]
        ed.click("#b-undo")
        assert ed.rows()[0]["s"] == [text]
        # shift by the buttons: source up from row k+1 into row k, and back down by Alt+Down
        rows = ed.rows()
        k = next(i for i in range(1, n - 1) if all(rows[j]["s"] and rows[j]["t"] for j in (i, i + 1)))
        r1, r2 = rows[k], rows[k + 1]
        ed.click(f"{ed.row(k + 1)} .cell.src")
        ed.click("#b-src-up")
        assert ed.rows()[k]["s"] == r1["s"] + r2["s"][:1], ed.msg()
        ed.click(f"{ed.row(k)} .cell.src")
        ed.keys("Alt+ArrowDown")
        assert ed.rows()[k]["s"] == r1["s"] and ed.rows()[k + 1]["s"] == r2["s"]
        # unpair (button) and pair again (key p)
        ed.click(f"{ed.row(k)} .cell.src")
        ed.click("#b-unpair")
        assert ed.rows()[k]["t"] == [] and ed.rows()[k + 1]["s"] == [] and ed.rows()[k + 1]["t"] == r1["t"]
        ed.keys("p")
        assert ed.rows()[k]["s"] == r1["s"] and ed.rows()[k]["t"] == r1["t"]
        # confirm (key c, moves on) and reject (button)
        ed.click(f"{ed.row(5)} .cell.src")
        ed.keys("c")
        assert ed.rows()[5]["st"] == "confirmed" and ed.js("window.__editor.sel") == 6
        ed.click("#b-reject")
        assert ed.rows()[6]["st"] == "rejected"
        assert "confirmed" in ed.pg.get_attribute(ed.row(5), "class")
        # find (/ word Enter), next flagged (f), dot plot click
        target = ed.rows()[12]["t"][0] if ed.rows()[12]["t"] else ed.rows()[12]["s"][0]
        word = max(target.split(), key=len)
        ed.keys("/")
        ed.pg.keyboard.type(word)
        ed.keys("Enter")
        sel = ed.js("window.__editor.sel")
        found = ed.rows()[sel]
        assert any(word.lower() in t.lower() for t in found["s"] + found["t"]), (word, found)
        ed.keys("Escape", "f")
        sel = ed.js("window.__editor.sel")
        r = ed.rows()[sel]
        assert r["f"] or not r["s"] or not r["t"] or (r["sc"] is not None and r["sc"] < 0.5)
        x, y = ed.js("""(() => { const S = window.__editor, [s, t, a, b] = S.pos[20];
                      const c = document.getElementById('dotplot').getBoundingClientRect();
                      return [c.left + (t + b / 2) / S.nTgt * c.width, c.top + (s + a / 2) / S.nSrc * c.height]; })()""")
        ed.pg.mouse.click(x, y)
        ed.idle()
        assert ed.js("window.__editor.sel") == 20
        # realign around the confirmed rows (Shift+R): the confirmed row stays as it is
        confirmed = [r for r in ed.rows() if r["st"] == "confirmed"]
        ed.keys("Shift+R")
        assert "realign" in ed.msg()
        assert [r for r in ed.rows() if r["st"] == "confirmed"] == confirmed
        shot(ed.pg, folder, "editor-operations.png")
        ed.keys("?")
        assert ed.pg.is_visible("#help") and "Shift+Enter" in ed.pg.inner_text("#keys")
        shot(ed.pg, folder, "editor-help.png")
        before = ed.rows()
        version = ed.js("window.__editor.version")
        assert version > v0
        # reload: the same state
        ed.pg.reload()
        ed.pg.wait_for_selector("body[data-ready='1']")
        assert ed.rows() == before and ed.js("window.__editor.version") == version
        # a stale page: another tab edits, this one is told to reload
        other = browser.new_page()
        other.goto(ed.url)
        other.wait_for_selector("body[data-ready='1']")
        ed.click("#rows .row[data-k='10'] .cell.src", page=other)
        other.keyboard.press("c")
        other.evaluate("() => window.__editor.idle()")
        other.close()
        ed.click(f"{ed.row(11)} .cell.src")
        ed.keys("c")
        assert "Changed elsewhere, reload" in ed.msg() and ed.pg.is_visible("#b-reload")
        with ed.pg.expect_navigation():
            ed.pg.click("#b-reload")
        ed.pg.wait_for_selector("body[data-ready='1']")
        assert ed.rows()[10]["st"] == "confirmed" and ed.rows()[11]["st"] != "confirmed"
        before = ed.rows()
        # SIGKILL mid-session, start again: nothing acknowledged is lost
        ed.stop(signal.SIGKILL)
        ed.proc, ed.url = start_server(report)
        ed.open()
        assert ed.rows() == before
        ed.keys("Control+s")
        assert "saved to sample.edited.json" in ed.msg()
    finally:
        ed.stop()
