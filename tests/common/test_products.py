"""Products summed in float64 and rounded once: the same values whatever the blocking and the BLAS threads."""

from __future__ import annotations

import numpy as np

from align.common.products import one_blas_thread, products


def test_products_do_not_depend_on_the_block_size_or_the_threads():
    rng = np.random.default_rng(7)
    a = rng.normal(size=(300, 384)).astype(np.float32)
    b = rng.normal(size=(384, 250)).astype(np.float32)
    whole = products(a, b)
    assert whole.dtype == np.float32
    blocks = np.concatenate([products(a[r : r + 17], b) for r in range(0, 300, 17)])
    with one_blas_thread():
        single = products(a, b)
    assert np.array_equal(whole, blocks) and np.array_equal(whole, single)
    # float32 products of the same rows do depend on the shape; this is what the float64 sums avoid
    assert np.allclose(whole, a @ b, atol=1e-4)


def test_stacked_products_equal_one_product_each():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(50, 2, 64)).astype(np.float32)
    y = rng.normal(size=(50, 64, 3)).astype(np.float32)
    stacked = products(x, y)
    assert all(np.array_equal(stacked[k], products(x[k], y[k])) for k in range(50))
