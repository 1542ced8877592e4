"""Reading a file the user named, bounded and regular-file-checked.

Every file the tool reads (documents, TMX, review sheets, report JSON, gold
files, manifests) goes through ``read_bounded``: a folder, a device (``/dev/zero``),
a FIFO or a socket is refused with one line instead of a hang or a MemoryError,
and no more than ``limit`` bytes are ever read. The check is made on the open
file descriptor (opened non-blocking, so a FIFO cannot hang the open), not only
on the path, so a file swapped for a pipe between the check and the read is
refused too.
"""

from __future__ import annotations

import os
import stat

from align.common.errors import InputError

#: The default limit for files of the tool's own formats and for documents.
MAX_FILE_BYTES = 64 * 1024 * 1024


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


def too_large(size: int, limit: int, path: str, hint: str) -> InputError:
    """The error for a file over its limit, naming both sizes."""
    return InputError(f"is too large ({_mb(size)}; the limit is {_mb(limit)})", path=path, hint=hint)


def read_bounded(
    path: str | os.PathLike[str],
    *,
    limit: int = MAX_FILE_BYTES,
    what: str = "file",
    hint_large: str = "split it into smaller files",
) -> bytes:
    """All bytes of a regular file of at most ``limit`` bytes, or an ``InputError`` naming ``path``."""
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("file not found", path=name, hint="check the path and the file name") from None
    except PermissionError:
        raise InputError("permission denied", path=name, hint="check the read permission of the file and its folders") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path=name, hint=f"give the path of the {what}") from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", path=name) from None
    try:
        mode, size = (st := os.fstat(fd)).st_mode, st.st_size
        if stat.S_ISDIR(mode):
            raise InputError("is a folder, not a file", path=name, hint=f"give the path of the {what}")
        if not stat.S_ISREG(mode):
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
            raise InputError(f"is {kind}, not a regular file", path=name, hint=f"give the path of the {what}")
        if size > limit:
            raise too_large(size, limit, name, hint_large)
        os.set_blocking(fd, True)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # grew while we read
            raise too_large(total, limit, name, hint_large)
        return b"".join(chunks)
    except PermissionError:
        raise InputError("permission denied", path=name, hint="check the read permission of the file (chmod u+r)") from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", path=name) from None
    finally:
        os.close(fd)


def read_bounded_text(
    path: str | os.PathLike[str], *, limit: int = MAX_FILE_BYTES, what: str = "file", bom: bool = False
) -> str:
    """A UTF-8 file of the tool's own formats (manifest, beads, gold, report JSON), bounded like ``read_bounded``.

    These are not guessed at like documents: a wrong encoding is an ``InputError``
    naming the file. ``bom``: a leading UTF-8 byte-order mark is allowed
    (spreadsheets write one).
    """
    data = read_bounded(path, limit=limit, what=what)
    try:
        return data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{what} is not UTF-8 (byte {e.start})", path=os.fspath(path), hint="save it as UTF-8") from None
