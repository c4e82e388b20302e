"""Encoding data into Symbols, and lag grids."""

import numpy as np
import pytest

import midecay
from midecay.lags import as_lags


def test_str_bytes_tokens_ints_encode_to_the_same_structure():
    """Hypothesis: every accepted input kind yields codes that index its alphabet."""
    for data in ["abracadabra", b"abracadabra", list("abracadabra"), np.array([0, 1, 4, 0, 2, 0, 3, 0, 1, 4, 0])]:
        s = midecay.encode(data)
        assert s.n_symbols == 11 and s.n_segments == 1 and s.alphabet_size == 5
        decoded = s.decode()
        assert [s.alphabet.index(x) for x in decoded] == s.codes.tolist()
    assert midecay.encode("abracadabra").alphabet == tuple("abcdr")


def test_codes_use_smallest_unsigned_dtype():
    """Hypothesis: 27 symbols fit uint8, 300 need uint16."""
    assert midecay.encode(np.arange(27)).codes.dtype == np.uint8
    assert midecay.encode(np.arange(300)).codes.dtype == np.uint16
    words = [f"w{i}" for i in range(300)]
    assert midecay.encode(words).codes.dtype == np.uint16


def test_list_of_segments_keeps_boundaries_and_joint_alphabet():
    """Hypothesis: a list of strings is tokens; a list of lists, or segmented=True, is segments."""
    s = midecay.encode([list("ab"), list("bcd")])
    assert s.bounds.tolist() == [0, 2, 5] and s.alphabet == ("a", "b", "c", "d")
    assert midecay.encode(["line one", "line two"]).n_segments == 1  # two word tokens
    t = midecay.encode(["ab", "bcd"], segmented=True)
    assert t.bounds.tolist() == [0, 2, 5] and t.alphabet == ("a", "b", "c", "d")
    arrs = midecay.encode([np.array([0, 1]), np.array([2])])
    assert arrs.bounds.tolist() == [0, 2, 3] and arrs.alphabet_size == 3


def test_memmap_is_used_in_place(tmp_path):
    """Hypothesis: a memmap of codes is not copied into memory."""
    path = tmp_path / "codes.bin"
    np.arange(1000, dtype=np.uint16).tofile(path)
    mm = np.memmap(path, dtype=np.uint16, mode="r")
    s = midecay.encode(mm)
    assert isinstance(s.codes, np.memmap) and np.shares_memory(s.codes, mm)
    assert s.alphabet_size == 1000


@pytest.mark.parametrize(
    "bad, message",
    [
        ("", "empty"),
        ([], "empty"),
        (np.array([], dtype=int), "empty"),
        (np.array([0.5, 1.0]), "floats"),
        (np.array([1.0, np.nan]), "floats"),
        (np.array([1, -2, 3]), "negative"),
        (np.zeros((2, 2, 2), dtype=int), "1-D or 2-D"),
        ([1.5, 2.5], "floats"),
        (3.0, "cannot encode"),
    ],
)
def test_bad_input_gets_one_line_value_error(bad, message):
    """Hypothesis: each bad input is refused with a one-line message naming the problem."""
    with pytest.raises(ValueError, match=message) as info:
        midecay.encode(bad)
    assert "\n" not in str(info.value)


def test_log_lags_sorted_unique_with_endpoints():
    """Hypothesis: log_lags rounds, de-duplicates and keeps both endpoints."""
    lags = midecay.log_lags(1, 1000, 40)
    assert lags[0] == 1 and lags[-1] == 1000
    assert np.all(np.diff(lags) > 0)
    assert len(lags) <= 40 and len(lags) > 25
    assert midecay.log_lags(5, 5, 3).tolist() == [5]


@pytest.mark.parametrize("bad", [[0, 1], [-3], [], [1.5], "abc"])
def test_as_lags_rejects_non_positive_or_non_integer(bad):
    with pytest.raises(ValueError):
        as_lags(bad)


def test_as_lags_accepts_any_iterable():
    assert as_lags(range(3, 0, -1)).tolist() == [1, 2, 3]
    assert as_lags(np.array([8.0, 2.0])).tolist() == [2, 8]
