"""All-or-nothing file writing (align.common.atomic)."""

import errno
import os
import stat

import pytest

from align.common import atomic
from align.common.errors import OutputError


def test_writes_text_as_utf8_and_replaces_the_old_file(tmp_path):
    out = tmp_path / "a.tmx"
    out.write_text("old")
    atomic.atomic_write(out, "mới")
    assert out.read_bytes() == "mới".encode()
    assert [p.name for p in tmp_path.iterdir()] == ["a.tmx"]  # no temporary file left


def test_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    out = tmp_path / "a.tmx"
    out.write_text("old")
    os.chmod(out, 0o640)
    atomic.atomic_write(out, b"new")
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_new_files_get_the_usual_permissions_not_mkstemps_0600(tmp_path):
    out = tmp_path / "new.tmx"
    old = os.umask(0o022)
    try:
        atomic.atomic_write(out, b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_a_full_disk_leaves_the_previous_file_intact_and_no_temporary(tmp_path, monkeypatch):
    out = tmp_path / "a.tmx"
    out.write_bytes(b"previous")

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "_write_all", full)
    with pytest.raises(OutputError) as e:
        atomic.atomic_write(out, b"new content")
    assert "disk full" in str(e.value)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["a.tmx"]


def test_a_missing_folder_is_an_output_error(tmp_path):
    with pytest.raises(OutputError):
        atomic.atomic_write(tmp_path / "no" / "such" / "a.tmx", b"x")


def test_error_hints_name_what_to_do():
    assert "read-only" in atomic.error_hint(OSError(errno.EROFS, "ro"))
    assert "check the folder" in atomic.error_hint(OSError(None, "odd"))


# Issue 19, case 1: an output path that is a device or FIFO must be refused, never replaced.


def test_output_on_a_fifo_is_refused_and_left_a_fifo(tmp_path):
    fifo = tmp_path / "out.tmx"
    os.mkfifo(fifo)
    with pytest.raises(OutputError) as e:
        atomic.atomic_write(fifo, b"x")
    assert "FIFO" in str(e.value) and str(fifo) in str(e.value)
    assert e.value.exit_code == 5
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tmx"]


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod of a character device needs root")
def test_output_on_a_character_device_is_refused_and_left_a_device(tmp_path):
    dev = tmp_path / "null"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a copy of /dev/null
    with pytest.raises(OutputError) as e:
        atomic.atomic_write(dev, b"x")
    assert "device" in str(e.value)
    assert stat.S_ISCHR(os.stat(dev).st_mode)


def test_output_on_a_folder_is_refused(tmp_path):
    with pytest.raises(OutputError, match="folder"):
        atomic.check_output_target(tmp_path)


def test_a_symlink_to_a_regular_file_is_a_regular_output(tmp_path):
    real = tmp_path / "real.tmx"
    real.write_text("old")
    link = tmp_path / "link.tmx"
    link.symlink_to(real)
    atomic.check_output_target(link)  # no error: the link is replaced, as editors do
