"""Pairing: which document of a folder translates which document of another, before any alignment.

``align pair SRC_DIR TGT_DIR [TGT_DIR ...] -o pairs.tsv`` (and ``align corpus
--pair``). Read in this order:

* ``pair``: the driver. ``read_folder`` (every document the readers take),
  ``pair_documents`` (links first, then content, one global assignment with a
  margin, the unpaired documents with their reasons), ``pair_folders``;
* ``links``: URL keys from ``<link rel=alternate hreflang>``, canonical URLs
  and source lines;
* ``content``: document vectors for the candidates, the sentence-level score,
  anchors and length;
* ``search``: the ``k`` nearest documents, exactly or through an inverted file;
* ``assign``: the global one-to-one assignment;
* ``manifest``: the manifest ``align corpus`` reads and the unpaired list.
"""

from align.pairing.manifest import unpaired_path, write_manifest
from align.pairing.pair import (
    Match,
    PairDoc,
    Pairing,
    PairParams,
    Unpaired,
    folder_lang,
    pair_documents,
    pair_folders,
    read_folder,
)

__all__ = [
    "Match",
    "PairDoc",
    "PairParams",
    "Pairing",
    "Unpaired",
    "folder_lang",
    "pair_documents",
    "pair_folders",
    "read_folder",
    "unpaired_path",
    "write_manifest",
]
