"""The `align` command itself: run with --presplit/--beads, eval with its outputs, help and version."""

from __future__ import annotations

import dataclasses
import json

import pytest

from align.cli.main import main
from align.embedding import HashEncoder
from align.embedding.registry import lookup, register
from align.tools.gold import read_beads

VI = ["Hôm nay trời đẹp.", "Chúng tôi đi chợ.", "Chợ rất đông.", "Mẹ mua cá.", "Gió thổi mạnh.", "Chúng tôi về nhà."]
ID = ["Hari ini cuacanya cerah.", "Kami pergi ke pasar.", "Pasar sangat ramai.", "Ibu membeli ikan.",
      "Angin bertiup kencang.", "Kami pulang ke rumah."]
LEXICON = {
    "hom": "hari", "nay": "ini", "troi": "cuacanya", "dep": "cerah", "chung": "kami", "toi": "kami", "di": "pergi",
    "cho": "pasar", "rat": "sangat", "dong": "ramai", "me": "ibu", "mua": "membeli", "ca": "ikan", "tuoi": "segar",
    "ve": "pulang", "nha": "rumah", "gio": "angin", "thoi": "bertiup", "manh": "kencang",
}


@pytest.fixture(autouse=True)
def lexicon_hash():
    """`--model hash` with a small vi→id lexicon, so the fake encoder sees translations as similar."""
    original = lookup("hash")
    register(dataclasses.replace(
        original, factory=lambda name, device: HashEncoder(lexicon=LEXICON) if name == "hash" else original.factory(name, device)))
    yield
    register(original)


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as e:
        code = e.code
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _pair_files(tmp_path, tgt_lines):
    """``vi.txt`` (``VI``) and ``id.txt`` (``tgt_lines``), one segment a line."""
    src, tgt = tmp_path / "vi.txt", tmp_path / "id.txt"
    src.write_text("\n".join(VI) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(tgt_lines) + "\n", encoding="utf-8")
    return src, tgt


def _run_presplit(capsys, tmp_path, tgt_lines):
    src, tgt = _pair_files(tmp_path, tgt_lines)
    code, _, err = run(capsys, "run", src, tgt, "-o", tmp_path / "out.tmx", "--presplit", "--model", "hash",
                       "--beads", tmp_path / "out.beads", "--no-report")
    assert code == 0, err
    return read_beads((tmp_path / "out.beads").read_text(encoding="utf-8").splitlines()), err


def test_run_presplit_writes_beads_over_every_line(capsys, tmp_path):
    # The translator merged lines 1 and 2.
    beads, err = _run_presplit(capsys, tmp_path, [ID[0], ID[1] + " " + ID[2], ID[3], ID[4], ID[5]])
    assert beads == [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,)), ((4,), (3,)), ((5,), (4,))]
    assert err.splitlines()[0].startswith("align: 6+5 segments, 5 TUs written")


def test_run_timings_name_every_step_in_order(capsys, tmp_path):
    """``--timings``: one line with the seconds of reading, embedding, aligning, flagging and each output written."""
    src, tgt = _pair_files(tmp_path, ID)
    code, _, err = run(capsys, "run", src, tgt, "-o", tmp_path / "out.tmx", "--presplit", "--model", "hash",
                       "--beads", tmp_path / "out.beads", "--timings")
    assert code == 0, err
    line = next(ln for ln in err.splitlines() if ln.startswith("align: time: "))
    steps, _, total = line.removeprefix("align: time: ").partition("; ")
    named = [part.rsplit(" ", 2) for part in steps.split(", ")]
    assert [n for n, _, _ in named] == ["read", "embed", "align", "flag", "tmx", "beads", "report_html", "report_json"]
    assert all(unit == "s" and float(sec) >= 0 for _, sec, unit in named)
    assert sum(float(sec) for _, sec, _ in named) <= float(total.split(" s ")[0]) + 0.01
    code, _, err = run(capsys, "run", src, tgt, "-o", tmp_path / "out2.tmx", "--presplit", "--model", "hash")
    assert code == 0 and "align: time:" not in err  # only when asked


def test_a_dropped_line_stands_alone(capsys, tmp_path):
    """Was a known weakness (issue 3): the dropped sentence was absorbed into a 2-1 bead with its neighbour.

    The per-document skip (issue 20) sees that it matches nothing on the other
    side and makes leaving it out cheaper than absorbing it.
    """
    beads, _ = _run_presplit(capsys, tmp_path, [ID[0], ID[1], ID[2], ID[3], ID[5]])
    assert ((4,), ()) in beads


