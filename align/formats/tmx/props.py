"""Rewrite a TMX with some ``<prop>`` values changed, keeping everything else as it was.

``align score-tm`` scores a translation memory from any tool and writes it
again with its ``x-alignment-score`` and ``x-flags`` on every unit: the
header, the other props, notes, inline codes and the units without both
languages must come back untouched, so the file is edited as a tree rather
than written anew from the units ``read_tmx`` gives.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from lxml import etree

from align.common.atomic import atomic_write
from align.common.errors import InputError
from align.formats.tmx.read import TmxFile, bilingual_units, parse_tmx


def write_tmx_props(
    tmx: TmxFile, props: Sequence[Mapping[str, str | None]], out_path: str | os.PathLike[str]
) -> int:
    """Write the TMX ``tmx`` was read from again, with ``props[k]`` set on its ``k``-th unit; return the units.

    The units are those ``read_tmx`` gave (``tmx.tus``: both languages
    present, in file order). A value of ``None`` removes the prop; a prop
    given several times keeps its first element only. InputError if the file
    no longer has as many units as ``props`` (it changed since it was read).
    """
    tree = parse_tmx(tmx.path)
    todo = iter(props)
    done = 0
    for tu, s, t in bilingual_units(tree, tmx.src_lang, tmx.tgt_lang):
        if s is None or t is None or s.find("seg") is None or t.find("seg") is None:
            continue
        values = next(todo, None)
        if values is None:
            done += 1
            break
        for ptype, value in values.items():
            set_prop(tu, ptype, value)
        done += 1
    if done != len(props):
        raise InputError("the TMX changed while it was being scored", path=tmx.path, hint="run again")
    atomic_write(out_path, etree.tostring(tree, encoding="UTF-8", xml_declaration=True) + b"\n")
    return done


def set_prop(tu: etree._Element, ptype: str, value: str | None) -> None:
    """Set (or with ``None`` remove) the ``<prop type=ptype>`` of a ``<tu>``, keeping everything else."""
    existing = [el for el in tu.findall("prop") if el.get("type") == ptype]
    for el in existing[1 if value is not None else 0:]:
        _remove(el)
    if value is None:
        return
    if existing:
        existing[0].text = value
        return
    kids = list(tu)
    pos = next((i for i, el in enumerate(kids) if el.tag == "tuv"), len(kids))
    before = kids[pos - 1].tail if pos > 0 else tu.text
    new = etree.Element("prop", type=ptype)
    new.text = value
    tu.insert(pos, new)
    new.tail = before  # the indentation the next element had


def _remove(el: etree._Element) -> None:
    """Take ``el`` out of its parent, keeping the indentation of what follows."""
    parent = el.getparent()
    assert parent is not None
    prev = el.getprevious()
    if prev is not None:
        prev.tail = el.tail if (prev.tail or "").strip() == "" else prev.tail
    else:
        parent.text = el.tail if (parent.text or "").strip() == "" else parent.text
    parent.remove(el)
