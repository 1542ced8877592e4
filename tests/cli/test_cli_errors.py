"""`align run` on bad input and failing outputs: one clear line, the right exit code, nothing left behind.

Every case runs the real command in-process (``align.cli.main.main``) with the
HashEncoder fake (``--model hash``), and checks the exit code, that stderr is
one line naming the file and the problem (no traceback), and that the output
folder holds no new file: neither the TMX, nor the reports, nor a temporary.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import stat
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from legacy_encodings import encode_cp1258 as _cp1258

import align.common.atomic
import align.formats.tmx
import align.reading.decode
from align.cli.main import main
from align.common.errors import InputError
from align.formats.tmx import read_tmx

DATA = Path(__file__).resolve().parents[1] / "data"

VI_PARAS = [
    "Bộ trưởng Lương Tam Quang hoan nghênh ý tưởng thành lập Trung tâm khu vực của UNODC tại Việt Nam.",
    "Đây sẽ là bước đi quan trọng, góp phần nâng cao vai trò và vị thế của Việt Nam trên trường quốc tế.",
    "Hai bên nhất trí tăng cường hợp tác trong phòng, chống tội phạm mạng và ma túy.",
]
ID_PARAS = [
    "Menteri Luong Tam Quang menyambut baik gagasan untuk mendirikan Pusat Regional UNODC di Vietnam.",
    "Ini akan menjadi langkah penting yang berkontribusi pada peningkatan peran Vietnam di komunitas internasional.",
    "Kedua belah pihak sepakat untuk memperkuat kerja sama dalam mencegah kejahatan siber dan narkoba.",
]
VI_TEXT = "\n\n".join(VI_PARAS) + "\n"
ID_TEXT = "\n\n".join(ID_PARAS) + "\n"


@pytest.fixture(autouse=True)
def _no_env_cache(monkeypatch):
    monkeypatch.delenv("ALIGN_EMBED_CACHE", raising=False)


@pytest.fixture
def dirs(tmp_path):
    """(input folder, output folder), both empty."""
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    out.mkdir()
    return inp, out


def align_run(capsys, *args) -> tuple[int, str]:
    """Run ``align run ARGS --model hash``; return (exit code, stderr)."""
    try:
        main(["run", *map(str, args), "--model", "hash"])
        code = 0
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr().err


def assert_one_line_error(code: int, err: str, expected: int, *needles: str) -> str:
    assert code == expected, err
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("align: error: "), line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def assert_untouched(folder: Path, before: dict[str, bytes] | None = None) -> None:
    """The folder holds exactly what it held before the run (no new output, no temporary)."""
    now = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert now == (before or {}), sorted(now)


def write_pair(inp: Path, src: bytes | str = VI_TEXT, tgt: bytes | str = ID_TEXT,
               names: tuple[str, str] = ("src.txt", "tgt.txt")) -> tuple[Path, Path]:
    paths = inp / names[0], inp / names[1]
    for p, data in zip(paths, (src, tgt)):
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return paths


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><w:body><w:p><w:t>" + VI_PARAS[0] + "</w:t></w:p></w:body></w:document>")
    return buf.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
BAD_UTF8_AT = len(VI_TEXT.encode("utf-8")) // 2 // 10 * 10


def _bad_utf8() -> tuple[bytes, int]:
    data = bytearray(VI_TEXT.encode("utf-8"))
    # put the damage on an ASCII position so the rest stays valid UTF-8
    k = next(i for i in range(BAD_UTF8_AT, len(data)) if data[i] == 0x20)
    data[k] = 0xFF
    return bytes(data), k


TMX_TEXT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">\n'
    '<header creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" srclang="vi" datatype="plaintext"/>\n'
    "<body>\n"
    + "".join(f'<tu><tuv xml:lang="vi"><seg>{v}</seg></tuv><tuv xml:lang="id"><seg>{i}</seg></tuv></tu>\n'
              for v, i in zip(VI_PARAS, ID_PARAS))
    + "</body>\n</tmx>\n"
)

# (case id, bytes of the bad file or a callable that makes it at a path, file name, needles in the message)
BAD_INPUTS = [
    ("missing", lambda p: None, "x.txt", ["file not found"]),
    ("folder", lambda p: p.mkdir(), "x.txt", ["is a folder"]),
    ("empty", b"", "x.txt", ["is empty"]),
    ("whitespace", b"  \n\t\r\n \n", "x.txt", ["only whitespace"]),
    # DOCX, ODT and PDF are read (tests/reading/test_office*.py); a damaged or encrypted one is refused
    ("damaged pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "x.pdf", ["not a readable PDF"]),
    ("damaged docx", docx_bytes(), "x.docx", ["not a readable Word .docx document"]),
    ("encrypted docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "x.docx", ["old Microsoft Office file", "password"]),
    ("png renamed .txt", PNG, "x.txt", ["looks like a PNG image"]),
    ("nul bytes", VI_TEXT.encode("utf-8")[:40] + b"\x00\x00" + VI_TEXT.encode("utf-8")[40:], "x.txt",
     ["NUL bytes", "offset 40"]),
    ("invalid utf-8", _bad_utf8()[0], "x.txt", ["not valid UTF-8", f"offset {_bad_utf8()[1]}"]),
    ("html without text", b"<html><head><title>T</title></head><body><nav>Menu</nav><script>x=1</script></body></html>",
     "x.html", ["no visible text"]),
    ("tmx as a document", TMX_TEXT.encode("utf-8"), "x.tmx", ["is a TMX file", "not a document"]),
    ("truncated tmx as a document", TMX_TEXT.encode("utf-8")[:200], "x.txt", ["is a TMX file"]),
]


@pytest.mark.parametrize("side", ["src", "tgt"])
@pytest.mark.parametrize("case,make,name,needles", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_one_line_and_exit_3(capsys, dirs, side, case, make, name, needles):
    inp, out = dirs
    good_src, good_tgt = write_pair(inp)
    bad = inp / f"bad-{name}"
    if callable(make):
        make(bad)
    else:
        bad.write_bytes(make)
    src, tgt = (bad, good_tgt) if side == "src" else (good_src, bad)
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx", "--src-lang", "vi", "--tgt-lang", "id")
    line = assert_one_line_error(code, err, 3, str(bad), *needles)
    assert "(" in line and line.endswith(")"), "a hint in parentheses: " + line
    assert_untouched(out)


def test_one_side_empty_names_that_side(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp, VI_TEXT, b"")
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx")
    line = assert_one_line_error(code, err, 3, str(tgt), "is empty")
    assert str(src) not in line
    assert_untouched(out)


def test_unreadable_file_simulated(capsys, dirs, monkeypatch):
    """Root ignores permission bits, so the denial is simulated where the reader opens the file."""
    inp, out = dirs
    src, tgt = write_pair(inp)
    real_open = os.open

    def fake_open(file, *a, **k):
        if os.fspath(file) == str(tgt):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *a, **k)

    monkeypatch.setattr(os, "open", fake_open)
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx")
    assert_one_line_error(code, err, 3, str(tgt), "permission denied", "read permission")
    assert_untouched(out)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_for_real(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp)
    src.chmod(0)
    try:
        code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx")
    finally:
        src.chmod(0o644)
    assert_one_line_error(code, err, 3, str(src), "permission denied")
    assert_untouched(out)


def test_input_over_the_size_limit_is_refused_before_reading(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp)
    with open(src, "r+b") as f:  # sparse: costs no disk and no time
        f.truncate(align.reading.decode.MAX_INPUT_BYTES + 2**20)
    start = time.perf_counter()
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx")
    assert time.perf_counter() - start < 5
    assert_one_line_error(code, err, 3, str(src), "too large", "limit is 64 MB", "split it")
    assert_untouched(out)


def test_swapped_languages_are_refused_then_forced(capsys, dirs):
    inp, out = dirs
    src, tgt = inp / "src.txt", inp / "tgt.txt"
    src.write_bytes((DATA / "seed_vietnamvn_id.txt").read_bytes())  # Indonesian given as the original
    tgt.write_bytes((DATA / "seed_vietnamvn_vi.txt").read_bytes())
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx", "--no-report")
    assert_one_line_error(code, err, 3, str(src), "looks like Indonesian (id), not Vietnamese (vi)", "--force")
    assert_untouched(out)
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx", "--no-report", "--force")
    assert code == 0, err
    assert read_tmx(out / "out.tmx").tus


# --- inputs that must succeed -------------------------------------------------------


def _succeed(capsys, src: Path, tgt: Path, out: Path, *extra: str) -> tuple[str, list]:
    tmx = out / "out.tmx"
    code, err = align_run(capsys, src, tgt, "-o", tmx, "--no-report", *extra)
    assert code == 0, err
    assert "Traceback" not in err
    tus = read_tmx(tmx).tus
    assert tus
    assert sorted(p.name for p in out.iterdir()) == ["out.tmx"]  # no temporaries left
    return err, tus


def test_utf8_bom(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp, codecs.BOM_UTF8 + VI_TEXT.encode("utf-8"), codecs.BOM_UTF8 + ID_TEXT.encode("utf-8"))
    _, tus = _succeed(capsys, src, tgt, out)
    assert tus[0].src == VI_PARAS[0] and tus[0].tgt == ID_PARAS[0]  # no BOM character in the text


@pytest.mark.parametrize("codec,bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_utf16_with_bom(capsys, dirs, codec, bom):
    inp, out = dirs
    src, tgt = write_pair(inp, bom + VI_TEXT.replace("\n", "\r\n").encode(codec), bom + ID_TEXT.encode(codec))
    _, tus = _succeed(capsys, src, tgt, out)
    assert {t.src for t in tus} <= set(VI_PARAS) and tus[0].src == VI_PARAS[0]


def test_windows_1258_succeeds_with_a_warning_naming_it(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp, _cp1258(VI_TEXT))
    err, tus = _succeed(capsys, src, tgt, out)
    warning = [line for line in err.splitlines() if "warning" in line and "cp1258" in line]
    assert warning, err
    assert tus[0].src == VI_PARAS[0]


def test_mixed_line_endings(capsys, dirs):
    inp, out = dirs
    vi = VI_PARAS[0] + "\r\n\r\n" + VI_PARAS[1] + "\r" + VI_PARAS[2] + "\n"
    idn = ID_PARAS[0] + "\n\r\n" + ID_PARAS[1] + "\r\n" + ID_PARAS[2]
    src, tgt = write_pair(inp, vi, idn)
    _, tus = _succeed(capsys, src, tgt, out)
    assert all("\r" not in t.src and "\r" not in t.tgt for t in tus)
    assert [t.src for t in tus] == VI_PARAS


def test_nfd_vietnamese_is_nfc_in_the_tmx(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp, unicodedata.normalize("NFD", VI_TEXT))
    err, tus = _succeed(capsys, src, tgt, out)
    assert "NFC" in err
    assert [t.src for t in tus] == VI_PARAS
    assert all(unicodedata.is_normalized("NFC", t.src) for t in tus)


def test_malformed_html_succeeds(capsys, dirs):
    inp, out = dirs
    vi = "<p>" + VI_PARAS[0] + "<p>" + VI_PARAS[1] + "<div><b>" + VI_PARAS[2]  # unclosed, no html/body
    idn = "<html><p>" + ID_PARAS[0] + "</div><p>" + ID_PARAS[1] + "<li>" + ID_PARAS[2] + "</i></p>"
    src, tgt = write_pair(inp, vi, idn, names=("vi-page.html", "id-page.html"))
    _, tus = _succeed(capsys, src, tgt, out, "--src-lang", "vi", "--tgt-lang", "id")
    assert [t.src for t in tus] == VI_PARAS and [t.tgt for t in tus] == ID_PARAS


def _one_line(paras: list[str], sentences: int) -> str:
    """About 1 MB without a line break: ``sentences`` very long sentences (clauses joined by commas)."""
    clause = ", ".join(p.rstrip(".") for p in paras)
    per = 1_000_000 // sentences // (len(clause.encode()) + 2) + 1
    return " ".join(", ".join([clause] * per) + "." for _ in range(sentences))


def test_one_megabyte_line_completes(capsys, dirs):
    """The reader and segmenter stay linear on a huge line; the TMX warns about over-long segments."""
    inp, out = dirs
    src, tgt = write_pair(inp, _one_line(VI_PARAS, 300), _one_line(ID_PARAS, 300))
    assert src.stat().st_size > 1_000_000 and b"\n" not in src.read_bytes()
    start = time.perf_counter()
    _, tus = _succeed(capsys, src, tgt, out)
    assert time.perf_counter() - start < 60
    assert len(tus) >= 1 and max(len(t.src) for t in tus) > 2_000  # each sentence is ~2,800 characters


# --- outputs ------------------------------------------------------------------------


def test_output_in_missing_folder_fails_before_any_work(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp)
    target = out / "no" / "such" / "out.tmx"
    start = time.perf_counter()
    code, err = align_run(capsys, src, tgt, "-o", target)
    assert time.perf_counter() - start < 5
    assert_one_line_error(code, err, 5, str(target), "output folder does not exist")
    assert_untouched(out)


def test_output_that_is_a_folder(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp)
    code, err = align_run(capsys, src, tgt, "-o", out)
    assert_one_line_error(code, err, 5, str(out), "is a folder")
    assert_untouched(out)


def test_output_that_is_an_input_is_refused(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp)
    code, err = align_run(capsys, src, tgt, "-o", tgt, "--no-report")
    assert_one_line_error(code, err, 2, str(tgt), "would overwrite an input")
    assert tgt.read_text(encoding="utf-8") == ID_TEXT
    code, err = align_run(capsys, src, tgt, "-o", out / "a.tmx", "--report", src)
    assert_one_line_error(code, err, 2, str(src), "would overwrite an input")
    assert src.read_text(encoding="utf-8") == VI_TEXT
    assert_untouched(out)


def _previous_run(out: Path) -> dict[str, bytes]:
    old = {"out.tmx": b"<old tmx/>", "out.report.html": b"<old report/>", "out.report.json": b"{}"}
    for name, data in old.items():
        (out / name).write_bytes(data)
    return old


def test_read_only_output_folder_simulated(capsys, dirs, monkeypatch):
    """Creating any file in the output folder is denied (as in a read-only place); earlier outputs stay."""
    inp, out = dirs
    src, tgt = write_pair(inp)
    before = _previous_run(out)
    real_open = os.open

    def deny(path, flags, *a, **k):
        if os.path.dirname(os.path.abspath(path)) == str(out) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, *a, **k)

    monkeypatch.setattr(os, "open", deny)
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx")
    monkeypatch.undo()
    assert_one_line_error(code, err, 5, "out.tmx", "Permission denied")
    assert_untouched(out, before)


def test_disk_full_while_writing_the_tmx_keeps_the_previous_file(capsys, dirs, monkeypatch):
    inp, out = dirs
    src, tgt = write_pair(inp)
    before = _previous_run(out)

    def full(fd, data):
        os.write(fd, bytes(data[:100]))  # half a file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(align.common.atomic, "_write_all", full)
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx")
    assert_one_line_error(code, err, 5, "out.tmx", "No space left on device", "disk full")
    assert_untouched(out, before)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to tell which file an fd is")
def test_disk_full_while_writing_the_report_writes_no_output(capsys, dirs, monkeypatch):
    """The TMX is complete when the report fails: still, the run leaves all outputs as they were."""
    inp, out = dirs
    src, tgt = write_pair(inp)
    before = _previous_run(out)
    real_fsync = os.fsync

    def fsync(fd):
        if "report.html" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx")
    monkeypatch.undo()
    assert_one_line_error(code, err, 5, "out.report.html", "No space left on device")
    assert_untouched(out, before)


def test_successful_run_replaces_every_output(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp)
    before = _previous_run(out)
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx", "--beads", out / "out.beads")
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert names == ["out.beads", "out.report.html", "out.report.json", "out.tmx"]
    for name, old in before.items():
        assert (out / name).read_bytes() != old
    assert (out / "out.beads").read_text() == "[0]:[0]\n[1]:[1]\n[2]:[2]\n"


# --- TMX files given to the TMX reader ---------------------------------------------


@pytest.mark.parametrize(
    "content,needles",
    [
        (b"<html><body><p>Bukan TMX</p></body></html>", ["not a TMX file", "<html>"]),
        (b"Just some text, not XML at all.\n", ["not well-formed XML"]),
        (TMX_TEXT.encode("utf-8")[: len(TMX_TEXT) // 2], ["not well-formed XML", "truncated"]),
        (b"", ["not well-formed XML"]),
        (TMX_TEXT.replace('"vi"', '"en"').replace('"id"', '"fr"').encode("utf-8"), ["no unit in language 'vi'", "en, fr"]),
    ],
    ids=["html", "plain text", "truncated", "empty", "other languages"],
)
def test_tmx_reader_refuses_what_is_not_a_usable_tmx(tmp_path, content, needles):
    path = tmp_path / "memory.tmx"
    path.write_bytes(content)
    start = time.perf_counter()
    with pytest.raises(InputError) as e:
        read_tmx(path, src_lang="vi", tgt_lang="id")
    assert time.perf_counter() - start < 2
    msg = str(e.value)
    assert msg.startswith(str(path)) and "\n" not in msg and e.value.exit_code == 3
    for needle in needles:
        assert needle in msg, msg


def test_tmx_reader_missing_languages_for_the_other_side(tmp_path):
    path = tmp_path / "memory.tmx"
    path.write_bytes(TMX_TEXT.replace('"id"', '"ms"').encode("utf-8"))
    with pytest.raises(InputError, match="no unit in language 'id' \\(file has ms, vi\\)"):
        read_tmx(path, src_lang="vi", tgt_lang="id")


def test_interrupt_while_writing_leaves_the_previous_outputs(capsys, dirs, monkeypatch):
    """Ctrl-C after the TMX is written but before the reports: no new file, old ones intact, exit 130."""
    import align.formats.report.payload

    inp, out = dirs
    src, tgt = write_pair(inp)
    before = _previous_run(out)

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(align.formats.report.payload, "write_report", interrupted)
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx")
    assert code == 130 and "interrupted" in err and "Traceback" not in err
    assert_untouched(out, before)


def test_real_process_prints_one_line_and_exits_3(dirs):
    """The installed entry point behaves the same as the in-process runs above (no stray warnings)."""
    import subprocess
    import sys

    inp, out = dirs
    src, _ = write_pair(inp)
    bad = inp / "scan.txt"
    bad.write_bytes(PNG)
    proc = subprocess.run([sys.executable, "-m", "align", "run", str(src), str(bad), "-o", str(out / "o.tmx"),
                           "--model", "hash"], capture_output=True, text=True, timeout=120)
    assert_one_line_error(proc.returncode, proc.stderr, 3, str(bad), "PNG image")
    assert proc.stdout == ""
    assert_untouched(out)


# Issue 19, case 1: an output that is a FIFO or a device is refused (exit 5), never replaced.


def test_output_on_a_fifo_is_refused_and_stays_a_fifo(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp)
    fifo = out / "out.tmx"
    os.mkfifo(fifo)
    code, err = align_run(capsys, src, tgt, "-o", fifo)
    assert_one_line_error(code, err, 5, "out.tmx", "FIFO")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in out.iterdir()) == ["out.tmx"]


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod of a character device needs root")
def test_report_on_a_copy_of_dev_null_is_refused_and_stays_a_device(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp)
    dev = out / "null"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx", "--report", dev)
    assert_one_line_error(code, err, 5, "null", "device")
    assert stat.S_ISCHR(os.stat(dev).st_mode)
    assert sorted(p.name for p in out.iterdir()) == ["null"]


# Issue 19, case 9: errors name the path the user gave, not the hidden staging file.


def test_disk_full_names_the_users_path_not_the_staging_file(capsys, dirs, monkeypatch):
    inp, out = dirs
    src, tgt = write_pair(inp)

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(align.common.atomic, "_write_all", full)
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx")
    line = assert_one_line_error(code, err, 5, str(out / "out.tmx"), "disk full")
    assert ".part" not in line and ".tmp" not in line, line


# Issue 19, case 8: a --creationid no TMX can carry is a usage error before anything is read or aligned.


def test_creationid_with_a_control_character_is_a_usage_error_before_any_work(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp)
    code, err = align_run(capsys, src, tgt, "-o", out / "out.tmx", "--creationid", "ali\x07ce")
    assert_one_line_error(code, err, 2, "creationid", "U+0007")
    assert_untouched(out)
    # before reading: a missing input is not even looked at
    code, err = align_run(capsys, inp / "nope.txt", tgt, "-o", out / "out.tmx", "--creationid", "x\x1b")
    assert_one_line_error(code, err, 2, "creationid", "U+001B")


def test_import_review_creationid_with_a_control_character_is_refused_before_reading(capsys, dirs):
    """import-review checks --creationid before the sheet: a sheet it cannot read is not even looked at."""
    inp, out = dirs
    sheet = inp / "review.tsv"
    sheet.write_bytes(b"not a review sheet at all\n")
    with pytest.raises(SystemExit) as exc:
        main(["import-review", str(sheet), "-o", str(out / "reviewed.tmx"), "--creationid", "bob\x07"])
    code, err = exc.value.code, capsys.readouterr().err
    assert_one_line_error(code, err, 2, "creationid", "U+0007")
    assert "review sheet" not in err
    assert_untouched(out)


# Issue 19, case 6: every warning of the run reaches stderr (the TMX writer's too).


def test_run_prints_the_tmx_writers_long_segment_warnings(capsys, dirs):
    inp, out = dirs
    src, tgt = write_pair(inp, _one_line(VI_PARAS, 400), _one_line(ID_PARAS, 400))
    err, tus = _succeed(capsys, src, tgt, out)
    long = [t for t in tus if len(t.src) > 2_000 or len(t.tgt) > 2_000]
    assert long
    lines = [line for line in err.splitlines() if line.startswith("align: warning: out.tmx: ") and "Trados" in line]
    assert lines, err
    assert len(lines) <= 11  # ten named, the rest counted in one line
