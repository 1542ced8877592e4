"""Quality: what a reviewer should look at, and what must never be false.

* ``flags``: per-bead flags (low score, length ratio, numbers, names, drift,
  omissions, moved segments) and the summary the reports show.
* ``mismatch``: the number and name checks behind two of those flags.
* ``invariants``: every input segment in exactly one bead or unaligned entry,
  in order; checked after every alignment (a failure is a programming error).
"""

from align.quality.flags import FLAGS, QualityParams, flag_beads, flag_details, summary
from align.quality.invariants import InvariantError, check_alignment, check_document

__all__ = [
    "FLAGS", "InvariantError", "QualityParams", "check_alignment", "check_document", "flag_beads", "flag_details",
    "summary",
]
