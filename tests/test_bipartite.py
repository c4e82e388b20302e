"""Bipartite MI (midecay.bipartite): exact where the model is the process, errors over documents
calibrated, the first-token correction, a weaker model's reading, the power-law fit, resuming.

Exact answers: for a stationary hidden Markov process, I(X_1..l; X_l+1..2l) = 2 H(l) - H(2l), the
block entropies enumerated by the forward recursion (``midecay.synth.hmm_bipartite_mi``). Read by
the exact model (``HiddenMarkovScorer``), each document's term log q(Y|X) - log q(Y) has exactly
that mean, so the estimator is exact up to sampling.
"""

import json

import numpy as np
import pytest

from midecay.bipartite import (
    CAVEAT,
    BipartiteCurve,
    HiddenMarkovScorer,
    NGramScorer,
    bipartite_mi,
    l2m_condition,
)
from midecay.errors import InputError
from midecay.synth import hmm, hmm_bipartite_mi, hmm_block_entropy, hmm_mi

#: Two processes of the class: (transition, emission, splits). Binary with 3 hidden states (one of
#: them slow), and ternary with 2 states, noisy emissions.
PROCESSES = {
    "3 states, 2 symbols": (np.array([[0.95, 0.05, 0.0], [0.0, 0.9, 0.1], [0.08, 0.0, 0.92]]),
                            np.array([[0.9, 0.1], [0.5, 0.5], [0.15, 0.85]]), [1, 2, 4, 8]),
    "2 states, 3 symbols": (np.array([[0.97, 0.03], [0.04, 0.96]]),
                            np.array([[0.6, 0.3, 0.1], [0.1, 0.3, 0.6]]), [1, 2, 4]),
}


def _documents(P, E, length, n, seed):
    return hmm(P, E, length, n_sequences=n, seed=seed).symbols.codes.reshape(n, length).astype(np.int64)


def test_block_entropy_is_exact_on_a_markov_chain():
    """Hypothesis: with emissions that reveal the state, H(n) = H(X_1) + (n - 1) h (h the entropy rate),
    so the bipartite MI of a Markov chain is the MI of one adjacent pair at every split."""
    P = np.array([[0.8, 0.2, 0.0], [0.1, 0.6, 0.3], [0.3, 0.0, 0.7]])
    pi = np.linalg.matrix_power(P, 200)[0]
    h1 = -(pi * np.log(pi)).sum()
    rate = -(pi[:, None] * np.where(P > 0, P * np.log(np.where(P > 0, P, 1)), 0)).sum()
    for n in (1, 3, 6):
        assert abs(hmm_block_entropy(P, np.eye(3), n) - (h1 + (n - 1) * rate)) < 1e-10
    assert abs(hmm_bipartite_mi(P, np.eye(3), 4) - (h1 - rate)) < 1e-10


@pytest.mark.parametrize("name", list(PROCESSES))
def test_the_exact_model_recovers_the_exact_block_mi_with_calibrated_errors(name):
    """Hypothesis: read by the exact model, the estimate's z = (estimate - exact) / stderr over 8 seeds and
    every split has mean within ±0.6 and SD 0.6-1.5, and the reported error matches the estimates' spread
    over seeds (ratio 0.6-1.6). An error three times too small or too large fails both."""
    P, E, splits = PROCESSES[name]
    exact = np.array([hmm_bipartite_mi(P, E, s) for s in splits])
    estimates, errors = [], []
    for seed in range(8):
        c = bipartite_mi(_documents(P, E, 2 * splits[-1], 300, seed), HiddenMarkovScorer(P, E), splits, head_tokens=0)
        estimates.append(c.mi)
        errors.append(c.stderr)
    estimates, errors = np.array(estimates), np.array(errors)
    z = (estimates - exact) / errors
    assert abs(z.mean()) < 0.6 and 0.6 < z.std() < 1.5, (z.mean(), z.std())
    ratio = errors.mean(axis=0) / estimates.std(axis=0, ddof=1)
    assert np.all((0.6 < ratio) & (ratio < 1.6)), ratio


