"""Test helper: a Document built from paragraphs of sentences, with real character spans."""

from __future__ import annotations

from align.common.model import Document, Segment


def make_doc(path: str, lang: str, paras: list[list[str]], *, para_sep: str = "\n\n") -> Document:
    """Sentences joined by a space inside a paragraph, paragraphs by ``para_sep``; spans point into the text."""
    text, segs = "", []
    for p, sents in enumerate(paras):
        if p:
            text += para_sep
        for i, s in enumerate(sents):
            if i:
                text += " "
            segs.append(Segment(s, "sentence", p, i, (len(text), len(text) + len(s))))
            text += s
    return Document(path, lang, text, tuple(segs))
