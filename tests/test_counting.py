"""Every counting backend equals the numpy reference exactly, from one comparison table."""

import numpy as np
import pytest

import midecay
from midecay.counting import KERNELS, choose_backend, count_pairs, windows_from_bounds
from midecay.curve import block_windows

# (name, alphabet size, dtype, segment lengths, lags): edge cases included.
CASES = [
    ("binary", 2, np.uint8, [500, 1, 64, 65, 700], [1, 2, 63, 64, 65, 128, 499, 699]),
    ("one-symbol", 1, np.uint8, [50, 30], [1, 29, 49]),
    ("dna", 4, np.uint8, [1000], [1, 7, 64, 999]),
    ("eight", 8, np.uint8, [129, 257, 3], [1, 2, 64, 128, 256]),
    ("text-like", 27, np.uint8, [2000, 10, 11], [1, 9, 10, 500, 1999]),
    ("uint16", 700, np.uint16, [3000, 5], [1, 4, 100, 2999]),
    ("large", 5000, np.uint16, [4000], [1, 3, 3999]),
    # Many short segments (lines): more windows than torch takes as slices, so it gathers.
    ("many-lines", 27, np.uint8, [1 + (7 * i) % 60 for i in range(100)], [1, 5, 40]),
]


def _case_data(rng, k, dtype, lengths):
    n = sum(lengths)
    # Skewed symbol frequencies so some cells are empty and others large.
    p = rng.dirichlet(np.full(k, 0.3))
    codes = rng.choice(k, size=n, p=p).astype(dtype)
    codes[0] = k - 1  # make sure the top code occurs
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    return codes, bounds


# Only the pairs a backend is documented to take (the bitset refusal is tested below).
PAIRS = [(name, case) for name in sorted(KERNELS) for case in CASES if KERNELS[name].accepts(case[1])]


