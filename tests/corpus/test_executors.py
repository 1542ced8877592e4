"""The executors on their own: bundles in, one Outcome per job out, failures as Outcomes, close twice.

``run_corpus`` is tested end to end in ``test_corpus.py``; here the executors
are driven directly with jobs from ``discover`` (no keys, so no done markers:
what comes back is exactly what the executor made of each job).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_corpus import make_corpus

from align.corpus.executors import EncoderSpec, InProcessExecutor, PoolExecutor
from align.corpus.plan import Job, Outcome, discover
from align.embedding import HashEncoder
from align.pipeline.pair import RunOptions

_DATES = re.compile(rb' (creationdate|changedate)="[0-9TZ]+"')


def _jobs(root: Path, out: Path) -> list[Job]:
    jobs, missing = discover(root, RunOptions(), out, reports=False)
    assert not missing
    return jobs


def _flat(results: list[list[Outcome]]) -> list[Outcome]:
    return [o for outcomes in results for o in outcomes]


def _same(o: Outcome) -> tuple:
    """What must not depend on where a job ran (not the seconds)."""
    return (o.job.stem, o.ok, o.outputs, o.summary, o.texts_embedded, o.model_id, o.error, o.error_class, o.exit_code)


def test_in_process_runs_the_bundles_in_order_and_returns_their_outcomes(tmp_path):
    jobs = _jobs(make_corpus(tmp_path / "c", 3), tmp_path / "out")
    bundles = [[jobs[2]], [jobs[0], jobs[1]]]
    ex = InProcessExecutor(HashEncoder())
    results = list(ex.run(bundles))
    ex.close()
    assert [[o.job for o in outcomes] for outcomes in results] == bundles  # one list per bundle, in the order given
    for o in _flat(results):
        assert o.ok, o.error
        assert o.outputs == {"tmx": f"{o.job.stem}.tmx", "beads": f"{o.job.stem}.beads.txt"}  # reports=False
        assert all((Path(o.job.outdir) / name).is_file() for name in o.outputs.values())
        assert o.summary["src_segments"] == o.summary["tgt_segments"] == 8 and o.segments == 16
        assert o.model_id == "hash-256" and o.texts_embedded > 0 and not o.marked  # no key: no marker
    assert not list((tmp_path / "out").rglob("*.done.json"))


def test_a_failing_job_is_a_failed_outcome_and_the_bundle_goes_on(tmp_path):
    jobs = _jobs(make_corpus(tmp_path / "c", 3), tmp_path / "out")
    Path(jobs[1].tgt).unlink()  # gone after discovery: the worker cannot read it
    ex = InProcessExecutor(HashEncoder())
    outcomes = _flat(list(ex.run([jobs])))  # one bundle: the failure must not sink its neighbours
    assert [o.ok for o in outcomes] == [True, False, True]
    bad = outcomes[1]
    assert bad.error_class == "InputError" and bad.exit_code == 3 and "not found" in bad.error, bad.error
    assert jobs[1].tgt in bad.error and bad.outputs == {}
    assert not list(Path(jobs[1].outdir).glob("*")), "nothing half-written, no temporary left"


def test_pool_of_two_gives_the_same_outcomes_as_in_process(tmp_path):
    root = make_corpus(tmp_path / "c", 4)
    for k in (1, 3):  # two failures, so that failed outcomes are compared too
        (root / f"doc{k:02d}" / "id.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    one_jobs, two_jobs = _jobs(root, tmp_path / "one"), _jobs(root, tmp_path / "two")
    one = InProcessExecutor(HashEncoder())
    expected = _flat(list(one.run([[j] for j in one_jobs])))
    pool = PoolExecutor(EncoderSpec.from_model("hash", None, threads=1), workers=2)
    try:
        assert pool.slots == 2
        got = _flat(list(pool.run([[j] for j in two_jobs])))  # one job a bundle: both workers get some
    finally:
        pool.close()
    assert [o.ok for o in expected] == [True, False, True, False]
    assert sorted(map(_same, got)) == sorted(map(_same, expected))  # the pool yields as bundles finish
    for o in expected:
        for name in o.outputs.values():
            a = Path(o.job.outdir) / name
            b = tmp_path / "two" / a.relative_to(tmp_path / "one")
            assert _DATES.sub(b"", a.read_bytes()) == _DATES.sub(b"", b.read_bytes()), name


def test_close_is_idempotent(tmp_path):
    ex = InProcessExecutor(HashEncoder())
    ex.close()
    ex.close(cancel=True)
    pool = PoolExecutor(EncoderSpec.from_model("hash", None, threads=1), workers=2)
    jobs = _jobs(make_corpus(tmp_path / "c", 1), tmp_path / "out")
    assert all(o.ok for o in _flat(list(pool.run([jobs]))))
    pool.close()
    pool.close()
    pool.close(cancel=True)
    with pytest.raises(RuntimeError):  # closed for good: no new work is accepted
        list(pool.run([jobs]))
