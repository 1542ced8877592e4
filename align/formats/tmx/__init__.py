"""TMX 1.4b translation memories: write, read, merge, and rewrite with new props.

* ``write.py``: ``write_tmx`` (alignments to a TMX CAT tools accept), the text
  cleaning and language codes it applies, and the pipeline's writers ``TMX``
  and ``REVIEW_TMX`` (``align.formats.base``);
* ``read.py``: ``read_tmx``, a safe reader of any TMX 1.1-1.4b (no network,
  no DTD, no entities);
* ``merge.py``: ``merge_tmx``, the corpus' per-pair files streamed into one;
* ``props.py``: ``write_tmx_props``, a TMX written again with some props
  changed and everything else kept (``align score-tm``).
"""

from align.formats.tmx.merge import merge_tmx
from align.formats.tmx.props import write_tmx_props
from align.formats.tmx.read import TU, XML_LANG, TmxFile, read_tmx, seg_text
from align.formats.tmx.write import (
    DEFAULT_REGIONS,
    DOCTYPE,
    MAX_SEG_CHARS,
    NO_SPACE_LANGS,
    REVIEW_TMX,
    TMX,
    Level,
    ReviewTmxWriter,
    TmxStats,
    TmxWriter,
    clean_text,
    language_code,
    write_tmx,
)

__all__ = [
    "DEFAULT_REGIONS",
    "DOCTYPE",
    "MAX_SEG_CHARS",
    "NO_SPACE_LANGS",
    "REVIEW_TMX",
    "TMX",
    "TU",
    "XML_LANG",
    "Level",
    "ReviewTmxWriter",
    "TmxFile",
    "TmxStats",
    "TmxWriter",
    "clean_text",
    "language_code",
    "merge_tmx",
    "read_tmx",
    "seg_text",
    "write_tmx",
    "write_tmx_props",
]
