"""Test helper: bytes as a legacy Vietnamese encoding writes them (shared by the decode, read and CLI tests)."""

from __future__ import annotations

import unicodedata


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows wrote it: the code page's letters plus combining tone marks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            for mark in list(marks):
                composed = unicodedata.normalize("NFC", base + mark)
                if len(composed) == 1 and composed.encode("cp1258", errors="ignore"):
                    base = composed
                    marks.remove(mark)
            out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)
