"""align_pair: outputs are checked first, written by the registry's writers, all or none, and only where asked."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest

from align.common.errors import OutputError, UsageError
from align.embedding import HashEncoder
from align.formats import registry
from align.formats.base import AlignedPair, OutputOptions
from align.formats.report.payload import REPORT_JSON
from align.formats.tmx import TmxStats, read_tmx
from align.pipeline.pair import RunOptions, align_pair, check_outputs

VI = "Bộ trưởng tiếp đoàn đại biểu. Hai bên hợp tác.\n\nNăm mới, luật mới.\n\nNhà nước phát triển kinh doanh.\n"
ID = "Menteri menerima rombongan wakil. Kedua pihak bekerja sama.\n\nTahun baru, hukum baru.\n\nNegara kembang usaha.\n"
LEXICON = {"bộ": "kementerian", "trưởng": "kepala", "tiếp": "menerima", "đoàn": "rombongan", "biểu": "wakil",
           "năm": "tahun", "mới": "baru", "luật": "hukum", "nước": "negara", "phát": "kembang", "doanh": "usaha"}
OPTIONS = RunOptions(force=True)  # short synthetic text: skip the language check


class Refusing(HashEncoder):
    """An encoder that fails the test if anything is embedded: the outputs must be refused first."""

    def encode(self, texts, **kw):  # noqa: ANN001, ANN003, ANN201
        raise AssertionError("embedded before the outputs were checked")


class Failing:
    """A writer that raises, as a full disk or a bug in a format would."""

    name = "failing"
    suffix = ".failing"

    def __init__(self) -> None:
        self.path: str | None = None

    def write(self, pair: AlignedPair, path: str, options: OutputOptions) -> None:
        self.path = path
        Path(path).write_text("half a file")  # partly written, then the failure
        raise OSError("simulated failure")


@pytest.fixture
def pair(tmp_path: Path) -> tuple[str, str]:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "vi.txt").write_text(VI, encoding="utf-8")
    (inp / "id.txt").write_text(ID, encoding="utf-8")
    return str(inp / "vi.txt"), str(inp / "id.txt")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def own_registry(monkeypatch):
    """A copy of the registry for this test, so that the writers it registers are gone afterwards."""
    monkeypatch.setattr(registry, "WRITERS", dict(registry.WRITERS))
    return registry


def encoder() -> HashEncoder:
    return HashEncoder(dim=128, lexicon=LEXICON)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


# --------------------------------------------------------------------------- the writer loop


def test_writes_exactly_the_requested_outputs(pair, out):
    outputs = {"tmx": str(out / "a.tmx"), "beads": str(out / "a.beads"), "report_json": str(out / "a.json"),
               "report_html": None, "review_tsv": ""}  # empty paths: not asked for
    res = align_pair(*pair, encoder(), OPTIONS, outputs=outputs)
    assert sorted(os.listdir(out)) == ["a.beads", "a.json", "a.tmx"]
    assert res.outputs == {"tmx": str(out / "a.tmx"), "beads": str(out / "a.beads"), "report_json": str(out / "a.json")}
    assert list(res.results) == ["tmx", "beads", "report_json"]  # registry order, not the caller's
    assert isinstance(res.stats, TmxStats) and res.review_stats is None
    assert res.tus_written == res.stats.tus_written == len(read_tmx(out / "a.tmx").tus) > 0
    beads = (out / "a.beads").read_text().splitlines()
    assert beads == [b.notation() for b in res.alignment.beads] and res.results["beads"] == len(beads)
    assert '"tus_written": %d' % res.tus_written in (out / "a.json").read_text()  # the report saw the TMX writer


def test_no_outputs_aligns_and_writes_nothing(pair, out):
    res = align_pair(*pair, encoder(), OPTIONS)
    assert os.listdir(out) == [] and res.outputs == {} and res.stats is None
    assert res.tus_written == sum(1 for b in res.alignment.beads if not b.is_null)


def test_every_output_lands_at_its_path_and_nowhere_else(pair, out, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = {"tmx": "x.tmx", "review_tmx": "x.review.tmx", "beads": "x.beads.txt", "report_html": "x.html",
             "report_json": "x.json", "review_tsv": "x.tsv", "review_xlsx": "x.xlsx"}
    before_inputs = files(tmp_path / "in")
    res = align_pair(*pair, encoder(), RunOptions(force=True, split_by_score=0.5),
                     outputs={k: str(out / v) for k, v in names.items()})
    assert sorted(os.listdir(out)) == sorted(names.values())  # no temporary file left either
    assert sorted(os.listdir(tmp_path)) == ["in", "out"]  # nothing in the working folder
    assert files(tmp_path / "in") == before_inputs
    assert set(res.outputs) == set(names) and isinstance(res.review_stats, TmxStats)
    kept, review = read_tmx(out / "x.tmx").tus, read_tmx(out / "x.review.tmx").tus
    assert all(float(t.props["x-alignment-score"]) >= 0.5 for t in kept)
    assert all(float(t.props["x-alignment-score"]) < 0.5 for t in review)


def test_writers_get_a_staging_path_beside_the_final_one(pair, out, own_registry):
    seen = {}

    class Spy:
        name = "spy"
        suffix = ".spy"

        def write(self, pair: AlignedPair, path: str, options: OutputOptions) -> str:
            seen["path"], seen["final"] = path, pair.paths["spy"]
            seen["tmx_done"] = os.path.exists(pair.paths["tmx"])
            seen["tmx_result"] = pair.results.get("tmx")
            Path(path).write_text("spied")
            return "ok"

    own_registry.register_writer(Spy())
    res = align_pair(*pair, encoder(), OPTIONS, outputs={"spy": str(out / "s.spy"), "tmx": str(out / "s.tmx")})
    assert seen["final"] == str(out / "s.spy") and seen["path"] != seen["final"]
    assert os.path.dirname(seen["path"]) == str(out)  # same folder: the final rename is atomic
    assert not seen["tmx_done"], "outputs appear together at the end, not one by one"
    assert isinstance(seen["tmx_result"], TmxStats)  # written before: registered earlier
    assert (out / "s.spy").read_text() == "spied" and res.results["spy"] == "ok"


# --------------------------------------------------------------------------- all or nothing


def test_a_failing_writer_leaves_no_output_and_no_temporary_file(pair, out, own_registry):
    failing = own_registry.register_writer(Failing())
    outputs = {"tmx": str(out / "o.tmx"), "beads": str(out / "o.beads"), "report_html": str(out / "o.html"),
               "failing": str(out / "o.failing")}
    with pytest.raises(OSError, match="simulated failure"):
        align_pair(*pair, encoder(), OPTIONS, outputs=outputs)
    assert failing.path is not None and os.path.dirname(failing.path) == str(out)
    assert os.listdir(out) == []


def test_a_failing_writer_keeps_the_files_of_an_earlier_run(pair, out, own_registry):
    own_registry.register_writer(Failing())
    old = {"o.tmx": b"<old tmx/>", "o.beads": b"[0]:[0]\n"}
    for name, data in old.items():
        (out / name).write_bytes(data)
    with pytest.raises(OSError):
        align_pair(*pair, encoder(), OPTIONS,
                   outputs={"tmx": str(out / "o.tmx"), "beads": str(out / "o.beads"), "failing": str(out / "f")})
    assert files(out) == old


def test_append_adds_to_the_existing_tmx_and_a_failure_leaves_it_as_it_was(pair, out, own_registry):
    tmx = out / "tm.tmx"
    first = align_pair(*pair, encoder(), OPTIONS, outputs={"tmx": str(tmx)})
    before = tmx.read_bytes()
    own_registry.register_writer(Failing())
    with pytest.raises(OSError):
        align_pair(*pair, encoder(), RunOptions(force=True, append=True, dedupe=False),
                   outputs={"tmx": str(tmx), "failing": str(out / "f")})
    assert files(out) == {"tm.tmx": before}
    again = align_pair(*pair, encoder(), RunOptions(force=True, append=True, dedupe=False), outputs={"tmx": str(tmx)})
    assert again.stats.kept_existing == first.tus_written
    assert len(read_tmx(tmx).tus) == 2 * first.tus_written


# --------------------------------------------------------------------------- refused before any work


@pytest.mark.parametrize("case, error, needle", [
    ("missing folder", OutputError, "output folder does not exist"),
    ("a folder", OutputError, "is a folder, not a file"),
    ("an input", UsageError, "output would overwrite an input file"),
    ("twice", UsageError, "the same file is given for two outputs"),
    ("unknown", UsageError, "unknown output 'pdf'"),
])
def test_bad_outputs_are_refused_before_anything_is_embedded(pair, out, case, error, needle):
    outputs = {
        "missing folder": {"tmx": str(out / "nope" / "o.tmx")},
        "a folder": {"tmx": str(out)},
        "an input": {"tmx": str(out / "o.tmx"), "beads": pair[0]},
        "twice": {"tmx": str(out / "o.tmx"), "report_json": str(out / "o.tmx")},
        "unknown": {"tmx": str(out / "o.tmx"), "pdf": str(out / "o.pdf")},
    }[case]
    with pytest.raises(error, match=needle):
        align_pair(*pair, Refusing(), OPTIONS, outputs=outputs)
    assert os.listdir(out) == []


def test_check_outputs_names_both_outputs_in_the_order_given(tmp_path):
    a = str(tmp_path / "a.tmx")
    with pytest.raises(UsageError, match=r"two outputs \(.*a\.tmx and .*/\./a\.tmx\)"):
        check_outputs([], [a, None, str(tmp_path) + "/./a.tmx"])
    check_outputs([str(tmp_path / "in.txt")], [a, None, ""])  # None and "" are outputs not asked for


def test_split_by_score_needs_its_review_tmx(pair, out):
    with pytest.raises(UsageError, match="review_tmx"):
        align_pair(*pair, encoder(), RunOptions(force=True, split_by_score=0.5), outputs={"tmx": str(out / "o.tmx")})
    with pytest.raises(UsageError, match="split_by_score"):
        align_pair(*pair, encoder(), OPTIONS, outputs={"review_tmx": str(out / "o.review.tmx")})
    assert os.listdir(out) == []


# --------------------------------------------------------------------------- warnings (issue 19, case 6)


class Warning_:
    """A writer of a new format that returns warnings with its result, as ``TmxStats`` does."""

    name = "warning"
    suffix = ".warning"

    def write(self, pair: AlignedPair, path: str, options: OutputOptions) -> TmxStats:
        Path(path).write_text("x")
        return TmxStats(0, 0, 0, 0, warnings=("something was left out",))


def test_characters_xml_cannot_hold_are_reported_in_the_result_and_the_report(pair, out):
    """Case 6: ``\\x1f`` and U+FFFE are dropped from the TMX (XML cannot hold them), and that is said, not silent."""
    src = Path(pair[0])
    src.write_text(VI.replace("Hai bên", "Hai\x1f bên").replace("luật mới", "luật\ufffe mới"), encoding="utf-8")
    outputs = {"tmx": str(out / "a.tmx"), "report_json": str(out / "a.json"), "report_html": str(out / "a.html")}
    res = align_pair(*pair, encoder(), OPTIONS, outputs=outputs)
    assert not any(c in t.src for t in read_tmx(out / "a.tmx").tus for c in "\x1f\ufffe")
    removed = [w for w in res.warnings if "XML-illegal" in w]
    assert removed == ["a.tmx: " + w for w in res.stats.warnings if "XML-illegal" in w], res.warnings
    assert "removed 2 XML-illegal" in removed[0] and "U+001F" in removed[0] and "U+FFFE" in removed[0]
    report = json.loads((out / "a.json").read_text(encoding="utf-8"))
    assert report["summary"]["warnings"] == list(res.warnings)
    page = (out / "a.html").read_text(encoding="utf-8")
    assert 'id="warnings"' in page and "U+FFFE" in page.split('id="warnings"', 1)[1].split("</section>", 1)[0]


def test_every_warning_of_the_pair_is_collected_readers_first_then_writers_in_order(pair, out, own_registry):
    vi = unicodedata.normalize("NFD", VI).replace("Hai", "Hai\x1f")  # the reader warns (not NFC), the TMX too
    Path(pair[0]).write_text(vi, encoding="utf-8")
    own_registry.register_writer(Warning_())
    res = align_pair(*pair, encoder(), RunOptions(force=True, split_by_score=0.0),  # every unit in a.tmx
                     outputs={"tmx": str(out / "a.tmx"), "review_tmx": str(out / "a.review.tmx"),
                              "warning": str(out / "a.warning")})
    assert [w.split(":", 1)[0] for w in res.warnings] == ["vi.txt", "a.tmx", "a.review.tmx", "a.warning"], res.warnings
    assert "NFC" in res.warnings[0] and "removed 1 XML-illegal" in res.warnings[1]
    assert "the TMX is empty" in res.warnings[2] and "scoring 0 or more, written to the other TMX" in res.warnings[2]
    assert res.warnings[3] == "a.warning: something was left out"


def test_warnings_of_writers_before_the_report_are_in_the_report_even_without_a_tmx(pair, out, own_registry):
    own_registry.WRITERS.clear()
    own_registry.register_writer(Warning_())
    own_registry.register_writer(REPORT_JSON)
    res = align_pair(*pair, encoder(), OPTIONS, outputs={"warning": str(out / "a.w"), "report_json": str(out / "a.json")})
    report = json.loads((out / "a.json").read_text(encoding="utf-8"))
    assert report["summary"]["warnings"] == list(res.warnings) == ["a.w: something was left out"]


# --------------------------------------------------------------------------- options refused up front (case 8)


@pytest.mark.parametrize("creationid", ["ali\x07ce", "bob\n", "x\ufffe", "\x9b"])
def test_creationid_with_a_control_character_is_refused_when_the_options_are_made(creationid):
    """Case 8: lxml refused it only when the TMX was written, after the whole alignment, as an internal error."""
    with pytest.raises(UsageError, match="creationid .* control character U\\+"):
        RunOptions(creationid=creationid)
    assert RunOptions(creationid="Nguyễn Văn A").creationid == "Nguyễn Văn A"


def test_a_bad_explicit_language_code_is_refused_when_the_options_are_made():
    with pytest.raises(UsageError, match="vn"):
        RunOptions(src_code="vn")


# --------------------------------------------------------------------------- the pair's id (issue 22, item 3)


def test_a_pair_folder_names_the_units_and_an_explicit_id_wins(pair, out):
    """``pair/vi.txt``: the folder is the pair's id in x-document and the tuids, as `align corpus` names a pair."""
    folder = Path(pair[0]).parent.name
    align_pair(*pair, HashEncoder(), RunOptions(), outputs={"tmx": str(out / "a.tmx")})
    tm = read_tmx(out / "a.tmx")
    assert {tu.props["x-document"] for tu in tm.tus} == {folder}
    assert all(tu.tuid.startswith(f"{folder}:") for tu in tm.tus)
    align_pair(*pair, HashEncoder(), RunOptions(document_id="news-2024-07"), outputs={"tmx": str(out / "b.tmx")})
    assert {tu.props["x-document"] for tu in read_tmx(out / "b.tmx").tus} == {"news-2024-07"}


def test_a_file_not_named_by_its_language_is_its_own_id():
    from align.pipeline.pair import default_document_id

    assert default_document_id("/data/story-17/vi.txt") == "story-17"
    assert default_document_id("/data/story-17.vi.html") == "story-17.vi.html"
    assert default_document_id("/data/src.txt") == "src.txt"
