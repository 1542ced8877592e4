"""Bounded, regular-file-checked reading (align.common.files)."""

import os

import pytest

from align.common.errors import InputError
from align.common.files import read_bounded, read_bounded_text


def test_reads_a_regular_file(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"abc")
    assert read_bounded(p) == b"abc"


def test_a_fifo_is_refused_at_once_instead_of_hanging(tmp_path):
    fifo = tmp_path / "review.tsv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="is a FIFO, not a regular file"):
        read_bounded(fifo, what="review sheet")


def test_a_link_to_dev_zero_is_refused_instead_of_filling_memory(tmp_path):
    link = tmp_path / "review.xlsx"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="is a device, not a regular file"):
        read_bounded(link)


def test_a_file_over_the_limit_names_both_sizes(tmp_path):
    p = tmp_path / "big.json"
    p.write_bytes(b"x" * 5000)
    with pytest.raises(InputError) as e:
        read_bounded(p, limit=4096, hint_large="keep it smaller")
    assert "is too large (5 KB; the limit is 4 KB)" in str(e.value) and "keep it smaller" in str(e.value)
    assert str(p) in str(e.value)


def test_missing_folder_and_permission_errors_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_bounded(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_bounded(tmp_path)


def test_text_must_be_utf8_and_may_start_with_a_bom(tmp_path):
    p = tmp_path / "m.tsv"
    p.write_bytes(b"\xef\xbb\xbfpair_id\tsrc")
    assert read_bounded_text(p, bom=True) == "pair_id\tsrc"
    p.write_bytes(b"caf\xe9")
    with pytest.raises(InputError, match="manifest is not UTF-8"):
        read_bounded_text(p, what="manifest")
