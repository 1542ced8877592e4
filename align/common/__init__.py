"""The bottom layer every stage may use: the data model, typed errors, safe writes.

* ``model``: the frozen dataclasses that travel between stages (``Document``,
  ``Segment``, ``Bead``, ``Alignment``, ``Unaligned``); plain data, so a stage can
  be tested, cached or run on another machine.
* ``errors``: library code raises these; only the CLI prints them and picks the
  exit code of their class.
* ``atomic``: write-to-temporary-then-rename, so a crash or a full disk never
  leaves half a file.
* ``products``: matrix products summed in float64 and rounded once, so that
  the BLAS library, its threads and the block shape do not change the values.
* ``version``: the package version, signed into every result.
"""

from align.common.errors import AlignError, InputError, ModelError, OutputError, UsageError
from align.common.model import Alignment, Bead, Document, Segment, Unaligned
from align.common.version import __version__

__all__ = [
    "AlignError", "Alignment", "Bead", "Document", "InputError", "ModelError", "OutputError", "Segment",
    "Unaligned", "UsageError", "__version__",
]
