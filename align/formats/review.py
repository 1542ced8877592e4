"""Review sheets: every bead as a spreadsheet row a person can accept, correct or reject.

A translator reviewing an alignment works best in a spreadsheet: one row per
bead in document order, with the score and the quality flags beside the text,
and an *accept* column to fill. ``write_review`` writes that sheet (TSV or
XLSX); ``import_review`` reads it back and writes the accepted rows as a TMX,
taking any text the reviewer edited as the correction.

Columns, in order: ``bead`` (1-based, the row number of the HTML report),
``source (LANG)``, ``target (LANG)``, ``score``, ``type`` (``1-1``, ``2-1``,
``1-0``...), ``flags``, ``accept``, ``source segments`` and ``target
segments`` (0-based segment indices, as in the beads notation). Null beads are
rows too, with one side empty, so omissions and additions are seen, not hidden.
A side made of several segments holds one segment per line.

The *accept* column is pre-filled ``yes`` when the bead is two-sided, scores at
least :data:`ACCEPT_MIN_SCORE` and carries no flag; every other row is left
empty for the reviewer to decide. On import, ``yes``, ``y``, ``1``, ``true``
and ``x`` (any case) accept a row.

Spreadsheet programs run cells that start with ``=``, ``+``, ``-`` or ``@`` as
formulas. In the XLSX every text cell is stored as a string, never a formula;
in the TSV such a cell gets a leading apostrophe (Excel's "text" mark), which
the importer removes again.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from align.common.atomic import atomic_write
from align.common.errors import InputError, OutputError, UsageError
from align.common.model import Alignment, Bead, Document, Segment
from align.formats.base import AlignedPair, OutputOptions
from align.formats.tmx import clean_text, write_tmx

#: A bead is pre-accepted when it is two-sided, scores at least this and has no flag.
ACCEPT_MIN_SCORE = 0.5
#: Values of the accept column that accept a row (compared case-insensitively).
ACCEPT_VALUES = frozenset({"yes", "y", "1", "true", "x"})
ACCEPT_RULE = (
    f"accept is pre-filled 'yes' for two-sided beads with score >= {ACCEPT_MIN_SCORE} and no flag; "
    f"rows whose accept is {', '.join(sorted(ACCEPT_VALUES))} (any case) go into the TMX on import"
)

HEADERS = ("bead", "source", "target", "score", "type", "flags", "accept", "source segments", "target segments")
REQUIRED = ("source", "target", "accept")
_LANG_HEADER = re.compile(r"^(source|target)\s*(?:\(\s*([A-Za-z0-9_-]+)\s*\))?$")
_FORMULA_START = tuple("=+-@")
XLSX_CELL_MAX = 32767  # Excel's limit on the characters of one cell
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ReviewRow:
    """One bead as the reviewer sees it (or as read back from the sheet)."""

    bead: int | None
    source: str
    target: str
    score: float | None
    type: str
    flags: tuple[str, ...]
    accept: str
    src_segments: tuple[int, ...] = ()
    tgt_segments: tuple[int, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.accept.strip().lower() in ACCEPT_VALUES


@dataclass(frozen=True)
class ReviewSheet:
    """A review file read back: its rows and what its header and info sheet say."""

    path: str
    rows: list[ReviewRow]
    src_lang: str | None = None
    tgt_lang: str | None = None
    document: str | None = None
    tgt_document: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """What ``import_review`` did, for the CLI to say."""

    rows: int
    accepted: int
    one_sided: int  # accepted rows skipped because a side is empty
    tus_written: int
    duplicates: int
    kept_existing: int
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------- rows


def default_accept(bead: Bead) -> bool:
    """The pre-filled verdict: two-sided, score >= ACCEPT_MIN_SCORE, no flag."""
    return not bead.is_null and bead.score >= ACCEPT_MIN_SCORE and not bead.flags


def _side(segments: Sequence[Segment], idx: Sequence[int]) -> str:
    return "\n".join(clean_text(segments[i].text)[0] for i in idx)


def review_rows(alignment: Alignment) -> list[ReviewRow]:
    """One row per bead, in document order, null beads included."""
    return [
        ReviewRow(
            bead=k + 1,
            source=_side(alignment.src, b.src),
            target=_side(alignment.tgt, b.tgt),
            score=float(b.score),
            type=b.kind,
            flags=tuple(b.flags),
            accept="yes" if default_accept(b) else "",
            src_segments=tuple(b.src),
            tgt_segments=tuple(b.tgt),
        )
        for k, b in enumerate(alignment.beads)
    ]


def _header(alignment: Alignment) -> list[str]:
    return ["bead", f"source ({alignment.source.lang})", f"target ({alignment.target.lang})", *HEADERS[3:]]


def _indices(idx: Sequence[int]) -> str:
    return ",".join(map(str, idx))


# --------------------------------------------------------------------------- write


def write_review(
    alignment: Alignment,
    path: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    now: datetime | None = None,
) -> int:
    """Write the review sheet of ``alignment`` as TSV or XLSX (``fmt``, else from the suffix); return rows.

    The file appears complete or not at all (OutputError).
    """
    path = os.fspath(path)
    fmt = fmt or _format_of(path, writing=True)
    rows = review_rows(alignment)
    if fmt == "tsv":
        data = _tsv_bytes(_header(alignment), rows)
    elif fmt == "xlsx":
        data = _xlsx_bytes(alignment, rows, now)
    else:
        raise UsageError(f"unknown review format {fmt!r}", hint="use tsv or xlsx")
    atomic_write(path, data)
    return len(rows)


def _tsv_cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (see the module docstring)."""
    if text.startswith(_FORMULA_START) or (text.startswith("'") and text[1:].startswith(_FORMULA_START)):
        return "'" + text
    return text


