"""kill -9 of the editor's server loses no acknowledged edit: the journal is fsync'd before the answer."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from editor_data import small_report, start_server

from align.editor.session import Session


def client(url: str):
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}"
    token = parts.query.split("token=", 1)[1]

    def call(path: str, body: dict | None = None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(base + path, data=data, method="POST" if body is not None else "GET",
                                     headers={"X-Align-Token": token, "Origin": base, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")
    return call


def test_sigkill_mid_session_loses_no_acknowledged_edit(tmp_path):
    report = small_report(tmp_path)
    proc, url = start_server(report)
    call = client(url)
    acked: list[int] = []
    errors: list[BaseException] = []

    def edit_forever() -> None:
        k = 0
        try:
            while True:
                code, body = call("/api/op", {"version": len(acked), "op": "edit_text",
                                              "args": {"row": k % 10, "side": "tgt", "seg": 0, "text": f"edit {k}"}})
                assert code == 200, body
                acked.append(body["version"])
                k += 1
        except (urllib.error.URLError, ConnectionError, OSError):
            return  # the server is gone
        except BaseException as e:  # pragma: no cover - shown by the assertion below
            errors.append(e)

    try:
        t = threading.Thread(target=edit_forever)
        t.start()
        deadline = time.time() + 30
        while len(acked) < 25 and time.time() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)  # mid-burst: an edit may be in flight
        proc.wait(timeout=10)
        t.join(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not errors, errors
    assert len(acked) >= 25 and acked == list(range(1, len(acked) + 1))

    s = Session(report)  # what a restart sees
    assert s.version >= len(acked)  # every acknowledged edit (and perhaps the one in flight)
    for k in range(s.version):
        row = k % 10
        if k + 10 >= s.version:  # the last edit of each row shows
            assert s.sheet.tgt[row].text == f"edit {k}"
    s.close()

    proc2, url2 = start_server(report)  # the server itself comes back with the state
    try:
        code, st = client(url2)("/api/state")
        assert code == 200 and st["version"] == s.version
        assert [r["t"][0] for r in st["rows"]] == [x.text for x in s.sheet.tgt]
    finally:
        proc2.send_signal(signal.SIGINT)  # Ctrl-C: stops and saves
        proc2.wait(timeout=20)
    assert (tmp_path / "x.edited.json").exists()
    assert (tmp_path / "x.report.json.edits").read_text() == ""
    assert Session(report).version == s.version
