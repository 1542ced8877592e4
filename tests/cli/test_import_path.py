"""What `align run` imports: the aligner's own needs, never the layers and libraries other commands use.

Each import costs every run (scipy's optimizer alone a third of a second), so
the CLI imports the corpus, editor, pairing and tools layers inside the
commands that use them, and ``import align`` resolves its public names on
first use. A fresh interpreter is asked, since this test process has
imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import align

# jinja2 only where an HTML report is written (``--no-report`` runs never import it);
# scipy is not needed by a run at all (numba imported it, and its linear algebra, up to 0.8.4)
HEAVY = ("scipy", "numba", "llvmlite", "dask", "distributed",
         "torch", "transformers", "sentence_transformers", "sklearn", "nltk", "openpyxl", "matplotlib", "PIL",
         "jinja2", "align.pairing", "align.corpus", "align.editor", "align.tools")


def _loaded_after(code: str, names: tuple[str, ...] = HEAVY) -> list[str]:
    """The modules of ``names`` (or below them) that a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    root = os.path.dirname(os.path.dirname(align.__file__))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env).stdout
    loaded = json.loads(out.splitlines()[-1])
    return [m for m in loaded if any(m == h or m.startswith(h + ".") for h in names)]


def test_align_run_imports_none_of_the_other_commands_layers():
    # what `align run` imports before it reads its inputs: the CLI and the pipeline it calls
    assert _loaded_after("import align.cli.main, align.pipeline.pair, align.core.aligner") == []


# modules `align run` loads only for the inputs that need them: a file not in UTF-8 (charset_normalizer), no
# --cache folder named (platformdirs), a PDF (the PDF reader); the page-noise rules compile their patterns on first use
ON_DEMAND = ("charset_normalizer", "platformdirs", "align.reading.pdf")


def test_align_run_loads_the_readers_and_helpers_of_other_inputs_only_for_them():
    probe = ("import align.cli.main, align.pipeline.pair, align.core.aligner, align.reading.noise as noise\n"
             "assert 'search' not in noise._DATE.__dict__, 'compiled at import'")
    loaded = _loaded_after(probe, ON_DEMAND)
    assert loaded == []
    assert _loaded_after("from align.reading.read import _rich_reader; _rich_reader('pdf')", ON_DEMAND) == [
        "align.reading.pdf"]


def test_import_align_loads_no_stage():
    assert _loaded_after("import align") == []
    assert _loaded_after("import align; align.__all__") == []


def test_every_public_name_resolves():
    for name in align.__all__:
        assert getattr(align, name) is not None, name
    assert set(align.__all__) <= set(dir(align))
    assert align.evaluate.__name__ == "evaluate_dirs"
