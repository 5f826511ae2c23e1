"""The "real model" training runs with the idioms big dm-haiku codebases use (public API only).

* parameters stored stacked (``[num_layers, ...]``) by a custom creator and sliced by a
  custom getter, as layer-stacked transformers do;
* bf16 compute through creators/getters (params stored in f32, cast in the getter);
* a bf16 network with f32-policied normalisation layers (nested mixed precision policies).

Each case trains a few optax SGD steps and returns ``{name: array}``. The same cases run
under dm-haiku 0.0.17 (``make_real_models_core.py`` writes ``real_models_core.npz``) and
under ours (``tests/compat/test_real_models_core.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

STEPS = 4


def _data(batch: int = 8, features: int = 6, classes: int = 3):
    x = jax.random.normal(jax.random.PRNGKey(7), [batch, features])
    y = jax.random.randint(jax.random.PRNGKey(8), [batch], 0, classes)
    return x, y


def _xent(logits, labels):
    logp = jax.nn.log_softmax(logits.astype(jnp.float32))
    return -jnp.mean(jnp.take_along_axis(logp, labels[:, None], axis=-1))


def _flat(prefix: str, tree) -> dict:
    out = {}
    for module, bundle in tree.items():
        for name, value in bundle.items():
            out[f"{prefix}:{module}/{name}"] = np.asarray(value.astype(jnp.float32))
    return out


def _train(model: hk.TransformedWithState, x, y, *, lr: float = 0.1) -> dict:
    import optax

    params, state = model.init(jax.random.PRNGKey(0), x)
    opt = optax.sgd(lr, momentum=0.9)
    opt_state = opt.init(params)

    def loss_fn(params, state):
        logits, state = model.apply(params, state, jax.random.PRNGKey(1), x)
        return _xent(logits, y), state

    @jax.jit
    def step(params, state, opt_state):
        (loss, state), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, state)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), state, opt_state, loss

    losses = []
    for _ in range(STEPS):
        params, state, opt_state, loss = step(params, state, opt_state)
        losses.append(loss)
    out = {"losses": np.asarray(losses)}
    out.update(_flat("params", params))
    out.update(_flat("state", state))
    for prefix, tree in (("params", params), ("state", state)):
        for module, bundle in tree.items():
            for name, value in bundle.items():
                out[f"dtype:{prefix}:{module}/{name}"] = np.asarray(str(value.dtype))
    return out


# Stacked parameters: one creator stacks every parameter of the "stack" scope on a leading
# [layers] axis; a getter per layer slices its layer out.

LAYERS = 3


def stacked_layers() -> dict:
    def stack_creator(next_creator, shape, dtype, init, context):
        if not context.module_name.startswith("stack/"):
            return next_creator(shape, dtype, init)

        def stacked_init(s, d):
            del s
            return jnp.stack([init(shape, d) for _ in range(LAYERS)])

        return next_creator((LAYERS, *shape), dtype, stacked_init)

    def forward(x):
        x = hk.Linear(16, name="embed")(x)
        with hk.custom_creator(stack_creator), hk.name_scope("stack"):
            # One set of modules; each layer reads its own slice of their stacked params.
            block = hk.Linear(16, name="block")
            norm = hk.LayerNorm(-1, True, True, name="norm")
        for i in range(LAYERS):

            def take_layer(next_getter, value, context, i=i):
                if context.module_name.startswith("stack/"):
                    value = value[i]
                return next_getter(value)

            with hk.custom_creator(stack_creator), hk.custom_getter(take_layer):
                x = x + norm(block(jax.nn.gelu(x)))
        return hk.Linear(3, name="head")(x)

    return _train(hk.transform_with_state(forward), *_data())


# bf16 through custom creators/getters: params stay f32, compute in bf16.


def bf16_getters() -> dict:
    def f32_creator(next_creator, shape, dtype, init, context):
        del dtype, context
        return next_creator(shape, jnp.float32, init)

    def bf16_getter(next_getter, value, context):
        del context
        if jnp.issubdtype(value.dtype, jnp.floating):
            value = value.astype(jnp.bfloat16)
        return next_getter(value)

    def forward(x):
        with hk.custom_creator(f32_creator), hk.custom_getter(bf16_getter):
            x = x.astype(jnp.bfloat16)
            x = jax.nn.relu(hk.Linear(16)(x))
            x = jax.nn.relu(hk.Linear(16)(x))
            return hk.Linear(3)(x).astype(jnp.float32)

    return _train(hk.transform_with_state(forward), *_data())


# Nested policies: a bf16 MLP whose BatchNorm layers compute in f32.


class MLP(hk.Module):
    def __call__(self, x):
        for i in range(2):
            x = hk.Linear(16, name=f"linear_{i}")(x)
            x = hk.BatchNorm(True, True, 0.9, name=f"bn_{i}")(x, is_training=True)
            x = jax.nn.relu(x)
        return hk.Linear(3, name="logits")(x)


def nested_policies() -> dict:
    import jmp

    hk.mixed_precision.set_policy(MLP, jmp.get_policy("p=f32,c=bf16,o=f32"))
    hk.mixed_precision.set_policy(hk.BatchNorm, jmp.get_policy("p=f32,c=f32,o=bf16"))
    try:
        return _train(hk.transform_with_state(lambda x: MLP()(x)), *_data())
    finally:
        hk.mixed_precision.clear_policy(MLP)
        hk.mixed_precision.clear_policy(hk.BatchNorm)


CASES: dict[str, Callable[[], dict]] = {
    "stacked_layers": stacked_layers,
    "bf16_getters": bf16_getters,
    "nested_policies": nested_policies,
}


def run_all() -> dict:
    out = {}
    for case, fn in CASES.items():
        for key, value in fn().items():
            out[f"{case}|{key}"] = value
    return out
