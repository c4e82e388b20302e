"""Architecture hyper-parameters from a decay curve (no torch): DilatedRNN dilations and matched grids."""

from .dilations import (
           DilationDesign,
           design_dilations,
           geometric_dilations,
           standard_dilations,
           standard_up_to,
)
from .matched import DilationSet, matched_grid

__all__ = ["DilationDesign", "DilationSet", "design_dilations", "geometric_dilations", "matched_grid",
           "standard_dilations", "standard_up_to"]
