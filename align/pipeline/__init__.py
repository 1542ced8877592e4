"""The pipeline: one document pair from files on disk to its outputs (``pair.align_pair``).

Read both documents, align, check the invariants, flag, then write the
requested outputs through the writers of ``align.formats.registry``, all or
none. The CLI's ``run`` and every corpus worker go through it. The TMX and
review options are defined once, in ``options`` (``TmxOptions``, ``OutputSet``).
"""

from align.pipeline.options import (
    OutputSet,
    TmxOptions,
    add_counts,
    check_creationid,
    tmx_counts,
    tmx_fields,
    tmx_notes,
)
from align.pipeline.pair import (
    PairResult,
    RunOptions,
    align_pair,
    check_outputs,
    result_warnings,
    warm_up,
)

__all__ = [
    "OutputSet",
    "PairResult",
    "RunOptions",
    "TmxOptions",
    "add_counts",
    "align_pair",
    "check_creationid",
    "check_outputs",
    "result_warnings",
    "tmx_counts",
    "tmx_fields",
    "tmx_notes",
    "warm_up",
]
