"""Review sheets: every bead as a spreadsheet row a person can accept, correct or reject.

A translator reviewing an alignment works best in a spreadsheet: one row per
bead in document order, with the score and the quality flags beside the text,
and an *accept* column to fill. ``write_review`` writes that sheet (TSV or
XLSX); ``import_review`` reads it back and writes the accepted rows as a TMX,
taking any text the reviewer edited as the correction.

Columns, in order: ``bead`` (1-based, the row number of the HTML report),
``source (LANG)``, ``target (LANG)``, ``score``, ``type`` (``1-1``, ``2-1``,
``1-0``...), ``flags``, ``accept``, ``source segments`` and ``target
segments`` (0-based segment indices, as in the beads notation), and
``checksum`` (hidden in the XLSX; see below). Null beads are rows too, with
one side empty, so omissions and additions are seen, not hidden. A side made
of several segments holds one segment per line.

The checksum tells on import what the reviewer did to a row (:func:`row_checksum`:
a hash of the row's source and target text as written, and of its pre-filled
*accept*). Each accepted row becomes a unit with the prop ``x-review``:
``edited`` (its text differs from what the aligner paired; the unit also gets
``changedate`` and ``changeid``, the reviewer), ``confirmed`` (accepted by the
reviewer as the aligner paired it), ``pre-accepted`` (accepted by the pre-fill
and left so). ``x-alignment-score`` and ``x-flags`` stay the aligner's, for the
pair it proposed. A sheet written before the checksum column existed still
imports: its units are marked ``reviewed`` (accepted; edits cannot be told),
and a warning says so. A row the reviewer added (no checksum) is ``edited``.

The *accept* column is pre-filled ``yes`` when the bead is two-sided, scores at
least :data:`ACCEPT_MIN_SCORE` and carries no flag; every other row is left
empty for the reviewer to decide. On import, ``yes``, ``y``, ``1``, ``true``
and ``x`` (any case) accept a row.

Spreadsheet programs run cells that start with ``=``, ``+``, ``-`` or ``@`` as
formulas (OWASP adds a tab and a carriage return). In the XLSX every text cell
is stored as a string, never a formula. In the TSV such a text gets a leading
apostrophe (Excel's "text" mark), and so does every text that itself starts
with an apostrophe; the importer removes exactly one leading apostrophe from a
text cell. So the scheme is exact, any text comes back as it was:
``''Nhà mới''`` is written ``'''Nhà mới''`` and read back unchanged. (Typing a
text that starts with an apostrophe into the TSV by hand takes two, as in Excel.)

Reading a sheet back is bounded, because a review file comes from outside. The
file is read through :func:`align.common.files.read_bounded` (a regular file of
at most :data:`MAX_REVIEW_BYTES`: a FIFO or ``/dev/zero`` is refused at once).
An XLSX is checked as a zip archive before openpyxl sees it: its parts, their
declared and their actually unpacked sizes, their compression ratio and the
number of sheets (the ``MAX_XLSX_*`` limits). The cells read are bounded in
rows (:data:`MAX_SHEET_ROWS`) and in characters (:data:`MAX_SHEET_TEXT`: shared
strings let a small sheet repeat one long text). A formula in a column the
importer reads is refused, not guessed at (see :func:`_cell_value`). The review
sheet is the worksheet whose first row names the columns, wherever it is in
the workbook.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from align.common.atomic import atomic_write, copy_for_append
from align.common.errors import AlignError, InputError, OutputError, UsageError
from align.common.files import MAX_FILE_BYTES, read_bounded
from align.common.languages import canonical_code
from align.common.model import Alignment, Bead, Document, Segment
from align.common.zips import ZipRules, check_zip_archive
from align.formats.base import AlignedPair, OutputOptions
from align.formats.tmx import DOCTYPE, NO_SPACE_LANGS, clean_text, language_code, write_tmx
from align.formats.tmx.props import set_prop
from align.formats.tmx.read import parse_tmx, seg_text

#: A bead is pre-accepted when it is two-sided, scores at least this and has no flag.
ACCEPT_MIN_SCORE = 0.5
#: Values of the accept column that accept a row (compared case-insensitively).
ACCEPT_VALUES = frozenset({"yes", "y", "1", "true", "x"})
ACCEPT_RULE = (
    f"accept is pre-filled 'yes' for two-sided beads with score >= {ACCEPT_MIN_SCORE} and no flag; "
    f"rows whose accept is {', '.join(sorted(ACCEPT_VALUES))} (any case) go into the TMX on import"
)

HEADERS = ("bead", "source", "target", "score", "type", "flags", "accept", "source segments", "target segments",
           "checksum")
REQUIRED = ("source", "target", "accept")
_LANG_HEADER = re.compile(r"^(source|target)\s*(?:\(\s*([A-Za-z0-9_-]+)\s*\))?$")
#: A TSV text cell starting with one of these gets a leading apostrophe: the formula starts
#: (OWASP's list: = + - @ tab CR) and the apostrophe itself, so that unescaping is exact.
_ESCAPE_START = ("=", "+", "-", "@", "\t", "\r", "'")
XLSX_CELL_MAX = 32767  # Excel's limit on the characters of one cell
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# Limits on a review sheet read back (module constants, so that a test can lower them).
#: The file itself, TSV or XLSX, on disk.
MAX_REVIEW_BYTES = MAX_FILE_BYTES
#: All parts of an XLSX together, unpacked (declared sizes, then what is actually inflated).
MAX_XLSX_UNPACKED = 256 * 2**20
#: Unpacked : packed size of one part over ``XLSX_RATIO_GRACE`` (spreadsheets write far less; Apache POI uses 100 too).
MAX_XLSX_RATIO = 100
XLSX_RATIO_GRACE = 2**20
#: Parts of the zip archive (a workbook has a few dozen) and sheets in the workbook.
MAX_XLSX_PARTS = 4096
MAX_XLSX_SHEETS = 256
#: Rows of the review sheet (Excel's own limit) and header cells looked at.
MAX_SHEET_ROWS = 1_048_576
MAX_HEADER_COLUMNS = 256
#: Characters in the cells read from an XLSX: a shared string is stored once but counts each time a cell uses it.
MAX_SHEET_TEXT = 64 * 2**20
_HINT_SPLIT = "split the review into smaller sheets, one per document"
_HINT_RESAVE = "open it in Excel or LibreOffice and save it again, or save the sheet as TSV"


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
    checksum: str = ""  # row_checksum of the row as written ("" in a sheet without the column, or a row added)

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
    checked: bool = False  # the sheet has the checksum column: edited rows can be told


@dataclass(frozen=True)
class ImportResult:
    """What ``import_review`` did, for the CLI to say.

    ``marks``: the new units by ``x-review`` value (``edited``, ``confirmed``,
    ``pre-accepted``; ``reviewed`` for a sheet without checksums).
    """

    rows: int
    accepted: int
    one_sided: int  # accepted rows skipped because a side is empty
    tus_written: int
    duplicates: int
    kept_existing: int
    warnings: tuple[str, ...] = ()
    marks: tuple[tuple[str, int], ...] = ()


# --------------------------------------------------------------------------- rows


def default_accept(bead: Bead) -> bool:
    """The pre-filled verdict: two-sided, score >= ACCEPT_MIN_SCORE, no flag."""
    return not bead.is_null and bead.score >= ACCEPT_MIN_SCORE and not bead.flags


def _side(segments: Sequence[Segment], idx: Sequence[int]) -> str:
    return "\n".join(clean_text(segments[i].text)[0] for i in idx)


def row_checksum(source: str, target: str, accept: str) -> str:
    """16 hex digits of SHA-256 over a row's text and its pre-filled accept: what the sheet holds in ``checksum``.

    The text is compared as the TMX would hold it (lines stripped, NFC, spaces
    collapsed), so a spreadsheet that saves line breaks as CR LF or adds a
    trailing space does not make a row "edited". The pre-filled accept is in
    the hash so that an import tells a row the reviewer accepted from one the
    pre-fill accepted (``review_state``).
    """
    def norm(text: str) -> str:
        return clean_text(" ".join(_lines(text)))[0]

    blob = "\x1f".join((norm(source), norm(target), accept.strip().lower()))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def review_state(row: ReviewRow, *, checked: bool) -> str:
    """The ``x-review`` of an accepted row: ``edited``, ``confirmed``, ``pre-accepted``, or ``reviewed`` (no checksums)."""
    if not checked:
        return "reviewed"
    if row.checksum == row_checksum(row.source, row.target, "yes"):
        return "pre-accepted"
    if row.checksum == row_checksum(row.source, row.target, ""):
        return "confirmed"
    return "edited"


def review_rows(alignment: Alignment) -> list[ReviewRow]:
    """One row per bead, in document order, null beads included, each with its checksum."""
    rows = []
    for k, b in enumerate(alignment.beads):
        source, target = _side(alignment.src, b.src), _side(alignment.tgt, b.tgt)
        accept = "yes" if default_accept(b) else ""
        rows.append(ReviewRow(
            bead=k + 1, source=source, target=target, score=float(b.score), type=b.kind, flags=tuple(b.flags),
            accept=accept, src_segments=tuple(b.src), tgt_segments=tuple(b.tgt),
            checksum=row_checksum(source, target, accept),
        ))
    return rows


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


def tsv_escape(text: str) -> str:
    """Text a spreadsheet will not run as a formula; :func:`tsv_unescape` gives it back exactly.

    A leading apostrophe is added to a text starting with ``= + - @``, a tab or a
    carriage return (the formula starts OWASP lists), or with an apostrophe (so
    that a text of the reviewer's never loses its own).
    """
    return "'" + text if text.startswith(_ESCAPE_START) else text


def tsv_unescape(cell: str) -> str:
    """The text of a TSV text cell: one leading apostrophe removed (the inverse of :func:`tsv_escape`)."""
    return cell[1:] if cell.startswith("'") else cell


def _tsv_bytes(header: list[str], rows: list[ReviewRow]) -> bytes:
    """UTF-8 with a BOM (so Excel reads Vietnamese right), tab-separated, quoted where needed."""
    buf = io.StringIO()
    w = csv.writer(buf, dialect="excel-tab", lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([
            r.bead, tsv_escape(r.source), tsv_escape(r.target), f"{r.score:.3f}" if r.score is not None else "",
            r.type, ", ".join(r.flags), r.accept, _indices(r.src_segments), _indices(r.tgt_segments), r.checksum,
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
    for n, r in enumerate(rows, start=2):  # n: the sheet row (ws.max_row would scan every cell, each row)
        values = [r.bead, r.source, r.target, r.score, r.type, ", ".join(r.flags), r.accept,
                  _indices(r.src_segments), _indices(r.tgt_segments), r.checksum]
        ws.append(values)
        for col, value in enumerate(values, start=1):
            cell = ws.cell(n, col)
            if isinstance(value, str):
                if len(value) > XLSX_CELL_MAX:
                    raise OutputError(f"bead {r.bead} has {len(value)} characters on one side, over Excel's "
                                      f"{XLSX_CELL_MAX} per cell", hint="write the review as TSV instead")
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.alignment = wrap if col in (2, 3, 6) else top
        ws.cell(n, 4).number_format = "0.000"
    widths = (7, 60, 60, 8, 6, 24, 8, 10, 10, 18)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.column_dimensions[get_column_letter(HEADERS.index("checksum") + 1)].hidden = True  # for the import, not the reviewer
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
        ("checksum", "the hidden last column of the review sheet tells the import which rows were edited: keep it"),
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
    """Read a review sheet (XLSX, TSV, or CSV saved from a spreadsheet); InputError if it is not one.

    Every read is bounded (see the module docstring): a hostile file gives one
    InputError naming the limit, never a hang, a MemoryError or a TMX blown up
    from a few kilobytes.
    """
    path = os.fspath(path)
    fmt = _format_of(path)
    body: list[tuple[int, list[Any]]]
    if fmt == "xlsx":
        header, body, info = _read_xlsx(path)
    else:
        table = _read_delimited(path, "\t" if fmt == "tsv" else ",")
        header = table[0] if table else None
        body, info = list(enumerate(table[1:], start=2)), {}
    if header is None:
        raise InputError("the sheet is empty: no header row", path=path, hint="give the file written by --review-xlsx/--review-tsv")
    cols, langs = _columns(header, path)
    rows = [_row(raw, cols, path, n, unquote=fmt != "xlsx") for n, raw in body if any(_text(v) != "" for v in raw)]
    return ReviewSheet(
        path, rows, langs.get("source") or info.get("source language"), langs.get("target") or info.get("target language"),
        info.get("source document"), info.get("target document"), checked="checksum" in cols,
    )


#: A sheet as read: header row (None: an empty sheet), rows (row number, cells), info sheet (key -> value).
_Sheet = tuple[list[Any] | None, list[tuple[int, list[Any]]], dict[str, str]]


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _not_xlsx(path: str, e: BaseException) -> InputError:
    return InputError(f"not an Excel .xlsx workbook ({type(e).__name__}: {_short(str(e))})", path=path,
                      hint="give the .xlsx written by --review-xlsx, saved from Excel or LibreOffice")


# ``<sheet .../>`` (any namespace prefix) is how a workbook lists its sheets; ``<sheetData>`` and the like do not match.
_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?sheet[\s/>]")


def _check_xlsx_archive(data: bytes, path: str) -> None:
    """Refuse a zip bomb before openpyxl inflates anything (:func:`align.common.zips.check_zip_archive`).

    Besides the parts and their sizes, the workbook's ``<sheet>`` entries are
    counted: openpyxl opens each sheet on loading, so a few kilobytes listing
    the same sheet 20,000 times would take it minutes. The limits are read at
    each call, so a test can lower them.
    """
    rules = ZipRules(
        max_parts=MAX_XLSX_PARTS, max_unpacked=MAX_XLSX_UNPACKED, max_ratio=MAX_XLSX_RATIO, ratio_grace=XLSX_RATIO_GRACE,
        what="a workbook a spreadsheet program writes", hint_resave=_HINT_RESAVE, hint_split=_HINT_SPLIT,
        tag=_SHEET_TAG, max_tags=MAX_XLSX_SHEETS, tag_error=f"lists more than {MAX_XLSX_SHEETS} sheets",
        tag_hint="keep the review sheet in a workbook of its own",
    )
    check_zip_archive(data, path, rules, damaged=lambda e: _not_xlsx(path, e))


def _read_xlsx(path: str) -> _Sheet:
    """The review sheet's header (only the columns the importer reads), its rows (row number, cells) and the info sheet."""
    data = read_bounded(path, limit=MAX_REVIEW_BYTES, what="review sheet", hint_large=_HINT_SPLIT)
    _check_xlsx_archive(data, path)
    with warnings.catch_warnings():  # openpyxl warns of the workbook features it drops: none is read here
        warnings.simplefilter("ignore")
        return _read_workbook(data, path)


def _read_workbook(data: bytes, path: str) -> _Sheet:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except MemoryError:
        raise
    except Exception as e:  # openpyxl on a damaged workbook raises many kinds; the archive itself was checked
        raise _not_xlsx(path, e) from e
    try:
        ws, header = _review_sheet(wb, path)
        if header is None:
            return None, [], {}
        cols, _ = _columns(header, path)
        names = {cols[name]: name for name in HEADERS if name in cols}
        used = sorted(names)
        body = list(_sheet_rows(ws, used, names, path))
        return [header[k] for k in used], body, _info(wb, ws)
    except (AlignError, MemoryError):
        raise
    except Exception as e:
        raise _not_xlsx(path, e) from e
    finally:
        wb.close()


def _review_sheet(wb: Any, path: str) -> tuple[Any, list[Any] | None]:
    """The worksheet whose first row names the columns, wherever it is in the workbook, and that row.

    Refused when none has it (naming the sheets seen) or when several do (which
    one holds the reviewer's verdicts is not for us to guess). A workbook of one
    sheet gives that sheet, for the caller to say which columns it lacks.
    """
    sheets = wb.worksheets
    if not sheets:
        raise InputError("the workbook has no worksheet", path=path, hint="give the .xlsx written by --review-xlsx")
    found, headers = [], []
    parts: dict[str, str] = {}
    for ws in sheets:
        part = getattr(ws, "_worksheet_path", None)  # two sheets on one part would be read twice
        if part is not None:
            if part in parts:
                raise InputError(f"sheets {_short(parts[part], 40)!r} and {_short(ws.title, 40)!r} are one part: "
                                 "not a workbook a spreadsheet program writes", path=path, hint=_HINT_RESAVE)
            parts[part] = ws.title
        ws.reset_dimensions()  # a wrong <dimension> would cut rows off, or pad every row to its width
        header = _first_row(ws)
        headers.append(header)
        if header is not None and _has_columns(header):
            found.append((ws, header))
    if len(found) == 1:
        return found[0]
    if len(sheets) == 1:
        return sheets[0], headers[0]

    def listing(titles: list[str]) -> str:
        shown = ", ".join(repr(_short(t, 40)) for t in titles[:10])
        return shown + (f" and {len(titles) - 10} more" if len(titles) > 10 else "")

    if found:
        raise InputError(f"{len(found)} sheets have a review header row ({listing([ws.title for ws, _ in found])}): "
                         "which one to import is not clear", path=path,
                         hint="delete the other sheets, or save the one to import as a workbook of its own")
    raise InputError(f"no sheet has a header row naming the columns {', '.join(REQUIRED)} "
                     f"(sheets: {listing([ws.title for ws in sheets])})", path=path,
                     hint="give the .xlsx written by --review-xlsx; the first row of its review sheet names the columns")


def _first_row(ws: Any) -> list[Any] | None:
    """The first row's values (at most MAX_HEADER_COLUMNS, trailing empty cells dropped); None for an empty sheet."""
    rows = ws.iter_rows(min_row=1, max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True)
    first = next(rows, None)
    rows.close()
    if first is None:
        return None
    values = list(first)
    while values and values[-1] is None:
        values.pop()
    return values


def _sheet_rows(ws: Any, used: list[int], names: dict[int, str], path: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values of the columns ``used``) for each row below the header, bounded in rows and characters."""
    chars = 0
    for n, row in enumerate(ws.iter_rows(min_row=2, max_col=used[-1] + 1), start=2):
        if n > MAX_SHEET_ROWS:
            raise InputError(f"sheet {_short(ws.title, 40)!r} has more than {MAX_SHEET_ROWS} rows", path=path,
                             hint=_HINT_SPLIT)
        values = [_cell_value(row[k], names[k], n, path) for k in used]
        chars += sum(len(v) for v in values if isinstance(v, str))
        if chars > MAX_SHEET_TEXT:
            raise InputError(f"the sheet's cells hold more than {MAX_SHEET_TEXT} characters (by row {n}; the limit "
                             "counts a shared text each time a cell repeats it)", path=path, hint=_HINT_SPLIT)
        yield n, values


def _cell_value(cell: Any, name: str, row: int, path: str) -> Any:
    """The value of a cell the importer reads; a formula or an error value is refused.

    Why not the formula's cached result: a workbook written by a program other
    than a spreadsheet (openpyxl included) carries none, so the cell read as
    empty and the row was reported as "one side empty"; and a reference to
    another row (``=B12``) points elsewhere once the reviewer sorts the sheet,
    which the importer otherwise allows. The TMX gets the text the sheet holds,
    so the reviewer is asked to turn formulas into values.
    """
    if cell.data_type == "f":
        formula = str(getattr(cell.value, "text", cell.value))
        raise InputError(f"row {row}: the {name} cell holds a formula ({_short(formula, 40)}), not text", path=path,
                         hint="a review sheet must hold text: copy the cells, paste them as values only, and save")
    if cell.data_type == "e":
        raise InputError(f"row {row}: the {name} cell holds the error value {_short(str(cell.value), 20)}, not text",
                         path=path, hint="a review sheet must hold text: type the text into the cell, and save")
    return cell.value


def _info(wb: Any, review: Any) -> dict[str, str]:
    """The info sheet's key -> value rows (documents and languages), its first hundred rows at most."""
    info: dict[str, str] = {}
    for ws in wb.worksheets:
        if ws.title != "info" or ws is review:
            continue
        ws.reset_dimensions()
        for k, r in enumerate(ws.iter_rows(max_col=2, values_only=True)):
            if k >= 100:
                break
            if r[0] is not None:
                info[_text(r[0]).lower()] = _text(r[1])
        break
    return info


def _decode(data: bytes, path: str) -> str:
    """UTF-8 (BOM or not), or the UTF-16 Excel writes as "Unicode Text"."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 or UTF-16 text ({e.reason} at byte {e.start})", path=path,
                         hint="save the sheet as UTF-8 TSV (or as .xlsx)") from e


def _read_delimited(path: str, delimiter: str) -> list[list[str]]:
    data = read_bounded(path, limit=MAX_REVIEW_BYTES, what="review sheet", hint_large=_HINT_SPLIT)
    if data.startswith(b"PK\x03\x04"):
        raise InputError("this is a zip archive (an .xlsx?), not tab-separated text", path=path,
                         hint="name it .xlsx, or save the sheet as TSV")
    text = _decode(data, path)
    if "\x00" in text:
        raise InputError("binary data, not tab-separated text", path=path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [list(r) for r in reader]
    except csv.Error as e:  # a cell over csv's field limit (131072 characters)
        raise InputError(f"line {reader.line_num}: {e}", path=path, hint="is it a review sheet saved as TSV?") from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip("\r\n")


def _column_name(raw: Any) -> tuple[str, str | None]:
    """A header cell as a column name (``source (vi)`` -> ``source``) and the language it names, if any."""
    name = " ".join(_text(raw).strip().lower().split())
    if m := _LANG_HEADER.match(name):
        return m.group(1), m.group(2)
    return name, None


def _has_columns(header: list[Any]) -> bool:
    names = {_column_name(raw)[0] for raw in header}
    return all(c in names for c in REQUIRED)


def _columns(header: list[Any], path: str) -> tuple[dict[str, int], dict[str, str]]:
    """Column name -> position, and the languages named in ``source (vi)`` / ``target (id)``."""
    cols: dict[str, int] = {}
    langs: dict[str, str] = {}
    for k, raw in enumerate(header):
        name, lang = _column_name(raw)
        if lang:
            langs[name] = lang
        if name and name not in cols:
            cols[name] = k
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        found = ", ".join(_text(h) for h in header if _text(h)) or "nothing"
        raise InputError(
            f"missing column(s) {', '.join(missing)} in the header row (found: {_short(found, 200)})", path=path,
            hint="the first row must name the columns: bead, source, target, score, type, flags, accept",
        )
    return cols, langs


def _row(raw: list[Any], cols: dict[str, int], path: str, line: int, *, unquote: bool) -> ReviewRow:
    def get(name: str) -> str:
        k = cols.get(name)
        return _text(raw[k]) if k is not None and k < len(raw) else ""

    def text(name: str) -> str:
        return tsv_unescape(get(name)) if unquote else get(name)

    def number(name: str) -> float | None:
        k = cols.get(name)
        v = raw[k] if k is not None and k < len(raw) else None
        if v is None or _text(v).strip() == "":
            return None
        try:
            x = float(str(v).strip().replace(",", "."))
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            raise InputError(f"row {line}: {name} {_short(_text(v), 40)!r} is not a number", path=path) from None
        return x

    def indices(name: str) -> tuple[int, ...]:
        found = re.findall(r"[0-9]+", get(name))
        if any(len(x) > 18 for x in found):
            raise InputError(f"row {line}: {name} {_short(get(name), 40)!r} is not a list of segment numbers", path=path)
        return tuple(int(x) for x in found)

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
        checksum=get("checksum").strip().lower(),
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


def _accepted_pairs(sheet: ReviewSheet) -> list[tuple[list[str], list[str], ReviewRow]]:
    """The accepted rows in bead order, each with its source and target lines (either may be empty)."""
    accepted = [r for r in sheet.rows if r.accepted]
    if all(r.bead is not None for r in accepted):
        accepted.sort(key=lambda r: r.bead or 0)  # every bead is numbered here (the "or" is for the type checker)
    return [(_lines(r.source), _lines(r.target), r) for r in accepted]


def review_alignment(sheet: ReviewSheet, src_lang: str, tgt_lang: str) -> tuple[Alignment, int]:
    """The accepted two-sided rows as an Alignment (in bead order), and how many accepted rows were one-sided."""
    pairs = _accepted_pairs(sheet)
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


def _sheet_language(lang: str | None, side: str, path: str) -> str | None:
    """A language the sheet names (header or info sheet): a wrong one is the file's fault (InputError), not the command line's."""
    if lang is not None:
        try:
            canonical_code(lang)
        except UsageError as e:
            raise InputError(f"the {side} language {_short(lang, 40)!r} the sheet names is not a language code "
                             f"({e.message})", path=path, hint=f"fix the header, or pass --{side[:3]}-lang") from None
    return lang


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
    changeid: str | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Write the accepted rows of a review sheet as a TMX (via ``write_tmx``), each unit marked with ``x-review``.

    Languages: the arguments, else the sheet header (``source (vi)``), else vi/id.
    Each new unit gets ``x-review`` (:func:`review_state`); an ``edited`` one
    also gets ``changedate`` (``now``) and ``changeid`` (``changeid``, else
    ``creationid``). With ``append`` the units already in the TMX are kept
    as they were. The file appears complete or not at all.
    """
    sheet = read_review(path)
    src = src_lang or _sheet_language(sheet.src_lang, "source", sheet.path) or "vi"
    tgt = tgt_lang or _sheet_language(sheet.tgt_lang, "target", sheet.path) or "id"
    al, one_sided = review_alignment(sheet, src, tgt)
    codes = (language_code(src, explicit=src_code, region=region), language_code(tgt, explicit=tgt_code, region=region))
    final = os.fspath(tmx_path)
    folder, name = os.path.split(os.path.abspath(final))
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.part")
    try:
        if append:
            copy_for_append(final, tmp)
        stats = write_tmx(al, tmp, level="sentence", src_code=src_code, tgt_code=tgt_code, region=region,
                          append=append, creationid=creationid, now=now)
        marks = _mark_units(tmp, stats.kept_existing, sheet, codes, changeid or creationid, now)
        if os.path.exists(final):
            os.chmod(tmp, os.stat(final).st_mode & 0o7777)  # the TMX replaced keeps its permissions
        os.replace(tmp, final)
    except OSError as e:
        raise OutputError(f"cannot write the TMX: {e.strerror or e}", path=final) from e
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    warnings = list(stats.warnings)
    if not sheet.checked and stats.tus_written:
        warnings.append(f"{os.path.basename(sheet.path)}: the sheet has no checksum column (written before it "
                        "existed): whether a row was edited cannot be told; its units are marked x-review=reviewed")
    return ImportResult(
        rows=len(sheet.rows), accepted=sum(r.accepted for r in sheet.rows), one_sided=one_sided,
        tus_written=stats.tus_written, duplicates=stats.duplicates, kept_existing=stats.kept_existing,
        warnings=tuple(warnings), marks=tuple(sorted(marks.items())),
    )


def _unit_text(lines: list[str], code: str) -> str:
    """A row side as the TMX unit holds it (segments joined as ``write_tmx`` joins them, then cleaned)."""
    return clean_text(("" if code.split("-")[0] in NO_SPACE_LANGS else " ").join(lines))[0]


def _mark_units(tmx: str, first_new: int, sheet: ReviewSheet, codes: tuple[str, str], changeid: str,
                now: datetime | None) -> dict[str, int]:
    """Give each new unit of ``tmx`` (those after ``first_new``) its row's ``x-review``; count them by value.

    A unit is found by its text: ``write_tmx`` leaves out duplicates and units
    with no text after cleaning, so positions would not match. Of several rows
    with the same text, the first in bead order is the one written (as
    ``write_tmx`` keeps the first), and its state is the unit's.
    """
    by_text: dict[tuple[str, str], ReviewRow] = {}
    for s, t, r in _accepted_pairs(sheet):
        if s and t:
            by_text.setdefault((_unit_text(s, codes[0]), _unit_text(t, codes[1])), r)
    when = now or datetime.now(UTC)
    stamp = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    tree = parse_tmx(tmx)
    marks: dict[str, int] = {}
    for tu in tree.getroot().findall("body/tu")[first_new:]:
        segs = [tuv.find("seg") for tuv in tu.findall("tuv")]
        texts = tuple(clean_text(seg_text(seg))[0] if seg is not None else "" for seg in segs)
        row = by_text.get((texts[0], texts[1])) if len(texts) == 2 else None
        state = review_state(row, checked=sheet.checked) if row is not None else "reviewed"
        set_prop(tu, "x-review", state)
        if state == "edited":
            tu.set("changedate", stamp)
            tu.set("changeid", changeid)
        marks[state] = marks.get(state, 0) + 1
    atomic_write(tmx, etree.tostring(tree.getroot(), encoding="UTF-8", xml_declaration=True, doctype=DOCTYPE) + b"\n")
    return marks
