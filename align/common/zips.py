"""Zip archives from outside (XLSX review sheets, DOCX and ODT documents), checked before a library inflates them.

A few kilobytes of zip can unpack to gigabytes (a *zip bomb*), or list so many
parts that merely opening the archive takes minutes. :func:`check_zip_archive`
checks an archive held in memory (read with :func:`align.common.files.read_bounded`)
against :class:`ZipRules`: the number of parts, each part's compression ratio
and the declared unpacked total first, then every part is inflated once as a
stream, counting, because declared sizes can lie (zipfile stops a part at its
declared size and the CRC check then fails, which this finds before the real
reader does). The same pass can count a tag (XLSX ``<sheet>`` entries): a
library that opens each listed item would take minutes over a few kilobytes
listing the same item 20,000 times.

Moved here from the review-sheet reader (``align.formats.review``) so that the
document readers (``align.reading``), which may not import ``formats``, check
DOCX and ODT files the same way.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from align.common.errors import AlignError, InputError

#: A central-directory entry starts with this signature: counting it bounds the parts before zipfile parses them.
_CENTRAL_ENTRY = b"PK\x01\x02"


@dataclass(frozen=True)
class ZipRules:
    """The limits an archive must keep, and the words of the errors when it does not.

    ``what`` ends the sentence "a zip bomb, not ...". ``tag`` (with ``max_tags``,
    ``tag_error`` and ``tag_hint``) counts a byte pattern over all unpacked parts.
    """

    max_parts: int = 4096
    max_unpacked: int = 256 * 2**20
    max_ratio: int = 100
    ratio_grace: int = 2**20
    what: str = "a document an office program writes"
    hint_resave: str = "open it in its program and save it again"
    hint_split: str = "split it into smaller files"
    tag: re.Pattern[bytes] | None = None
    max_tags: int = 0
    tag_error: str = ""
    tag_hint: str = ""


def size_text(n: int) -> str:
    """A byte count as a person reads it (``3 MB``, ``12 KB``, ``100 bytes``)."""
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def check_zip_archive(data: bytes, path: str, rules: ZipRules, *, damaged: Callable[[Exception], InputError]) -> None:
    """Refuse an archive that breaks ``rules`` with an :class:`InputError` naming ``path``.

    ``damaged`` turns any other failure (a truncated or corrupt archive: zipfile,
    zlib and struct raise many kinds) into the caller's own error.
    """
    if data.count(_CENTRAL_ENTRY) > rules.max_parts:
        raise InputError(f"has more than {rules.max_parts} parts: not {rules.what}", path=path, hint=rules.hint_resave)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            declared = 0
            for info in infos:
                declared += info.file_size
                if info.file_size > rules.ratio_grace and info.file_size > rules.max_ratio * max(info.compress_size, 1):
                    raise InputError(
                        f"part {_short(info.filename, 60)!r} unpacks to {info.file_size // max(info.compress_size, 1)} "
                        f"times its packed size (the limit is {rules.max_ratio}): a zip bomb, not {rules.what}",
                        path=path, hint=rules.hint_resave)
            if declared > rules.max_unpacked:
                raise _unpacked_error(path, declared, rules)
            total = tags = 0
            for info in infos:
                with zf.open(info) as part:
                    tail = b""
                    while chunk := part.read(1 << 20):
                        total += len(chunk)
                        if total > rules.max_unpacked:
                            raise _unpacked_error(path, total, rules)
                        if rules.tag is None:
                            continue
                        buf = tail + chunk
                        # count the tags that end in this chunk (those in the tail were counted)
                        tags += sum(1 for m in rules.tag.finditer(buf) if m.end() > len(tail))
                        tail = buf[-64:]
                if rules.tag is not None and tags > rules.max_tags:
                    raise InputError(rules.tag_error, path=path, hint=rules.tag_hint)
    except (AlignError, MemoryError):
        raise
    except Exception as e:  # zipfile, zlib and struct on a damaged archive raise many kinds
        raise damaged(e) from e


def _unpacked_error(path: str, size: int, rules: ZipRules) -> InputError:
    return InputError(f"unpacks to {size_text(size)} or more (the limit is {size_text(rules.max_unpacked)} unpacked)",
                      path=path, hint=rules.hint_split)
