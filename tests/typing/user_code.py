"""A user's file using plugin names, type-checked by test_user_types.py (never run).

Each ``# revealed:`` comment is the type mypy must reveal on that line and each
``# error:`` comment the error codes it must report there; no other line may have one.
"""

from typing import reveal_type

import jax
import jax.numpy as jnp

import haiku as hk


def forward(x: jax.Array) -> jax.Array:
    mlp = hk.nets.MLP([8, 2])
    reveal_type(mlp)  # revealed: haiku_nets.mlp.MLP
    reveal_type(hk.Linear(3))  # revealed: haiku_layers.linear.Linear
    hk.Linear("three")  # error: arg-type
    hk.nets.MLP([8], activation=3)  # error: arg-type
    # A third-party plugin name resolves as Any through the stub's __getattr__.
    reveal_type(hk.ThirdPartyBlock)  # revealed: Any
    return mlp(x) + hk.Linear(2)(x)


model = hk.transform(forward)
params = model.init(jax.random.PRNGKey(0), jnp.ones([1, 4]))
reveal_type(model.apply(params, None, jnp.ones([1, 4])))  # revealed: jax.Array
model.apply(params, None, [1.0])  # error: arg-type
