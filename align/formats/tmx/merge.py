"""Merge the per-pair TMX files of a corpus into one memory, streaming.

A corpus of thousands of pairs gives a merged memory larger than memory can
hold as a tree, so the files are read one ``<tu>`` at a time (``iterparse``)
and written one at a time (``xmlfile``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from copy import deepcopy
from pathlib import Path

from lxml import etree

from align.common.errors import InputError, OutputError
from align.formats.tmx.write import DOCTYPE, UniqueIds


def _iter_tmx(path: str, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """The ``header``/``tu`` elements of a TMX, one at a time, freed after use (flat memory)."""
    for _, el in etree.iterparse(path, events=("end",), tag=tags, resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=True):
        yield el
        el.clear()
        parent = el.getparent()
        while parent is not None and el.getprevious() is not None:
            del parent[0]


def merge_tmx(
    parts: Sequence[tuple[str, str]], out_path: str | os.PathLike[str], *, dedupe: bool = True
) -> dict[str, int]:
    """Stream per-pair TMX files ``(pair_id, path)`` into one TMX at ``out_path``.

    Memory holds one ``<tu>`` at a time (plus 16-byte digests for ``dedupe`` and the tuids).
    The header is the first file's; every unit keeps its tuid (stable: the
    pair id and the unit's positions; a clash gets ``~2``), ``x-document``
    is set to the pair id so a translator can tell where a unit came from, and
    byte-identical (source seg, target seg) units are written once.
    The file appears complete or not at all.
    """
    out_path = Path(out_path)
    if not parts:
        raise InputError("nothing to merge: no per-pair TMX", path=str(out_path))
    tmp = out_path.parent / f".{out_path.name}.{os.getpid()}.tmp"
    seen: set[bytes] = set()
    tuids = UniqueIds()
    n = dup = 0
    try:
        header = deepcopy(next(_iter_tmx(parts[0][1], ("header",)), None))
        if header is None:
            raise InputError("no <header>: not a TMX written by align", path=parts[0][1])
        header.tail = None
        with etree.xmlfile(str(tmp), encoding="UTF-8") as xf:
            xf.write_declaration()
            xf.write_doctype(DOCTYPE)
            with xf.element("tmx", version="1.4"):
                xf.write("\n  ", header, "\n  ")
                with xf.element("body"):
                    for pair_id, path in parts:
                        for tu in _iter_tmx(path, ("tu",)):
                            key = hashlib.blake2b(
                                b"\x00".join(etree.tostring(s) for s in tu.iterfind("tuv/seg")), digest_size=16
                            ).digest()
                            if dedupe and key in seen:
                                dup += 1
                                continue
                            seen.add(key)
                            n += 1
                            tu.set("tuid", tuids.take(tu.get("tuid") or f"{pair_id}:{n}"))
                            for prop in tu.iterfind("prop"):
                                if prop.get("type") == "x-document":
                                    prop.text = pair_id
                            tu.tail = None
                            xf.write("\n    ", tu)
                    xf.write("\n  ")
                xf.write("\n")
        with open(tmp, "ab") as f:
            f.write(b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out_path)
    except etree.XMLSyntaxError as e:
        raise InputError(f"cannot merge a per-pair TMX: {e}", path=str(out_path)) from e
    except OSError as e:
        raise OutputError(f"cannot write the merged TMX: {e.strerror or e}", path=str(out_path)) from e
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"tus": n, "duplicates": dup, "files": len(parts)}
