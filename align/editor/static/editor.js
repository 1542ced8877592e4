// align edit: the page. Plain JS, no build step, nothing fetched from elsewhere.
// Every text is rendered with textContent (never as HTML). Every edit is sent to the
// server, which journals it (fsync) before it answers; the page shows it only then.
"use strict";

(function () {
  const params = new URLSearchParams(location.search);
  const TOKEN = params.get("token") || "";
  if (TOKEN) history.replaceState(null, "", location.pathname); // the cookie holds it now; keep it out of the address bar

  const S = {
    rows: [], version: 0, sel: 0, side: "src", seg: 0, lowScore: 0.5, nSrc: 0, nTgt: 0,
    matrix: null, heat: null, editing: null, pairFrom: null, counters: { keys: 0, clicks: 0, ops: 0 },
  };
  window.__editor = S; // for tests: state and the keystroke/click counters

  const $ = (id) => document.getElementById(id);
  const rowsEl = $("rows");
  let queue = Promise.resolve();

  const KEYS = [
    ["↓ / j, ↑ / k", "next / previous row"],
    ["← / →, h / l", "source / target side"],
    ["Tab, Shift+Tab", "next / previous segment of the side"],
    ["[ , Alt+↑", "first segment of the side up into the row above"],
    ["] , Alt+↓", "last segment of the side down into the row below"],
    ["m", "merge the row with the next"],
    ["x", "split the row after the focused segment"],
    ["g", "join the focused segment with the next (one side)"],
    ["Enter / e", "edit the focused segment"],
    ["  Enter", "  (editing) save the text"],
    ["  Shift+Enter", "  (editing) split the segment at the cursor"],
    ["  Esc", "  (editing) cancel"],
    ["u", "unpair the row"],
    ["p / Shift+P", "pair with the next / previous one-sided row of the other side"],
    ["c", "confirm the row (and go to the next)"],
    ["r", "reject the row (and go to the next)"],
    ["n", "back to unreviewed"],
    ["Ctrl+Z, Ctrl+Y / Ctrl+Shift+Z", "undo, redo"],
    ["/", "find (Enter: next match, Shift+Enter: previous, Esc: back)"],
    ["f / Shift+F", "next / previous flagged or low-score row"],
    ["Shift+R", "realign between confirmed rows"],
    ["Ctrl+S", "save"],
    ["?", "show these keys"],
  ];

  // ------------------------------------------------------------------ server

  async function call(path, body) {
    const opts = { headers: { "X-Align-Token": TOKEN }, credentials: "same-origin" };
    if (body !== undefined) {
      opts.method = "POST";
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(path, opts);
    let data = {};
    try { data = await res.json(); } catch (e) { data = { error: "no answer from the server" }; }
    if (res.status === 409) {
      showConflict(data.error || "changed elsewhere, reload");
      throw new Error("conflict");
    }
    if (!res.ok) {
      say(data.error || ("error " + res.status), true);
      throw new Error(data.error || String(res.status));
    }
    return data;
  }

  function say(text, err) {
    const m = $("msg");
    m.textContent = text;
    m.className = err ? "err" : "";
  }

  function showConflict(text) {
    const m = $("msg");
    m.textContent = "Changed elsewhere, reload: " + text + " ";
    m.className = "err";
    const b = document.createElement("button");
    b.id = "b-reload";
    b.textContent = "Reload";
    b.addEventListener("click", () => location.reload());
    m.appendChild(b);
  }

  // Everything a key or a button does runs in order, one at a time: an edit is answered before
  // the next key moves the selection, so a key always acts on the row the reviewer sees.
  function enqueue(fn) {
    queue = queue.then(fn).catch(() => {});
    return queue;
  }
  S.idle = () => queue;

  async function runOp(name, args) {
    const a = typeof args === "function" ? args() : args;
    if (a === null) return false;
    try {
      const p = await call("api/op", { version: S.version, op: name, args: a || {} });
      S.counters.ops++;
      applyPatch(p);
      say(describe(name));
      return true;
    } catch (e) { return false; /* said already */ }
  }

  function describe(name) {
    return {
      shift: "boundary moved", merge: "rows merged", split_row: "row split", split_segment: "segment split",
      join_segments: "segments joined", edit_text: "text saved", unpair: "row unpaired", pair: "rows paired",
      set_status: "verdict saved", undo: "undone", redo: "redone",
    }[name] || "done";
  }

  // ------------------------------------------------------------------ rendering

  function rowEl(r, k) {
    const d = document.createElement("div");
    d.className = "row";
    d.dataset.k = k;
    const n = document.createElement("div");
    n.className = "n";
    n.textContent = String(k + 1);
    d.appendChild(n);
    for (const side of ["s", "t"]) {
      const c = document.createElement("div");
      c.className = "cell " + (side === "s" ? "src" : "tgt");
      if (!r[side].length) c.classList.add("empty");
      r[side].forEach((text, i) => {
        const sp = document.createElement("span");
        sp.className = "seg";
        sp.dataset.i = i;
        sp.textContent = text;
        c.appendChild(sp);
      });
      d.appendChild(c);
    }
    const sc = document.createElement("div");
    sc.className = "sc";
    sc.textContent = r.sc === null || r.sc === undefined ? "–" : r.sc.toFixed(2);
    d.appendChild(sc);
    const fl = document.createElement("div");
    fl.className = "fl";
    for (const f of r.f) {
      const s = document.createElement("span");
      s.textContent = f;
      fl.appendChild(s);
    }
    if (r.st !== "unreviewed") {
      const s = document.createElement("div");
      s.className = "state";
      s.textContent = r.st;
      fl.appendChild(s);
    }
    d.appendChild(fl);
    if (r.st !== "unreviewed") d.classList.add(r.st);
    if (r.e) d.classList.add("edited");
    if (r.m) d.classList.add("moved");
    if (isLow(r)) d.classList.add("low");
    if (k === S.hit) d.classList.add("hit");
    return d;
  }

  function isLow(r) {
    return (r.sc !== null && r.sc !== undefined && r.sc < S.lowScore) || r.f.length > 0 || !r.s.length || !r.t.length;
  }

  // Only the rows on screen (and a margin) are in the DOM: a spacer above and below stands for the others,
  // sized from the rows' measured heights (an estimate until a row has been shown). So the first screen,
  // an edit and a scroll cost the same for 50 rows or 50,000.
  const EST = 64, OVER = 12;
  let win = [0, 0];
  const top = document.createElement("div"), bottom = document.createElement("div");
  top.className = bottom.className = "spacer";

  function prefix() {
    const n = S.rows.length, P = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) P[k + 1] = P[k] + (S.h[k] || EST);
    return P;
  }

  function firstAbove(P, y) { // the last k with P[k] <= y
    let lo = 0, hi = P.length - 1;
    while (lo < hi) { const m = (lo + hi + 1) >> 1; if (P[m] <= y) lo = m; else hi = m - 1; }
    return lo;
  }

  function rowsTop() { return rowsEl.getBoundingClientRect().top + window.scrollY; }

  function renderWindow(force) {
    if (S.editing && !force) return; // never pull the row being edited out from under the caret
    const n = S.rows.length;
    const P = prefix();
    S.P = P;
    const y0 = window.scrollY - rowsTop(), y1 = y0 + window.innerHeight;
    const a = Math.max(0, firstAbove(P, Math.max(0, y0)) - OVER);
    const b = Math.min(n, firstAbove(P, Math.max(0, y1)) + 1 + OVER);
    if (!force && a === win[0] && b === win[1]) return;
    win = [a, b];
    const frag = document.createDocumentFragment();
    frag.appendChild(top);
    const els = [];
    for (let k = a; k < b; k++) { const el = rowEl(S.rows[k], k); els.push(el); frag.appendChild(el); }
    frag.appendChild(bottom);
    top.style.height = P[a] + "px";
    bottom.style.height = (P[n] - P[b]) + "px";
    rowsEl.replaceChildren(frag);
    els.forEach((el, i) => { S.h[a + i] = el.offsetHeight; });
    const Q = prefix();
    S.P = Q;
    bottom.style.height = (Q[n] - Q[b]) + "px"; // the rows above did not change: nothing on screen moves
  }

  function rowNode(k) { return k >= win[0] && k < win[1] ? rowsEl.children[1 + k - win[0]] : null; }

  function renderAll() {
    S.h = new Array(S.rows.length);
    win = [0, 0];
    renderWindow(true);
    select(Math.min(S.sel, S.rows.length - 1), false);
  }

  function applyPatch(p) {
    const same = p.rows.length === p.stop - p.start;
    S.rows.splice(p.start, p.stop - p.start, ...p.rows);
    S.version = p.version;
    S.nSrc = p.n_src; S.nTgt = p.n_tgt;
    progress(p.progress, p.can_undo, p.can_redo);
    S.path = null; // the dot plot's path is drawn again
    if (same && p.start >= win[0] && p.stop <= win[1]) {
      // as many rows as before, all on screen: swap those elements only
      for (let k = p.start; k < p.stop; k++) {
        const el = rowEl(S.rows[k], k);
        rowsEl.replaceChild(el, rowNode(k));
        S.h[k] = el.offsetHeight;
      }
      const P = prefix();
      S.P = P;
      bottom.style.height = (P[S.rows.length] - P[win[1]]) + "px";
      S.selEl = null;
    } else {
      S.h.splice(p.start, p.stop - p.start, ...new Array(p.rows.length));
      renderWindow(true);
    }
    select(Math.max(0, Math.min(S.sel, S.rows.length - 1)), false);
  }

  function progress(pr, canUndo, canRedo) {
    $("progress").textContent = pr.confirmed + " of " + pr.rows + " rows confirmed" +
      (pr.rejected ? ", " + pr.rejected + " rejected" : "") + (pr.edited ? ", " + pr.edited + " edited" : "");
    $("b-undo").disabled = !canUndo;
    $("b-redo").disabled = !canRedo;
  }

  function select(k, scroll = true) {
    if (!S.rows.length) return;
    S.sel = Math.max(0, Math.min(k, S.rows.length - 1));
    const r = S.rows[S.sel];
    if (!(S.side === "src" ? r.s : r.t).length) S.side = S.side === "src" ? "tgt" : "src";
    S.seg = Math.max(0, Math.min(S.seg, (S.side === "src" ? r.s : r.t).length - 1));
    if (scroll || !rowNode(S.sel)) {
      const P = S.P || prefix(), y = rowsTop() + P[S.sel], h = S.h[S.sel] || EST;
      const head = $("top").offsetHeight + 30;
      if (y < window.scrollY + head) window.scrollTo(0, Math.max(0, y - head));
      else if (y + h > window.scrollY + window.innerHeight) window.scrollTo(0, y + h - window.innerHeight + 10);
      renderWindow(false);
    }
    if (S.selEl) {
      S.selEl.classList.remove("sel");
      S.selEl.querySelectorAll(".seg.focus").forEach((e) => e.classList.remove("focus"));
    }
    const el = rowNode(S.sel);
    S.selEl = el;
    if (el) {
      el.classList.add("sel");
      const f = el.querySelector(".cell." + S.side + " .seg[data-i='" + S.seg + "']");
      if (f) f.classList.add("focus");
    }
    drawPlot();
  }

  // ------------------------------------------------------------------ dot plot

  async function decodeMatrix(m) {
    if (!m || m.encoding !== "uint8-zlib-base64" || typeof DecompressionStream === "undefined") return null;
    const bin = Uint8Array.from(atob(m.data), (c) => c.charCodeAt(0));
    const stream = new Blob([bin]).stream().pipeThrough(new DecompressionStream("deflate"));
    const buf = new Uint8Array(await new Response(stream).arrayBuffer());
    const [rows, cols] = m.cells;
    const cv = document.createElement("canvas");
    cv.width = cols; cv.height = rows;
    const ctx = cv.getContext("2d");
    const img = ctx.createImageData(cols, rows);
    for (let i = 0; i < rows * cols; i++) {
      const v = 255 - Math.round(buf[i] * 0.75);
      img.data[4 * i] = v; img.data[4 * i + 1] = v; img.data[4 * i + 2] = 255; img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return cv;
  }

  function positions() {
    // each row's first source and target position, counted through the rows (indices are not sent)
    const out = [];
    let s = 0, t = 0;
    for (const r of S.rows) {
      out.push([s, t, r.s.length, r.t.length]);
      s += r.s.length; t += r.t.length;
    }
    return out;
  }

  function drawPath() {
    // the heat map and the current path, drawn once per change; a selection only moves the marker
    const cv = $("dotplot");
    const W = cv.width, H = cv.height;
    const off = document.createElement("canvas");
    off.width = W; off.height = H;
    const ctx = off.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, W, H);
    if (S.heat) {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(S.heat, 0, 0, W, H);
    }
    const ns = Math.max(1, S.nSrc), nt = Math.max(1, S.nTgt);
    const pos = positions();
    S.pos = pos;
    pos.forEach(([s, t, a, b]) => {
      const x = (t + b / 2) / nt * W, y = (s + a / 2) / ns * H;
      ctx.fillStyle = (a && b) ? "#1f6feb" : "#bf8700";
      ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
    });
    S.path = off;
  }

  function drawPlot() {
    const cv = $("dotplot");
    const ctx = cv.getContext("2d");
    const W = cv.width, H = cv.height;
    if (!S.path) drawPath();
    ctx.drawImage(S.path, 0, 0);
    const ns = Math.max(1, S.nSrc), nt = Math.max(1, S.nTgt);
    const p = S.pos[S.sel];
    if (p) {
      const x = (p[1] + p[3] / 2) / nt * W, y = (p[0] + p[2] / 2) / ns * H;
      ctx.strokeStyle = "#d1242f"; ctx.lineWidth = 2;
      ctx.strokeRect(x - 5, y - 5, 10, 10);
    }
  }

  function plotClick(ev) {
    const cv = $("dotplot");
    const rect = cv.getBoundingClientRect();
    const x = (ev.clientX - rect.left) / rect.width * Math.max(1, S.nTgt);
    const y = (ev.clientY - rect.top) / rect.height * Math.max(1, S.nSrc);
    let best = 0, bestD = Infinity;
    (S.pos || positions()).forEach(([s, t, a, b], k) => {
      const d = Math.hypot(t + b / 2 - x, s + a / 2 - y);
      if (d < bestD) { bestD = d; best = k; }
    });
    select(best);
  }

  // ------------------------------------------------------------------ operations from the selection

  const cur = () => S.rows[S.sel];
  const sideSegs = () => (S.side === "src" ? cur().s : cur().t);

  function shift(side, direction) {
    return runOp("shift", () => ({ row: S.sel, side: side || S.side, direction }));
  }
  function splitRow() {
    return runOp("split_row", () => {
      const r = cur();
      const at = S.seg + 1;
      const other = S.side === "src" ? r.t.length : r.s.length;
      const o = Math.min(at, other);
      return S.side === "src" ? { row: S.sel, src_at: at, tgt_at: o } : { row: S.sel, src_at: o, tgt_at: at };
    });
  }
  function joinSeg() { return runOp("join_segments", () => ({ row: S.sel, side: S.side, seg: S.seg })); }
  async function setStatus(status, advance) {
    if (await runOp("set_status", () => ({ row: S.sel, status })) && advance) select(S.sel + 1);
  }
  function pairWith(dir) {
    return runOp("pair", () => {
      const r = cur();
      const wantSrc = !r.s.length; // the other row must hold what this one lacks
      if (r.s.length && r.t.length) { say("this row has both sides: unpair it first", true); return null; }
      for (let k = S.sel + dir; k >= 0 && k < S.rows.length; k += dir) {
        const o = S.rows[k];
        if (wantSrc ? (o.s.length && !o.t.length) : (o.t.length && !o.s.length)) return { row: S.sel, other: k };
      }
      say("no one-sided row of the other side " + (dir > 0 ? "below" : "above"), true);
      return null;
    });
  }

  function focusedSpan() {
    const el = rowNode(S.sel);
    return el && el.querySelector(".cell." + S.side + " .seg[data-i='" + S.seg + "']");
  }

  function startEdit() {
    const sp = focusedSpan();
    if (!sp) return;
    S.editing = { row: S.sel, side: S.side, seg: S.seg, span: sp, text: sp.textContent };
    sp.contentEditable = "true";
    sp.spellcheck = false;
    sp.focus();
  }

  function caretOffset(sp) {
    const sel = window.getSelection();
    if (!sel.rangeCount) return null;
    const r = sel.getRangeAt(0);
    const pre = document.createRange();
    pre.selectNodeContents(sp);
    pre.setEnd(r.startContainer, r.startOffset);
    return [...pre.toString()].length; // code points, as Python counts
  }

  function endEdit(mode) {
    // synchronous part: leave edit mode now (read the text and the caret); the requests run in order
    const e = S.editing;
    if (!e) return;
    const text = e.span.textContent;
    const at = mode === "split" ? caretOffset(e.span) : null;
    e.span.contentEditable = "false";
    S.editing = null;
    if (mode === "cancel") { e.span.textContent = e.text; return; }
    enqueue(async () => {
      if (text !== e.text) await runOp("edit_text", { row: e.row, side: e.side, seg: e.seg, text });
      if (mode === "split" && at !== null) await runOp("split_segment", { row: e.row, side: e.side, seg: e.seg, at });
      if (text === e.text && mode !== "split") say("text unchanged");
    });
  }

  function nextFlagged(dir) {
    for (let k = S.sel + dir; k >= 0 && k < S.rows.length; k += dir) {
      if (isLow(S.rows[k]) && S.rows[k].st !== "confirmed") { select(k); return; }
    }
    say("no more flagged or low-score rows " + (dir > 0 ? "below" : "above"));
  }

  function find(dir) {
    const q = $("find").value.trim().toLowerCase();
    rowsEl.querySelectorAll(".row.hit").forEach((e) => e.classList.remove("hit"));
    S.hit = null;
    if (!q) return;
    const n = S.rows.length;
    for (let step = 1; step <= n; step++) {
      const k = ((S.sel + dir * step) % n + n) % n;
      const r = S.rows[k];
      if (r.s.some((t) => t.toLowerCase().includes(q)) || r.t.some((t) => t.toLowerCase().includes(q))) {
        S.hit = k;
        select(k);
        const el = rowNode(k);
        if (el) el.classList.add("hit");
        say("found in row " + (k + 1));
        return;
      }
    }
    say("not found: " + q, true);
  }

  async function realign() {
    say("realigning between confirmed rows…");
    try {
      const p = await call("api/realign", { version: S.version });
      applyPatch(p);
      say(p.changed ? "realigned: rows " + (p.start + 1) + "–" + (p.start + p.rows.length) + " changed" : "realign changed nothing");
    } catch (e) { /* said */ }
  }

  async function save() {
    try { const d = await call("api/save", {}); say("saved to " + d.saved); } catch (e) { /* said */ }
  }

  async function exportTmx() {
    try {
      const d = await call("api/export", { format: "tmx", confirmed_only: $("confirmed-only").checked });
      say(d.message);
    } catch (e) { /* said */ }
  }

  // ------------------------------------------------------------------ input

  function onKey(ev) {
    if (ev.target === $("find")) {
      if (ev.key === "Enter") { ev.preventDefault(); S.counters.keys++; const d = ev.shiftKey ? -1 : 1; enqueue(() => find(d)); }
      else if (ev.key === "Escape") { S.counters.keys++; $("find").blur(); }
      return;
    }
    if (S.editing) {
      if (ev.key === "Enter") { ev.preventDefault(); S.counters.keys++; endEdit(ev.shiftKey ? "split" : "save"); }
      else if (ev.key === "Escape") { ev.preventDefault(); S.counters.keys++; endEdit("cancel"); }
      return;
    }
    if (ev.target.tagName === "INPUT" || ev.target.tagName === "BUTTON" && ev.key === "Enter") return;
    const k = ev.key, ctrl = ev.ctrlKey || ev.metaKey;
    let act = null;
    if (ctrl && (k === "z" || k === "Z")) act = () => runOp(ev.shiftKey ? "redo" : "undo");
    else if (ctrl && (k === "y" || k === "Y")) act = () => runOp("redo");
    else if (ctrl && (k === "s" || k === "S")) act = save;
    else if (ctrl || (ev.altKey && k !== "ArrowUp" && k !== "ArrowDown")) act = null;
    else if (ev.altKey && k === "ArrowUp") act = () => shift(null, "up");
    else if (ev.altKey && k === "ArrowDown") act = () => shift(null, "down");
    else if (k === "ArrowDown" || k === "j") act = () => select(S.sel + 1);
    else if (k === "ArrowUp" || k === "k") act = () => select(S.sel - 1);
    else if (k === "ArrowLeft" || k === "h") act = () => { S.side = "src"; select(S.sel); };
    else if (k === "ArrowRight" || k === "l") act = () => { S.side = "tgt"; select(S.sel); };
    else if (k === "Tab") {
      const back = ev.shiftKey;
      act = () => { const n = Math.max(1, sideSegs().length); S.seg = (S.seg + (back ? n - 1 : 1)) % n; select(S.sel); };
    }
    else if (k === "[") act = () => shift(null, "up");
    else if (k === "]") act = () => shift(null, "down");
    else if (k === "m") act = () => runOp("merge", () => ({ row: S.sel }));
    else if (k === "x") act = splitRow;
    else if (k === "g") act = joinSeg;
    else if (k === "Enter" || k === "e") act = startEdit;
    else if (k === "u") act = () => runOp("unpair", () => ({ row: S.sel }));
    else if (k === "p") act = () => pairWith(1);
    else if (k === "P") act = () => pairWith(-1);
    else if (k === "c") act = () => setStatus("confirmed", true);
    else if (k === "r") act = () => setStatus("rejected", true);
    else if (k === "n") act = () => setStatus("unreviewed", false);
    else if (k === "f") act = () => nextFlagged(1);
    else if (k === "F") act = () => nextFlagged(-1);
    else if (k === "R") act = realign;
    else if (k === "/") act = () => $("find").focus();
    else if (k === "?") act = () => { $("help").hidden = !$("help").hidden; };
    if (act) { ev.preventDefault(); S.counters.keys++; enqueue(act); }
  }

  function onRowClick(ev) {
    if (S.editing && S.editing.span.contains(ev.target)) return;
    const row = ev.target.closest(".row");
    if (!row || row.classList.contains("head")) return;
    S.counters.clicks++;
    const cell = ev.target.closest(".cell");
    const side = cell ? (cell.classList.contains("src") ? "src" : "tgt") : S.side;
    const seg = ev.target.closest(".seg");
    const i = seg ? Number(seg.dataset.i) : 0;
    const k = Number(row.dataset.k);
    enqueue(() => { S.side = side; S.seg = i; select(k, false); });
  }

  function button(id, fn) {
    $(id).addEventListener("click", (ev) => {
      S.counters.clicks++;
      if (S.editing && id !== "b-splitseg" && id !== "b-edit") endEdit("save");
      if (id === "b-splitseg" || id === "b-edit" && S.editing) fn(ev); // leaves edit mode at once
      else enqueue(() => fn(ev));
    });
    $(id).addEventListener("mousedown", (ev) => { if (S.editing) ev.preventDefault(); }); // keep the caret
  }

  function wire() {
    document.addEventListener("keydown", onKey);
    rowsEl.addEventListener("click", onRowClick);
    rowsEl.addEventListener("dblclick", (ev) => { if (ev.target.closest(".seg")) { S.counters.clicks++; enqueue(startEdit); } });
    $("dotplot").addEventListener("click", (ev) => { S.counters.clicks++; const e = { clientX: ev.clientX, clientY: ev.clientY }; enqueue(() => plotClick(e)); });
    button("b-src-up", () => shift("src", "up"));
    button("b-src-down", () => shift("src", "down"));
    button("b-tgt-up", () => shift("tgt", "up"));
    button("b-tgt-down", () => shift("tgt", "down"));
    button("b-merge", () => runOp("merge", () => ({ row: S.sel })));
    button("b-split", splitRow);
    button("b-join", joinSeg);
    button("b-edit", () => (S.editing ? endEdit("save") : startEdit()));
    button("b-splitseg", () => endEdit("split"));
    button("b-unpair", () => runOp("unpair", () => ({ row: S.sel })));
    button("b-pair", () => pairWith(1));
    button("b-confirm", () => setStatus("confirmed", true));
    button("b-reject", () => setStatus("rejected", true));
    button("b-undo", () => runOp("undo"));
    button("b-redo", () => runOp("redo"));
    button("b-next-flag", () => nextFlagged(1));
    button("b-realign", realign);
    button("b-save", save);
    button("b-export", exportTmx);
    button("b-help", () => { $("help").hidden = !$("help").hidden; });
    const keys = $("keys");
    for (const [k, what] of KEYS) {
      const tr = document.createElement("tr");
      const a = document.createElement("td"); a.textContent = k;
      const b = document.createElement("td"); b.textContent = what;
      tr.append(a, b);
      keys.appendChild(tr);
    }
  }

  async function load() {
    const t0 = performance.now();
    const st = await call("api/state");
    S.rows = st.rows; S.version = st.version; S.nSrc = st.n_src; S.nTgt = st.n_tgt;
    S.lowScore = st.meta.low_score;
    $("pair").textContent = st.meta.src_path + " (" + st.meta.src_lang + ") ↔ " + st.meta.tgt_path + " (" + st.meta.tgt_lang + ")";
    progress(st.progress, st.can_undo, st.can_redo);
    renderAll();
    S.rendered = performance.now() - t0;
    document.body.dataset.ready = "1";
    decodeMatrix(st.matrix).then((cv) => { S.heat = cv; S.path = null; drawPlot(); }).catch(() => {});
  }

  function fitHeader() {
    document.documentElement.style.setProperty("--top", $("top").offsetHeight + "px");
  }

  let scrolling = false;
  function onScroll() {
    if (scrolling) return;
    scrolling = true;
    requestAnimationFrame(() => {
      scrolling = false;
      renderWindow(false);
      if (!rowNode(S.sel)) S.selEl = null;
      else if (S.selEl !== rowNode(S.sel)) select(S.sel, false);
    });
  }

  wire();
  fitHeader();
  window.addEventListener("resize", () => { fitHeader(); renderWindow(true); select(S.sel, false); });
  window.addEventListener("scroll", onScroll, { passive: true });
  load().catch((e) => say("could not load the alignment: " + e.message, true));
})();