def _tsv_bytes(header: list[str], rows: list[ReviewRow]) -> bytes:
    """UTF-8 with a BOM (so Excel reads Vietnamese right), tab-separated, quoted where needed."""
    buf = io.StringIO()
    w = csv.writer(buf, dialect="excel-tab", lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([
            r.bead, _tsv_cell(r.source), _tsv_cell(r.target), f"{r.score:.3f}" if r.score is not None else "",
            r.type, ", ".join(r.flags), r.accept, _indices(r.src_segments), _indices(r.tgt_segments),
        ])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _xlsx_bytes(alignment: Alignment, rows: list[ReviewRow], now: datetime | None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Alignment as CellAlignment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "review"
    header = _header(alignment)
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    wrap = CellAlignment(wrap_text=True, vertical="top")
    top = CellAlignment(vertical="top")
    for r in rows:
        values = [r.bead, r.source, r.target, r.score, r.type, ", ".join(r.flags), r.accept,
                  _indices(r.src_segments), _indices(r.tgt_segments)]
        ws.append(values)
        n = ws.max_row
        for col, value in enumerate(values, start=1):
            cell = ws.cell(n, col)
            if isinstance(value, str):
                if len(value) > XLSX_CELL_MAX:
                    raise OutputError(f"bead {r.bead} has {len(value)} characters on one side, over Excel's "
                                      f"{XLSX_CELL_MAX} per cell", hint="write the review as TSV instead")
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.alignment = wrap if col in (2, 3, 6) else top
        ws.cell(n, 4).number_format = "0.000"
    widths = (7, 60, 60, 8, 6, 24, 8, 10, 10)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "B2"  # header row and bead number stay in view
    last = max(ws.max_row, 2)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last}"
    dv = DataValidation(type="list", formula1='"yes,no"', allow_blank=True, showErrorMessage=True,
                        errorTitle="accept", error="Choose yes or no (or leave empty).")
    dv.add(f"G2:G{last}")
    ws.add_data_validation(dv)
    fills = (("lessThan", ["0.5"], "F8CBAD"), ("between", ["0.5", "0.8"], "FFE699"),
             ("greaterThanOrEqual", ["0.8"], "C6E0B4"))
    for op, formula, colour in fills:
        ws.conditional_formatting.add(
            f"D2:D{last}", CellIsRule(operator=op, formula=formula, fill=PatternFill("solid", bgColor=colour))
        )
    info = wb.create_sheet("info")
    for key, value in (
        ("source document", alignment.source.path), ("target document", alignment.target.path),
        ("source language", alignment.source.lang), ("target language", alignment.target.lang),
        ("model", alignment.model_id), ("signature", alignment.signature), ("accept rule", ACCEPT_RULE),
    ):
        info.append([key, value])
        info.cell(info.max_row, 2).data_type = "s"
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 100
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    wb.properties.creator = "align"
    wb.properties.created = wb.properties.modified = stamp
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The same archive with every member dated 1980-01-01, so equal sheets are equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, zin.read(info.filename))
    return out.getvalue()


