"""Generators whose mutual-information curve is known exactly, and the linear-RNN theory.

Every generator takes a seed or ``numpy.random.Generator`` and returns a :class:`Synthetic`:
the generated :class:`~midecay.Symbols` and ``expected_mi(lags, base=...)``.
"""

from .base import Synthetic
from .copying import copied_pair_mi, copy_mi, copy_process, sliding_max, sliding_sum, zipf_marginal
from .hidden_zipf import hidden_zipf, hidden_zipf_mi
from .gaussian_sign import gaussian_sign, rho_for_mi, sign_mi
from .hmm import hmm, hmm_bipartite_mi, hmm_block_entropy, hmm_mi
from .ising import ising_chain, ising_transition_matrix
from .looping import loop_length_law, looping_mi, looping_streams
from .linear_rnn import (
    LinearRNNDecay,
    gaussian_mi_from_samples,
    linear_rnn_decay,
    linear_rnn_mi,
    linear_rnn_sample,
    random_linear_rnn,
)
from .markov import block_markov_matrix, markov, markov_mi, spectral_transition_matrix, stationary_distribution
from .repetitive import repetitive, repetitive_hmm

__all__ = [
    "LinearRNNDecay", "Synthetic", "block_markov_matrix", "copied_pair_mi", "copy_mi", "loop_length_law", "looping_mi", "looping_streams", "copy_process", "hidden_zipf", "hidden_zipf_mi", "sliding_max", "sliding_sum", "zipf_marginal",
    "gaussian_mi_from_samples", "gaussian_sign", "hmm", "hmm_mi", "hmm_block_entropy", "hmm_bipartite_mi",
    "ising_chain", "ising_transition_matrix", "linear_rnn_decay", "linear_rnn_mi", "linear_rnn_sample", "markov",
    "markov_mi", "random_linear_rnn", "repetitive", "repetitive_hmm", "rho_for_mi", "sign_mi", "spectral_transition_matrix", "stationary_distribution",
]
