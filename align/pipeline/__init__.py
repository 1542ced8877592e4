"""The pipeline: one document pair from files on disk to its outputs (``pair.align_pair``).

Read both documents, align, check the invariants, flag, then write the
requested outputs through the writers of ``align.formats.registry``, all or
none. The CLI's ``run`` and every corpus worker go through it.
"""

from align.pipeline.pair import (
    PairResult,
    RunOptions,
    align_pair,
    check_creationid,
    check_outputs,
    result_warnings,
    warm_up,
)

__all__ = ["PairResult", "RunOptions", "align_pair", "check_creationid", "check_outputs", "result_warnings", "warm_up"]
