"""Many short streams of which some loop a phrase: the shape of a language model's samples, with exact MI.

Each of ``n_streams`` streams of ``length`` tokens is, with probability ``loop_share``, a
*looper*: it draws a phrase of ``L`` i.i.d. tokens (``L`` from ``P(L) ∝ L^-loop_exponent`` on
``min_loop … max_loop``) and repeats it from a random phase; with probability ``repeat_share``
it repeats one token (``L = 1``); with probability ``copy_share`` it is a *copier*, which
repeats itself without looping exactly: each token copies the one ``L`` back with probability
``r`` (``copy_probability``), else is a fresh draw (``L`` from the same law); otherwise it is i.i.d. Every token is drawn from ``pi``
(Zipf(1.1) over ``alphabet_size`` types by default).

Exact pooled MI. Pool the pairs ``(x_t, x_{t+d})`` over streams and positions. In an i.i.d.
stream the two are independent draws from ``pi``. In a looper with ``L ∤ d`` they are phrase
positions ``i ≠ j``: two independent draws as well (a chance collision ``a = b`` has the same
probability ``sum pi^2`` as in two fresh draws, so it is already in ``pi_a pi_b``). With ``L | d``
they are one draw twice. The random phase makes every position alike. So the pooled joint law is

    P_d(a, b) = (1 - c(d)) pi_a pi_b + c(d) pi_a [a = b],
    c(d) = loop_share * P(L divides d) + repeat_share + copy_share * E[r^(d / L); L divides d].

(A copier's residue classes mod ``L`` are independent chains of fresh draws: with ``L ∤ d`` the
two tokens are in different classes, independent; with ``d = kL`` the second is the first
exactly when all ``k`` copies between them happened, ``r^k``, else a later fresh draw.)

the law of a copy with probability ``c(d)`` (:func:`~midecay.synth.copying.copied_pair_mi`).
``I(d) = 0`` exactly where no loop length divides ``d`` (and ``repeat_share = 0``): with loops
on 2…60, at ``d = 1, 61, 67, 71, …, 127, …``. Only the pooled law is simple: inside one looper
the pairs are ``length / L`` copies of ``L`` pairs, which is what makes this class hard for a
floor that treats pairs as independent.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..rng import as_generator
from ..sequences import Symbols, smallest_code_dtype
from ..validation import check_int, check_real
from .base import MAX_SYNTH_SYMBOLS, Synthetic
from .copying import copied_draws, copied_pair_mi, token_law

__all__ = ["looping_streams", "looping_mi", "loop_length_law"]


def loop_length_law(min_loop: int = 2, max_loop: int = 60, exponent: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """Loop lengths ``min_loop … max_loop`` and their probabilities ``∝ L^-exponent``.

    >>> lengths, p = loop_length_law(2, 4, 0.0)
    >>> lengths.tolist(), p.round(3).tolist()
    ([2, 3, 4], [0.333, 0.333, 0.333])
    """
    check_int("min_loop", min_loop, 1)
    check_int("max_loop", max_loop, int(min_loop))
    check_real("exponent", exponent, 0.0)
    lengths = np.arange(int(min_loop), int(max_loop) + 1)
    w = lengths.astype(np.float64) ** -float(exponent)
    return lengths, w / w.sum()


def looping_mi(pi: np.ndarray, lags, loop_share: float, repeat_share: float = 0.0, *, min_loop: int = 2,
               max_loop: int = 60, loop_exponent: float = 1.5, copy_share: float = 0.0,
               copy_probability: float = 0.8) -> np.ndarray:
    """Exact pooled ``I(d)`` (nats) of :func:`looping_streams` (see the module notes).

    >>> pi = np.full(4, 0.25)
    >>> looping_mi(pi, [1, 2, 3], 1.0, min_loop=2, max_loop=2).round(4).tolist()  # every stream loops with L = 2
    [0.0, 1.3863, 0.0]
    """
    lengths, p_len = loop_length_law(min_loop, max_loop, loop_exponent)
    d = np.asarray(lags, dtype=np.int64).ravel()
    divides = d[:, None] % lengths[None, :] == 0
    copied = np.where(divides, float(copy_probability) ** (d[:, None] // lengths[None, :]), 0.0) @ p_len
    return copied_pair_mi(pi, float(loop_share) * (divides.astype(np.float64) @ p_len) + float(repeat_share)
                          + float(copy_share) * copied)


def looping_streams(n_streams: int, length: int, alphabet_size: int, loop_share: float, *, repeat_share: float = 0.0,
                    min_loop: int = 2, max_loop: int = 60, loop_exponent: float = 1.5,
                    probabilities: np.ndarray | None = None, copy_share: float = 0.0, copy_probability: float = 0.8,
                    seed: int | np.random.Generator | None = None) -> Synthetic:
    """Streams of which a share loops a phrase (and a share repeats one token), with exact pooled MI.

    Parameters
    ----------
    n_streams, length
        How many streams, and tokens in each (one segment each).
    alphabet_size
        Token types; draws follow ``probabilities`` (Zipf(1.1) when None).
    loop_share, repeat_share
        Probability that a stream loops a phrase of length ``min_loop … max_loop``, and that
        it repeats a single token; the two add up to at most 1 (with ``copy_share``).
    copy_share, copy_probability
        Probability that a stream copies the token ``L`` back with probability
        ``copy_probability`` (it repeats itself without looping exactly).
    loop_exponent
        Loop lengths have probability ``∝ L^-loop_exponent``.
    seed
        Seed or ``numpy.random.Generator``.

    Examples
    --------
    >>> s = looping_streams(50, 128, 200, 0.2, seed=0)
    >>> s.symbols.n_segments, s.symbols.n_symbols
    (50, 6400)
    >>> s.expected_mi([1, 2]).round(3).tolist()  # no loop length divides 1
    [0.0, 0.055]
    """
    check_int("n_streams", n_streams, 1, MAX_SYNTH_SYMBOLS)
    check_int("length", length, 2, MAX_SYNTH_SYMBOLS // int(n_streams))
    check_int("alphabet_size", alphabet_size, 2)
    check_real("loop_share", loop_share, 0.0, 1.0)
    check_real("repeat_share", repeat_share, 0.0, 1.0)
    check_real("copy_share", copy_share, 0.0, 1.0)
    check_real("copy_probability", copy_probability, 0.0, 1.0)
    shares = loop_share + repeat_share + copy_share
    if shares > 1.0:
        raise InputError(f"loop_share + repeat_share + copy_share must be at most 1, got {shares}; lower one of them")
    lengths, p_len = loop_length_law(min_loop, max_loop, loop_exponent)
    pi = token_law(alphabet_size, probabilities)
    rng = as_generator(seed)
    n, k = int(length), int(alphabet_size)
    # (a copier share of 0 leaves the draws of every seed as they were before copiers existed)
    kind = rng.choice(4, size=int(n_streams), p=[1.0 - shares, loop_share, repeat_share, copy_share])
    codes = rng.choice(k, size=(int(n_streams), n), p=pi)  # i.i.d. streams keep these
    t = np.arange(n)
    for s in np.flatnonzero(kind == 1):
        period = int(rng.choice(lengths, p=p_len))
        phrase = rng.choice(k, size=period, p=pi)
        codes[s] = phrase[(t + int(rng.integers(period))) % period]
    codes[kind == 2] = codes[kind == 2, :1]
    for s in np.flatnonzero(kind == 3):
        period = int(rng.choice(lengths, p=p_len))
        codes[s] = copied_draws(codes[s], rng.random(n) < copy_probability, period)
    bounds = np.arange(int(n_streams) + 1, dtype=np.int64) * n
    symbols = Symbols(codes.ravel().astype(smallest_code_dtype(k)), tuple(range(k)), bounds,
                      f"looping streams (K={k}, {n_streams} x {n}, loop share {loop_share}, repeat share {repeat_share}"
                      + (f", copy share {copy_share} at r = {copy_probability})" if copy_share else ")"),
                      {"generator": "looping_streams", "loop_share": float(loop_share),
                       "repeat_share": float(repeat_share), "copy_share": float(copy_share),
                       "copy_probability": float(copy_probability), "streams": int(n_streams), "length": n})
    return Synthetic(symbols, lambda lags: looping_mi(pi, lags, loop_share, repeat_share, min_loop=min_loop,
                                                      max_loop=max_loop, loop_exponent=loop_exponent,
                                                      copy_share=copy_share, copy_probability=copy_probability))
