"""Link evidence: the URLs a page gives for itself and for its other-language versions.

A newsroom page often says outright which page it translates: an HTML
``<link rel="alternate" hreflang="vi" href=...>`` to each language version, a
``<link rel="canonical">`` or ``<meta property="og:url">`` naming itself, or a
line ``Sumber: https://...`` / ``Nguồn: https://...`` naming the original's URL
(the sample pair in ``parallel/`` has one on each side). Every such URL becomes
a *key* (scheme, ``www.``, fragment and trailing slash dropped); a source and a
target document that share a key are linked, but only through a key that no
other document of either side holds: a site-wide URL (the home page as
``x-default``, the site's logo link) links nothing.

The label of a source line comes from a list of the word for "source" in the
languages of the archives we meet, not from any ``word: URL`` line: a "See
also: URL" line names *another* article, and its translation may name that URL
as its own source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from align.core.lexical import fold

#: The word for "source" (and "original") that opens a source line, diacritics and case folded.
SOURCE_LABELS = frozenset({
    "source", "sources", "original", "original article", "originally published", "originally published at",
    "nguon", "nguon tin", "bai goc", "theo", "sumber", "sumber asli", "artikel asli", "sumber berita",
    "fuente", "fonte", "quelle", "origine", "bron", "kilde", "zrodlo", "zdroj", "forras", "lahde", "kaynak",
    "источник", "джерело", "来源", "來源", "出处", "出處", "出典", "출처", "ที่มา", "แหล่งที่มา", "pinagmulan",
    "punca", "sumber rujukan", "ប្រភព", "ແຫຼ່ງຂ່າວ", "ရင်းမြစ်",
})

_URL = r"(?:https?://|www\.)[^\s<>\"'()\[\]]+"
_SOURCE_LINE = re.compile(r"^\s*(?P<label>[^\s:：][^:：]{0,40}?)\s*[:：]\s*(?P<url>" + _URL + r")\s*$", re.IGNORECASE)
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def url_key(url: str) -> str | None:
    """The comparable form of a URL: host (no ``www.``) and path, no scheme, fragment or trailing slash."""
    url = url.strip().rstrip(".,;")
    if url.lower().startswith("www."):
        url = "http://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host or parts.scheme.lower() not in ("http", "https"):
        return None
    host = host[4:] if host.startswith("www.") else host
    path = parts.path.rstrip("/")
    return host + path + (f"?{parts.query}" if parts.query else "")


def source_lines(text: str) -> list[str]:
    """The URLs named by the source lines of a text (``Sumber: https://...`` on a line of its own)."""
    out = []
    for line in text.splitlines():
        m = _SOURCE_LINE.match(line)
        if m and fold(m.group("label")).strip(" -–—*_") in SOURCE_LABELS:
            out.append(m.group("url"))
    return out


def html_links(data: bytes) -> list[str]:
    """The URLs an HTML page gives for itself and its translations, and the ``href`` of a source line.

    ``<link rel="canonical">``, ``<link rel="alternate" hreflang=...>``
    (``x-default`` left out: it is the site's choice of a default, often the
    home page), ``<meta property="og:url">``, and a link whose text before it is
    a source label (``Nguồn: <a href=...>Báo ...</a>``).
    """
    if not data.strip():
        return []
    try:
        root = lxml_html.fromstring(data)
    except (etree.ParserError, ValueError):
        return []
    out: list[str] = []
    for el in root.iter("link"):
        rel = (el.get("rel") or "").lower().split()
        href = el.get("href") or ""
        if "canonical" in rel or ("alternate" in rel and el.get("hreflang") and el.get("hreflang", "").lower() != "x-default"):
            out.append(href)
    for el in root.iter("meta"):
        if (el.get("property") or el.get("name") or "").lower() == "og:url":
            out.append(el.get("content") or "")
    for el in root.iter("a"):
        href = el.get("href") or ""
        prev = el.getprevious()
        before = (prev.tail if prev is not None else (el.getparent().text if el.getparent() is not None else "")) or ""
        label = fold(before).strip().rstrip(":：").strip(" -–—*_")
        if href and label in SOURCE_LABELS:
            out.append(href)
    return out


def link_keys(path: str, data: bytes | None, text: str) -> frozenset[str]:
    """Every URL key a document names: its HTML links (``data``, for an HTML file) and its source lines."""
    urls = list(source_lines(text))
    if data is not None and path.lower().endswith(_HTML_SUFFIXES):
        urls.extend(html_links(data))
    return frozenset(k for k in (url_key(u) for u in urls) if k)


def unique_links(src_keys: Iterable[frozenset[str]], tgt_keys: Iterable[frozenset[str]]) -> dict[tuple[int, int], list[str]]:
    """``(source index, target index) -> shared keys`` through keys held by exactly one document of each side."""
    src_keys, tgt_keys = list(src_keys), list(tgt_keys)
    owners: dict[str, tuple[list[int], list[int]]] = {}
    for side, docs in ((0, src_keys), (1, tgt_keys)):
        for i, keys in enumerate(docs):
            for k in keys:
                owners.setdefault(k, ([], []))[side].append(i)
    out: dict[tuple[int, int], list[str]] = {}
    for k, (s, t) in sorted(owners.items()):
        if len(s) == 1 and len(t) == 1:
            out.setdefault((s[0], t[0]), []).append(k)
    return out
