"""Core behaviour scenarios, written against the public `hk` API only.

The same functions run under dm-haiku 0.0.17 (``make_core.py``, in a separate reference
environment) and under our haiku (``tests/core/test_golden_core.py``); their JSON results
must be identical.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk


def _tree(params) -> list:
    return [
        [m, [[n, list(np.shape(v)), str(np.asarray(v).dtype)] for n, v in b.items()]]
        for m, b in params.items()
    ]


def _keys(*keys) -> list:
    return [
        np.asarray(
            jax.random.key_data(k) if jnp.issubdtype(k.dtype, jax.dtypes.prng_key) else k
        ).tolist()
        for k in keys
    ]


class Leaf(hk.Module):
    def __init__(self, size: int = 2, name: str | None = None):
        super().__init__(name=name)
        self.size = size

    def __call__(self, x):
        w = hk.get_parameter("w", [x.shape[-1], self.size], init=hk.initializers.RandomNormal())
        return x @ w


class Parent(hk.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.in_init = Leaf(name="leaf")

    def __call__(self, x):
        x = Leaf()(x)
        x = Leaf()(x)
        x = self.in_init(x)
        return self.helper(x)

    def helper(self, x):
        with hk.name_scope("scope"):
            hk.get_parameter("p", [], init=jnp.zeros)
        return Leaf()(x)

    @hk.transparent
    def see_through(self, x):
        return Leaf(name="transparent_leaf")(x)

    @hk.name_like("__call__")
    def alias(self, x):
        return Leaf(name="aliased")(x)


@dataclasses.dataclass
class DataLeaf(hk.Module):
    size: int
    name: str | None = None

    def __call__(self, x):
        return x.sum() * hk.get_parameter("s", [self.size], init=jnp.ones)


class CallTwice(hk.Module):
    def __call__(self, x):
        return Leaf()(x)


def naming_tree(x):
    p = Parent()
    y = p(x)
    p.see_through(y)
    p.alias(y)
    Parent()(x)
    Leaf(name="leaf_1")(x)
    Leaf()(x)
    Leaf()(x)
    Leaf(name="leaf_5")(x)
    Leaf()(x)
    Leaf(name="custom_007")(x)
    Leaf(name="custom_007")(x)
    Leaf(name="dup")(x)
    Leaf(name="dup")(x)
    with hk.name_scope("ns"):
        Leaf()(x)
    with hk.name_scope("ns"):
        Leaf()(x)
    with hk.name_scope("ns/inner"):
        Leaf()(x)
    with hk.name_scope("outer"):
        Leaf(name=hk.force_name("forced/path"))(x)
        Leaf(name=hk.force_name("forced/path"))(x)
    with hk.name_scope("m", method_name="__init__"):
        Leaf()(x)
    with hk.name_scope("m", method_name="bar"):
        Leaf()(x)
    DataLeaf(3)(x)
    DataLeaf(3, name="named_dc")(x)
    c = CallTwice()
    c(x)
    c(x)
    hk.get_parameter("top", [], init=jnp.zeros)
    return y


def scenario_naming() -> dict:
    f = hk.transform(naming_tree)
    params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 2]))
    return {"tree": _tree(params)}


def scenario_module_attrs() -> dict:
    out = {}

    def f(x):
        p = Parent()
        out["repr_parent"] = repr(p)
        out["repr_leaf"] = repr(Leaf(3))
        out["repr_leaf_named"] = repr(Leaf(2, name="x"))
        out["repr_dc"] = repr(DataLeaf(3))
        out["repr_dc_named"] = repr(DataLeaf(4, name="q"))
        out["name"] = p.name
        out["module_name"] = p.module_name
        p(x)
        out["params_dict"] = sorted(p.params_dict())
        out["current_name_top"] = hk.current_name()
        with hk.name_scope("a/b"):
            out["current_name_scope"] = hk.current_name()
        m = hk.Module(name="x")
        out["repr_plain"] = repr(m)
        return x

    hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones([1, 2]))
    return out


def scenario_rng() -> dict:
    rng = jax.random.PRNGKey(42)
    out = {}

    def seq():
        return [hk.next_rng_key() for _ in range(3)]

    out["seq"] = _keys(*hk.transform(seq).apply({}, rng))

    def reserve():
        hk.reserve_rng_keys(3)
        return [hk.next_rng_key() for _ in range(4)]

    out["reserve"] = _keys(*hk.transform(reserve).apply({}, rng))

    def keys():
        a = hk.next_rng_key()
        b = hk.next_rng_keys(3)
        c = hk.next_rng_key()
        return [a, *b, c]

    out["keys"] = _keys(*hk.transform(keys).apply({}, rng))

    def with_rng():
        a = hk.next_rng_key()
        with hk.with_rng(jax.random.PRNGKey(7)):
            b = hk.next_rng_key()
        return [a, b, hk.next_rng_key()]

    out["with_rng"] = _keys(*hk.transform(with_rng).apply({}, rng))
    with hk.config.context(rng_reserve_size=4):
        out["reserve_size_4"] = _keys(*hk.transform(seq).apply({}, rng))
    out["seq_int_seed"] = _keys(*hk.transform(seq).apply({}, 3))
    state = hk.transform(lambda: (hk.next_rng_key(), hk.maybe_get_rng_sequence_state())[1]).apply(
        {}, rng
    )
    out["sequence_state"] = _keys(state[0], *state[1])
    prng = hk.PRNGSequence(5)
    out["prng_sequence"] = _keys(next(prng), *prng.take(2))
    prng.reserve(2)
    out["prng_internal_len"] = len(prng.internal_state[1])
    return out


def scenario_init_values() -> dict:
    def f(x):
        return Parent()(x)

    params = hk.transform(f).init(jax.random.PRNGKey(1), jnp.ones([1, 2]))
    return {m: {n: np.asarray(v).tolist() for n, v in b.items()} for m, b in params.items()}


def scenario_state() -> dict:
    out = {}

    def counter():
        c = hk.get_state("c", [], init=jnp.zeros)
        hk.set_state("c", c + 1)
        hk.set_state("c", c + 10)
        return c

    f = hk.transform_with_state(counter)
    params, state = f.init(None)
    out["init_state"] = jax.tree.map(lambda v: np.asarray(v).tolist(), state)
    res, state = f.apply(params, state, None)
    out["apply_out"] = np.asarray(res).tolist()
    out["apply_state"] = jax.tree.map(lambda v: np.asarray(v).tolist(), state)

    def set_twice():
        hk.set_state("z", 1)
        hk.set_state("z", 5)

    out["set_twice"] = hk.transform_with_state(set_twice).init(None)[1]

    def views():
        hk.set_state("s", jnp.zeros([]))
        hk.set_state("s", jnp.ones([]))
        return (
            jax.tree.map(lambda v: np.asarray(v).tolist(), hk.get_initial_state()),
            jax.tree.map(lambda v: np.asarray(v).tolist(), hk.get_current_state()),
        )

    out["views_apply"] = list(
        hk.transform_with_state(views).apply({}, {"~": {"s": jnp.full([], 3.0)}}, None)[0]
    )
    return out


def scenario_hooks() -> dict:
    log = []

    def creator(next_creator, shape, dtype, init, context):
        log.append(
            [
                "create",
                context.full_name,
                context.module_name,
                context.name,
                list(context.original_shape),
                str(np.dtype(context.original_dtype)),
            ]
        )
        return next_creator(shape, dtype, init)

    def getter(next_getter, value, context):
        log.append(["get", context.full_name])
        return next_getter(value)

    def interceptor(next_f, args, kwargs, context):
        log.append(
            [
                "method",
                type(context.module).__name__,
                context.method_name,
                context.orig_class.__name__,
            ]
        )
        return next_f(*args, **kwargs)

    def f(x):
        with (
            hk.custom_creator(creator),
            hk.custom_getter(getter),
            hk.intercept_methods(interceptor),
        ):
            return Parent()(x)

    t = hk.transform(f)
    params = t.init(jax.random.PRNGKey(0), jnp.ones([1, 2]))
    init_log = list(log)
    log.clear()
    t.apply(params, None, jnp.ones([1, 2]))
    return {"init": init_log, "apply": log}


SCENARIOS: dict[str, Callable[[], Any]] = {
    "naming": scenario_naming,
    "module_attrs": scenario_module_attrs,
    "rng": scenario_rng,
    "init_values": scenario_init_values,
    "state": scenario_state,
    "hooks": scenario_hooks,
}


def run_all() -> dict:
    jax.config.update("jax_threefry_partitionable", True)
    return {name: fn() for name, fn in SCENARIOS.items()}
