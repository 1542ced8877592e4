"""Reading: a file on disk becomes a ``Document`` of paragraphs and sentences.

The one way in is ``read_document(path, lang)``. Inside, in the order a file
goes through them: ``decode`` (bytes to NFC text, encodings detected and named),
``read`` (text, HTML or pre-split lines into blocks; Word and OpenDocument files
through ``office``, PDF text layers through ``pdf``, both into the paragraphs of
``parts``), ``noise`` (site furniture,
credits and captions kept out of the TMX but listed), ``segment`` (sentences,
with abbreviation lists per language) and ``langid`` (is the text in the
declared language?).
"""

from align.reading.read import FORMATS, document_from_text, read_document

__all__ = ["FORMATS", "document_from_text", "read_document"]
