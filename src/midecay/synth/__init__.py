"""Generators whose mutual-information curve is known exactly."""

from .base import Synthetic
from .markov import block_markov_matrix, markov, markov_mi, stationary_distribution

__all__ = ["Synthetic", "block_markov_matrix", "markov", "markov_mi", "stationary_distribution"]