class ReviewSheetWriter:
    """Writer of a review sheet (``align run --review-tsv/--review-xlsx``), one per sheet format."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.name = f"review_{fmt}"
        self.suffix = f".review.{fmt}"

    def write(self, pair: AlignedPair, path: str, options: OutputOptions) -> int:
        """Write the review sheet of ``pair``; return its rows (one per bead)."""
        return write_review(pair.alignment, path, fmt=self.fmt)


REVIEW_TSV = ReviewSheetWriter("tsv")
REVIEW_XLSX = ReviewSheetWriter("xlsx")


# --------------------------------------------------------------------------- read


def _format_of(path: str, *, writing: bool = False) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".tsv", ".tab", ".txt"):
        return "tsv"
    if suffix == ".csv" and not writing:
        return "csv"
    if suffix == ".xls":
        raise InputError("old Excel .xls format is not read", path=path, hint="save the sheet as .xlsx or .tsv")
    error = UsageError if writing else InputError
    raise error(f"unknown review file type {suffix or '(none)'!r}", path=path, hint="use a .xlsx or .tsv file")


def read_review(path: str | os.PathLike[str]) -> ReviewSheet:
    """Read a review sheet (XLSX, TSV, or CSV saved from a spreadsheet); InputError if it is not one."""
    path = os.fspath(path)
    fmt = _format_of(path)
    if not os.path.exists(path):
        raise InputError("file not found", path=path)
    if os.path.isdir(path):
        raise InputError("is a folder, not a review file", path=path)
    if fmt == "xlsx":
        table, info = _read_xlsx(path)
    else:
        table, info = _read_delimited(path, "\t" if fmt == "tsv" else ","), {}
    if not table:
        raise InputError("the sheet is empty: no header row", path=path, hint="give the file written by --review-xlsx/--review-tsv")
    cols, langs = _columns(table[0], path)
    rows = []
    for n, raw in enumerate(table[1:], start=2):
        if all(_text(v) == "" for v in raw):
            continue
        rows.append(_row(raw, cols, path, n, unquote=fmt != "xlsx"))
    return ReviewSheet(
        path, rows, langs.get("source") or info.get("source language"), langs.get("target") or info.get("target language"),
        info.get("source document"), info.get("target document"),
    )


def _read_xlsx(path: str) -> tuple[list[list], dict[str, str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise InputError(f"not an Excel .xlsx workbook ({type(e).__name__}: {e})", path=path,
                         hint="give the .xlsx written by --review-xlsx, saved from Excel or LibreOffice") from e
    try:
        ws = wb["review"] if "review" in wb.sheetnames else wb.worksheets[0]
        table = [list(r) for r in ws.iter_rows(values_only=True)]
        info: dict[str, str] = {}
        if "info" in wb.sheetnames:
            for r in wb["info"].iter_rows(values_only=True):
                if len(r) >= 2 and r[0] is not None:
                    info[_text(r[0]).lower()] = _text(r[1])
    finally:
        wb.close()
    return table, info


def _decode(data: bytes, path: str) -> str:
    """UTF-8 (BOM or not), or the UTF-16 Excel writes as "Unicode Text"."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 or UTF-16 text ({e.reason} at byte {e.start})", path=path,
                         hint="save the sheet as UTF-8 TSV (or as .xlsx)") from e


def _read_delimited(path: str, delimiter: str) -> list[list]:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", path=path) from e
    if data.startswith(b"PK\x03\x04"):
        raise InputError("this is a zip archive (an .xlsx?), not tab-separated text", path=path,
                         hint="name it .xlsx, or save the sheet as TSV")
    text = _decode(data, path)
    if "\x00" in text:
        raise InputError("binary data, not tab-separated text", path=path)
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip("\r\n")


def _columns(header: list, path: str) -> tuple[dict[str, int], dict[str, str]]:
    """Column name -> position, and the languages named in ``source (vi)`` / ``target (id)``."""
    cols: dict[str, int] = {}
    langs: dict[str, str] = {}
    for k, raw in enumerate(header):
        name = " ".join(_text(raw).strip().lower().split())
        if m := _LANG_HEADER.match(name):
            name = m.group(1)
            if m.group(2):
                langs[name] = m.group(2)
        if name and name not in cols:
            cols[name] = k
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        found = ", ".join(_text(h) for h in header if _text(h)) or "nothing"
        raise InputError(
            f"missing column(s) {', '.join(missing)} in the header row (found: {found})", path=path,
            hint="the first row must name the columns: bead, source, target, score, type, flags, accept",
        )
    return cols, langs


