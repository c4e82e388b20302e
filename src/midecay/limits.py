"""Names and limits every layer checks against: a leaf, importing nothing of midecay.

The counting kernels, the lag parser and the options all read these; keeping them here lets
each of those import this module instead of one another.
"""

from __future__ import annotations

__all__ = ["BACKENDS", "NULL_DRAWS", "NULLS", "BASES", "ESTIMATOR_NAMES", "MAX_BLOCKS", "MAX_SHUFFLES", "MAX_LAGS",
           "DEFAULT_MEMORY_LIMIT"]

#: The counting backends (:data:`midecay.counting.KERNELS` holds one kernel under each name;
#: a test holds the two together). ``"auto"`` chooses among them by alphabet size.
BACKENDS = ("numpy", "dense", "sparse", "bitset", "torch")
ESTIMATOR_NAMES = ("grassberger", "miller_madow", "plugin", "nsb", "chao_shen")
BASES = ("nats", "bits")
#: What "no dependence at lag d" means for the floor (``"none"``: no floor); see ``mi_curve``'s ``null``.
NULLS = ("autocorrelated", "streams", "iid", "none")
#: How the null's independent draws are made; ``"auto"`` picks the cheapest valid one (``mi_curve``'s ``null_draws``).
NULL_DRAWS = ("auto", "tables", "permutation")

#: More blocks than this make the jackknife slower without making the error estimate better.
MAX_BLOCKS = 1000
#: Null draws for the floor.
MAX_SHUFFLES = 10_000
#: Each lag is one counting pass over the data; a lag grid larger than this is a typo.
MAX_LAGS = 100_000
#: Default ceiling on the histograms a dense kernel may allocate (bytes).
DEFAULT_MEMORY_LIMIT = 2 * 1024**3
