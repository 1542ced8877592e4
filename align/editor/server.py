"""The editor's local web server: Starlette on 127.0.0.1, served by uvicorn.

Starlette is small, typed, well kept (the base of FastAPI) and has a test
client, so the security checks below are tested without a socket; uvicorn is
its usual server. Nothing is fetched from elsewhere: the page's three files
ship in ``align/editor/static``.

Security, for a server that can write files on the reviewer's machine:

* it listens on 127.0.0.1 only, on a free port;
* every request needs the session's random token: from the URL printed at
  start (``?token=``), kept afterwards in an HttpOnly, SameSite=Strict cookie,
  or sent by the page as the ``X-Align-Token`` header;
* the ``Host`` header must be ``127.0.0.1:PORT`` or ``localhost:PORT`` (a DNS
  rebinding page has its own host name there);
* every POST must come with the ``Origin`` of the page itself and a JSON body
  (no other site's form or script can edit);
* it serves its three files and the opened alignment's API, nothing else;
  responses carry a strict Content-Security-Policy (no inline script, no
  other origin) and the page renders all text with ``textContent``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import socket
import threading
import webbrowser
from collections.abc import Awaitable, Callable, Iterable
from importlib import resources
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from align.common.errors import AlignError
from align.editor.export import TmxExport, export
from align.editor.model import EditError
from align.editor.session import Conflict, Patch, Session, row_view

TOKEN_HEADER = "X-Align-Token"
COOKIE = "align_edit_token"
STATIC = {"editor.js": "text/javascript", "editor.css": "text/css", "editor.html": "text/html"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
EXPORTS = {"tmx": ".edited.tmx", "tsv": ".edited.review.tsv", "xlsx": ".edited.review.xlsx",
           "beads": ".edited.beads", "json": ".edited.report.json"}
MAX_BODY = 8 * 1024 * 1024

log = logging.getLogger(__name__)


def _asset(name: str) -> bytes:
    return resources.files("align.editor").joinpath("static", name).read_bytes()


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


class Guard(BaseHTTPMiddleware):
    """Token, Host and Origin checks on every request (see the module docstring)."""

    def __init__(self, app: Any, *, token: str, hosts: Iterable[str]) -> None:
        super().__init__(app)
        self.token = token
        self.hosts = frozenset(hosts)
        # one cookie per session: cookies are shared by every port of 127.0.0.1, so two editors open at
        # once must not overwrite each other's
        self.cookie = f"{COOKIE}_{hashlib.sha256(token.encode()).hexdigest()[:12]}"

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        host = request.headers.get("host", "")
        if host not in self.hosts:
            return _json({"error": "wrong Host header"}, 403)
        given = (request.query_params.get("token") or request.headers.get(TOKEN_HEADER)
                 or request.cookies.get(self.cookie) or "")
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            return _json({"error": "missing or wrong token: open the URL `align edit` printed"}, 403)
        if request.method not in ("GET", "HEAD"):
            origin = request.headers.get("origin", "")
            if origin not in {f"http://{h}" for h in self.hosts}:
                return _json({"error": "request from another origin refused"}, 403)
            if not request.headers.get("content-type", "").startswith("application/json"):
                return _json({"error": "a JSON body is required"}, 415)
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        if request.query_params.get("token"):
            response.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
        return response


def progress(session: Session) -> dict[str, int]:
    rows = session.sheet.rows
    return {"rows": len(rows), "confirmed": sum(r.status == "confirmed" for r in rows),
            "rejected": sum(r.status == "rejected" for r in rows), "edited": sum(r.edited for r in rows)}


def state(session: Session) -> dict[str, Any]:
    """Everything the page shows: the rows, the pair, the dot plot's matrix, the version."""
    sheet, meta = session.sheet, session.meta
    return {
        "version": session.version,
        "rows": [row_view(sheet, r) for r in sheet.rows],
        "n_src": len(sheet.src), "n_tgt": len(sheet.tgt),
        "meta": {"report": os.path.basename(meta.report), "src_path": os.path.basename(meta.src_path),
                 "tgt_path": os.path.basename(meta.tgt_path), "src_lang": meta.src_lang, "tgt_lang": meta.tgt_lang,
                 "model_id": meta.model_id, "low_score": float((meta.params.get("quality") or {}).get("low_score", 0.5))},
        "matrix": meta.matrix,
        "legend": {k: v.get("title", k) for k, v in meta.flag_legend.items() if isinstance(v, dict)},
        "progress": progress(session),
        "can_undo": bool(session.undo_stack), "can_redo": bool(session.redo_stack),
    }