def _eval_dir(root, name, tgt_lines, gold):
    d = root / name
    d.mkdir(parents=True)
    (d / "src.txt").write_text("\n".join(VI) + "\n", encoding="utf-8")
    (d / "tgt.txt").write_text("\n".join(tgt_lines) + "\n", encoding="utf-8")
    (d / "gold.txt").write_text("\n".join(gold) + "\n", encoding="utf-8")


def test_eval_prints_scores_signature_and_keeps_beads(capsys, tmp_path):
    _eval_dir(tmp_path / "set", "a", ID, [f"[{i}]:[{i}]" for i in range(6)])
    _eval_dir(tmp_path / "set", "b", [ID[0], ID[1] + " " + ID[2], ID[3], ID[4], ID[5]],
              ["[0]:[0]", "[1,2]:[1]", "[3]:[2]", "[4]:[3]", "[5]:[4]"])
    code, out, err = run(capsys, "eval", tmp_path / "set", "--model", "hash", "--per-doc", "--beads-dir", tmp_path / "bd")
    assert code == 0, err
    assert "signature: align:" in out and "model:hash-256" in out
    assert "1.0000" in out  # perfect strict F1 on this easy set
    kept = sorted(p.name for p in (tmp_path / "bd").rglob("*.txt"))
    assert kept == ["a.txt", "b.txt"]

    code, out, err = run(capsys, "eval", tmp_path / "set", "--model", "hash", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["total"]["strict_f1"] == 1.0 and data["sets"]["set"]["docs"] == 2
    assert "align:" in data["signature"]

    # the other way round: the Indonesian lines are the source, the 1-2 found against the swapped gold
    code, out, err = run(capsys, "eval", tmp_path / "set", "--model", "hash", "--json", "--swap",
                         "--beads-dir", tmp_path / "bs")
    data = json.loads(out)
    assert code == 0, err
    assert list(data["sets"]) == ["set-swapped"] and data["total"]["strict_f1"] == 1.0
    assert (tmp_path / "bs" / "set-swapped" / "b.txt").read_text(encoding="utf-8").splitlines()[1] == "[1]:[1,2]"


def test_eval_counts_sentences_with_the_languages_given(capsys, tmp_path, monkeypatch):
    import align.core.aligner as aligner

    seen = set()
    real = aligner.sentence_count

    def spy(text, lang):
        seen.add(lang)
        return real(text, lang)

    monkeypatch.setattr(aligner, "sentence_count", spy)
    _eval_dir(tmp_path / "set", "a", ID, [f"[{i}]:[{i}]" for i in range(6)])
    code, out, err = run(capsys, "eval", tmp_path / "set", "--model", "hash", "--json", "--src-lang", "de", "--tgt-lang", "fr")
    assert code == 0, err
    assert json.loads(out)["total"]["strict_f1"] == 1.0 and seen == {"de", "fr"}
    seen.clear()
    code, out, err = run(capsys, "eval", tmp_path / "set", "--model", "hash", "--json")
    assert code == 0, err
    from align.reading.langid import detect_language

    guessed = {detect_language(" ".join(VI)) or "und", detect_language(" ".join(ID)) or "und"}
    assert seen == guessed  # guessed from the text when not given ("und": the generic segmenter)


def test_help_and_version(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and all(c in out for c in ("run", "eval", "corpus", "report", "score", "import-review", "model"))
    code, out, _ = run(capsys, "--version")
    import importlib.metadata

    import align

    assert code == 0 and align.__version__ in out
    assert importlib.metadata.version("align") == align.__version__  # pyproject reads the one written version


def test_unknown_option_is_a_usage_error(capsys, tmp_path):
    code, _, err = run(capsys, "run", "a.txt", "b.txt", "-o", tmp_path / "x.tmx", "--no-such-option")
    assert code == 2 and err.count("\n") == 1 and "no-such-option" in err


def test_align_embed_cache_env_is_the_default_cache_and_no_cache_ignores_it(capsys, tmp_path, monkeypatch):
    src, tgt = tmp_path / "vi.txt", tmp_path / "id.txt"
    src.write_text("\n".join(VI) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(VI) + "\n", encoding="utf-8")
    env_cache = tmp_path / "env.sqlite"
    monkeypatch.setenv("ALIGN_EMBED_CACHE", str(env_cache))
    args = ["run", src, tgt, "-o", tmp_path / "out.tmx", "--presplit", "--model", "hash", "--no-report", "--force"]
    code, _, err = run(capsys, *args, "--no-cache")
    assert code == 0, err
    assert not env_cache.exists()
    code, _, err = run(capsys, *args)
    assert code == 0, err
    assert env_cache.exists() and env_cache.stat().st_size > 0
