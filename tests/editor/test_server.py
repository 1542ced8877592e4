"""The editor's HTTP surface without a socket (Starlette's TestClient): token, Host, Origin, 409, assets only."""

from __future__ import annotations

import pytest
from editor_data import small_report

pytest.importorskip("httpx")
from starlette.testclient import TestClient  # noqa: E402

from align.editor.server import CSP, create_app  # noqa: E402
from align.editor.session import Session  # noqa: E402
from align.embedding import LazyEncoder, load_encoder  # noqa: E402

HOST = "127.0.0.1:8765"
ORIGIN = f"http://{HOST}"
TOKEN = "t0ken-for-tests"


@pytest.fixture
def client(tmp_path):
    session = Session(small_report(tmp_path), encoder_factory=lambda model_id: load_encoder("hash"))
    app = create_app(session, token=TOKEN, hosts=[HOST, "localhost:8765"])
    with TestClient(app, base_url=f"http://{HOST}") as c:
        yield c, session


def post(c, path, body, *, token=TOKEN, origin=ORIGIN, **headers):
    h = {"Content-Type": "application/json", **headers}
    if token is not None:
        h["X-Align-Token"] = token
    if origin is not None:
        h["Origin"] = origin
    return c.post(path, json=body, headers=h)


def test_the_page_needs_the_token_and_then_keeps_it_in_a_strict_cookie(client):
    c, _ = client
    assert c.get("/").status_code == 403
    assert c.get("/?token=wrong").status_code == 403
    r = c.get(f"/?token={TOKEN}")
    assert r.status_code == 200 and "editor.js" in r.text
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert r.headers["content-security-policy"] == CSP and r.headers["referrer-policy"] == "no-referrer"
    assert c.get("/static/editor.js").status_code == 200  # the cookie now
    assert c.get("/api/state").status_code == 200


def test_every_request_needs_the_token(client):
    c, _ = client
    c.cookies.clear()
    for path in ("/static/editor.js", "/static/editor.css", "/api/state"):
        assert c.get(path).status_code == 403, path
    assert post(c, "/api/op", {"version": 0, "op": "merge", "args": {"row": 0}}, token=None).status_code == 403
    assert c.get("/api/state", headers={"X-Align-Token": TOKEN}).status_code == 200


def test_a_foreign_host_header_is_refused_against_dns_rebinding(client):
    c, _ = client
    r = c.get(f"/?token={TOKEN}", headers={"Host": "evil.example:8765"})
    assert r.status_code == 403 and "Host" in r.json()["error"]
    assert c.get(f"/?token={TOKEN}", headers={"Host": "localhost:8765"}).status_code == 200
    assert c.get(f"/?token={TOKEN}", headers={"Host": "127.0.0.1:9999"}).status_code == 403


