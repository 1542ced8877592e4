"""Untrusted input: no entity expansion, no network, no file leaked, markup shown as text.

Inputs come from scraped web pages and TMX files from anywhere. The HTML and
TMX readers must not expand entities (XXE, billion laughs) or fetch anything;
text that looks like markup must come out of the TMX exactly as written and be
shown, never run, in the HTML report.
"""

from __future__ import annotations

import time
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from align.cli.main import main
from align.common.errors import InputError
from align.formats.tmx import read_tmx
from align.reading.read import document_from_text, read_document

SECRET = Path("/etc/passwd")
SECRET_TEXT = SECRET.read_text(errors="replace") if SECRET.exists() else "root:x:0:0"


@pytest.fixture(scope="module", autouse=True)
def _warm():
    """Load the parsers and the segmenter once, so the time limits below measure the parsing."""
    document_from_text("<html><body><p>Nhà mới.</p></body></html>", "w.html", "vi", force=True)


@pytest.fixture
def secret_file(tmp_path):
    """A file whose content must never show up anywhere."""
    p = tmp_path / "secret.txt"
    p.write_text("TOP-SECRET-7f3a9\n", encoding="utf-8")
    return p


def _laughs(levels: int = 9) -> str:
    out = '<!ENTITY lol0 "lol">'
    for i in range(1, levels + 1):
        out += f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">'
    return out


def _evil_subset(secret: Path) -> str:
    return (
        _laughs()
        + f'<!ENTITY xxe SYSTEM "file://{secret}">'
        + f'<!ENTITY % pe SYSTEM "file://{secret}"> %pe;'
        + '<!ENTITY net SYSTEM "http://127.0.0.1:9/steal">'
    )


# --- HTML input ----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", '<?xml version="1.0" encoding="utf-8"?>\n', "<!-- saved page -->\n", "\n  "])
def test_html_entities_are_never_expanded(tmp_path, secret_file, prefix):
    page = (
        prefix + "<!DOCTYPE html [" + _evil_subset(secret_file) + "]>"
        "<html><body><p>Nhà &lol9; mới &xxe; và &net; cũ.</p><p>Trang &amp; hai.</p></body></html>"
    )
    f = tmp_path / "page.html"
    f.write_text(page, encoding="utf-8")
    start = time.perf_counter()
    doc = read_document(f, "vi", force=True)
    assert time.perf_counter() - start < 2
    assert "TOP-SECRET" not in doc.text and "lollollol" not in doc.text
    assert "%pe;" not in doc.text and "]>" not in doc.text and "ENTITY" not in doc.text
    assert [s.text for s in doc.segments] == ["Nhà &lol9; mới &xxe; và &net; cũ.", "Trang & hai."]


def test_html_external_dtd_is_not_fetched(tmp_path, secret_file):
    page = f'<!DOCTYPE html SYSTEM "file://{secret_file}"><html><body><p>Nhà mới.</p></body></html>'
    doc = document_from_text(page, "p.html", "vi", force=True)
    assert doc.text == "Nhà mới."


def test_end_to_end_html_with_xxe_leaks_nothing(tmp_path, secret_file, capsys):
    vi = tmp_path / "vi.html"
    idn = tmp_path / "id.html"
    vi.write_text("<!DOCTYPE html [" + _evil_subset(secret_file) + "]><html><body><p>Nhà mới &xxe;.</p></body></html>",
                  encoding="utf-8")
    idn.write_text("<html><body><p>Rumah baru &xxe;.</p></body></html>", encoding="utf-8")
    out = tmp_path / "out.tmx"
    try:
        main(["run", str(vi), str(idn), "-o", str(out), "--model", "hash", "--force"])
    except SystemExit as e:
        assert e.code == 0, capsys.readouterr().err
    for p in tmp_path.glob("out*"):
        assert "TOP-SECRET" not in p.read_text(encoding="utf-8"), p


# --- TMX input -----------------------------------------------------------------------------

TMX_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
TMX_BODY = (
    '<tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x" '
    'adminlang="en" srclang="vi" datatype="plaintext"/><body>'
    '<tu><tuv xml:lang="vi"><seg>Nhà {ref}</seg></tuv><tuv xml:lang="id"><seg>Rumah</seg></tuv></tu>'
    "</body></tmx>\n"
)


