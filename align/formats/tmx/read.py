"""Read TMX files (ours or any TMX 1.1-1.4b) safely, in bounded memory.

The reader parses untrusted files: no network, no external DTD, no entity
expansion, and any file that declares entities is refused (XXE, billion laughs).
The file itself is read through ``read_bounded`` (a regular file of at most
``MAX_TMX_BYTES``; a device, a FIFO or a folder is refused), and ``read_tmx``
streams it (``iterparse``), keeping the text of the units, never the whole
tree: a memory of 500,000 units is read in about the memory of its text.
lxml's own limits stay on (``huge_tree`` off): a text node over
``MAX_TEXT_NODE`` bytes is refused with a message naming that limit, not
mistaken for a corrupt file.
``parse_tmx`` and ``bilingual_units`` are the parts the writer (``--append``)
and the prop rewriter (``align score``) share with ``read_tmx``; they build
the whole tree, as they rewrite it.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from align.common.errors import InputError
from align.common.files import read_bounded

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: A TMX date (``20240131T120000Z``).
DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")
#: The largest TMX file read (1 GB: about 2.5 million units of news text).
MAX_TMX_BYTES = 1 << 30
#: libxml2's limit on one text node while ``huge_tree`` is off (``XML_MAX_TEXT_LENGTH``, bytes).
MAX_TEXT_NODE = 10_000_000
_HINT_LARGE = "split the memory into TMX files of at most 1 GB (a CAT tool can export it in parts)"


@dataclass(frozen=True)
class TU:
    """One translation unit read back from a TMX file (plain text of the segs)."""

    tuid: str | None
    src: str
    tgt: str
    props: dict[str, str] = field(default_factory=dict)
    src_lang: str = ""
    tgt_lang: str = ""


@dataclass(frozen=True)
class TmxFile:
    """A read TMX: header attributes, the bilingual units, and what was left out.

    ``skipped`` counts ``<tu>`` elements without a tuv in one of the two
    languages (normal in a multilingual TM).
    """

    path: str
    version: str
    header: dict[str, str]
    tus: list[TU]
    src_lang: str
    tgt_lang: str
    skipped: int = 0


_PARSER_OPTIONS = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False, "remove_comments": False,
}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(**_PARSER_OPTIONS)


def _read(path: str) -> bytes:
    return read_bounded(path, limit=MAX_TMX_BYTES, what="TMX file", hint_large=_HINT_LARGE)


def _syntax_error(e: etree.XMLSyntaxError, path: str) -> InputError:
    """The one-line InputError for a parse error: entities refused, a parser limit named, else not well-formed.

    ``iterparse`` reports some errors (an undefined entity) as "no element
    found" and keeps the parser's own message in the error log (cleared before
    each parse, see ``_events``), so the last logged error is used then.
    """
    msg = str(getattr(e, "msg", "") or e)
    logged = [x for x in getattr(e, "error_log", ()) if x.message]
    line = logged[-1].line if logged else getattr(e, "lineno", "?")
    if logged and (msg == "no element found" or not msg):
        msg = f"{logged[-1].message.strip()}, line {line}, column {logged[-1].column}"
    if "amplification" in msg or re.search(r"Entity '[^']*' not defined", msg):
        return InputError(f"refused: entity declarations or references ({msg})", path=path,
                          hint="TMX files never need DTD entities")
    if "Text node too long" in msg or "huge text node" in msg:
        return InputError(f"a text node near line {line} is over the XML parser's limit of {MAX_TEXT_NODE:,} bytes "
                          f"(10 MB); no translation unit holds that much text", path=path,
                          hint="is it a TMX file? a segment is a sentence or a paragraph")
    if "Resource limit exceeded" in msg or "XML_PARSE_HUGE" in msg:
        return InputError(f"over a limit of the XML parser: {msg}", path=path,
                          hint="a TMX file nests a few levels deep and holds sentences or paragraphs")
    return InputError(f"not well-formed XML (truncated or corrupt?): {msg}", path=path)


def _refuse_dtd_entities(docinfo: etree.DocInfo, path: str) -> None:
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        names = ", ".join(sorted(e.name for e in dtd.iterentities()))
        raise InputError(f"refused: the file declares DTD entities ({names})", path=path,
                         hint="entity expansion (XXE, billion laughs) is never needed in TMX")


def _refuse_entity_refs(el: etree._Element, path: str) -> None:
    ref = next(el.iter(etree.Entity), None)
    if ref is not None:
        raise InputError(f"refused: entity reference {ref.text} is not defined in the file", path=path,
                         hint="TMX files never need DTD entities; write the character itself")


def _check_root(root: etree._Element, path: str) -> None:
    if root.tag != "tmx":
        raise InputError(f"not a TMX file: root element is <{root.tag}>, expected <tmx>", path=path)


def parse_tmx(path: str) -> etree._ElementTree:
    """Parse a TMX safely into a whole tree (for rewriting it); InputError for anything that is not a readable TMX."""
    data = _read(path)
    try:
        tree = etree.parse(io.BytesIO(data), _parser())
    except etree.XMLSyntaxError as e:
        raise _syntax_error(e, path) from None
    del data
    _refuse_dtd_entities(tree.docinfo, path)
    root = tree.getroot()
    _refuse_entity_refs(root, path)
    _check_root(root, path)
    if root.find("body") is None:
        raise InputError("not a TMX file: no <body> element", path=path)
    return tree


def _tuv_lang(tuv: etree._Element) -> str:
    return tuv.get(XML_LANG) or tuv.get("lang") or ""  # "lang" is TMX 1.1


def seg_text(seg: etree._Element) -> str:
    """The plain text of a ``<seg>``: native codes (``bpt``/``ept``/``ph``...) left out."""
    parts = [seg.text or ""]
    for child in seg:
        if child.tag == "hi":
            parts.append(seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _lang_matches(requested: str, actual: str) -> bool:
    r, a = requested.lower(), actual.lower()
    return r == a or ("-" not in r and a.split("-")[0] == r)


def bilingual_units(
    tree: etree._ElementTree, src: str, tgt: str
) -> list[tuple[etree._Element, etree._Element | None, etree._Element | None]]:
    """Every ``<tu>`` with its first tuv in ``src`` and in ``tgt`` (``None`` where it has none), in file order."""
    out = []
    for tu in tree.getroot().iterfind("body/tu"):
        s = t = None
        for tuv in tu.iterfind("tuv"):
            lang = _tuv_lang(tuv)
            if s is None and _lang_matches(src, lang):
                s = tuv
            elif t is None and _lang_matches(tgt, lang):
                t = tuv
        out.append((tu, s, t))
    return out


def file_languages(tree: etree._ElementTree) -> list[str]:
    """The languages of all the tuvs of a parsed TMX, sorted."""
    return sorted({_tuv_lang(t) for t in tree.getroot().iterfind("body/tu/tuv")})


# --------------------------------------------------------------------------- streaming read


@dataclass
class _Unit:
    """A ``<tu>`` as the stream keeps it: id, props, and the (language, seg text or None) of the tuvs kept."""

    tuid: str | None
    props: dict[str, str]
    tuvs: list[tuple[str, str | None]]


@dataclass
class _Stream:
    """What one pass over the file gathers (``_stream``)."""

    version: str = ""
    header: dict[str, str] = field(default_factory=dict)
    languages: set[str] = field(default_factory=set)
    units: list[_Unit] = field(default_factory=list)


def _events(data: bytes, path: str) -> Iterator[tuple[str, etree._Element]]:
    etree.clear_error_log()  # iterparse's errors carry the thread's log: only this file's entries
    try:
        yield from etree.iterparse(io.BytesIO(data), events=("start", "end"), **_PARSER_OPTIONS)
    except etree.XMLSyntaxError as e:
        raise _syntax_error(e, path) from None


def _stream(path: str, src: str | None, tgt: str | None) -> _Stream:
    """One pass of ``iterparse`` over the file: header, the languages of all tuvs, the units' text.

    Each ``<tu>`` is dropped from the tree once read, so memory holds the text,
    not the tree. Kept per unit: the tuvs in ``src`` (``None``: the header's
    ``srclang``) and in ``tgt``, or, without ``tgt``, in the first other
    language met (a second one makes the target ambiguous: an error later).
    """
    out = _Stream()
    data = _read(path)
    depth = 0
    root: etree._Element | None = None
    body = False
    other: str | None = tgt
    ambiguous = False
    position = 0
    names: dict[str, str] = {}
    for event, el in _events(data, path):
        if event == "start":
            depth += 1
            if depth == 1:
                root = el
                _refuse_dtd_entities(el.getroottree().docinfo, path)
                _check_root(el, path)
                out.version = el.get("version", "")
            elif depth == 2 and el.tag == "header" and not out.header:
                out.header = dict(el.attrib)
                if src is None:
                    src = out.header.get("srclang", "")
            elif depth == 2 and el.tag == "body":
                body = True
            continue
        depth -= 1
        if depth == 1 and el.tag == "header":
            _refuse_entity_refs(el, path)
        if depth != 2 or el.tag != "tu" or el.getparent().tag != "body":  # type: ignore[union-attr]
            continue
        position += 1
        _refuse_entity_refs(el, path)
        props: dict[str, str] = {}
        for p in el.iterfind("prop"):
            ptype = p.get("type", "")
            props.setdefault(names.setdefault(ptype, ptype), p.text or "")
        tuvs: list[tuple[str, str | None]] = []
        for tuv in el.iterfind("tuv"):
            lang = _tuv_lang(tuv)
            lang = names.setdefault(lang, lang)  # one string per language and prop type, not one per unit
            if not lang:
                tuid = el.get("tuid")
                raise InputError(f"a <tuv> without xml:lang at unit {position}" + (f" (tuid {tuid})" if tuid else ""),
                                 path=path, hint='every <tuv> names its language, e.g. <tuv xml:lang="vi">')
            out.languages.add(lang)
            keep = bool(src) and _lang_matches(src or "", lang)
            if not keep and not ambiguous:
                if other is None:
                    other = lang
                keep = lang == other if tgt is None else _lang_matches(tgt, lang)
                ambiguous = tgt is None and lang != other and not keep
            if keep:
                seg = tuv.find("seg")
                tuvs.append((lang, seg_text(seg) if seg is not None else None))
        out.units.append(_Unit(el.get("tuid"), props, tuvs))
        el.clear(keep_tail=True)
        parent = el.getparent()
        while parent is not None and el.getprevious() is not None:
            del parent[0]  # the units read before this one, cleared already
    del data
    if root is None:  # iterparse raises on an empty document; kept for the type checker
        raise InputError("not well-formed XML (truncated or corrupt?): no root element", path=path)
    _refuse_entity_refs(root, path)  # what is left: header, notes, anything outside the units
    if not body:
        raise InputError("not a TMX file: no <body> element", path=path)
    return out


def read_tmx(path: str | os.PathLike[str], *, src_lang: str | None = None, tgt_lang: str | None = None) -> TmxFile:
    """Read the bilingual units of a TMX (ours or any TMX 1.1-1.4b).

    ``src_lang`` defaults to the header's ``srclang``; ``tgt_lang`` to the one
    other language in the file. A requested code without region also matches
    its regional forms (``vi`` matches ``vi-VN``). InputError if the file is not
    a safe, well-formed TMX, is over ``MAX_TMX_BYTES``, has a ``<tuv>`` without
    a language, or lacks the requested languages.
    """
    path = os.fspath(path)
    st = _stream(path, src_lang or None, tgt_lang)
    header = st.header
    found = sorted(st.languages)
    src = src_lang or header.get("srclang", "")
    if not src or src == "*all*":
        raise InputError("no usable srclang in the header", path=path, hint="pass src_lang")
    if not found:  # an empty memory (e.g. every unit below --min-score) is valid
        return TmxFile(path=path, header=header, tus=[], src_lang=src, tgt_lang=tgt_lang or "", skipped=0,
                       version=st.version)
    if not any(_lang_matches(src, f) for f in found):
        raise InputError(f"no unit in language {src!r} (file has {', '.join(found) or 'none'})", path=path)
    if tgt_lang is None:
        others = sorted({f for f in found if not _lang_matches(src, f)})
        if len(others) != 1:
            raise InputError(
                f"cannot tell the target language: file has {', '.join(others) or 'none'} besides {src}",
                path=path, hint="pass tgt_lang",
            )
        tgt = others[0]
    else:
        tgt = tgt_lang
        if not any(_lang_matches(tgt, f) for f in found):
            raise InputError(f"no unit in language {tgt!r} (file has {', '.join(found) or 'none'})", path=path)
    tus, skipped = [], 0
    units = st.units
    for k, unit in enumerate(units):
        units[k] = None  # type: ignore[call-overload]  # freed as the units are built
        s = t = None
        for lang, text in unit.tuvs:  # the first tuv in each language, as ``bilingual_units`` picks it
            if s is None and _lang_matches(src, lang):
                s = (lang, text)
            elif t is None and _lang_matches(tgt, lang):
                t = (lang, text)
        if s is None or t is None or s[1] is None or t[1] is None:
            skipped += 1
            continue
        tus.append(TU(unit.tuid, s[1], t[1], unit.props, s[0], t[0]))
    return TmxFile(path, st.version, header, tus, src, tgt, skipped)