def test_posts_from_another_origin_or_without_json_are_refused(client):
    c, session = client
    body = {"version": 0, "op": "merge", "args": {"row": 0}}
    assert post(c, "/api/op", body, origin="http://evil.example").status_code == 403
    assert post(c, "/api/op", body, origin=None).status_code == 403
    r = c.post("/api/op", content=b"version=0", headers={"X-Align-Token": TOKEN, "Origin": ORIGIN,
                                                         "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    assert session.version == 0
    assert post(c, "/api/op", body).status_code == 200 and session.version == 1


def test_only_the_assets_are_served(client):
    c, _ = client
    h = {"X-Align-Token": TOKEN}
    for path in ("/static/../session.py", "/static/session.py", "/static/%2e%2e%2fserver.py", "/api/nothing",
                 "/x.report.json"):
        assert c.get(path, headers=h).status_code == 404, path


def test_an_edit_returns_the_changed_rows_and_a_stale_version_gets_409(client):
    c, session = client
    r = post(c, "/api/op", {"version": 0, "op": "shift", "args": {"row": 1, "side": "tgt", "direction": "down"}})
    assert r.status_code == 200
    p = r.json()
    assert p["version"] == 1 and (p["start"], p["stop"]) == (1, 3) and p["rows"][1]["t"][0].startswith("Kalimat nomor 1")
    stale = post(c, "/api/op", {"version": 0, "op": "merge", "args": {"row": 0}})
    assert stale.status_code == 409 and "changed elsewhere" in stale.json()["error"] and stale.json()["version"] == 1
    assert session.version == 1
    assert post(c, "/api/op", {"op": "merge", "args": {"row": 0}}).status_code == 400  # no version: refused
    bad = post(c, "/api/op", {"version": 1, "op": "shift", "args": {"row": 0, "side": "src", "direction": "up"}})
    assert bad.status_code == 400 and "no row above" in bad.json()["error"]


def test_state_undo_realign_save_and_export_over_http(client, tmp_path):
    c, session = client
    h = {"X-Align-Token": TOKEN}
    st = c.get("/api/state", headers=h).json()
    assert st["version"] == 0 and len(st["rows"]) == 10 and st["meta"]["src_lang"] == "vi"
    assert post(c, "/api/op", {"version": 0, "op": "merge", "args": {"row": 0}}).json()["version"] == 1
    assert post(c, "/api/op", {"version": 1, "op": "undo"}).json()["rows"][0]["s"] == [st["rows"][0]["s"][0]]
    assert post(c, "/api/op", {"version": 2, "op": "merge", "args": {"row": 2}}).status_code == 200
    r = post(c, "/api/realign", {"version": 3})
    assert r.status_code == 200 and r.json()["version"] == 4
    assert post(c, "/api/save", {}).json()["saved"] == "x.edited.json"
    e = post(c, "/api/export", {"format": "tmx", "confirmed_only": False})
    assert e.status_code == 200 and (tmp_path / "x.edited.tmx").exists()
    assert post(c, "/api/export", {"format": "../../etc/passwd"}).status_code == 400


def test_two_editors_open_at_once_keep_their_own_cookie(tmp_path):
    """Cookies are shared by every port of 127.0.0.1: each session's cookie has its own name."""
    names = []
    for k, token in enumerate(("first-token", "second-token")):
        folder = tmp_path / str(k)
        folder.mkdir()
        app = create_app(Session(small_report(folder)), token=token, hosts=[HOST])
        with TestClient(app, base_url=f"http://{HOST}") as c:
            names.append(c.get(f"/?token={token}").headers["set-cookie"].split("=", 1)[0])
    assert names[0] != names[1] and all(n.startswith("align_edit_token_") for n in names)


def test_the_first_state_request_loads_the_model_and_the_aligner_once_in_the_background(tmp_path, monkeypatch):
    """The page's first state starts the warm-up (model, compiled search); the realign then finds the model made."""
    made, warmed = [], []

    class Lazy(LazyEncoder):  # as the real models: made without its weights, loaded on first use
        def __init__(self, model_id):
            super().__init__()
            self.model_id = model_id

        def _load(self):
            return load_encoder("hash")

        def _embed(self, texts):
            return self.loaded().encode(texts)

    session = Session(small_report(tmp_path), encoder_factory=lambda model_id: made.append(model_id) or Lazy(model_id))
    monkeypatch.setattr("align.core.warm.warm_up", lambda *langs: warmed.append(langs))
    app = create_app(session, token=TOKEN, hosts=[HOST])
    with TestClient(app, base_url=f"http://{HOST}") as c:
        assert made == [] and warmed == []
        for _ in range(2):
            assert c.get("/api/state", headers={"X-Align-Token": TOKEN}).status_code == 200
        assert made == [session.meta.model_id] and warmed == [(session.meta.src_lang, session.meta.tgt_lang)]
        assert session.encoder().is_loaded  # the weights, not only the encoder object
        assert post(c, "/api/realign", {"version": 0}).status_code == 200
        assert made == [session.meta.model_id]


def test_a_failing_warm_up_stays_out_of_the_reviewers_terminal(tmp_path, monkeypatch):
    """The warm-up is an optimisation: whatever it raises is logged at debug level, the page works on."""
    def boom(*langs):
        raise RuntimeError("no segmenter")

    monkeypatch.setattr("align.core.warm.warm_up", boom)
    app = create_app(Session(small_report(tmp_path)), token=TOKEN, hosts=[HOST])
    with TestClient(app, base_url=f"http://{HOST}") as c:  # TestClient raises what the app lets out
        assert c.get("/api/state", headers={"X-Align-Token": TOKEN}).status_code == 200
        assert c.get("/api/state", headers={"X-Align-Token": TOKEN}).status_code == 200
