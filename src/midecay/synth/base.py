"""The result object every generator returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from ..estimators import to_base
from ..lags import as_lags
from ..sequences import Symbols

#: Generators refuse more symbols than this in one call (10^10: 10 GB of uint8 codes).
MAX_SYNTH_SYMBOLS = 10**10


@dataclass(frozen=True, eq=False)
class Synthetic:
    """Generated symbols together with their exact mutual-information curve.

    Parameters
    ----------
    symbols
        The generated sequence(s), one segment per sequence.
    exact_mi_nats
        ``lags -> I(d)`` in nats, computed exactly from the generating process.
    """

    symbols: Symbols
    exact_mi_nats: Callable[[np.ndarray], np.ndarray]

    def expected_mi(self, lags: Iterable[int] | int, base: str = "nats") -> np.ndarray:
        """The exact ``I(d)`` of the generating process at ``lags``, in ``base`` units."""
        return to_base(np.asarray(self.exact_mi_nats(as_lags(lags)), dtype=np.float64), base)
