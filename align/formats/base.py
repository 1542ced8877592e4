"""What an output format is: a ``Writer``, and the ``AlignedPair`` it writes from.

``align run`` and the corpus runner write the same aligned pair in several
formats at once (TMX, review TMX, beads, HTML/JSON report, review sheets).
Each format is one object with a ``name`` (the key callers use to ask for it:
``outputs={"tmx": "out.tmx", "beads": "out.beads"}``), a default ``suffix``
(the file name next to ``OUT.tmx``: see ``align.formats.paths.sibling``) and a
``write`` method. The pipeline (``align.pipeline.pair.align_pair``) looks the
requested names up in ``align.formats.registry`` and calls each writer in the
registry's order, so adding a format never touches the pipeline.

A writer writes one file, at the path it is given, and nothing else: that path
is a staging file beside the final one, renamed into place together with every
other output of the pair once all writers succeeded (all outputs or none). A
writer that raises leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from align.common.model import Alignment


class OutputOptions(Protocol):
    """The run's choices a writer may read (``align.pipeline.pair.RunOptions`` has them all).

    A Protocol rather than ``RunOptions`` itself because the pipeline sits
    above the formats: a format never imports the pipeline.
    """

    @property
    def level(self) -> str: ...  # sentence | paragraph | both (TMX units)

    @property
    def region(self) -> bool: ...  # language codes with region (vi-VN)

    @property
    def src_code(self) -> str | None: ...

    @property
    def tgt_code(self) -> str | None: ...

    @property
    def min_score(self) -> float: ...  # TUs scoring below it are left out

    @property
    def dedupe(self) -> bool: ...  # identical (source, target) TUs written once

    @property
    def append(self) -> bool: ...  # add to the existing TMX instead of replacing it

    @property
    def creationid(self) -> str: ...  # TMX creationid of the new units

    @property
    def split_by_score(self) -> float | None: ...  # TUs below it go to the review TMX


@dataclass
class AlignedPair:
    """One aligned, flagged pair as the writers see it, and what the writers before did.

    ``src_vecs``/``tgt_vecs`` are the vectors of ``alignment.src``/``.tgt``
    (the report draws their cosines), ``None`` where the caller has none.
    ``paths`` holds the *final* path of every output requested for this pair,
    by writer name (a writer is handed its staging path, and may need the final
    name: the report links the TMX by it). ``results`` holds what each writer
    returned, by name, filled in registry order (the report tells what the TMX
    writer did). ``memo`` is for work writers share (the report's payload, for
    its HTML and its JSON), so it is done once per pair.
    """

    alignment: Alignment
    src_vecs: np.ndarray | None = None
    tgt_vecs: np.ndarray | None = None
    paths: dict[str, str] = field(default_factory=dict)
    results: dict[str, object] = field(default_factory=dict)
    memo: dict[str, object] = field(default_factory=dict)


class Writer(Protocol):
    """One output format.

    ``name``: the key of this output in ``outputs`` mappings, in
    ``PairResult.outputs`` and in the corpus' done markers (``tmx``,
    ``report_html``...). ``suffix``: the default file name as a suffix of the
    TMX's stem (``.report.html`` gives ``OUT.report.html``).
    ``write(pair, path, options)`` writes the file at ``path`` (a staging
    path: see the module docstring), raises an ``AlignError`` for what a user
    can fix, and returns what it did (statistics, a row count, ``None``) for
    the writers after it and the caller (``PairResult.results``).
    """

    name: str
    suffix: str

    def write(self, pair: AlignedPair, path: str, options: OutputOptions) -> object: ...
