"""Writing an edited alignment: TMX (with each unit's review state), review sheet, beads, JSON report.

The files are written by the same writers as ``align run`` (``align.formats``)
from an ``Alignment`` rebuilt from the sheet, so the TMX options (level,
region codes, minimum score, creationid, dedupe) mean what they mean there.
Each TMX unit then gets its review state as the ``x-review`` prop
(``confirmed``, ``edited``, ``unreviewed``) and, where a person changed the
row, ``changedate``/``changeid`` of that change. Rejected rows are not
written to the TMX; ``confirmed_only`` writes the confirmed rows alone.

A row a person made has no aligner score: it is written with 1.0 when
confirmed and 0.0 otherwise, so ``--min-score`` keeps exactly the rows a
person vouched for.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from lxml import etree

from align.common.atomic import atomic_write
from align.common.errors import UsageError
from align.common.model import Alignment, Bead, Document, Segment
from align.editor.model import Row, Seg, Sheet
from align.editor.source import Meta
from align.formats.beads import beads_text
from align.formats.report.payload import report_payload, write_report
from align.formats.review import write_review
from align.formats.tmx import DOCTYPE, NO_SPACE_LANGS, Level, TmxStats, clean_text, language_code, write_tmx
from align.formats.tmx.props import set_prop
from align.formats.tmx.read import bilingual_units, parse_tmx
from align.pipeline.options import TmxOptions


@dataclass(frozen=True)
class TmxExport(TmxOptions):
    """The TMX options of ``align run`` (``TmxOptions``, the one definition), and what only an export has.

    ``confirmed_only``: write the rows a reviewer confirmed, alone. The
    options an export cannot honour are refused when made: ``append`` and
    ``split_by_score`` (an export writes one whole TMX; ``align run`` and
    ``align corpus`` have them).
    """

    confirmed_only: bool = False

    def __post_init__(self) -> None:
        """Check the TMX options (``TmxOptions``) and refuse those an export does not take."""
        super().__post_init__()
        if self.append or self.split_by_score is not None:
            raise UsageError("an export writes one whole TMX: append and split_by_score are not taken",
                             hint="export, then use align run's options on its own files")


def row_score(r: Row) -> float:
    """The score written for a row: the aligner's, or 1.0/0.0 for a row a person made (confirmed or not)."""
    if r.score is not None:
        return r.score
    return 1.0 if r.status == "confirmed" else 0.0


def to_alignment(sheet: Sheet, meta: Meta, rows: Sequence[Row] | None = None) -> Alignment:
    """The sheet as an ``Alignment`` the writers take (``rows``: a subset of its rows, e.g. the confirmed ones)."""
    def doc(path: str, lang: str, segs: tuple[Segment, ...]) -> Document:
        return Document(path=path, lang=lang, text="\n".join(s.text for s in segs), segments=segs)

    src = tuple(Segment(s.text, "sentence", s.para, k) for k, s in enumerate(sheet.src))
    tgt = tuple(Segment(s.text, "sentence", s.para, k) for k, s in enumerate(sheet.tgt))
    beads = tuple(Bead(r.src, r.tgt, row_score(r), r.flags, r.moved) for r in (sheet.rows if rows is None else rows))
    return Alignment(source=doc(meta.src_path, meta.src_lang, src), target=doc(meta.tgt_path, meta.tgt_lang, tgt),
                     src=src, tgt=tgt, beads=beads, model_id=meta.model_id, params=dict(meta.params),
                     signature=meta.signature)


def _key(sheet: Sheet, r: Row, codes: tuple[str, str]) -> tuple[str, str]:
    def side(idx: tuple[int, ...], segs: Sequence[Seg], code: str) -> str:
        joiner = "" if code.split("-")[0] in NO_SPACE_LANGS else " "
        return clean_text(joiner.join(segs[i].text.strip() for i in idx))[0]
    return side(r.src, sheet.src, codes[0]), side(r.tgt, sheet.tgt, codes[1])


def _review_of(rows: Sequence[Row]) -> Row | None:
    """The row whose state a unit of several rows carries: the least reviewed one."""
    order = {"unreviewed": 0, "edited": 1, "confirmed": 2}
    return min(rows, key=lambda r: order[r.review]) if rows else None


def export_tmx(sheet: Sheet, meta: Meta, path: str, options: TmxExport | None = None) -> TmxStats:
    """Write the TMX of the sheet (see the module docstring); return what the TMX writer did."""
    o = options or TmxExport()
    rows = [r for r in sheet.rows if r.status != "rejected" and (r.status == "confirmed" or not o.confirmed_only)]
    al = to_alignment(sheet, meta, rows)
    folder, name = os.path.split(os.path.abspath(path))
    tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.part")
    try:
        stats = write_tmx(al, tmp, level=cast(Level, o.level), src_code=o.src_code, tgt_code=o.tgt_code,
                          region=o.region, min_score=o.min_score, dedupe=o.dedupe, creationid=o.creationid)
        codes = (language_code(meta.src_lang, explicit=o.src_code, region=o.region),
                 language_code(meta.tgt_lang, explicit=o.tgt_code, region=o.region))
        by_key: dict[tuple[str, str], Row] = {}
        for r in rows:
            if r.src and r.tgt:
                by_key.setdefault(_key(sheet, r, codes), r)
        tree = parse_tmx(tmp)
        for tu, s, t in bilingual_units(tree, codes[0], codes[1]):
            if s is None or t is None:
                continue
            key = (clean_text("".join(s.find("seg").itertext()))[0] if s.find("seg") is not None else "",
                   clean_text("".join(t.find("seg").itertext()))[0] if t.find("seg") is not None else "")
            row = by_key.get(key)
            if row is None:  # a paragraph unit: the rows whose text it holds
                row = _review_of([r for k, r in by_key.items() if k[0] in key[0] and k[1] in key[1]])
            set_prop(tu, "x-review", row.review if row is not None else "unreviewed")
            if row is not None and row.changedate:
                tu.set("changedate", row.changedate)
            if row is not None and row.changeid:
                tu.set("changeid", row.changeid)
        atomic_write(path, etree.tostring(tree.getroot(), encoding="UTF-8", xml_declaration=True,
                                          doctype=DOCTYPE) + b"\n")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return stats


def export(sheet: Sheet, meta: Meta, path: str, options: TmxExport | None = None) -> str:
    """Write ``path`` in the format its name says: ``.tmx``, ``.tsv``/``.xlsx`` (review sheet), ``.beads``/``.txt``
    (beads notation), ``.json`` (a JSON report ``align report`` renders); return a line saying what was written."""
    low = path.lower()
    if low.endswith(".tmx"):
        st = export_tmx(sheet, meta, path, options)
        return f"{st.tus_written} TUs written to {path}"
    if low.endswith((".tsv", ".xlsx")):
        n = write_review(to_alignment(sheet, meta), path)
        return f"review sheet of {n} rows written to {path}"
    if low.endswith((".beads", ".txt")):
        al = to_alignment(sheet, meta)
        atomic_write(path, beads_text(al))
        return f"{len(al.beads)} beads written to {path}"
    if low.endswith(".json"):
        al = to_alignment(sheet, meta)
        write_report(al, None, path, payload=report_payload(al))
        return f"JSON report of {len(al.beads)} rows written to {path} (`align report {path}` draws its page)"
    raise UsageError(f"cannot tell the export format of {path!r}", hint="use .tmx, .tsv, .xlsx, .beads or .json")
