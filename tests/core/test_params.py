"""``AlignParams.with_settings``: how ``align eval --set`` and ``bench_accuracy.py`` rerun an ablation."""

from __future__ import annotations

import pytest

from align.common.errors import UsageError
from align.core.params import AlignParams, signature


def test_settings_are_read_as_the_type_of_each_field():
    p = AlignParams().with_settings(["skip=3", "skip-slope=0", "para_first=false", "reorder_window=4"])
    assert (p.skip, p.skip_slope, p.para_first, p.reorder_window) == (3.0, 0.0, False, 4)
    assert isinstance(p.reorder_window, int)
    assert "skip=3.0" in signature("m", p) and "skip_slope=0.0" in signature("m", p)


@pytest.mark.parametrize("bad", ["skip", "nope=1", "skip=abc", "para_first=maybe", "reorder_window=1.5"])
def test_a_bad_setting_is_a_usage_error_naming_it(bad):
    with pytest.raises(UsageError, match="--set"):
        AlignParams().with_settings([bad])


def test_a_setting_the_checks_refuse_is_refused():
    with pytest.raises(UsageError, match="skip_slope"):
        AlignParams().with_settings(["skip_slope=-1"])
