"""A DilatedRNN that classifies whole sequences from its last step (sequential / permuted MNIST).

As in Chang et al. (2017) and the grid-search paper's Tables 1-2: pixels enter one at a time as
intensities in [0, 1], one recurrent layer per dilation (folded into the batch, as in
:mod:`.dilated`), and a linear read-out of the top layer's last state gives the class logits.
"""

from __future__ import annotations

import torch
from torch import nn

from ..validation import check_int
from .config import CELLS
from .dilated import dilated_layer
from .recurrent import recurrent_layer

__all__ = ["DilatedClassifier"]


class DilatedClassifier(nn.Module):
    """``cell`` layers of ``width`` units with the given dilations, read out at the last step.

    Examples
    --------
    >>> m = DilatedClassifier("gru", 20, (1, 2, 4), n_classes=10)
    >>> m(torch.zeros(3, 784)).shape
    torch.Size([3, 10])
    """

    def __init__(self, cell: str, width: int, dilations: tuple[int, ...], n_classes: int, inputs: int = 1,
                 residual: bool = False) -> None:
        super().__init__()
        from ..errors import InputError

        if cell not in CELLS:
            raise InputError(f"unknown cell {cell!r}; choose one of: {', '.join(CELLS)}")
        if not dilations or not all(isinstance(r, int) and not isinstance(r, bool) and r >= 1 for r in dilations):
            raise InputError(f"dilations must be positive integers, got {tuple(dilations)}")
        check_int("width", width, 1, 1 << 16)
        check_int("n_classes", n_classes, 2, 1 << 20)
        self.dilations = tuple(dilations)
        self.residual = bool(residual)
        sizes = [inputs] + [width] * len(self.dilations)
        self.layers = nn.ModuleList(recurrent_layer(cell, sizes[i], width) for i in range(len(self.dilations)))
        self.head = nn.Linear(width, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits for ``x`` of shape ``(batch, T)`` (one input per step) or ``(batch, T, inputs)``."""
        if x.ndim == 2:
            x = x[..., None]
        for i, (layer, r) in enumerate(zip(self.layers, self.dilations)):
            out = dilated_layer(layer, x, r)
            x = x + out if self.residual and i > 0 else out
        return self.head(x[:, -1])

    def n_parameters(self) -> int:
        return int(sum(p.numel() for p in self.parameters()))
