"""The beads of an alignment in the evaluation notation, one per line: ``[0]:[0]``, ``[1,2]:[3]``, ``[4]:[]``.

The same notation as the gold files of ``align eval``, so a run's beads can be
scored, diffed between versions, or read by other aligners' tools.
"""

from __future__ import annotations

from align.common.atomic import atomic_write
from align.common.model import Alignment
from align.formats.base import AlignedPair, OutputOptions


def beads_text(alignment: Alignment) -> str:
    """The beads in the evaluation notation, one per line (``[0]:[0]``, ``[1,2]:[3]``, ``[4]:[]``)."""
    return "".join(b.notation() + "\n" for b in alignment.beads)


class BeadsWriter:
    """Writer of the beads file (``align run --beads``; ``<pair>.beads.txt`` in a corpus)."""

    name = "beads"
    suffix = ".beads.txt"

    def write(self, pair: AlignedPair, path: str, options: OutputOptions) -> int:
        """Write the beads of ``pair``; return how many."""
        atomic_write(path, beads_text(pair.alignment))
        return len(pair.alignment.beads)


BEADS = BeadsWriter()