@pytest.mark.parametrize("backend, case", PAIRS, ids=[f"{n}-{c[0]}" for n, c in PAIRS])
def test_backend_equals_reference(backend, case, rng):
    """Hypothesis: each backend's counts equal the reference's exactly (segments respected)."""
    _, k, dtype, lengths, lags = case
    kernel = KERNELS[backend]
    codes, bounds = _case_data(rng, k, dtype, lengths)
    windows = windows_from_bounds(bounds)
    lags = np.array(lags, dtype=np.int64)
    want = kernel.reference(codes, windows, lags, k)
    got = kernel.count(codes, windows, lags, k)
    assert np.array_equal(got.n_pairs, want.n_pairs)
    lean = kernel.count(codes, windows, lags, k, cells=False)
    for i in range(len(lags)):
        for have, ref in zip(lean.joint_profile(i), want.joint_profile(i)):
            assert np.array_equal(have, ref)
        assert np.array_equal(lean.left(i), want.left(i)) and np.array_equal(lean.right(i), want.right(i))
    if k <= 1000:
        assert np.array_equal(got.to_dense(), want.to_dense())
    else:
        for i, (a, b, c, d) in enumerate(zip(got.to_sparse().keys, got.to_sparse().values, want.keys, want.values)):
            assert np.all(np.diff(a // k) >= 0), "sparse keys must be grouped by first symbol"
            order = np.argsort(a)
            assert np.array_equal(a[order], c) and np.array_equal(b[order], d)
            assert np.array_equal(got.left(i), want.left(i)) and np.array_equal(got.right(i), want.right(i))


@pytest.mark.parametrize("backend", sorted(KERNELS))
def test_blocks_add_up_to_total(backend, rng):
    """Hypothesis: block windows partition the pairs, so block counts sum to the total counts."""
    k = 4
    codes, bounds = _case_data(rng, k, np.uint8, [300, 77, 1000])
    lags = np.array([1, 5, 70, 299])
    kernel = KERNELS[backend]
    total = kernel.count(codes, windows_from_bounds(bounds), lags, k).to_dense()
    parts = sum(kernel.count(codes, w, lags, k).to_dense() for w in block_windows(bounds, 7))
    assert np.array_equal(parts, total)


def test_segments_stop_cross_boundary_pairs():
    """Hypothesis: 'ab' + 'ab' as two segments has no pair (b, a) at lag 1; joined it has one."""
    joined = count_pairs("abab", [1]).to_dense()[0]
    split = count_pairs(midecay.encode(["ab", "ab"], segmented=True), [1]).to_dense()[0]
    assert joined[1, 0] == 1 and split[1, 0] == 0 and split[0, 1] == 2


def test_auto_rule():
    """Hypothesis: auto picks bitset for K<=8, dense up to 512, sparse above (documented rule)."""
    assert [choose_backend(k) for k in (1, 8, 9, 512, 513)] == ["bitset", "bitset", "dense", "dense", "sparse"]
    with pytest.raises(ValueError, match="at most 8"):
        count_pairs(np.arange(20), [1], backend="bitset")
    with pytest.raises(ValueError, match="unknown backend"):
        count_pairs("abc", [1], backend="gpu-magic")


def test_profile_only_counts_refuse_cell_operations():
    codes = np.arange(2000, dtype=np.uint16) % 600
    lean = KERNELS["sparse"].count(codes, windows_from_bounds(np.array([0, 2000])), np.array([1]), 600, cells=False)
    with pytest.raises(ValueError, match="cells=True"):
        lean.to_dense()


def test_sparse_subtraction_matches_dense():
    """Hypothesis: subtracting sparse block counts equals subtracting dense ones."""
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 30, 2000).astype(np.uint8)
    bounds = np.array([0, 2000])
    lags = np.array([1, 10])
    whole = KERNELS["sparse"].count(codes, windows_from_bounds(bounds), lags, 30)
    part = KERNELS["sparse"].count(codes, block_windows(bounds, 4)[1], lags, 30)
    dense = KERNELS["dense"].count(codes, windows_from_bounds(bounds), lags, 30)
    dpart = KERNELS["dense"].count(codes, block_windows(bounds, 4)[1], lags, 30)
    assert np.array_equal((whole - part).to_dense(), (dense - dpart).to_dense())


_BOUNDSCHECK_SCRIPT = """
import numpy as np
from midecay.counting import KERNELS, windows_from_bounds
rng = np.random.default_rng(0)
for k, lengths, lags in [(2, [200, 65, 1], [1, 63, 64, 199]), (4, [300], [1, 7, 299]), (30, [400, 3], [1, 2, 399])]:
    codes = rng.integers(0, k, sum(lengths)).astype(np.uint8)
    codes[:k] = np.arange(k)  # every symbol occurs, so every partner gets touched
    windows = windows_from_bounds(np.concatenate([[0], np.cumsum(lengths)]))
    lags = np.array(lags)
    want = KERNELS["numpy"].count(codes, windows, lags, k).to_dense()
    for name, kernel in KERNELS.items():
        if kernel.accepts(k):
            for cells in (True, False):
                got = kernel.count(codes, windows, lags, k, cells=cells)
                if cells:
                    assert np.array_equal(got.to_dense(), want), name
print("ok")
"""


@pytest.mark.slow
def test_kernels_stay_in_bounds(tmp_path):
    """Hypothesis: no compiled kernel reads or writes outside its arrays (numba checks nothing by
    default; with NUMBA_BOUNDSCHECK=1 and a fresh cache an out-of-range index raises IndexError)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", _BOUNDSCHECK_SCRIPT], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_pair_counts_are_explicit_types_with_one_interface():
    """Dense, sparse and profile-only counts of the same data agree on every shared quantity;
    what a profile cannot do (cells, subtraction) is a one-line error, not a silent wrong answer."""
    from midecay.counting import DenseCounts, ProfileCounts, SparseCounts
    from midecay.errors import InputError

    codes = np.random.default_rng(3).integers(0, 30, 5000).astype(np.uint8)
    windows = windows_from_bounds(np.array([0, 5000]))
    lags = np.array([1, 7])
    dense = KERNELS["dense"].count(codes, windows, lags, 30)
    sparse = KERNELS["sparse"].count(codes, windows, lags, 30)
    profile = KERNELS["sparse"].count(codes, windows, lags, 30, cells=False)
    assert (type(dense), type(sparse), type(profile)) == (DenseCounts, SparseCounts, ProfileCounts)
    for i in range(2):
        for other in (sparse, profile):
            assert np.array_equal(other.left(i), dense.left(i)) and np.array_equal(other.right(i), dense.right(i))
            assert all(np.array_equal(a, b) for a, b in zip(other.joint_profile(i), dense.joint_profile(i)))
    assert np.array_equal(sparse.to_dense(), dense.to_dense()) and np.array_equal(dense.to_sparse().to_dense(), dense.dense)
    for call in (lambda: profile.to_dense(), lambda: dense - profile, lambda: profile.joint(0)):
        with pytest.raises(InputError, match="cells=True"):
            call()
