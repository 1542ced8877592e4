"""Writing an output file all at once or not at all.

Every output (TMX, reports, beads, review sheets, corpus markers) goes through
``atomic_write``: the bytes go to a hidden temporary file in the same folder,
are flushed to disk, and the file is renamed over the target only when
complete. A crash, a kill or a full disk leaves the previous file, if any,
exactly as it was, and never half a file that a CAT tool would import.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat

from align.common.errors import OutputError


def error_hint(e: OSError) -> str:
    """What a person can do about an OS error while writing."""
    return {
        errno.ENOSPC: "disk full; the previous file, if any, is untouched",
        errno.EDQUOT: "disk quota exceeded; the previous file, if any, is untouched",
        errno.EACCES: "permission denied; choose another output folder",
        errno.EPERM: "permission denied; choose another output folder",
        errno.EROFS: "read-only file system; choose another output folder",
    }.get(e.errno or 0, "check the folder exists, is writable and has space")


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte to ``fd`` (a seam for tests that simulate a full disk)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def check_output_target(path: str | os.PathLike[str]) -> None:
    """Refuse an output path that exists and is not a regular file.

    The final rename would replace whatever is there: a folder fails late, but a
    device (``/dev/null``, ``/dev/full``), a FIFO or a socket would be silently
    swapped for a regular file, which as root damages the system. A symbolic link
    to a regular file is allowed (the link is replaced, as editors do).
    """
    path = os.fspath(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as e:
        raise OutputError(f"cannot check the output: {e.strerror}", path=path, hint=error_hint(e)) from e
    if stat.S_ISDIR(mode):
        raise OutputError("is a folder, not a file", path=path, hint="give a file name for the output")
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise OutputError(f"exists and is {kind}, not a regular file", path=path,
                          hint="give the path of a regular file (align never writes to devices or pipes)")


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Write ``data`` (str is encoded as UTF-8) to ``path`` through a temporary file and a rename.

    The new file gets the permissions of the file it replaces, else the usual
    ones (0666 less the umask), not the 0600 of ``mkstemp``.
    """
    path = os.fspath(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise OutputError("output folder does not exist", path=path, hint="create it first or choose another path")
    check_output_target(path)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as e:
        raise OutputError(f"cannot create a file in {directory}: {e.strerror}", path=path, hint=error_hint(e)) from e
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"cannot write: {e.strerror or e}", path=path, hint=error_hint(e)) from e


def copy_for_append(final: str | os.PathLike[str], tmp: str | os.PathLike[str]) -> None:
    """Copy the existing file ``final`` to ``tmp`` (the new units are added there, then ``tmp`` replaces ``final``).

    Nothing to copy when ``final`` does not exist yet; an OSError is an
    ``OutputError`` naming ``final``.
    """
    if not os.path.exists(final):
        return
    try:
        shutil.copyfile(final, tmp)
    except OSError as e:
        raise OutputError(f"cannot copy the TMX to append to: {e.strerror or e}", path=os.fspath(final)) from e
