"""Read TMX files (ours or any TMX 1.1-1.4b) safely.

The reader parses untrusted files: no network, no external DTD, no entity
expansion, and any file that declares entities is refused (XXE, billion laughs).
``parse_tmx`` and ``bilingual_units`` are the parts the writer (``--append``)
and the prop rewriter (``align score-tm``) share with ``read_tmx``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from lxml import etree

from align.common.errors import InputError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: A TMX date (``20240131T120000Z``).
DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")

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



def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
    )


def parse_tmx(path: str) -> etree._ElementTree:
    """Parse a TMX safely; InputError for anything that is not a readable TMX."""
    try:
        with open(path, "rb") as f:
            tree = etree.parse(f, _parser())
    except FileNotFoundError as e:
        raise InputError("file not found", path=path) from e
    except IsADirectoryError as e:
        raise InputError("is a directory, not a TMX file", path=path) from e
    except PermissionError as e:
        raise InputError("permission denied", path=path) from e
    except etree.XMLSyntaxError as e:
        msg = str(getattr(e, "msg", "") or e)
        if "amplification" in msg or re.search(r"Entity '[^']*' not defined", msg):
            raise InputError(f"refused: entity declarations or references ({msg})", path=path,
                             hint="TMX files never need DTD entities") from e
        raise InputError(f"not well-formed XML (truncated or corrupt?): {msg}", path=path) from e
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        names = ", ".join(sorted(e.name for e in dtd.iterentities()))
        raise InputError(f"refused: the file declares DTD entities ({names})", path=path,
                         hint="entity expansion (XXE, billion laughs) is never needed in TMX")
    ref = next(tree.getroot().iter(etree.Entity), None)
    if ref is not None:
        raise InputError(f"refused: entity reference {ref.text} is not defined in the file", path=path,
                         hint="TMX files never need DTD entities; write the character itself")
    root = tree.getroot()
    if root.tag != "tmx":
        raise InputError(f"not a TMX file: root element is <{root.tag}>, expected <tmx>", path=path)
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


def read_tmx(path: str | os.PathLike[str], *, src_lang: str | None = None, tgt_lang: str | None = None) -> TmxFile:
    """Read the bilingual units of a TMX (ours or any TMX 1.1-1.4b).

    ``src_lang`` defaults to the header's ``srclang``; ``tgt_lang`` to the one
    other language in the file. A requested code without region also matches
    its regional forms (``vi`` matches ``vi-VN``). InputError if the file is not
    a safe, well-formed TMX or lacks the requested languages.
    """
    path = os.fspath(path)
    tree = parse_tmx(path)
    root = tree.getroot()
    header_el = root.find("header")
    header = {k: v for k, v in (header_el.attrib.items() if header_el is not None else [])}
    found = file_languages(tree)
    src = src_lang or header.get("srclang", "")
    if not src or src == "*all*":
        raise InputError("no usable srclang in the header", path=path, hint="pass src_lang")
    if not found:  # an empty memory (e.g. every unit below --min-score) is valid
        return TmxFile(path=path, header=header, tus=[], src_lang=src, tgt_lang=tgt_lang or "", skipped=0,
                       version=root.get("version", ""))
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
    for tu, s, t in bilingual_units(tree, src, tgt):
        seg_s = s.find("seg") if s is not None else None
        seg_t = t.find("seg") if t is not None else None
        if seg_s is None or seg_t is None:
            skipped += 1
            continue
        props: dict[str, str] = {}
        for p in tu.iterfind("prop"):
            props.setdefault(p.get("type", ""), p.text or "")
        tus.append(TU(tu.get("tuid"), seg_text(seg_s), seg_text(seg_t), props, _tuv_lang(s), _tuv_lang(t)))
    return TmxFile(path, root.get("version", ""), header, tus, src, tgt, skipped)
