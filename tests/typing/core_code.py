"""A user's file using haiku-core's typed transforms, type-checked by test_user_types.py.

Never run. Each ``# revealed:`` comment is the type mypy must reveal on that line and each
``# error:`` comment the error codes it must report there; no other line may have one.
"""

from collections.abc import Callable
from typing import reveal_type

import jax
import jax.numpy as jnp

import haiku as hk


def forward(x: jax.Array, *, is_training: bool = False) -> jax.Array:
    return x * hk.get_parameter("w", [x.shape[-1]], init=jnp.ones)


model = hk.transform(forward)
reveal_type(model)  # revealed: haiku._src.transform.Transformed[[x: jax.Array, *, is_training: bool =], jax.Array]
params = model.init(jax.random.PRNGKey(0), jnp.ones([1, 4]))
reveal_type(params)  # revealed: typing.Mapping[str, typing.Mapping[str, jax.Array]]
out = model.apply(params, None, jnp.ones([1, 4]), is_training=True)
reveal_type(out)  # revealed: jax.Array
model.apply(params, None, "not an array")  # error: arg-type
model.apply(params, None, jnp.ones([1, 4]), training=True)  # error: call-arg
init, apply = model
reveal_type(init)  # revealed: def (jax.Array | int | None, x: jax.Array, *, is_training: bool =) -> typing.Mapping[str, typing.Mapping[str, jax.Array]]

no_rng = hk.without_apply_rng(model)
reveal_type(no_rng.apply(params, jnp.ones([1, 4])))  # revealed: jax.Array
no_rng.apply(params, None, jnp.ones([1, 4]))  # error: call-arg, arg-type


def counter(step: int) -> float:
    n = hk.get_state("n", [], init=jnp.zeros)
    hk.set_state("n", n + step)
    return 1.0


stateful = hk.transform_with_state(counter)
params, state = stateful.init(None, 1)
reveal_type(state)  # revealed: typing.Mapping[str, typing.Mapping[str, jax.Array]]
reveal_type(stateful.apply(params, state, None, 2))  # revealed: tuple[float, typing.Mapping[str, typing.Mapping[str, jax.Array]]]
stateful.apply(params, state, None, "2")  # error: arg-type
reveal_type(hk.without_apply_rng(stateful).apply(params, state, 2)[0])  # revealed: float
reveal_type(hk.without_state(stateful).apply(params, None, 2))  # revealed: float
reveal_type(hk.with_empty_state(model).apply(params, {}, None, jnp.ones([1])))  # revealed: tuple[jax.Array, typing.Mapping[str, typing.Mapping[str, jax.Array]]]

Encode = Callable[[jax.Array], jax.Array]


def make() -> tuple[Encode, dict[str, Encode]]:
    def encode(x: jax.Array) -> jax.Array:
        return x * hk.get_parameter("s", [], init=jnp.ones)

    return encode, {"encode": encode}


multi = hk.multi_transform(make)
reveal_type(multi.init)  # revealed: def (jax.Array | int | None, jax.Array) -> typing.Mapping[str, typing.Mapping[str, jax.Array]]
multi.init(None, "x")  # error: arg-type
