"""The Dask executor for real: a LocalCluster of two worker processes, a lost worker, a flaky task."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from test_corpus import KillOnceEncoder, make_corpus, undated  # noqa: E402

from align import HashEncoder  # noqa: E402
from align.corpus.run import run_corpus  # noqa: E402
from align.pipeline.pair import RunOptions  # noqa: E402


class FlakyEncoder(HashEncoder):
    """Raises an unexpected error the first time (a transient fault), then works."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker

    def _embed(self, texts):
        if not os.path.exists(self.marker):
            Path(self.marker).write_text("failed once")
            raise RuntimeError("transient fault")
        return super()._embed(texts)


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                      silence_logs=50) as c:
        yield c


def _run(root, out, **kw):
    kw.setdefault("model", "hash")
    kw.setdefault("reports", False)
    return run_corpus(str(root), str(out), options=RunOptions(), progress=False, **kw)


def test_dask_corpus_matches_local_run_and_resumes(tmp_path, cluster):
    root = make_corpus(tmp_path / "c", 4)
    local = _run(root, tmp_path / "local", workers=1, merge=True)
    res = _run(root, tmp_path / "dask", scheduler=cluster.scheduler_address, merge=True)
    assert [p.status for p in res.pairs] == ["aligned"] * 4
    assert res.texts_embedded == local.texts_embedded
    for d in range(4):
        stem = f"doc{d:02d}/doc{d:02d}.vi-id"
        assert undated(tmp_path / "local" / f"{stem}.tmx") == undated(tmp_path / "dask" / f"{stem}.tmx")
        assert (tmp_path / "dask" / f"{stem}.done.json").is_file()
    assert undated(tmp_path / "local" / "corpus.vi-id.tmx") == undated(tmp_path / "dask" / "corpus.vi-id.tmx")
    again = _run(root, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert len(again.unchanged) == 4 and again.texts_embedded == 0


def test_dask_worker_lost_mid_task_is_retried(tmp_path, cluster):
    root = make_corpus(tmp_path / "c", 3)
    marker = tmp_path / "killed"
    res = _run(root, tmp_path / "out", model=KillOnceEncoder(str(marker)), scheduler=cluster.scheduler_address)
    assert marker.exists(), "a worker should have been killed"
    assert [p.status for p in res.pairs] == ["aligned"] * 3, [p.error for p in res.pairs]
    ref = _run(root, tmp_path / "ref", workers=1)
    for p in ref.pairs:
        rel = p.outputs["tmx"]
        assert undated(tmp_path / "out" / rel) == undated(tmp_path / "ref" / rel)
    assert not list((tmp_path / "out").rglob(".tmp-*"))


def test_dask_transient_error_is_retried(tmp_path, cluster):
    root = make_corpus(tmp_path / "c", 2)
    marker = tmp_path / "flaked"
    res = _run(root, tmp_path / "out", model=FlakyEncoder(str(marker)), scheduler=cluster.scheduler_address)
    assert marker.exists() and [p.status for p in res.pairs] == ["aligned"] * 2


def test_dask_input_error_is_an_answer_not_retried(tmp_path, cluster):
    root = make_corpus(tmp_path / "c", 2)
    (root / "doc01" / "vi.txt").write_bytes(b"")
    res = _run(root, tmp_path / "out", scheduler=cluster.scheduler_address)
    assert {p.job.pair_id: p.status for p in res.pairs} == {"doc00": "aligned", "doc01": "failed"}
    assert res.failed[0].exit_code == 3


class BrokenPairEncoder(HashEncoder):
    """Fails, unexpectedly and every time, when document 1 embeds its own texts (a bug, not bad input)."""

    def encode(self, texts, progress=False):
        texts = list(texts)
        if texts and all("tài liệu 1 " in t or "dokumen 1 " in t for t in texts):
            raise RuntimeError("broken pair")
        return super().encode(texts, progress)


def test_dask_unexpected_error_of_one_pair_in_a_bundle_spares_the_others(tmp_path, cluster):
    root = make_corpus(tmp_path / "c", 3)  # tiny pairs: one bundle, one task
    res = _run(root, tmp_path / "out", model=BrokenPairEncoder(), scheduler=cluster.scheduler_address)
    assert {p.job.pair_id: p.status for p in res.pairs} == {"doc00": "aligned", "doc01": "failed", "doc02": "aligned"}
    assert "broken pair" in res.failed[0].error
    assert sorted(p.parent.name for p in (tmp_path / "out").glob("*/*.done.json")) == ["doc00", "doc02"]


def test_unreachable_scheduler_is_a_usage_error(tmp_path):
    import dask

    from align.common.errors import UsageError

    root = make_corpus(tmp_path / "c", 1)
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), \
            pytest.raises(UsageError, match="cannot reach the Dask scheduler"):
        run_corpus(str(root), str(tmp_path / "out"), model="hash", scheduler="tcp://127.0.0.1:1",
                   progress=False)
