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

# BEGIN GENERATED re-exports (eager) by `hatch run dev:sync` from pyproject.toml; do not edit
# isort: off
from haiku_jaxwrap.batching import vmap as vmap
from haiku_jaxwrap.control_flow import cond as cond
from haiku_jaxwrap.control_flow import switch as switch
from haiku_jaxwrap.control_flow import while_loop as while_loop
from haiku_jaxwrap.control_flow import fori_loop as fori_loop
from haiku_jaxwrap.control_flow import scan as scan
from haiku_jaxwrap.control_flow import map as map
from haiku_jaxwrap.autodiff import grad as grad
from haiku_jaxwrap.autodiff import value_and_grad as value_and_grad
from haiku_jaxwrap.remat import remat as remat
from haiku_jaxwrap.eval_shape import eval_shape as eval_shape
from haiku_jaxwrap.lift import lift as lift
from haiku_jaxwrap.lift import lift_with_state as lift_with_state
from haiku_jaxwrap.lift import LiftWithStateUpdater as LiftWithStateUpdater
from haiku_jaxwrap.lift import transparent_lift as transparent_lift
from haiku_jaxwrap.lift import transparent_lift_with_state as transparent_lift_with_state
from haiku_jaxwrap.layer_stack import layer_stack as layer_stack
from haiku_jaxwrap.layer_stack import LayerStackTransparencyMapping as LayerStackTransparencyMapping
from haiku_jaxwrap.ensemble import ensemble as ensemble
from haiku_jaxwrap import sharding as sharding
# isort: on

__all__ = [
    "cond",
    "ensemble",
    "eval_shape",
    "fori_loop",
    "grad",
    "layer_stack",
    "LayerStackTransparencyMapping",
    "lift",
    "lift_with_state",
    "LiftWithStateUpdater",
    "map",
    "remat",
    "scan",
    "sharding",
    "switch",
    "transparent_lift",
    "transparent_lift_with_state",
    "value_and_grad",
    "vmap",
    "while_loop",
    "__version__",
]
# END GENERATED
