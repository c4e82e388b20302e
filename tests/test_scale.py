"""Scale: the default analysis's shortcuts give the same curves, corpora past memory are counted
in slices with bounded resident memory and the same result, torch counts, and Ray counts."""

import os

import numpy as np
import pytest

import midecay
from midecay.synth import block_markov_matrix, markov

FIELDS = ("mi", "stderr", "baseline", "baseline_std", "n_pairs", "replicates")


def same_curve(a, b) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in FIELDS)


@pytest.fixture(scope="module")
def chain():
    return markov(block_markov_matrix(9, 3, 0.9), 300_000, seed=0).symbols


@pytest.fixture(scope="module")
def token_file(tmp_path_factory, chain):
    path = tmp_path_factory.mktemp("tokens") / "t.bin"
    np.asarray(chain.codes, dtype=np.uint16).tofile(path)
    return path


LAGS = midecay.log_lags(1, 500, 12)


def test_single_pass_jackknife_equals_the_two_pass_one(chain):
    """The dense kernel sums its 16 block counts into the total (one pass); the sparse kernel
    counts the total and subtracts each block (two passes). The counts are the same integers,
    so the estimates and their jackknife errors agree to rounding (the dense path sums each
    stack of tables at once, the sparse one each count profile: ~1e-15 nats apart)."""
    one = midecay.mi_curve(chain, LAGS, seed=0, backend="dense", baseline=None)
    two = midecay.mi_curve(chain, LAGS, seed=0, backend="sparse", baseline=None)
    np.testing.assert_allclose(one.mi, two.mi, rtol=0, atol=1e-13)
    np.testing.assert_allclose(one.stderr, two.stderr, rtol=1e-6, atol=1e-13)


@pytest.mark.parametrize("backend", ["auto", "sparse", "torch"])
def test_memory_mapped_file_counted_in_slices_equals_in_memory(token_file, backend):
    """A token file counted in slices of 7,777 symbols (pairs crossing slice borders included)
    gives the in-memory curve: bit for bit with the dense kernels, to rounding with the sparse one."""
    mapped = midecay.open_source(str(token_file))
    assert isinstance(mapped.codes, np.memmap)
    whole = midecay.mi_curve(np.asarray(mapped.codes).copy(), LAGS, seed=3, backend=backend)
    sliced = midecay.mi_curve(mapped, LAGS, seed=3, chunk_symbols=7_777, backend=backend)
    if backend == "sparse":
        # The same integer counts; summed slices list a lag's cells in another order than one
        # count does, so the leave-one-out sums round differently (~1e-16 relative).
        assert np.array_equal(whole.n_pairs, sliced.n_pairs)
        for f in FIELDS[:-1]:
            np.testing.assert_allclose(getattr(whole, f), getattr(sliced, f), rtol=1e-9, atol=1e-14)
    else:
        assert same_curve(whole, sliced)


def _mapped_rss_kb(path) -> int:
    """Resident kB of this process's mappings of ``path`` (/proc/self/smaps)."""
    total, inside = 0, False
    with open("/proc/self/smaps") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 5 and "-" in fields[0] and ":" in fields[3]:
                inside = line.rstrip().endswith(str(path))
            elif inside and fields[0] == "Rss:":
                total += int(fields[1])
    return total


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps"), reason="needs Linux /proc")
def test_sliced_pass_leaves_no_file_pages_resident(tmp_path):
    """Hypothesis: without releasing, a pass maps every page of the file (here 24 MB); with
    slices released after use, the file's resident pages after a full analysis (counts, errors,
    floor, the autocorrelation sample) stay under 2 MB."""
    path = tmp_path / "big.bin"
    codes = markov(block_markov_matrix(9, 3, 0.9), 12_000_000, seed=1).symbols.codes
    np.asarray(codes, dtype=np.uint16).tofile(path)
    del codes
    mapped = midecay.open_source(str(path))
    midecay.mi_curve(mapped, [1, 10, 100], seed=0, chunk_symbols=1 << 20)
    assert _mapped_rss_kb(path) < 2048
    np.asarray(mapped.codes).sum()  # a plain pass: every page resident
    assert _mapped_rss_kb(path) > 20_000


def test_torch_backend_on_the_command_line(tmp_path):
    from typer.testing import CliRunner

    from midecay.cli import app

    (tmp_path / "t.txt").write_text("abcab" * 400)
    res = CliRunner().invoke(app, ["curve", str(tmp_path / "t.txt"), "--lags", "1,2,3", "--backend", "torch", "--json"])
    assert res.exit_code == 0, res.output
    ref = midecay.mi_curve("abcab" * 400, [1, 2, 3], seed=0)
    import json

    assert np.allclose(json.loads(res.stdout)["mi"], ref.mi)


def test_ray_engine_equals_local(chain, token_file):
    """Slices counted by Ray tasks (a local Ray of 2 CPUs started here), from the object store or
    from the file itself, give the local curve exactly; many curves share one session."""
    ray = pytest.importorskip("ray")
    local = midecay.mi_curve(chain, LAGS, seed=3)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert same_curve(local, midecay.mi_curve(chain, LAGS, seed=3, engine="ray"))
        from_file, in_memory = midecay.mi_curves([midecay.open_source(str(token_file)), chain], LAGS, seed=3, engine="ray")
        assert same_curve(local, from_file) and same_curve(local, in_memory)
    finally:
        ray.shutdown()
    with pytest.raises(midecay.InputError, match="unknown engine"):
        midecay.mi_curve(chain, LAGS, engine="spark")
