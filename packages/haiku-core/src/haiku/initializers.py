"""Initializers for ``hk.get_parameter``: callables ``init(shape, dtype) -> jax.Array``.

Random initializers draw exactly one key from ``hk.next_rng_key()`` per call. Every built-in
initializer also has ``sample(key, shape, dtype)``, which takes the key explicitly and can be
called outside a transform.
"""

from __future__ import annotations

from haiku._src.initializers import Constant as Constant
from haiku._src.initializers import Identity as Identity
from haiku._src.initializers import Initializer as Initializer
from haiku._src.initializers import Orthogonal as Orthogonal
from haiku._src.initializers import RandomNormal as RandomNormal
from haiku._src.initializers import RandomUniform as RandomUniform
from haiku._src.initializers import TruncatedNormal as TruncatedNormal
from haiku._src.initializers import UniformScaling as UniformScaling
from haiku._src.initializers import VarianceScaling as VarianceScaling

__all__ = [
    "Constant",
    "Orthogonal",
    "Identity",
    "Initializer",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "UniformScaling",
    "VarianceScaling",
]
