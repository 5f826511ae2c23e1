"""haiku-jaxwrap: Haiku-aware JAX transforms (``hk.vmap``, ``hk.scan``, ``hk.cond``, ...).

Each wrapper threads haiku state and the RNG key sequence through its JAX primitive, with
the same key stream as dm-haiku. Outside ``hk.transform`` every wrapper behaves like its
plain ``jax`` counterpart, so library code can use them in both worlds. The names are
registered on ``haiku`` through entry points: use them as ``hk.vmap`` etc.

>>> import jax.numpy as jnp
>>> import haiku as hk
>>> hk.scan(lambda c, x: (c + x, c), 0, jnp.arange(3))[0]
Array(3, dtype=int32)
"""

from __future__ import annotations

from haiku_jaxwrap.__about__ import __version__
from haiku_jaxwrap.autodiff import grad, value_and_grad
from haiku_jaxwrap.batching import vmap
from haiku_jaxwrap.control_flow import cond, fori_loop, map, scan, switch, while_loop
from haiku_jaxwrap.eval_shape import eval_shape
from haiku_jaxwrap.layer_stack import LayerStackTransparencyMapping, layer_stack
from haiku_jaxwrap.lift import (LiftWithStateUpdater, lift, lift_with_state, transparent_lift,
                                transparent_lift_with_state)
from haiku_jaxwrap.remat import remat

__all__ = [
    "LayerStackTransparencyMapping",
    "LiftWithStateUpdater",
    "__version__",
    "cond",
    "eval_shape",
    "fori_loop",
    "grad",
    "layer_stack",
    "lift",
    "lift_with_state",
    "map",
    "remat",
    "scan",
    "switch",
    "transparent_lift",
    "transparent_lift_with_state",
    "value_and_grad",
    "vmap",
    "while_loop",
]