def _row(raw: list, cols: dict[str, int], path: str, line: int, *, unquote: bool) -> ReviewRow:
    def get(name: str) -> str:
        k = cols.get(name)
        return _text(raw[k]) if k is not None and k < len(raw) else ""

    def text(name: str) -> str:
        t = get(name)
        if unquote and t.startswith("'") and t[1:].startswith(("'", *_FORMULA_START)):
            t = t[1:]
        return t

    def number(name: str) -> float | None:
        k = cols.get(name)
        v = raw[k] if k is not None and k < len(raw) else None
        if v is None or _text(v).strip() == "":
            return None
        try:
            return float(str(v).strip().replace(",", "."))
        except ValueError:
            raise InputError(f"row {line}: {name} {_text(v)!r} is not a number", path=path) from None

    def indices(name: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", get(name)))

    bead = number("bead")
    accept = get("accept").strip()
    return ReviewRow(
        bead=int(bead) if bead is not None else None,
        source=text("source"),
        target=text("target"),
        score=number("score"),
        type=get("type").strip(),
        flags=tuple(f for f in re.split(r"[\s,;]+", get("flags")) if f),
        accept=accept,
        src_segments=indices("source segments"),
        tgt_segments=indices("target segments"),
    )


# --------------------------------------------------------------------------- import


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _document(path: str, lang: str, sides: list[list[str]]) -> Document:
    """A Document with one Segment per line of each accepted row side (one paragraph per row)."""
    text, segs = "", []
    for p, lines in enumerate(sides):
        for i, line in enumerate(lines):
            if text:
                text += "\n"
            segs.append(Segment(line, "sentence", p, i, (len(text), len(text) + len(line))))
            text += line
    return Document(path, lang, text, tuple(segs))


def review_alignment(sheet: ReviewSheet, src_lang: str, tgt_lang: str) -> tuple[Alignment, int]:
    """The accepted two-sided rows as an Alignment (in bead order), and how many accepted rows were one-sided."""
    accepted = [r for r in sheet.rows if r.accepted]
    if all(r.bead is not None for r in accepted):
        accepted.sort(key=lambda r: r.bead or 0)  # every bead is numbered here (the "or" is for the type checker)
    pairs = [(_lines(r.source), _lines(r.target), r) for r in accepted]
    kept = [(s, t, r) for s, t, r in pairs if s and t]
    src_doc = _document(sheet.document or sheet.path, src_lang, [s for s, _, _ in kept])
    tgt_doc = _document(sheet.tgt_document or sheet.path, tgt_lang, [t for _, t, _ in kept])
    beads, i, j = [], 0, 0
    for s, t, r in kept:
        score = min(max(r.score if r.score is not None else 0.0, 0.0), 1.0)
        beads.append(Bead(tuple(range(i, i + len(s))), tuple(range(j, j + len(t))), score, r.flags))
        i, j = i + len(s), j + len(t)
    al = Alignment(src_doc, tgt_doc, src_doc.content, tgt_doc.content, tuple(beads), "review",
                   signature=f"review:{os.path.basename(sheet.path)}")
    return al, len(pairs) - len(kept)


def import_review(
    path: str | os.PathLike[str],
    tmx_path: str | os.PathLike[str],
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    region: bool = False,
    src_code: str | None = None,
    tgt_code: str | None = None,
    append: bool = False,
    creationid: str = "align",
    now: datetime | None = None,
) -> ImportResult:
    """Write the accepted rows of a review sheet as a TMX (via ``write_tmx``).

    Languages: the arguments, else the sheet header (``source (vi)``), else vi/id.
    """
    sheet = read_review(path)
    src = src_lang or sheet.src_lang or "vi"
    tgt = tgt_lang or sheet.tgt_lang or "id"
    al, one_sided = review_alignment(sheet, src, tgt)
    stats = write_tmx(al, tmx_path, level="sentence", src_code=src_code, tgt_code=tgt_code, region=region,
                      append=append, creationid=creationid, now=now)
    return ImportResult(
        rows=len(sheet.rows), accepted=sum(r.accepted for r in sheet.rows), one_sided=one_sided,
        tus_written=stats.tus_written, duplicates=stats.duplicates, kept_existing=stats.kept_existing,
        warnings=stats.warnings,
    )
