"""``hk.sharding``: shard parameters and activations over devices by logical axis names.

Three steps, all on JAX's own machinery (``Mesh``, ``NamedSharding``, ``jax.jit``):

1. Name each parameter dimension with a *logical* axis (``'embed'``, ``'mlp'``...):
   :func:`logical_axes` rules keyed on the parameter path, set around the whole model or
   inside it around one layer. ``hk.nets.Transformer.param_axes()`` (haiku-nets) holds
   Megatron-style rules for the Transformer and its layers.
2. Map logical names to mesh axes with :class:`LogicalAxisRules`, active with
   :func:`axis_rules` together with a mesh (:func:`make_mesh`).
3. Get ``NamedSharding`` s with :func:`param_shardings` (or :func:`abstract_params` for
   checkpoint restore targets) and run ``jax.jit(f.init, out_shardings=...)``: parameters
   are created sharded. Constrain activations inside the model with :func:`constrain`.

Annotations live outside the parameter tree: params, numerics and signatures are those of
dm-haiku, and a model with no annotations pays nothing. Provided by haiku-jaxwrap and
loaded on first access of ``hk.sharding``.

>>> import jax, jax.numpy as jnp
>>> import haiku as hk
>>> def mlp(x):  # with haiku-layers: hk.nets.MLP([16, 4])(x)
...   for name, size in (("linear_0", 16), ("linear_1", 4)):
...     with hk.name_scope(name):
...       x = jax.nn.relu(x @ hk.get_parameter("w", [x.shape[-1], size], init=jnp.ones))
...   return x
>>> f = hk.transform(mlp)
>>> mesh = hk.sharding.make_mesh((1,), ("model",), devices=jax.devices()[:1])
>>> rng, x = jax.random.PRNGKey(0), jnp.ones([2, 4])
>>> with hk.sharding.axis_rules({"mlp": "model"}, mesh), hk.sharding.logical_axes({
...     "linear_0/w": ("embed", "mlp"), "linear_1/w": ("mlp", "embed")}):
...   params = jax.jit(f.init, out_shardings=hk.sharding.param_shardings(f.init, rng, x))(rng, x)
>>> {k: v["w"].sharding.spec for k, v in params.items()}
{'linear_0': P(None, 'model'), 'linear_1': P('model', None)}
"""

from __future__ import annotations

from haiku_jaxwrap.sharding_placement import abstract_params as abstract_params
from haiku_jaxwrap.sharding_placement import axis_rules as axis_rules
from haiku_jaxwrap.sharding_placement import constrain as constrain
from haiku_jaxwrap.sharding_placement import current_axis_rules as current_axis_rules
from haiku_jaxwrap.sharding_placement import logical_axes as logical_axes
from haiku_jaxwrap.sharding_placement import logical_to_mesh as logical_to_mesh
from haiku_jaxwrap.sharding_placement import make_mesh as make_mesh
from haiku_jaxwrap.sharding_placement import param_logical_axes as param_logical_axes
from haiku_jaxwrap.sharding_placement import param_partition_specs as param_partition_specs
from haiku_jaxwrap.sharding_placement import param_shardings as param_shardings
from haiku_jaxwrap.sharding_rules import STACKED_AXIS as STACKED_AXIS
from haiku_jaxwrap.sharding_rules import LogicalAxisRules as LogicalAxisRules
from haiku_jaxwrap.sharding_rules import compile_pattern as compile_pattern

__all__ = [
    "STACKED_AXIS",
    "LogicalAxisRules",
    "abstract_params",
    "axis_rules",
    "compile_pattern",
    "constrain",
    "current_axis_rules",
    "logical_axes",
    "logical_to_mesh",
    "make_mesh",
    "param_logical_axes",
    "param_partition_specs",
    "param_shardings",
]