def test_the_head_correction_removes_a_document_start_bias():
    """Hypothesis: a model that reads every block as a document's start (here the exact chain started
    from the uniform law instead of its stationary one, with states revealed, so only the first token of
    a block is mispredicted) reads the MI high by the first token's excess cross-entropy; taking that
    token's entropy from the corpus (head_tokens=1, Grassberger) brings it back within 3 errors."""
    P = np.array([[0.9, 0.1, 0.0], [0.0, 0.9, 0.1], [0.01, 0.0, 0.99]])  # stationary law far from uniform
    docs = _documents(P, np.eye(3), 16, 600, 0)
    biased = HiddenMarkovScorer(P, np.eye(3), start=np.full(3, 1 / 3), name="document-start model")
    exact = hmm_mi(P, np.eye(3), [1])[0]  # a Markov chain: the blocks share only the adjacent pair (test above)
    raw = bipartite_mi(docs, biased, [1, 2, 4, 8], head_tokens=0)
    fixed = bipartite_mi(docs, biased, [1, 2, 4, 8], head_tokens=1)
    assert np.all((raw.mi - exact) / raw.stderr > 5)
    assert np.all(np.abs(fixed.mi - exact) / fixed.stderr < 3), (fixed.mi, exact)
    assert "1-gram entropy" in fixed.summary()


def test_a_weaker_model_reads_low_and_the_output_says_what_it_is():
    """Hypothesis: a slowly mixing hidden process read by an order-1 n-gram (fitted on 2e5 symbols of
    it) misses the information carried by the hidden state beyond one token: at the longest split the
    reading is more than 3 errors below the exact value. The summary names the model and says that a
    difference of cross-entropies is not a bound."""
    P = np.array([[0.99, 0.01], [0.01, 0.99]])
    E = np.array([[0.7, 0.3], [0.3, 0.7]])
    docs = _documents(P, E, 16, 600, 1)
    train = hmm(P, E, 200_000, seed=2).symbols.codes.astype(np.int64)
    weak = bipartite_mi(docs, NGramScorer(1, 2).fit(train[None, :]), [1, 2, 4, 8], head_tokens=1)
    exact = hmm_bipartite_mi(P, E, 8)
    assert (exact - weak.mi[-1]) / weak.stderr[-1] > 3, (weak.mi, exact)
    text = weak.summary()
    assert "1-order n-gram" in text and CAVEAT in text


def test_the_power_law_fit_recovers_beta_with_an_honest_interval():
    """Hypothesis: documents whose terms have mean 0.3 l^0.6 (noise SD 0.5 a document) give beta's 95 %
    interval covering 0.6 in at least 17 of 20 seeds, and intervals narrower than 0.3."""
    splits = np.array([1, 2, 4, 8, 16, 32])
    covered = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        given = rng.normal(50, 1, (400, len(splits)))
        alone = given + 0.3 * splits**0.6 + rng.normal(0, 0.5, given.shape)
        fit = BipartiteCurve(splits, given, alone, alone, 20, 0, np.nan, 0.0, "synthetic").fit()
        low, high = fit.beta.interval()
        covered += low < 0.6 < high
        assert high - low < 0.3
    assert covered >= 17, covered


class _Interrupted(Exception):
    pass


class _StopsAfter:
    """The exact scorer, raising after ``calls`` calls (a run killed part-way)."""

    def __init__(self, inner, calls):
        self.inner, self.calls, self.name = inner, calls, inner.name

    def log_probs(self, rows):
        if self.calls == 0:
            raise _Interrupted
        self.calls -= 1
        return self.inner.log_probs(rows)


