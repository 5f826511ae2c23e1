"""Misuse of core APIs gives clear errors and leaves no global state behind.

`MISUSES` are checked here; `CASES` (some shown with a layer) run through the misuse
harness (tests/misuse.py), which also asks the message to say the fix; the tests at the
end check that valid uses next to each check keep working.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import haiku as hk
from haiku import extend

import misuse
from misuse import (
    KEY,
    LN,
    Case,
    L,
    linear,
    linear_params,
    mlp,
    needs_jaxwrap,
    needs_layers,
    t,
    ts,
)


def reference_params():
    f = hk.transform(
        lambda x: x @ hk.get_parameter("w", [x.shape[-1], 2], init=hk.initializers.RandomNormal())
    )
    return f.init(jax.random.PRNGKey(0), jnp.ones([1, 3]))


def assert_clean():
    assert not extend.inside_transform()
    np.testing.assert_array_equal(reference_params()["~"]["w"], BASELINE["~"]["w"])


BASELINE = reference_params()


class Boom(hk.Module):
    def __call__(self):
        with hk.name_scope("inner"):
            with hk.custom_getter(lambda n, v, c: n(v)):
                raise RuntimeError("boom")


MISUSES = [
    (
        "get_parameter outside transform",
        lambda: hk.get_parameter("w", [], init=jnp.zeros),
        ValueError,
        "must be used as part of an `hk.transform`",
    ),
    (
        "module outside transform",
        lambda: hk.Module(),
        ValueError,
        "must be initialized inside an `hk.transform`",
    ),
    ("next_rng_key outside transform", hk.next_rng_key, ValueError, "hk.transform"),
    (
        "missing rng",
        lambda: hk.transform(hk.next_rng_key).apply({}, None),
        ValueError,
        "non-None PRNGKey",
    ),
    (
        "state under transform",
        lambda: hk.transform(lambda: hk.set_state("s", 1)).init(None),
        ValueError,
        "transform_with_state",
    ),
    (
        "missing param at apply",
        lambda: hk.transform(lambda: hk.get_parameter("w", [2], init=jnp.zeros)).apply({}, None),
        ValueError,
        "Unable to retrieve parameter 'w' for module '~'",
    ),
    (
        "wrong shape at apply",
        lambda: hk.transform(lambda: hk.get_parameter("w", [2], init=jnp.zeros)).apply(
            {"~": {"w": jnp.zeros([3])}}, None
        ),
        ValueError,
        r"shape \(3,\).*shape \(2,\)",
    ),
    (
        "no init for new param",
        lambda: hk.transform(lambda: hk.get_parameter("w", [2])).init(None),
        ValueError,
        "initializer is needed",
    ),
    (
        "no init for new state",
        lambda: hk.transform_with_state(lambda: hk.get_state("s", [2])).init(None),
        ValueError,
        "initializer",
    ),
    (
        "bad module name",
        lambda: hk.transform(lambda: hk.Module(name="1abc")).init(None),
        ValueError,
        "not a valid module name",
    ),
    (
        "slash in module name",
        lambda: hk.transform(lambda: hk.Module(name="a/b")).init(None),
        ValueError,
        "hk.name_scope",
    ),
    (
        "duplicate explicit number",
        lambda: hk.transform(lambda: (hk.Module(name="m_1"), hk.Module(name="m_1"))).init(None),
        ValueError,
        "not unique",
    ),
    (
        "batched key",
        lambda: hk.transform(lambda: 1).init(jnp.zeros([4, 2], jnp.uint32)),
        ValueError,
        "shape",
    ),
    ("string key", lambda: hk.transform(lambda: 1).init("seed"), ValueError, "PRNG key"),
    (
        "params not a mapping",
        lambda: hk.transform(lambda: 1).apply([1], None),
        TypeError,
        "params must be the mapping",
    ),
    (
        "flat params",
        lambda: hk.transform(lambda: 1).apply({"a/w": jnp.ones([])}, None),
        TypeError,
        "two-level",
    ),
    ("jitted function", lambda: hk.transform(jax.jit(lambda x: x)), ValueError, "already jax.jit"),
    (
        "apply_rng argument",
        lambda: hk.transform(lambda: 1, apply_rng=True),
        ValueError,
        "without_apply_rng",
    ),
    ("name_scope reuse", lambda: hk.transform(_reuse_scope).init(None), ValueError, "not reusable"),
    ("name_scope leading slash", lambda: hk.name_scope("/abs"), ValueError, "must not start"),
    (
        "super ctor not called",
        lambda: hk.transform(lambda: _NoSuper()).init(None),
        ValueError,
        "super",
    ),
    (
        "exception inside module",
        lambda: hk.transform(lambda: Boom()()).init(None),
        RuntimeError,
        "boom",
    ),
    (
        "module method after transform",
        lambda: _leaked_module()(),
        ValueError,
        "outside of an `hk.transform`",
    ),
    (
        "reserve negative",
        lambda: hk.transform(lambda: hk.reserve_rng_keys(-1)).apply({}, jax.random.PRNGKey(0)),
        ValueError,
        "num >= 0",
    ),
    (
        "rng_reserve_size zero",
        lambda: hk.config.set(rng_reserve_size=0),
        ValueError,
        "positive integer",
    ),
    ("transform non callable", lambda: hk.transform(3), TypeError, "callable"),
]


def _reuse_scope():
    scope = hk.name_scope("x")
    with scope:
        pass
    with scope:
        pass


class _NoSuper(hk.Module):
    def __init__(self):
        pass


class _Callable(hk.Module):
    def __call__(self):
        return 1


def _leaked_module():
    box = []
    hk.transform(lambda: box.append(_Callable())).init(None)
    return box[0]


@pytest.mark.parametrize("name,fn,exc,match", MISUSES, ids=[m[0] for m in MISUSES])
def test_misuse_is_reported_and_leaves_no_state(name, fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()
    assert_clean()
    from haiku._src.hooks import HOOKS

    assert not any(
        [HOOKS.param_getters, HOOKS.param_creators, HOOKS.interceptors, HOOKS.state_setters]
    )
    assert hk.config.get_config().rng_reserve_size == 1


# --- the misuse catalogue's core cases --------------------------------------------------

CASES = [
    Case(
        "apply with params of another model",
        LN,
        lambda: t(mlp).apply(linear_params(), None, jnp.ones([1, 3])),
        ValueError,
        r"parameter 'w' for module 'mlp/~/linear_0'",
        r"params returned by init",
    ),
    Case(
        "apply(rng, params, x) argument order",
        L,
        lambda: t(linear).apply(KEY, linear_params(), jnp.ones([1, 3])),
        TypeError,
        r"params must be the mapping",
        r"apply\(params, rng, \*inputs\)",
    ),
    Case(
        "init(x, rng) argument order",
        L,
        lambda: t(linear).init(jnp.ones([1, 3]), KEY),
        ValueError,
        r"PRNG key.*shape \(1, 3\)",
        r"init\(rng, \*inputs\)",
    ),
    Case(
        "init output passed as the rng of init",
        L,
        lambda: t(linear).init(linear_params(), jnp.ones([1, 3])),
        ValueError,
        r"init needs a PRNG key.*got dict",
        r"jax\.random\.PRNGKey\(42\)",
    ),
    Case(
        "transform_with_state apply without the state argument",
        L,
        lambda: ts(linear).apply(linear_params(), None, jnp.ones([1, 3])),
        ValueError,
        r"apply needs a PRNG key.*shape \(1, 3\)",
        r"apply\(params, rng",
    ),
    Case(
        "(params, state) tuple of init passed as params",
        L,
        lambda: ts(linear).apply(
            ts(linear).init(KEY, jnp.ones([1, 3])), {}, None, jnp.ones([1, 3])
        ),
        TypeError,
        r"params must be the mapping.*got tuple",
        r"apply\(params, rng",
    ),
    Case(
        "param created twice with different shapes",
        (),
        lambda: t(
            lambda: (
                hk.get_parameter("w", [2], init=jnp.zeros),
                hk.get_parameter("w", [3], init=jnp.zeros),
            )
        ).init(KEY),
        ValueError,
        r"'w' of module '~' has shape \(2,\).*\(3,\)",
        r"same model",
    ),
    Case(
        "hk.get_state outside a transform",
        (),
        lambda: hk.get_state("s"),
        ValueError,
        r"hk\.get_state",
        r"Wrap the function.*hk\.transform",
    ),
    Case(
        "hk.running_init outside a transform",
        (),
        hk.running_init,
        ValueError,
        r"hk\.running_init",
        r"Wrap the function.*hk\.transform",
    ),
    Case(
        "hk.name_scope entered outside a transform",
        (),
        lambda: hk.name_scope("a").__enter__(),
        ValueError,
        r"hk\.name_scope",
        r"Wrap the function.*hk\.transform",
    ),
    Case(
        "PRNGSequence seeded with a string",
        (),
        lambda: hk.PRNGSequence("seed"),
        ValueError,
        r"PRNGSequence.*got str",
        r"jax\.random\.PRNGKey\(42\)",
    ),
    Case(
        "to_module on a non-callable",
        (),
        lambda: hk.to_module(3),
        TypeError,
        r"hk\.to_module.*got 3",
        r"needs a callable",
    ),
    Case(
        "multi_transform function not returning a pair",
        (),
        lambda: hk.multi_transform(lambda: 3).init(KEY),
        TypeError,
        r"multi_transform.*got int",
        r"must return a pair",
    ),
    Case(
        "mixed-precision policy for a non-Module class",
        (),
        lambda: hk.mixed_precision.set_policy(int, None),
        TypeError,
        r"int is not an hk\.Module",
        r"Pass a Module class",
    ),
    Case(
        "next_rng_keys with a negative count",
        (),
        lambda: t(lambda: hk.next_rng_keys(-1)).apply({}, KEY),
        ValueError,
        r"next_rng_keys.*-1",
        r"num >= 0",
    ),
    Case(
        "unknown config option",
        (),
        lambda: hk.config.set(foo=1),
        TypeError,
        r"'foo'",
        r"check_jax_usage.*rng_reserve_size",
    ),
    Case(
        "data_structures.merge given a list",
        (),
        lambda: hk.data_structures.merge([1]),
        TypeError,
        r"merge.*list",
        r"mapping",
    ),
]


@pytest.mark.parametrize("case", misuse.params(CASES))
def test_misuse(case: Case) -> None:
    misuse.check(case)


# --- core: rng, config, data_structures ------------------------------------------------------


def test_next_rng_keys_zero_is_an_empty_stack_and_consumes_no_key():
    def f():
        empty = hk.next_rng_keys(0)
        return empty, hk.next_rng_key()

    (empty, key), reference = (
        hk.transform(f).apply({}, KEY),
        hk.transform(hk.next_rng_key).apply({}, KEY),
    )
    assert empty.shape == (0, 2) and empty.dtype == jnp.uint32
    assert (key == reference).all()
    typed = hk.transform(lambda: hk.next_rng_keys(0)).apply({}, jax.random.key(0))
    assert typed.shape == (0,) and jnp.issubdtype(typed.dtype, jax.dtypes.prng_key)


def test_config_unknown_option_in_context_lists_valid_options():
    with pytest.raises(TypeError, match=r"hk\.config\.context.*'bogus'.*rng_reserve_size"):
        with hk.config.context(bogus=True):
            pass


def test_config_signatures_show_only_the_real_options():
    for fn in (hk.config.set, hk.config.context):
        assert list(inspect.signature(fn).parameters) == [
            "check_jax_usage",
            "module_auto_repr",
            "restore_flatmap",
            "rng_reserve_size",
        ]


@pytest.mark.parametrize(
    "call",
    [
        lambda: hk.data_structures.filter(lambda *_: True, [1]),
        lambda: hk.data_structures.map(lambda *_: 0, "params"),
        lambda: list(hk.data_structures.traverse(3)),
        lambda: hk.data_structures.partition(lambda *_: True, [1]),
    ],
)
def test_data_structures_name_the_function_for_non_mappings(call: Callable[[], Any]):
    with pytest.raises(
        TypeError,
        match=r"hk\.data_structures\.\w+ needs the structure to be "
        r"a mapping",
    ):
        call()


def test_data_structures_name_the_module_whose_entry_is_not_a_mapping():
    with pytest.raises(TypeError, match=r"merge needs the entry of module 'linear'.*got int"):
        hk.data_structures.merge({"linear": 1})


def test_data_structures_accept_duck_typed_mappings():
    class Params:
        def __init__(self, d):
            self._d = d

        def keys(self):
            return self._d.keys()

        def __iter__(self):
            return iter(self._d)

        def __getitem__(self, k):
            return self._d[k]

    merged = hk.data_structures.merge(Params({"a": {"w": 1}}), {"a": {"b": 2}})
    assert merged == {"a": {"w": 1, "b": 2}}


# --- core: leaked tracers at the end of init -------------------------------------------------


def _stateful(x: jax.Array) -> jax.Array:
    w = hk.get_parameter("w", [x.shape[-1], 2], init=hk.initializers.RandomNormal())
    s = hk.get_state("s", [], init=jnp.zeros)
    hk.set_state("s", s + 1)
    return x @ w


_F = hk.transform_with_state(_stateful)
_X = jnp.ones([2, 3])

_TRACED_INITS = {
    "jit": lambda: jax.jit(_F.init)(KEY, _X),
    "vmap over keys": lambda: jax.vmap(_F.init, (0, None))(jax.random.split(KEY, 2), _X),
    "vmap over inputs": lambda: jax.vmap(_F.init, (None, 0))(KEY, jnp.ones([4, 2, 3])),
    "jit of vmap": lambda: jax.jit(jax.vmap(_F.init, (0, None)))(jax.random.split(KEY, 2), _X),
    "eval_shape": lambda: jax.eval_shape(_F.init, KEY, _X),
    "grad": lambda: jax.grad(lambda x: jax.tree.leaves(_F.init(KEY, x))[0].sum())(_X),
    "checkpoint": lambda: jax.jit(
        jax.checkpoint(_F.init, policy=jax.checkpoint_policies.nothing_saveable)
    )(KEY, _X),
    "init inside a raw scan": lambda: jax.lax.scan(
        lambda c, x: (c, _F.init(KEY, x)), 0, jnp.ones([2, 2, 3])
    ),
    "make_jaxpr": lambda: jax.make_jaxpr(_F.init)(KEY, _X),
}


@pytest.mark.parametrize("name", list(_TRACED_INITS))
def test_init_traced_by_a_jax_transform_is_not_a_leak(name: str):
    jax.block_until_ready(jax.tree.leaves(_TRACED_INITS[name]()))


def _raw_scan(x: jax.Array) -> Any:
    return jax.lax.scan(lambda c, y: (c, y @ hk.get_parameter("w", [3, 2], init=jnp.ones)), 0, x)


@pytest.mark.parametrize(
    "wrap",
    [
        lambda init: init,
        jax.jit,
        lambda init: lambda k, x: jax.vmap(init, (0, None))(jax.random.split(k, 2), x),
        lambda init: lambda k, x: jax.eval_shape(init, k, x),
    ],
    ids=["eager", "jit", "vmap", "eval_shape"],
)
def test_leaked_param_tracer_is_reported_even_when_init_is_traced(wrap: Callable):
    with pytest.raises(
        ValueError,
        match=r"parameter 'w' of module '~' is a "
        r"DynamicJaxprTracer.*hk\.scan",
    ):
        wrap(hk.transform(_raw_scan).init)(KEY, _X)


def test_leaked_state_tracer_is_reported():
    def f(x):
        def body(c, y):
            hk.set_state("s", hk.get_state("s", [], init=jnp.zeros) + y.sum())
            return c, y

        return jax.lax.scan(body, 0, x)

    with pytest.raises(ValueError, match=r"state 's' of module '~'"):
        hk.transform_with_state(f).init(KEY, _X)


def test_leaked_vmap_tracer_suggests_hk_vmap():
    def f(x):
        return jax.vmap(lambda y: hk.get_parameter("w", [], init=lambda *_: y.sum()))(x)

    with pytest.raises(ValueError, match=r"BatchTracer.*raw jax\.vmap.*hk\.vmap instead"):
        hk.transform(f).init(KEY, _X)


@needs_layers
@needs_jaxwrap
@pytest.mark.parametrize("traced", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("model", ["lift", "layer_stack", "scan", "remat", "vmap", "fori"])
def test_haiku_aware_wrappers_are_not_leaks(model: str, traced: bool):
    def lin(x):
        return hk.Linear(3)(x)

    def f(x):
        if model == "lift":
            params = hk.lift(hk.transform(lin).init)(hk.next_rng_key(), x)
            return hk.transform(lin).apply(params, None, x)
        if model == "layer_stack":
            return hk.layer_stack(3)(lin)(x)
        if model == "scan":
            core = hk.Linear(3)
            return hk.scan(lambda c, y: (c, core(y)), 0, x)[1]
        if model == "remat":
            return hk.remat(lin)(x)
        if model == "vmap":
            return hk.vmap(lin, split_rng=False)(x)
        core = hk.Linear(3)
        return hk.fori_loop(0, 2, lambda i, y: core(y), x)

    init = hk.transform(f).init
    params = (jax.jit(init) if traced else init)(KEY, jnp.ones([2, 3]))
    assert all(isinstance(v, jax.Array) for v in jax.tree.leaves(params))
