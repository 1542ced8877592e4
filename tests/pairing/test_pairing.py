"""Document pairing (issue 23): links, content, the global assignment with a margin, the reasons, the manifest."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from align.corpus.plan import read_manifest
from align.embedding import EmbeddingCache, HashEncoder
from align.pairing import PairDoc, PairParams, pair_documents, pair_folders, read_folder, unpaired_path, write_manifest
from align.pairing import assign as assign_mod
from align.pairing.assign import assign
from align.pairing.links import link_keys, source_lines, unique_links, url_key
from align.pairing.search import SearchParams, candidates
from align.reading import read_document

# --------------------------------------------------------------------------- a synthetic bilingual archive

_RNG = random.Random(23)
_SYL = ["ba", "co", "du", "ga", "hi", "ko", "lu", "ma", "ne", "po", "ra", "su", "ti", "vo", "xe", "ya"]
VI_WORDS = sorted({_RNG.choice(_SYL) + _RNG.choice(_SYL) + _RNG.choice(_SYL) for _ in range(900)})[:400]
ID_WORDS = [w[::-1] + "k" for w in VI_WORDS]
LEXICON = dict(zip(VI_WORDS, ID_WORDS))


def story(seed: int, sentences: int = 8) -> list[str]:
    """A Vietnamese-like story: sentences of random words (each story its own topic words)."""
    rng = random.Random(seed)
    topic = rng.sample(VI_WORDS, 40)
    return [" ".join(rng.choice(topic if rng.random() < 0.7 else VI_WORDS) for _ in range(rng.randint(8, 14))).capitalize() + "."
            for _ in range(sentences)]


def translate(lines: list[str]) -> list[str]:
    """The 'Indonesian' of a story: every word through the lexicon, the odd word dropped."""
    out = []
    for k, line in enumerate(lines):
        words = [LEXICON[w.lower().strip(".")] for w in line.split()]
        if k % 3 == 0:
            del words[len(words) // 2]
        out.append(" ".join(words).capitalize() + ".")
    return out


def encoder() -> HashEncoder:
    return HashEncoder(lexicon=LEXICON)


def docs(lang: str, stories: list[list[str]], prefix: str = "") -> list[PairDoc]:
    return [PairDoc(f"{lang}/{prefix}{k}.txt", lang, tuple(s)) for k, s in enumerate(stories)]


def found(res) -> set[tuple[str, str]]:
    return {(res.src[m.src].path, res.tgt[m.tgt].path) for m in res.matches}


# --------------------------------------------------------------------------- links


def test_source_line_names_the_original_url():
    text = "Berita\n\nSumber: https://www.daibieunhandan.vn/buoc-tien-10392942.html\n"
    assert source_lines(text) == ["https://www.daibieunhandan.vn/buoc-tien-10392942.html"]
    assert url_key("https://www.daibieunhandan.vn/buoc-tien-10392942.html#top") == "daibieunhandan.vn/buoc-tien-10392942.html"
    assert source_lines("Nguồn: http://a.example/x") == ["http://a.example/x"]


def test_see_also_line_is_not_a_source_line():
    assert source_lines("Xem thêm: https://a.example/other-story.html\nLihat juga: https://a.example/y") == []


def test_sample_pair_is_linked_by_its_source_lines():
    root = Path(__file__).resolve().parents[2] / "parallel" / "buoc-tien-moi-hop-tac-viet-nam-lhq-phong-chong-toi-pham-mang"
    keys = [link_keys(str(root / f"{lang}.txt"), None, read_document(root / f"{lang}.txt", lang).text) for lang in ("vi", "id")]
    assert unique_links([keys[0]], [keys[1]]) == {(0, 0): ["daibieunhandan.vn/buoc-tien-moi-trong-hop-tac-giua-viet-nam-va-lien-hop-quoc-ve-phong-chong-toi-pham-mang-10392942.html"]}


def _page(lang: str, own: str, other_lang: str, other: str, body: str) -> str:
    return (f'<html><head><link rel="canonical" href="{own}"><link rel="alternate" hreflang="x-default" href="https://n.example/">'
            f'<link rel="alternate" hreflang="{other_lang}" href="{other}"></head>'
            f'<body><nav><a href="https://n.example/">Home</a></nav><article><p>{body}</p></article></body></html>')


def test_links_pair_hreflang_pages_and_site_wide_urls_link_nothing(tmp_path):
    (tmp_path / "vi").mkdir()
    (tmp_path / "id").mkdir()
    for k in range(3):
        vi, idu = f"https://n.example/vi/{k}", f"https://n.example/id/{k}"
        (tmp_path / "vi" / f"a{k}.html").write_text(_page("vi", vi, "id", idu, " ".join(story(k)[:3])), encoding="utf-8")
        (tmp_path / "id" / f"z{2 - k}.html").write_text(_page("id", idu, "vi", vi, " ".join(translate(story(k)[:3]))), encoding="utf-8")
    src = read_folder(tmp_path / "vi", "vi", force=True)
    tgt = read_folder(tmp_path / "id", "id", force=True)
    assert all("n.example" in next(iter(d.links)) for d in src)
    res = pair_documents(src, tgt, None, PairParams(evidence="links"))
    assert {(Path(a).name, Path(b).name) for a, b in found(res)} == {("a0.html", "z2.html"), ("a1.html", "z1.html"), ("a2.html", "z0.html")}
    assert {m.evidence for m in res.matches} == {"link"}
    assert all(not k.endswith("n.example") for d in (*src, *tgt) for k in d.links)  # x-default and the nav: no key


def test_a_url_several_documents_name_links_nothing():
    site = frozenset({"n.example/about"})
    src = [site | {"n.example/vi/0"}, site | {"n.example/vi/1"}]
    tgt = [site | {"n.example/vi/1"}, site]
    assert unique_links(src, tgt) == {(1, 0): ["n.example/vi/1"]}


def test_link_outranks_content():
    s = [story(1), story(2)]
    src = [PairDoc("vi/0", "vi", tuple(s[0]), frozenset({"x.example/a"})), PairDoc("vi/1", "vi", tuple(s[1]))]
    tgt = [PairDoc("id/0", "id", tuple(translate(s[1])), frozenset({"x.example/a"})), PairDoc("id/1", "id", tuple(translate(s[0])))]
    res = pair_documents(src, tgt, encoder(), PairParams(evidence="both"))
    linked = [m for m in res.matches if m.evidence.startswith("link")]
    assert [(res.src[m.src].path, res.tgt[m.tgt].path) for m in linked] == [("vi/0", "id/0")]
    content_only = pair_documents(src, tgt, encoder(), PairParams(evidence="content"))
    assert found(content_only) == {("vi/0", "id/1"), ("vi/1", "id/0")}


# --------------------------------------------------------------------------- content


def test_content_pairs_shuffled_translations_and_lists_distractors():
    stories = [story(100 + k) for k in range(12)]
    src = docs("vi", stories[:10] + [story(999)])  # one source without counterpart
    order = list(range(10))
    random.Random(5).shuffle(order)
    tgt = [PairDoc(f"id/t{k}.txt", "id", tuple(translate(stories[k]))) for k in order]
    tgt.append(PairDoc("id/extra.txt", "id", tuple(translate(story(998)))))
    res = pair_documents(src, tgt, encoder())
    assert found(res) == {(f"vi/{k}.txt", f"id/t{k}.txt") for k in range(10)}
    assert all(m.evidence == "content" and m.margin >= 0.05 for m in res.matches)
    lost = {(u.side, (res.src if u.side == "src" else res.tgt)[u.doc].path): u.reason for u in res.unpaired}
    assert set(lost) == {("src", "vi/10.txt"), ("tgt", "id/extra.txt")}
    assert all(r.startswith("no candidate") for r in lost.values()), lost


def test_global_assignment_is_not_greedy():
    # greedy takes (0, 0) = 0.9 first and leaves row 1 without a partner; the global optimum pairs both
    pairs = assign(np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([0.9, 0.8, 0.85]), 2, 2)
    assert pairs == [(0, 1), (1, 0)]


def test_sparse_solver_agrees_with_dense(monkeypatch):
    rng = np.random.default_rng(3)
    rows, cols = rng.integers(0, 40, 300), rng.integers(0, 40, 300)
    keys = np.unique(rows * 40 + cols)
    rows, cols = keys // 40, keys % 40
    w = rng.random(len(rows)) + 0.01
    dense = assign(rows, cols, w, 40, 40)
    monkeypatch.setattr(assign_mod, "DENSE_MAX", 1)
    sparse = assign(rows, cols, w, 40, 40)
    total = {(r, c): x for r, c, x in zip(rows.tolist(), cols.tolist(), w.tolist())}
    assert sum(total[p] for p in sparse) == pytest.approx(sum(total[p] for p in dense))
    assert len({r for r, _ in sparse}) == len(sparse) == len({c for _, c in sparse})


def test_margin_too_small_leaves_both_unpaired():
    stories = [story(200 + k) for k in range(4)]
    src, tgt = docs("vi", stories), docs("id", [translate(s) for s in stories])
    assert len(pair_documents(src, tgt, encoder()).matches) == 4
    res = pair_documents(src, tgt, encoder(), PairParams(min_margin=0.99))
    assert res.matches == []
    assert len(res.unpaired) == 8
    assert all(u.reason.startswith("margin too small") and u.best >= 0 for u in res.unpaired)


def test_other_version_of_the_story_is_already_taken_not_a_rival():
    stories = [story(300 + k, 10) for k in range(5)]
    full = translate(stories[0])
    version = full[:9] + ["Dok. Budi Santoso."]  # the last paragraph less, a byline more: a near tie
    src = docs("vi", stories)
    tgt = docs("id", [translate(s) for s in stories[1:]], "t") + [PairDoc("id/v2.txt", "id", tuple(version)),
                                                                    PairDoc("id/full.txt", "id", tuple(full))]
    res = pair_documents(src, tgt, encoder())
    assert ("vi/0.txt", "id/full.txt") in found(res)
    (u,) = res.unpaired
    assert res.tgt[u.doc].path == "id/v2.txt" and res.src[u.best].path == "vi/0.txt"
    assert u.reason == "already taken: its best candidate is paired with full.txt"
    # were the other version a rival, the fuller one would not beat it by the margin
    strict = pair_documents(src, tgt, encoder(), PairParams(near_duplicate=2.0))
    assert ("vi/0.txt", "id/full.txt") not in found(strict)


def test_ivf_candidates_find_the_nearest_documents():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3000, 32)).astype(np.float32)
    y = x + 0.3 * rng.standard_normal(x.shape).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    rows, cols = candidates(x, y, SearchParams(k=4, exact_max=1000))
    hit = set(zip(rows.tolist(), cols.tolist()))
    assert sum((i, i) in hit for i in range(3000)) >= 0.99 * 3000
    assert len(rows) < 3000 * 3000 // 50  # never all pairs


# --------------------------------------------------------------------------- folders, manifest, CLI


def _archive(tmp_path: Path) -> Path:
    for lang in ("vi", "id", "en"):
        (tmp_path / lang).mkdir(parents=True)
    for k in range(4):
        source = f"https://bao.example/{k}.html"
        (tmp_path / "vi" / f"bai-{k}.txt").write_text("\n\n".join(story(400 + k)) + f"\n\nNguồn: {source}\n", encoding="utf-8")
        (tmp_path / "id" / f"berita-{3 - k}.txt").write_text("\n\n".join(translate(story(400 + k))) + f"\n\nSumber: {source}\n",
                                                            encoding="utf-8")
        if k < 3:
            (tmp_path / "en" / f"news-{k}.txt").write_text("\n\n".join(translate(story(400 + k))) + f"\n\nSource: {source}\n",
                                                        encoding="utf-8")
    (tmp_path / "id" / "empty.txt").write_text("", encoding="utf-8")
    return tmp_path


def test_manifest_is_what_corpus_reads_and_unpaired_are_listed(tmp_path):
    root = _archive(tmp_path)
    res = pair_folders(root / "vi", [root / "id", root / "en"], encoder(), force=True, params=PairParams(evidence="content"))
    assert [(p.src_lang, p.tgt_lang, len(p.matches)) for p in res] == [("vi", "id", 4), ("vi", "en", 3)]
    manifest, lost = write_manifest(res, root / "pairs.tsv", root / "vi")
    rows = read_manifest(manifest, "vi", ["id"])
    got = {(pid, Path(s).name, Path(t).name, sl, tl) for pid, s, t, sl, tl in rows}
    assert ("bai-0", "bai-0.txt", "berita-3.txt", "vi", "id") in got and ("bai-0", "bai-0.txt", "news-0.txt", "vi", "en") in got
    assert len(got) == 7
    assert manifest.read_text(encoding="utf-8").split("\n")[1].split("\t")[1] == "vi/bai-0.txt"  # relative inside
    listed = lost.read_text(encoding="utf-8")
    assert lost == unpaired_path(root / "pairs.tsv")
    assert "id/empty.txt" in listed and "unreadable" in listed
    assert "vi/bai-3.txt" in listed and "target (vi-en)" not in listed.split("vi/bai-3.txt")[0].split("\n")[-1]


def test_manifest_outside_the_folders_uses_absolute_paths(tmp_path):
    root = _archive(tmp_path / "archive")
    res = pair_folders(root / "vi", [root / "id"], encoder(), force=True)
    (tmp_path / "out").mkdir()
    manifest, _ = write_manifest(res, tmp_path / "out" / "pairs.tsv", root / "vi")
    rows = read_manifest(manifest, "vi", ["id"])  # no --follow-links needed
    assert all(Path(s).is_absolute() and Path(s).exists() for _, s, _, _, _ in rows)


def test_pairing_embeds_what_the_alignment_reads_back_from_the_cache(tmp_path):
    root = _archive(tmp_path)
    cache = EmbeddingCache(str(tmp_path / "emb.sqlite"))
    enc = encoder()
    enc.cache = cache
    pair_folders(root / "vi", [root / "id"], enc, force=True)
    again = encoder()
    again.cache = EmbeddingCache(str(tmp_path / "emb.sqlite"))
    doc = read_document(root / "vi" / "bai-1.txt", "vi", force=True)
    again.encode([s.text for s in doc.content])  # what align_pair embeds first
    assert again.texts_embedded == 0


def test_cli_pair_writes_manifest(tmp_path):
    root = _archive(tmp_path)
    out = subprocess.run([sys.executable, "-m", "align", "pair", str(root / "vi"), str(root / "id"), str(root / "en"),
                          "-o", str(root / "pairs.tsv"), "--evidence", "links", "--force"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert "align: pair vi-id: 4 pairs" in out.stderr and "align: pair vi-en: 3 pairs" in out.stderr
    assert len(read_manifest(root / "pairs.tsv", "vi", ["id"])) == 7


# ------------------------------------------------------------------ refused before anything is written (review findings)


def _align(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "align", *args, "--model", "hash"], cwd=cwd, capture_output=True,
                          text=True, check=False)


def test_pair_refuses_a_manifest_inside_a_folder_it_reads(tmp_path):
    root = _archive(tmp_path)
    victim = root / "vi" / "bai-0.txt"
    before = victim.read_bytes()
    cp = _align("pair", "vi", "id", "-o", "vi/bai-0.txt", cwd=root)
    assert cp.returncode == 2 and "inside the input folder" in cp.stderr, cp.stderr
    assert victim.read_bytes() == before and not (root / "vi" / "bai-0.unpaired.txt").exists()


@pytest.mark.parametrize("extra", [["--review-tsv", "x.tsv"], ["--tgt-code", "en-US"]])
def test_corpus_pair_refuses_bad_options_before_writing_anything(tmp_path, extra):
    root = _archive(tmp_path)
    cp = _align("corpus", "--pair", "vi", "id", "-o", "out", *extra, cwd=root)
    assert cp.returncode == 2, cp.stderr
    assert not (root / "out").exists()


def test_corpus_pair_refuses_an_outdir_that_is_a_file_or_inside_an_input_folder(tmp_path):
    root = _archive(tmp_path)
    (root / "afile").write_text("x", encoding="utf-8")
    cp = _align("corpus", "--pair", "vi", "id", "-o", "afile", cwd=root)
    assert cp.returncode == 5 and "not a folder" in cp.stderr and "internal error" not in cp.stderr, cp.stderr
    cp = _align("corpus", "--pair", "vi", "id", "-o", "vi/out", cwd=root)
    assert cp.returncode == 2 and "inside the input folder" in cp.stderr and not (root / "vi" / "out").exists()


def test_corpus_pair_honours_no_cache_and_the_languages_given(tmp_path):
    root = _archive(tmp_path)
    (root / "vi").rename(root / "orig")
    (root / "id").rename(root / "trans")
    cp = _align("corpus", "--pair", "orig", "trans", "--src-lang", "vi", "--tgt-lang", "id", "-o", "out", "--no-cache",
                "--force", "--no-progress", cwd=root)
    assert cp.returncode == 0, cp.stderr
    assert (root / "out" / "pairs.tsv").is_file() and not (root / "out" / ".cache").exists()
