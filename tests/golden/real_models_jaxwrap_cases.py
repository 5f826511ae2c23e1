""" "Real model" training runs using haiku-jaxwrap idioms, runnable under dm-haiku and ours.

* Recycling loops: a residual block (hk.Linear + hk.LayerNorm) called through ``hk.remat``
  and followed by ``hk.dropout``, iterated by ``hk.scan`` (with per-step outputs) or
  ``hk.fori_loop``, trained with optax.adam for a few jitted steps.
* A pmapped training step with state: ``hk.transform_with_state`` + ``hk.BatchNorm`` with
  ``cross_replica_axis`` under ``jax.pmap`` over 8 devices (init is pmapped too), gradients
  averaged with ``lax.pmean``, a few optax.sgd-with-momentum steps.

``run_all()`` returns ``{name: numpy array}`` (losses per step, final params and state);
``make_real_models_jaxwrap.py`` writes the dm-haiku goldens.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax

import haiku as hk

STEPS = 4
DEVICES = 8


def _flat(prefix, tree, out):
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        out[prefix + jax.tree_util.keystr(path)] = np.asarray(leaf)


class Block(hk.Module):
    """Residual MLP block, created once outside the loop and called in every iteration."""

    def __init__(self, width, name=None):
        super().__init__(name=name)
        self.width = width

    def __call__(self, h):
        y = hk.Linear(self.width, name="proj")(jax.nn.gelu(h))
        return hk.LayerNorm(-1, True, True, name="norm")(h + y)


def _recycle_scan(x, is_training):
    h = hk.Linear(16, name="embed")(x)
    block = Block(16)

    def step(h, _):
        h = hk.remat(block)(h)
        if is_training:
            h = hk.dropout(hk.next_rng_key(), 0.25, h)
        return h, jnp.mean(h, axis=-1)

    h, per_step = hk.scan(step, h, None, length=3)
    return hk.Linear(1, name="head")(h)[..., 0] + 0.1 * jnp.mean(per_step, axis=0)


def _recycle_fori(x, is_training):
    h = hk.Linear(16, name="embed")(x)
    block = Block(16)

    def body(i, h):
        h = hk.remat(block)(h) * (1.0 + 0.1 * i)
        if is_training:
            h = hk.dropout(hk.next_rng_key(), 0.25, h)
        return h

    h = hk.fori_loop(0, 3, body, h)
    return hk.Linear(1, name="head")(h)[..., 0]


def _train_recycling(name, fn, out):
    rs = np.random.RandomState(0)
    x = jnp.asarray(rs.normal(size=(8, 5)), jnp.float32)
    y = jnp.asarray(rs.normal(size=(8,)), jnp.float32)
    model = hk.transform(fn)
    params = model.init(jax.random.PRNGKey(1), x, True)
    opt = optax.adam(1e-2)
    opt_state = opt.init(params)

    @jax.jit
    def train_step(params, opt_state, rng):
        def loss_fn(p):
            return jnp.mean((model.apply(p, rng, x, True) - y) ** 2)

        loss, grads = jax.value_and_grad(loss_fn)(params)
        updates, opt_state = opt.update(grads, opt_state)
        return optax.apply_updates(params, updates), opt_state, loss

    losses = []
    rngs = hk.PRNGSequence(2)
    for _ in range(STEPS):
        params, opt_state, loss = train_step(params, opt_state, next(rngs))
        losses.append(loss)
    out[f"{name}/losses"] = np.asarray(losses)
    _flat(f"{name}/params", params, out)
    out[f"{name}/eval"] = np.asarray(jax.jit(model.apply, static_argnums=3)(params, None, x, False))


def _bn_net(x, is_training):
    h = hk.Linear(8, name="in")(x)
    h = hk.BatchNorm(True, True, 0.9, cross_replica_axis="i", name="bn")(h, is_training)
    return hk.Linear(1, name="out")(jax.nn.relu(h))[..., 0]


def _train_pmap(out):
    rs = np.random.RandomState(3)
    x = jnp.asarray(rs.normal(size=(DEVICES, 4, 3)), jnp.float32)
    y = jnp.asarray(rs.normal(size=(DEVICES, 4)), jnp.float32)
    model = hk.transform_with_state(_bn_net)
    keys = jnp.broadcast_to(jax.random.PRNGKey(4), (DEVICES, 2))
    params, state = jax.pmap(lambda k, x: model.init(k, x, True), axis_name="i")(keys, x)
    opt = optax.sgd(0.1, momentum=0.9)
    opt_state = jax.pmap(opt.init)(params)

    def train_step(params, state, opt_state, x, y):
        def loss_fn(p):
            pred, new_state = model.apply(p, state, None, x, True)
            return jnp.mean((pred - y) ** 2), new_state

        (loss, state), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
        grads = jax.lax.pmean(grads, "i")
        updates, opt_state = opt.update(grads, opt_state)
        return (optax.apply_updates(params, updates), state, opt_state, jax.lax.pmean(loss, "i"))

    step = jax.pmap(train_step, axis_name="i")
    losses = []
    for _ in range(STEPS):
        params, state, opt_state, loss = step(params, state, opt_state, x, y)
        losses.append(loss[0])
    out["pmap_bn/losses"] = np.asarray(losses)
    _flat("pmap_bn/params", jax.tree.map(lambda a: a[0], params), out)
    _flat("pmap_bn/state", jax.tree.map(lambda a: a[0], state), out)
    replicas_equal = all(bool(jnp.all(a == a[0])) for a in jax.tree.leaves((params, state)))
    out["pmap_bn/replicas_equal"] = np.asarray(replicas_equal)
    pred, _ = jax.pmap(lambda p, s, x: model.apply(p, s, None, x, False), axis_name="i")(
        params, state, x
    )
    out["pmap_bn/eval"] = np.asarray(pred)


def run_all():
    out = {}
    _train_recycling("recycle_scan", _recycle_scan, out)
    _train_recycling("recycle_fori", _recycle_fori, out)
    if jax.device_count() >= DEVICES:
        _train_pmap(out)
    return out
