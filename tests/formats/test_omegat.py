"""Does a real CAT tool leverage our TMX? OmegaT, headless, fills a document from it.

Runs only where OmegaT (``/usr/share/omegat/OmegaT.jar``, Debian package
``omegat``) and ``java`` are installed. :func:`omegat_round_trip` takes any
TMX and source lines, so it can be reused for other files and levels.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from documents import make_doc

from align.common.model import Alignment, Bead
from align.formats.tmx import read_tmx, write_tmx

OMEGAT_JAR = Path(os.environ.get("OMEGAT_JAR", "/usr/share/omegat/OmegaT.jar"))
JAVA = shutil.which("java")

pytestmark = [
    pytest.mark.omegat,
    pytest.mark.skipif(not (OMEGAT_JAR.exists() and JAVA), reason="OmegaT or java not installed"),
]

NOW = datetime(2024, 5, 17, 8, 30, 5, tzinfo=UTC)

_PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>{src}</source_lang>
    <target_lang>{tgt}</target_lang>
    <source_tok>org.omegat.tokenizer.DefaultTokenizer</source_tok>
    <target_tok>org.omegat.tokenizer.DefaultTokenizer</target_tok>
    <sentence_seg>{sentence_seg}</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"""


def omegat_round_trip(
    tmx: str | os.PathLike[str],
    source_lines: list[str],
    workdir: str | os.PathLike[str],
    *,
    src_lang: str = "vi",
    tgt_lang: str = "id",
    sentence_seg: bool = False,
    timeout: int = 180,
) -> list[str]:
    """Translate ``source_lines`` in a fresh OmegaT project whose only TM is ``tmx``.

    Each line becomes its own paragraph (lines separated by an empty line) of
    ``source/doc.txt``; the TMX goes to ``tm/auto/``, whose exact matches
    OmegaT inserts in console-translate mode. Returns the target document's
    line for each source line: the TMX target where OmegaT leveraged it, the
    source text where it did not. With ``sentence_seg=False`` every paragraph
    is one segment, which is what a sentence- or paragraph-level TMX matches
    when each line holds exactly one TU source.
    """
    work = Path(workdir)
    proj, home = work / "project", work / "home"
    for d in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (proj / d).mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    (proj / "omegat.project").write_text(
        _PROJECT.format(src=src_lang, tgt=tgt_lang, sentence_seg=str(sentence_seg).lower()), encoding="utf-8"
    )
    lines = [unicodedata.normalize("NFC", s) for s in source_lines]
    assert all(s.strip() and "\n" not in s for s in lines), "one non-empty line per paragraph"
    (proj / "source" / "doc.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    shutil.copy(tmx, proj / "tm" / "auto" / "align.tmx")
    cmd = [
        JAVA, "-Djava.awt.headless=true", f"-Duser.home={home}", "-jar", str(OMEGAT_JAR), str(proj),
        "--mode=console-translate", f"--config-dir={home / 'cfg'}",
    ]
    cp = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=work,
                        env=dict(os.environ, HOME=str(home)))
    out = proj / "target" / "doc.txt"
    assert cp.returncode == 0 and out.exists(), f"OmegaT failed ({cp.returncode}): {(cp.stdout + cp.stderr)[-2000:]}"
    got = out.read_text(encoding="utf-8").split("\n")
    return [got[2 * k] if 2 * k < len(got) else "" for k in range(len(lines))]


# --------------------------------------------------------------------------- a vi->id pair


_doc = make_doc


VI = [
    ["Hà Nội là thủ đô của Việt Nam.", "Thành phố có hơn tám triệu dân."],
    ["Mùa thu ở Hà Nội rất đẹp.", "Người dân thường đi dạo quanh Hồ Gươm.", "Nhiều du khách đến vào tháng Mười."],
    ["Giá vé là 50.000 đồng <b>mỗi người</b> & trẻ em được miễn phí."],
    ["Phở bò là món ăn sáng phổ biến nhất."],
]
ID = [
    ["Hanoi adalah ibu kota Vietnam.", "Kota ini memiliki lebih dari delapan juta penduduk."],
    ["Musim gugur di Hanoi sangat indah, dan warga sering berjalan-jalan di sekitar Danau Hoan Kiem."],
    ["Harga tiket 50.000 dong <b>per orang</b> & anak-anak gratis."],
    ["Phở sapi adalah sarapan yang paling populer."],
]
BEADS = (
    Bead((0,), (0,), 0.95),
    Bead((1,), (1,), 0.91),
    Bead((2, 3), (2,), 0.82),
    Bead((4,), (), 0.0),
    Bead((5,), (3,), 0.77),
    Bead((6,), (4,), 0.9),
)


@pytest.fixture(scope="module")
def alignment() -> Alignment:
    s, t = _doc("/in/ha-noi.vi.txt", "vi", VI), _doc("/in/ha-noi.id.txt", "id", ID)
    return Alignment(s, t, s.content, t.content, BEADS, "hash")


def test_omegat_fills_every_sentence_unit(alignment, tmp_path):
    tmx = tmp_path / "tm.tmx"
    write_tmx(alignment, tmx, now=NOW)
    units = read_tmx(tmx).tus
    assert len(units) == 5
    # plus one line the TMX does not hold (an omission): OmegaT must leave it as source
    lines = [u.src for u in units] + ["Nhiều du khách đến vào tháng Mười."]
    got = omegat_round_trip(tmx, lines, tmp_path / "omegat")
    assert got == [u.tgt for u in units] + ["Nhiều du khách đến vào tháng Mười."]
    assert got[2] == "Musim gugur di Hanoi sangat indah, dan warga sering berjalan-jalan di sekitar Danau Hoan Kiem."
    assert got[3] == "Harga tiket 50.000 dong <b>per orang</b> & anak-anak gratis."


def test_omegat_fills_paragraph_units_with_region_codes(alignment, tmp_path):
    tmx = tmp_path / "tm.tmx"
    write_tmx(alignment, tmx, level="paragraph", region=True, now=NOW)
    tm = read_tmx(tmx)
    assert (tm.src_lang, tm.tgt_lang) == ("vi-VN", "id-ID")
    lines = [" ".join(p) for p in VI]  # the document, one paragraph per line
    assert [u.src for u in tm.tus] == lines
    got = omegat_round_trip(tmx, lines, tmp_path / "omegat", src_lang="vi-VN", tgt_lang="id-ID")
    assert got == [" ".join(p) for p in ID]
