"""Models exercising the Haiku-aware JAX wrappers, shared by the golden generator and tests.

Only the public ``hk`` API is used, so the same code runs against dm-haiku 0.0.17 (to make
the goldens, ``make_jaxwrap.py``) and against our ``haiku`` (``tests/jaxwrap``).
``run_all()`` returns ``(arrays, names)``: ``arrays`` maps ``case/leaf`` to numpy arrays
(keys drawn, params, outputs; init runs eagerly, apply
under jax.jit), ``names`` maps each case to its params' module names in
insertion order.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

SEED = 3


class Dense(hk.Module):
    """A Linear-like module built on get_parameter only (no dependency on haiku-layers)."""

    def __init__(self, size, name=None):
        super().__init__(name=name)
        self.size = size

    def __call__(self, x):
        fan_in = x.shape[-1]
        w = hk.get_parameter(
            "w",
            [fan_in, self.size],
            x.dtype,
            init=hk.initializers.TruncatedNormal(1.0 / np.sqrt(fan_in)),
        )
        b = hk.get_parameter("b", [self.size], x.dtype, init=hk.initializers.RandomNormal())
        return x @ w + b


class Counter(hk.Module):
    """Stateful: counts calls and keeps a running sum of its inputs."""

    def __call__(self, x):
        n = hk.get_state("n", [], jnp.int32, init=jnp.zeros)
        total = hk.get_state("total", x.shape, x.dtype, init=jnp.zeros)
        hk.set_state("n", n + 1)
        hk.set_state("total", total + x)
        return x * 2 + n


def _keys_cond():
    k0 = hk.next_rng_key()
    k1 = hk.cond(True, lambda: hk.next_rng_key(), lambda: hk.next_rng_key())
    k2 = hk.cond(False, lambda: hk.next_rng_key(), lambda: jnp.zeros([2], jnp.uint32))
    return jnp.stack([k0, k1, k2, hk.next_rng_key()])


def _keys_switch():
    k0 = hk.next_rng_key()
    ks = hk.switch(
        2,
        [lambda: jnp.zeros([2, 2], jnp.uint32)] * 2
        + [lambda: jnp.stack([hk.next_rng_key(), hk.next_rng_key()])],
    )
    return jnp.concatenate([k0[None], ks, hk.next_rng_key()[None]])


def _keys_scan():
    k0 = hk.next_rng_key()
    _, ks = hk.scan(lambda c, x: (c, hk.next_rng_key()), 0, None, length=3)
    _, ks2 = hk.scan(lambda c, x: (c, hk.next_rng_key()), 0, jnp.arange(2), reverse=True)
    return jnp.concatenate([k0[None], ks, ks2, hk.next_rng_key()[None]])


def _keys_fori():
    k0 = hk.next_rng_key()
    ks = hk.fori_loop(
        0, 3, lambda i, ks: ks.at[i].set(hk.next_rng_key()), jnp.zeros([3, 2], jnp.uint32)
    )
    return jnp.concatenate([k0[None], ks, hk.next_rng_key()[None]])


def _keys_while():
    k0 = hk.next_rng_key()
    if hk.running_init():
        ks = jnp.zeros([3, 2], jnp.uint32)
    else:
        _, ks = hk.while_loop(
            lambda v: v[0] < 3,
            lambda v: (v[0] + 1, v[1].at[v[0]].set(hk.next_rng_key())),
            (0, jnp.zeros([3, 2], jnp.uint32)),
        )
    return jnp.concatenate([k0[None], ks, hk.next_rng_key()[None]])


def _keys_vmap_split():
    k0 = hk.next_rng_key()
    split = not hk.running_init()
    ks = hk.vmap(lambda x: jnp.stack([hk.next_rng_key(), hk.next_rng_key()]), split_rng=split)(
        jnp.ones([3])
    )
    hk.reserve_rng_keys(2)
    ks2 = hk.vmap(lambda x: hk.next_rng_key(), split_rng=split)(jnp.ones([2]))
    return jnp.concatenate([k0[None], ks.reshape(-1, 2), ks2, hk.next_rng_key()[None]])


def _keys_vmap_shared():
    k0 = hk.next_rng_key()
    ks = hk.vmap(lambda x: hk.next_rng_key(), split_rng=False)(jnp.ones([3]))
    return jnp.concatenate([k0[None], ks, hk.next_rng_key()[None]])


def _keys_remat_grad():
    k0 = hk.next_rng_key()
    k1 = hk.remat(lambda: hk.next_rng_key())()
    _, k2 = hk.grad(lambda x: (x * 2.0, hk.next_rng_key()), has_aux=True)(1.0)
    hk.eval_shape(lambda: hk.next_rng_key())
    return jnp.stack([k0, k1, k2, hk.next_rng_key()])


KEY_CASES = {
    "cond": _keys_cond,
    "switch": _keys_switch,
    "scan": _keys_scan,
    "fori": _keys_fori,
    "while": _keys_while,
    "vmap_split": _keys_vmap_split,
    "vmap_shared": _keys_vmap_shared,
    "remat_grad": _keys_remat_grad,
}


def _as_state(fn):
    """At init the output is only visible through state: store it as a state entry."""

    def f():
        out = fn()
        hk.set_state("out", out)
        return out

    return f


def _layer(x):
    h = Dense(x.shape[-1])(x)
    return jnp.tanh(h) + 0.1 * jax.random.uniform(hk.next_rng_key(), h.shape)


def _stack_plain(x):
    return hk.layer_stack(3)(_layer)(x)


def _stack_per_layer(x):
    def layer(x, y):
        out = _layer(x) + y
        return out, out.sum()

    return hk.layer_stack(3, with_per_layer_inputs=True, name="blocks")(layer)(
        x, jnp.arange(6.0).reshape(3, 2), reverse=True
    )


class _Stacked(hk.Module):
    def __call__(self, x):
        a = hk.layer_stack(2)(lambda x: hk.remat(_layer)(x))(x)
        return hk.layer_stack(2)(_layer)(a)


class _Numbered:
    def stacked_to_flat(self, name, idx):
        return name.replace("dense", f"dense_{idx}")

    def flat_to_stacked(self, name):
        head, _, rest = name.partition("/")
        if not head.startswith("dense_"):
            return None
        return "/".join(["dense", rest]) if rest else "dense", int(head[6:])


def _stack_transparent(x):
    return hk.layer_stack(3, transparent=True, transparency_map=_Numbered())(
        lambda x: Dense(2, name="dense")(x)
    )(x)


def _scan_module(xs):
    dense = Dense(2)
    counter = Counter()

    def body(c, x):
        c = jnp.tanh(dense(c) + x)
        return c, counter(c) + jax.random.uniform(hk.next_rng_key(), c.shape)

    return hk.scan(body, jnp.zeros([2]), xs)


def _vmap_state(xs):
    dense = Dense(2)

    def per_example(x):
        n = hk.get_state("calls", [], jnp.int32, init=jnp.zeros)
        hk.set_state("calls", n + 1)
        return dense(x) + n

    return hk.vmap(per_example, split_rng=False)(xs)


_inner = hk.transform(lambda x: Dense(2)(x) + Dense(2, name="other")(x))


def _lift(x):
    p = hk.lift(_inner.init, name="inner")(hk.next_rng_key() if hk.running_init() else None, x)
    p2 = hk.lift(_inner.init)(hk.next_rng_key() if hk.running_init() else None, x)
    return _inner.apply(p, None, x) + _inner.apply(p2, None, x) + Dense(2)(x)


def _grad_state(x):
    def loss(x):
        y = Counter()(Dense(2)(x))
        return (y**2).sum()

    return hk.grad(loss)(x)


MODEL_CASES = {
    "stack_plain": (_stack_plain, (jnp.ones([4, 2]) * 0.5,)),
    "stack_per_layer": (_stack_per_layer, (jnp.ones([4, 2]) * 0.5,)),
    "stack_nested": (lambda x: _Stacked()(x), (jnp.ones([4, 2]) * 0.5,)),
    "stack_transparent": (_stack_transparent, (jnp.ones([2]),)),
    "scan_module": (_scan_module, (jnp.arange(8.0).reshape(4, 2) / 8,)),
    "vmap_state": (_vmap_state, (jnp.arange(6.0).reshape(3, 2),)),
    "lift": (_lift, (jnp.ones([2]),)),
    "grad_state": (_grad_state, (jnp.ones([2]),)),
}


def _naming_matrix():
    """Module names created after each wrapper (dm-haiku discards numbering in some)."""
    wrappers = {
        "vmap": lambda f, x: hk.vmap(f, split_rng=False)(x[None])[0],
        "cond": lambda f, x: hk.cond(True, f, f, x),
        "switch": lambda f, x: hk.switch(0, [f], x),
        "remat": lambda f, x: hk.remat(f)(x),
        "fori": lambda f, x: hk.fori_loop(0, 1, lambda i, x: f(x), x),
        "eval_shape": lambda f, x: (hk.eval_shape(f, x), x)[1],
        "grad": lambda f, x: hk.grad(lambda x: f(x).sum())(x),
        "scan": lambda f, x: hk.scan(lambda c, x: (c, f(x)), 0, x[None])[1][0],
        "map": lambda f, x: hk.map(f, x[None])[0],
    }
    out = {}
    for name, w in wrappers.items():

        def g(x, w=w):
            y = w(lambda x: Dense(3)(x), x)
            return Dense(3)(y) + Dense(3)(y)

        out["naming_" + name] = list(
            jax.eval_shape(hk.transform(g).init, jax.random.PRNGKey(0), jnp.ones([3]))
        )
    return out


def _flat(prefix, tree, arrays):
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        arrays[prefix + jax.tree_util.keystr(path)] = np.asarray(leaf)


def run_all():
    arrays, names = {}, {}
    rng = jax.random.PRNGKey(SEED)
    for size in (1, 4):
        with hk.config.context(rng_reserve_size=size):
            for name, fn in KEY_CASES.items():
                t = hk.transform_with_state(_as_state(fn))
                _, state = jax.jit(t.init)(rng)
                arrays[f"keys_{name}_r{size}/init"] = np.asarray(state["~"]["out"])
                out, _ = jax.jit(t.apply)({}, {}, rng)
                arrays[f"keys_{name}_r{size}/apply"] = np.asarray(out)
    for name, (fn, args) in MODEL_CASES.items():
        t = hk.transform_with_state(fn)
        params, state = t.init(rng, *args)
        names[name] = list(params)
        _flat(f"{name}/params", params, arrays)
        _flat(f"{name}/state", state, arrays)
        out, new_state = jax.jit(t.apply)(params, state, rng, *args)
        _flat(f"{name}/out", out, arrays)
        _flat(f"{name}/new_state", new_state, arrays)
    names.update(_naming_matrix())
    return arrays, names