def test_a_stopped_run_continues_from_its_store_and_gives_the_same_curve(tmp_path):
    """Hypothesis: a run stopped after two batches continues from its store file to the curve of one
    uninterrupted run; a store made with other settings is refused in one line."""
    P, E, splits = PROCESSES["2 states, 3 symbols"]
    docs = _documents(P, E, 8, 60, 3)
    scorer = HiddenMarkovScorer(P, E)
    whole = bipartite_mi(docs, scorer, splits, head_tokens=1)
    store = tmp_path / "progress.json"
    with pytest.raises(_Interrupted):
        bipartite_mi(docs, _StopsAfter(scorer, 2 * (1 + len(splits))), splits, head_tokens=1, store=store)
    assert len(json.loads(store.read_text())["given"]) == 16  # two batches of 8 documents
    again = bipartite_mi(docs, scorer, splits, head_tokens=1, store=store)
    assert np.array_equal(again.mi, whole.mi) and np.array_equal(again.stderr, whole.stderr)
    with pytest.raises(InputError, match="other settings"):
        bipartite_mi(docs, scorer, [1, 2], head_tokens=1, store=store)
    broken = json.loads(store.read_text())
    broken["alone"] = broken["alone"][:3]
    store.write_text(json.dumps(broken))
    with pytest.raises(InputError, match="delete it to start again"):
        bipartite_mi(docs, scorer, splits, head_tokens=1, store=store)


def test_results_round_trip_and_bad_input_is_one_line(tmp_path):
    P, E, splits = PROCESSES["2 states, 3 symbols"]
    c = bipartite_mi(_documents(P, E, 8, 40, 4), HiddenMarkovScorer(P, E), splits, head_tokens=0)
    again = BipartiteCurve.from_dict(json.loads(c.to_json()))
    assert np.array_equal(again.mi, c.mi) and again.scorer == c.scorer
    with pytest.raises(InputError, match="40 of 40 documents hold fewer than the 8 tokens"):
        bipartite_mi(_documents(P, E, 6, 40, 4), HiddenMarkovScorer(P, E), splits)
    ragged = [d[:8 if i else 5] for i, d in enumerate(_documents(P, E, 9, 40, 4))]
    with pytest.raises(InputError, match="1 of 40 documents"):
        bipartite_mi(ragged, HiddenMarkovScorer(P, E), splits)
    assert bipartite_mi(ragged[1:], HiddenMarkovScorer(P, E), splits).n_documents == 39
    with pytest.raises(InputError, match="jackknife groups"):
        bipartite_mi(_documents(P, E, 8, 10, 4), HiddenMarkovScorer(P, E), splits)
    with pytest.raises(InputError, match="token ids must lie"):
        bipartite_mi(_documents(P, E, 8, 40, 4) + 5, HiddenMarkovScorer(P, E), splits)
    with pytest.raises(InputError, match="head_tokens"):
        bipartite_mi(_documents(P, E, 8, 40, 4), HiddenMarkovScorer(P, E), splits, head_tokens=2)


def test_the_l2m_condition_separates_fixed_states_from_a_growing_cache():
    """Hypothesis: beside a sub-linear bipartite law (beta = 0.5), every recurrent state grows as L^0 and
    fails the condition; a Transformer's cache grows as L^1 up to its context and keeps up; past its
    context it does not."""
    P, E, splits = PROCESSES["3 states, 2 symbols"]
    fit = bipartite_mi(_documents(P, E, 16, 300, 5), HiddenMarkovScorer(P, E), splits, head_tokens=0).fit()
    models = {"RNN 64": {"arch": "rnn", "width": 64}, "LSTM 32 x 2": {"arch": "lstm", "width": 32, "depth": 2},
              "DilatedRNN": {"arch": "dilated", "width": 16, "dilations": (1, 2, 4, 8)},
              "Transformer": {"arch": "transformer", "width": 64, "depth": 2, "context": 4096}}
    cond = l2m_condition(fit, models, [64, 256, 1024])
    assert all(cond.exponents[m] == 0 for m in ("RNN 64", "LSTM 32 x 2", "DilatedRNN"))
    assert cond.exponents["Transformer"] == pytest.approx(1.0)
    past = l2m_condition(fit, {"Transformer 128": {"arch": "transformer", "width": 64, "context": 128}}, [256, 1024])
    assert past.exponents["Transformer 128"] == 0
    assert "keeps up" in cond.summary()
