"""The output registry, and the recipe for a new format: one Writer class and one register_writer call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from align.common.errors import UsageError
from align.embedding import load_encoder
from align.formats import registry
from align.formats.base import AlignedPair, OutputOptions
from align.formats.paths import sibling, stem
from align.pipeline.pair import RunOptions, align_pair

VI = "Bộ trưởng tiếp đoàn đại biểu.\n\nNăm mới, luật mới. Nhà nước phát triển.\n"
ID = "Menteri menerima rombongan wakil.\n\nTahun baru, hukum baru. Negara berkembang.\n"


class JsonLinesWriter:
    """The README's example: one JSON object per bead."""

    name = "jsonl"
    suffix = ".beads.jsonl"

    def write(self, pair: AlignedPair, path: str, options: OutputOptions) -> int:
        al = pair.alignment
        with open(path, "w", encoding="utf-8") as f:
            for b in al.beads:
                row = {"src": [al.src[i].text for i in b.src], "tgt": [al.tgt[j].text for j in b.tgt], "score": b.score}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        return len(al.beads)


@pytest.fixture
def own_registry(monkeypatch):
    """This test's own copy of the registry: what it registers is gone afterwards."""
    monkeypatch.setattr(registry, "WRITERS", dict(registry.WRITERS))
    return registry


def test_a_new_format_is_one_class_and_one_registration(tmp_path, own_registry):
    own_registry.register_writer(JsonLinesWriter())  # the one line
    (tmp_path / "vi.txt").write_text(VI, encoding="utf-8")
    (tmp_path / "id.txt").write_text(ID, encoding="utf-8")
    out = tmp_path / "out.tmx"
    outputs = {"tmx": str(out), "jsonl": registry.default_path(str(out), "jsonl")}
    res = align_pair(str(tmp_path / "vi.txt"), str(tmp_path / "id.txt"), load_encoder("hash"), RunOptions(force=True),
                     outputs=outputs)
    lines = (tmp_path / "out.beads.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == len(res.alignment.beads) == res.results["jsonl"] > 0
    assert rows[0]["src"][0] == "Bộ trưởng tiếp đoàn đại biểu." and isinstance(rows[0]["score"], float)
    assert res.outputs["jsonl"] == str(tmp_path / "out.beads.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["id.txt", "out.beads.jsonl", "out.tmx", "vi.txt"]


def test_built_in_writers_in_writing_order():
    names = [w.name for w in registry.writers()]
    assert names == ["tmx", "review_tmx", "beads", "report_html", "report_json", "review_tsv", "review_xlsx"]
    assert [w.name for w in registry.writers(["review_xlsx", "tmx", "report_json"])] == ["tmx", "report_json", "review_xlsx"]
    suffixes = {w.name: w.suffix for w in registry.writers()}
    assert suffixes["tmx"] == ".tmx" and suffixes["beads"] == ".beads.txt" and suffixes["report_html"] == ".report.html"


def test_unknown_and_duplicate_names(own_registry):
    with pytest.raises(UsageError, match="unknown output 'pdf'") as e:
        own_registry.get_writer("pdf")
    assert "tmx" in (e.value.hint or "")
    with pytest.raises(UsageError, match="unknown output"):
        own_registry.writers(["tmx", "pdf"])
    own_registry.register_writer(JsonLinesWriter())
    with pytest.raises(ValueError, match="already registered"):
        own_registry.register_writer(JsonLinesWriter())
    mine = JsonLinesWriter()
    mine.name = "tmx"
    own_registry.register_writer(mine, replace=True)
    assert own_registry.get_writer("tmx") is mine and [w.name for w in own_registry.writers()][0] == "tmx"


def test_the_registry_copy_is_gone_after_the_test():
    assert "jsonl" not in registry.WRITERS and registry.get_writer("tmx").__class__.__name__ == "TmxWriter"


@pytest.mark.parametrize("out, suffix, expected", [
    ("out.tmx", ".report.html", "out.report.html"),
    ("dir/Out.TMX", ".review.tmx", "dir/Out.review.tmx"),
    ("memory", ".report.json", "memory.report.json"),
    ("a.b.tmx", ".beads.txt", "a.b.beads.txt"),
])
def test_sibling_names(out, suffix, expected):
    assert sibling(out, suffix) == expected
    assert stem(out) + suffix == expected


def test_default_path_uses_the_writer_suffix():
    assert registry.default_path("x/out.tmx", "report_json") == "x/out.report.json"
    assert registry.default_path("x/out.tmx", "review_tmx") == "x/out.review.tmx"
    assert Path(registry.default_path("out.tmx", "tmx")).name == "out.tmx"
