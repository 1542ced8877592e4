"""Fuzz ``import-review`` inputs, TSV/CSV and XLSX, against their contract (run by hand, not in the suite).

    pip install atheris
    nice -n 10 python tests/fuzz/fuzz_review.py CORPUS_DIR -max_total_time=600 -timeout=20 -max_len=65536 -rss_limit_mb=2048

Each input picks one target with its first byte:

* the bytes as a ``.tsv`` or a ``.csv`` review sheet;
* the bytes as an ``.xlsx`` file (libFuzzer mutates the seed archives);
* a seed workbook with one of its parts (chosen by the second byte: the review
  sheet, the shared strings, the workbook, the info sheet, the content types)
  replaced by the bytes, so that the mutations reach openpyxl's XML reading
  rather than stop at the zip CRC.

``import_review`` must then write a TMX that ``read_tmx`` reads back with as
many units as it reported, every unit with text on both sides, or raise an
``AlignError``: any other exception, a broken TMX, a hang past ``-timeout`` or
memory past ``-rss_limit_mb`` is a crash, saved by libFuzzer as
``crash-*``/``timeout-*``/``oom-*``. Replay one with
``python tests/fuzz/fuzz_review.py crash-...``. ``tests/formats/test_review_fuzz.py``
runs the same checks under hypothesis in the test suite.

:func:`xlsx_bytes` builds a workbook part by part (shared strings, formulas,
any ``<dimension>``, extra parts): the seeds here and the hostile workbooks of
``tests/formats/test_review_safety.py``.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import sys
import tempfile
import zipfile
from typing import Any
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_BOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


class Shared(int):
    """A cell that refers to the shared string of this index."""


class Formula(str):
    """A cell holding this formula (without the ``=``), with no cached value, as openpyxl writes one."""


def _column(k: int) -> str:
    name = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        name = chr(65 + r) + name
    return name


def _cell(ref: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Shared):
        return f'<c r="{ref}" t="s"><v>{int(value)}</v></c>'
    if isinstance(value, Formula):
        return f'<c r="{ref}"><f>{escape(value)}</f></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(rows: list[list[Any]] | dict[int, list[Any]], *, dimension: str | None = None) -> str:
    """A worksheet part: ``rows`` from row 1 on (or {row number: cells}), cells as :func:`_cell` writes them."""
    numbered = rows.items() if isinstance(rows, dict) else enumerate(rows, start=1)
    body = "".join(
        f'<row r="{n}">' + "".join(_cell(f"{_column(k)}{n}", v) for k, v in enumerate(row)) + "</row>"
        for n, row in numbered
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{MAIN}">{dim}<sheetData>{body}</sheetData></worksheet>'


def xlsx_bytes(
    sheets: list[tuple[str, list[list[Any]] | str]],
    *,
    shared: list[str] | str | None = None,
    parts: dict[str, bytes] | None = None,
    sheet_entries: int | None = None,
) -> bytes:
    """A workbook of ``sheets`` (name, rows or a worksheet part's XML), with ``shared`` strings and extra ``parts``.

    ``shared``: the strings of ``xl/sharedStrings.xml`` (or the part's XML);
    ``sheet_entries``: list the first sheet that many times in the workbook part.
    """
    files: dict[str, bytes] = {}
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{CT_BOOK}"/>']
    rels, entries = [], []
    for k, (name, rows) in enumerate(sheets, start=1):
        files[f"xl/worksheets/sheet{k}.xml"] = (rows if isinstance(rows, str) else sheet_xml(rows)).encode("utf-8")
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="{CT_SHEET}"/>')
        rels.append(f'<Relationship Id="rId{k}" Type="{REL}/worksheet" Target="worksheets/sheet{k}.xml"/>')
        entries.append(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{k}" r:id="rId{k}"/>')
    if sheet_entries:
        entries = [f'<sheet name="s{k}" sheetId="{k + 1}" r:id="rId1"/>' for k in range(sheet_entries)]
    if shared is not None:
        sst = shared if isinstance(shared, str) else (
            f'<sst xmlns="{MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">'
            + "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in shared) + "</sst>")
        files["xl/sharedStrings.xml"] = sst.encode("utf-8")
        overrides.append(f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT_SST}"/>')
        rels.append(f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    files["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>").encode()
    files["_rels/.rels"] = (f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                            'Target="xl/workbook.xml"/></Relationships>').encode()
    files["xl/workbook.xml"] = (f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>' + "".join(entries)
                                + "</sheets></workbook>").encode("utf-8")
    files["xl/_rels/workbook.xml.rels"] = (f'<Relationships xmlns="{PKG_REL}">' + "".join(rels)
                                           + "</Relationships>").encode()
    files.update(parts or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


HEADER = ["bead", "source (vi)", "target (id)", "score", "type", "flags", "accept", "source segments", "target segments"]
ROWS = [
    [1, "Hà Nội là thủ đô.", "Hanoi adalah ibu kota.", 0.95, "1-1", "", "yes", "0", "0"],
    [2, "''Nhà mới'' ở Hà Nội.", "'=SUM(A1)' rumus.", 0.8, "1-1", "", "yes", "1", "1"],
    [3, "Câu một.\nCâu hai.", Shared(0), 0.7, "2-1", "drift", "x", "2,3", "2"],
    [4, "Bỏ sót.", "", 0.0, "1-0", "omission", "", "4", ""],
]
INFO = [["source document", "/data/a.vi.txt"], ["target document", "/data/a.id.txt"],
        ["source language", "vi"], ["target language", "id"]]


def seed_xlsx() -> bytes:
    """A small review workbook in the layout ``--review-xlsx`` writes, with a shared string."""
    return xlsx_bytes([("review", [HEADER, *ROWS]), ("info", INFO)], shared=["Kalimat satu dan dua."])


#: The parts a structured input may replace (second byte picks one).
PARTS = ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/worksheets/sheet2.xml",
         "[Content_Types].xml", "xl/_rels/workbook.xml.rels")

TSV_SEEDS = [
    "\ufeff" + "\n".join("\t".join(str(c) for c in row) for row in [HEADER, *ROWS]),
    "source\ttarget\taccept\n'''Nhà''\t'-1\tyes\n\"a\tb\"\tc\ty\n",
    "source,target,accept\n\"Xin chào, bạn\",Halo,y\n",
]


class ContractError(AssertionError):
    """import_review did something its contract does not allow."""


_DIR = tempfile.mkdtemp(prefix="fuzz_review-")
atexit.register(shutil.rmtree, _DIR, True)


def check_import(data: bytes, suffix: str) -> str:
    """Import ``data`` saved as a review file named ``*suffix``: a readable TMX as reported, or an AlignError.

    Returns which (``"tmx"`` or ``"refused"``); anything else raises ContractError.
    """
    from align.common.errors import AlignError
    from align.formats.review import import_review
    from align.formats.tmx import read_tmx

    path, out = os.path.join(_DIR, "review" + suffix), os.path.join(_DIR, "out.tmx")
    with open(path, "wb") as f:
        f.write(data)
    if os.path.exists(out):
        os.remove(out)
    try:
        res = import_review(path, out)
    except AlignError:
        if os.path.exists(out):
            raise ContractError("an error, but a TMX was written") from None
        return "refused"
    tmx = read_tmx(out)
    if len(tmx.tus) != res.tus_written or res.tus_written > res.accepted or res.accepted > res.rows:
        raise ContractError(f"reported {res}, the TMX holds {len(tmx.tus)} units")
    if any(not tu.src.strip() or not tu.tgt.strip() for tu in tmx.tus):
        raise ContractError("a unit with an empty side")
    return "tmx"


def replace_part(seed: bytes, part: str, body: bytes) -> bytes:
    """``seed`` with ``part`` holding ``body`` (added if missing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != part:
                zout.writestr(info, zin.read(info))
        zout.writestr(part, body)
    return out.getvalue()


_SEED = None


def run_one(data: bytes) -> str:
    """Dispatch one fuzz input (also used by tests/formats/test_review_fuzz.py): ``check_import``'s outcome."""
    global _SEED
    if len(data) < 2:
        return "too short"
    choice, flags, body = data[0] % 4, data[1], data[2:]
    if choice == 0:
        return check_import(body, ".tsv" if flags % 2 == 0 else ".csv")
    if choice == 1:
        return check_import(body, ".xlsx")
    if _SEED is None:
        _SEED = seed_xlsx()
    return check_import(replace_part(_SEED, PARTS[flags % len(PARTS)], body), ".xlsx")


def _write_seeds(corpus: str) -> None:
    os.makedirs(corpus, exist_ok=True)
    if os.listdir(corpus):
        return
    seed = seed_xlsx()
    inputs = [bytes([0, k]) + s.encode("utf-8") for k, s in enumerate(TSV_SEEDS)] + [bytes([1, 0]) + seed]
    with zipfile.ZipFile(io.BytesIO(seed)) as z:
        inputs += [bytes([2, k]) + z.read(part) for k, part in enumerate(PARTS)]
    for k, data in enumerate(inputs):
        with open(os.path.join(corpus, f"seed-{k:03d}"), "wb") as f:
            f.write(data)


def main() -> None:
    import atheris

    with atheris.instrument_imports(include=["align"]):
        import align.formats.review  # noqa: F401
        import align.formats.tmx  # noqa: F401
    args = list(sys.argv)
    dirs = [a for a in args[1:] if not a.startswith("-") and os.path.isdir(a)]
    if dirs:
        _write_seeds(dirs[0])
    atheris.Setup(args, run_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