@pytest.mark.parametrize(
    "subset,ref",
    [
        ("xxe", "&xxe;"),
        ("laughs", "&lol9;"),
        ("parameter", "x"),
        ("network", "&net;"),
    ],
)
def test_tmx_with_entities_is_refused_quickly(tmp_path, secret_file, subset, ref):
    decl = {
        "xxe": f'<!ENTITY xxe SYSTEM "file://{secret_file}">',
        "laughs": _laughs(),
        "parameter": f'<!ENTITY % pe SYSTEM "file://{secret_file}"> %pe;',
        "network": '<!ENTITY net SYSTEM "http://127.0.0.1:9/steal">',
    }[subset]
    f = tmp_path / "evil.tmx"
    f.write_text(TMX_HEAD + f"<!DOCTYPE tmx [{decl}]>\n" + TMX_BODY.format(ref=ref), encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(InputError) as e:
        read_tmx(f)
    assert time.perf_counter() - start < 2
    msg = str(e.value)
    assert "refused" in msg and str(f) in msg and "TOP-SECRET" not in msg and "\n" not in msg


def test_tmx_external_dtd_is_never_loaded(tmp_path, secret_file):
    """With an external DTD, an entity it could define stays unresolved: nothing of the file leaks."""
    f = tmp_path / "ext.tmx"
    f.write_text(TMX_HEAD + f'<!DOCTYPE tmx SYSTEM "file://{secret_file}">\n' + TMX_BODY.format(ref="&xxe;"),
                 encoding="utf-8")
    try:
        tus = read_tmx(f).tus
    except InputError as e:
        assert "TOP-SECRET" not in str(e)
    else:
        assert all("TOP-SECRET" not in t.src + t.tgt for t in tus)
    f.write_text(TMX_HEAD + f'<!DOCTYPE tmx SYSTEM "file://{secret_file}">\n' + TMX_BODY.format(ref="baru"),
                 encoding="utf-8")
    tm = read_tmx(f)
    assert [(t.src, t.tgt) for t in tm.tus] == [("Nhà baru", "Rumah")]


def test_tmx_undeclared_entity_reference_is_refused_not_dropped(tmp_path, secret_file):
    f = tmp_path / "ext.tmx"
    f.write_text(TMX_HEAD + f'<!DOCTYPE tmx SYSTEM "file://{secret_file}">\n' + TMX_BODY.format(ref="&xxe;"),
                 encoding="utf-8")
    with pytest.raises(InputError, match="refused|not defined"):
        read_tmx(f)


def test_tmx_xinclude_is_not_processed(tmp_path, secret_file):
    f = tmp_path / "xi.tmx"
    ref = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret_file}" parse="text"/>'
    f.write_text(TMX_HEAD + TMX_BODY.format(ref=ref), encoding="utf-8")
    tm = read_tmx(f)
    assert "TOP-SECRET" not in tm.tus[0].src


def test_appending_to_an_evil_tmx_is_refused_and_leaves_it(tmp_path, secret_file):
    from align.core.aligner import align_documents
    from align.embedding import HashEncoder
    from align.formats.tmx import write_tmx

    f = tmp_path / "evil.tmx"
    evil = TMX_HEAD + f'<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file://{secret_file}">]>\n' + TMX_BODY.format(ref="&xxe;")
    f.write_text(evil, encoding="utf-8")
    al = align_documents(document_from_text("Nhà mới.", "vi.txt", "vi"), document_from_text("Rumah baru.", "id.txt", "id"),
                         HashEncoder())
    with pytest.raises(InputError, match="refused"):
        write_tmx(al, f, append=True)
    assert f.read_text(encoding="utf-8") == evil
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.tmx", "secret.txt"]


# --- markup-looking text in a document -----------------------------------------------------

MARKUP_VI = [
    "Nhà <b>mới</b> &amp; đẹp ở <i>Hà Nội</i>.",
    "Lệnh <script>alert(1)</script> không được chạy.",
    "Đường dẫn javascript:alert(2) và \" onmouseover=\"alert(3)\" chỉ là chữ.",
    "Ký hiệu ]]> và &lt;tag&gt; cùng &#x41; và <!-- x --> phải giữ nguyên.",
]
MARKUP_ID = [
    "Rumah <b>baru</b> &amp; indah di <i>Hanoi</i>.",
    "Perintah <script>alert(1)</script> tidak dijalankan.",
    "Tautan javascript:alert(2) dan \" onmouseover=\"alert(3)\" hanya teks.",
    "Simbol ]]> dan &lt;tag&gt; serta &#x41; dan <!-- x --> harus tetap.",
]


@pytest.fixture
def markup_run(tmp_path, capsys):
    """One `align run` over plain-text inputs full of markup look-alikes, with its TMX and report."""
    folder = tmp_path / "in"
    folder.mkdir()
    src = folder / 'vi <img src=x onerror=alert(4)>.txt'  # a file name is input too
    tgt = folder / "id.txt"
    src.write_text("\n\n".join(MARKUP_VI) + "\n", encoding="utf-8")
    tgt.write_text("\n\n".join(MARKUP_ID) + "\n", encoding="utf-8")
    out = tmp_path / "out.tmx"
    try:
        main(["run", str(src), str(tgt), "-o", str(out), "--model", "hash", "--src-lang", "vi", "--tgt-lang", "id",
              "--force"])
    except SystemExit as e:
        assert e.code == 0, capsys.readouterr().err
    return out, tmp_path / "out.report.html"


def test_markup_text_comes_back_literally_from_the_tmx(markup_run):
    tmx, _ = markup_run
    tm = read_tmx(tmx)
    assert [(t.src, t.tgt) for t in tm.tus] == list(zip(MARKUP_VI, MARKUP_ID))
    root = lxml.etree.parse(str(tmx), lxml.etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    segs = root.findall(".//seg")
    assert segs and all(len(seg) == 0 for seg in segs), "no element inside a seg comes from the input"
    raw = tmx.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw and "&amp;amp;" in raw and "&amp;#x41;" in raw
    assert "<!-- x -->" not in raw


def test_markup_text_is_shown_not_run_in_the_report(markup_run):
    _, report = markup_run
    raw = report.read_text(encoding="utf-8")
    page = lxml.html.fromstring(raw)
    scripts = page.xpath("//script")
    assert all("alert(" not in (s.text or "") and not s.get("src") for s in scripts)
    assert not page.xpath("//b[contains(., 'mới')] | //i[contains(., 'Hà Nội')] | //img[@onerror]")
    for el in page.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on") or "alert" not in value, (el.tag, name, value)
            assert not value.strip().lower().startswith("javascript:"), (el.tag, name, value)
    text = page.text_content()
    for line in [*MARKUP_VI, *MARKUP_ID, "vi <img src=x onerror=alert(4)>.txt"]:
        assert line in text, line
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw and "<!-- x -->" not in raw
