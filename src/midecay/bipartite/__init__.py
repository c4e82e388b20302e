"""Bipartite mutual information ``I(x_1 … x_ℓ; x_{ℓ+1} … x_{2ℓ})``, measured with a model of the corpus.

The two-point curve ``I(x_t; x_{t+d})`` is the quantity of both papers behind midecay; Chen et al.
(L²M, NeurIPS 2025) show that the MI between a block of text and the block after it scales as a
power of the block's length, independently of the two-point curve, and that a model's history
state must grow at least as fast to model long contexts (the L²M condition,
:func:`l2m_condition`). :func:`bipartite_mi` estimates it as their direct estimator does, with
documents as the independent units; :mod:`midecay.bipartite.scorers` holds the models that read
the corpus (exact, n-gram; a pretrained LM is :class:`~midecay.models.pretrained.CausalLMScorer`).
"""

from .condition import L2MCondition, history_state, l2m_condition
from .estimate import HeadEntropy, bipartite_mi, default_splits, head_entropy
from .result import CAVEAT, BipartiteCurve, BipartiteFit, both_scalings
from .scorers import HiddenMarkovScorer, NGramScorer, Scorer

__all__ = ["bipartite_mi", "BipartiteCurve", "BipartiteFit", "CAVEAT", "HeadEntropy", "head_entropy", "default_splits",
           "HiddenMarkovScorer", "NGramScorer", "Scorer", "L2MCondition", "history_state", "l2m_condition", "both_scalings"]
