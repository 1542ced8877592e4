"""What the core needs of an encoder (align.core.vectors): ``EachTextOnce``."""

from __future__ import annotations

import numpy as np

from align.core.vectors import EachTextOnce


class _Counting:
    """Rows made from the text (so they can be checked), and every call kept."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        return np.array([[len(t), sum(map(ord, t)) % 97, 1.0] for t in texts], dtype=np.float32).reshape(-1, 3)


def test_each_distinct_text_reaches_the_model_once_and_rows_come_back_in_order():
    inner = _Counting()
    enc = EachTextOnce(inner)
    first = enc.encode(["a b", "c", "a b"])  # a repeat inside one call
    assert inner.calls == [["a b", "c"]]
    assert np.array_equal(first, inner.encode(["a b", "c", "a b"]))
    inner.calls.clear()
    again = enc.encode(["c", "d", "a b"])  # the second round asks again: only the new text goes to the model
    assert inner.calls == [["d"]]
    assert np.array_equal(again, np.stack([first[1], inner.encode(["d"])[0], first[0]]))
    assert enc.encode([]).shape[0] == 0
