"""What the run path imports: counting the sentences of pre-split lines loads Punkt, not nltk or scipy."""

from __future__ import annotations

import subprocess
import sys

_COUNT = (
    "import sys\n"
    "from align.core.aligner import _sentence_counts\n"
    "counts = _sentence_counts(['Một câu. Hai câu nữa!', 'Chỉ một câu.', 'Ông A. B. Nguyễn nói. Vâng.'], 'vi')\n"
    "print(counts.tolist())\n"
    "print(sorted(m for m in ('nltk', 'nltk.collocations', 'scipy.stats', 'sklearn') if m in sys.modules))\n"
)


def _run(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def test_counting_sentences_imports_neither_nltks_package_nor_scipy_stats():
    counts, loaded = _run(_COUNT)
    assert counts == "[2, 1, 2]"
    assert loaded == "[]"  # Punkt alone: not nltk/__init__, which pulls in collocations -> scipy.stats, sklearn


def test_punkt_loaded_alone_splits_as_under_the_whole_of_nltk_and_leaves_nltk_importable():
    counts, _ = _run("import nltk\n" + _COUNT)  # nltk already imported: the plain import is used
    assert counts == "[2, 1, 2]"
    after = _run(_COUNT + "import nltk, nltk.tokenize.punkt\nprint(callable(nltk.word_tokenize), 'nltk' in sys.modules)\n")
    assert after[0] == "[2, 1, 2]" and after[2] == "True True"  # a later import nltk gets the complete package
