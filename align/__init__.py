"""align: sentence and paragraph alignment of translated documents into TMX.

The public API is what a notebook user needs; everything else lives in private
``_module.py`` files and may change.
"""

from ._encoders import Encoder, HashEncoder, load_encoder
from ._errors import AlignError, InputError, ModelError, OutputError, UsageError
from ._model import Alignment, Bead, Document, Segment, Unaligned

__version__ = "0.1.0"

__all__ = [
    "Alignment",
    "AlignError",
    "Bead",
    "Document",
    "Encoder",
    "HashEncoder",
    "InputError",
    "ModelError",
    "OutputError",
    "Segment",
    "Unaligned",
    "UsageError",
    "__version__",
    "load_encoder",
]