def _patch(session: Session, patch: Patch) -> dict[str, Any]:
    return {"version": session.version, "start": patch.start, "stop": patch.stop,
            "rows": [row_view(session.sheet, r) for r in patch.rows], "n_src": len(session.sheet.src),
            "n_tgt": len(session.sheet.tgt), "progress": progress(session),
            "can_undo": bool(session.undo_stack), "can_redo": bool(session.redo_stack)}


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise EditError("request too large")
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        raise EditError("the request is not JSON") from None
    if not isinstance(data, dict):
        raise EditError("the request must be a JSON object")
    return data


def _version(data: dict[str, Any]) -> int | None:
    v = data.get("version")
    if v is None:
        raise EditError("the request must say which version it was made on")
    if not isinstance(v, int) or isinstance(v, bool):
        raise EditError("version must be a number")
    return v


def create_app(session: Session, *, token: str, hosts: Iterable[str], tmx: TmxExport | None = None) -> Starlette:
    """The editor's ASGI app for ``session``; ``hosts``: the ``Host`` values accepted (``127.0.0.1:PORT``...)."""

    def guarded(fn: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            try:
                return await fn(request)
            except Conflict as e:
                return _json({"error": e.message, "version": session.version, "conflict": True}, 409)
            except AlignError as e:
                return _json({"error": str(e)}, 400)
        return run

    async def page(request: Request) -> Response:
        return Response(_asset("editor.html"), media_type="text/html; charset=utf-8")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return _json({"error": "not found"}, 404)
        return Response(_asset(name), media_type=f"{STATIC[name]}; charset=utf-8")

    warming = threading.Lock()  # taken once, never given back: one warm-up per server

    def warm_once() -> None:
        if warming.acquire(blocking=False):
            try:
                session.warm()
            except Exception:  # only an optimisation: the realign that needs the model reports what fails
                log.debug("the editor's warm-up failed", exc_info=True)

    async def get_state(request: Request) -> Response:
        # once the page has what it shows, load the model and the search for the first realign, in the background
        response = _json(state(session))
        response.background = BackgroundTask(warm_once)
        return response

    async def op(request: Request) -> Response:
        data = await _body(request)
        name = data.get("op")
        if not isinstance(name, str):
            raise EditError("which operation?")
        args = data.get("args") or {}
        patch = session.do(name, args, version=_version(data))
        return _json(_patch(session, patch))

    async def realign(request: Request) -> Response:
        data = await _body(request)
        patch = await run_in_threadpool(session.realign, version=_version(data))
        return _json(_patch(session, patch) | {"changed": patch.stop - patch.start + len(patch.rows)})

    async def save(request: Request) -> Response:
        await _body(request)
        path = await run_in_threadpool(session.save)
        return _json({"saved": os.path.basename(path), "version": session.version})

    async def do_export(request: Request) -> Response:
        data = await _body(request)
        fmt = data.get("format", "tmx")
        if fmt not in EXPORTS:
            raise EditError(f"unknown export format {fmt!r}")
        base = session.report[: -len(".report.json")] if session.report.endswith(".report.json") else session.report
        path = base + EXPORTS[fmt]
        opts = tmx or TmxExport()
        if data.get("confirmed_only"):
            opts = TmxExport(**{**opts.__dict__, "confirmed_only": True})
        message = await run_in_threadpool(export, session.sheet, session.meta, path, opts)
        return _json({"message": message, "path": os.path.basename(path)})

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    routes = [
        Route("/", guarded(page)),
        Route("/favicon.ico", favicon),
        Route("/static/{name}", guarded(static)),
        Route("/api/state", guarded(get_state)),
        Route("/api/op", guarded(op), methods=["POST"]),
        Route("/api/realign", guarded(realign), methods=["POST"]),
        Route("/api/save", guarded(save), methods=["POST"]),
        Route("/api/export", guarded(do_export), methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(Guard, token=token, hosts=list(hosts))
    return app


def free_socket(port: int | None = None) -> socket.socket:
    """A listening socket on 127.0.0.1 (``port`` or a free one chosen by the system)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port or 0))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(session: Session, *, port: int | None = None, open_browser: bool = True, tmx: TmxExport | None = None,
          announce: Callable[[str], None] = lambda line: None, token: str | None = None) -> str:
    """Serve ``session`` until Ctrl-C (or SIGTERM); save it then. Returns the path of the saved alignment.

    ``announce`` gets the URL line (the CLI prints it); ``token``: for tests, else a random one.
    """
    sock = free_socket(port)
    real_port = sock.getsockname()[1]
    token = token or secrets.token_urlsafe(24)
    app = create_app(session, token=token, hosts=[f"127.0.0.1:{real_port}", f"localhost:{real_port}"], tmx=tmx)
    url = f"http://127.0.0.1:{real_port}/?token={token}"
    announce(url)
    if open_browser:
        threading.Timer(0.3, lambda: webbrowser.open(url)).start()
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        saved = session.save()
    return saved
