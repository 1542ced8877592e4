"""A quick hypothesis run of the report fuzzer (``tests/fuzz/fuzz_report.py``): mutated JSON reports give a
page or an ``AlignError``, never another exception."""

from __future__ import annotations

import copy
import json

from fuzz_report import _paths, check_report_file, mutate, run_one, seed_payload
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_DELETE = object()
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(st.binary(min_size=2, max_size=24))
def test_mutated_report_gives_a_page_or_an_align_error(choices):
    check_report_file(json.dumps(mutate(seed_payload(), choices)).encode("utf-8"))


@_SETTINGS
@given(st.integers(min_value=0, max_value=10_000), st.binary(min_size=1, max_size=4))
def test_damaged_report_bytes_give_a_page_or_an_align_error(where, junk):
    text = json.dumps(seed_payload(), ensure_ascii=False, indent=1).encode("utf-8")
    k = where % len(text)
    check_report_file(text[:k] + junk + text[k + len(junk):])


@_SETTINGS
@given(st.binary(min_size=1, max_size=64))
def test_fuzz_dispatch(data):
    # a page or a clean refusal (check_report_file raises on anything else); a raw byte string is rarely a report
    assert run_one(data) in {"page", "refused", "empty", "not JSON"}


#: One value of each kind the checks tell apart: missing, null, a negative, a huge integer, a float beyond a
#: float's range in the page's arithmetic, a string, a list, an object.
_KINDS = [_DELETE, None, -1, 2**64, 1e308, "x", [], {}]
#: Objects whose keys are data (a flag code, a package name): one of their keys stands for all.
_MAPS = {"flag_legend", "versions", "flags", "bead_types", "issues", "params"}


def _one_per_kind_of_field(payload: dict) -> list[tuple]:
    """The paths of ``payload``, one for each kind of field (list items and data-keyed entries stand for the rest)."""
    kinds: dict[tuple, tuple] = {}
    for path in _paths(payload)[1:]:
        general = tuple("#" if isinstance(k, int) else "*" if i and path[i - 1] in _MAPS else k
                        for i, k in enumerate(path))
        kinds.setdefault(general, path)
    return list(kinds.values())


def test_every_kind_of_value_in_every_kind_of_field(monkeypatch):
    """A sweep, not a sample: each field of the seed deleted, and set to a value of each kind.

    The figures are drawn but not PNG-encoded (a third of the time): encoding a
    picture of a fixed size does not depend on what the file held.
    """
    import align.formats.report.plots as plots

    monkeypatch.setattr(plots, "png_bytes", lambda rgb, level=6: b"")
    seed = seed_payload()
    for path in _one_per_kind_of_field(seed):
        for value in _KINDS:
            doc = copy.deepcopy(seed)
            node = doc
            for key in path[:-1]:
                node = node[key]
            if value is _DELETE:
                del node[path[-1]]
            else:
                node[path[-1]] = value
            check_report_file(json.dumps(doc).encode("utf-8"))
