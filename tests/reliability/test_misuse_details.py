"""Details behind the misuse catalogue fixes: valid uses near each new check keep working.

The catalogue (test_misuse_catalogue.py) asserts the error of each misuse; this file
asserts that the checks do not fire on valid code nearby (init traced by JAX transforms,
haiku-aware wrappers, edge values) and covers variants of the same misuses.
"""

from __future__ import annotations

import importlib.util
import inspect
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import pytest

import haiku as hk

KEY = jax.random.PRNGKey(0)
HAS_LAYERS = importlib.util.find_spec("haiku_layers") is not None
HAS_JAXWRAP = importlib.util.find_spec("haiku_jaxwrap") is not None
needs_layers = pytest.mark.skipif(not HAS_LAYERS, reason="needs haiku_layers")
needs_jaxwrap = pytest.mark.skipif(not HAS_JAXWRAP, reason="needs haiku_jaxwrap")


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


# --- layers ------------------------------------------------------------------------------------


@needs_layers
def test_conv_with_int_input_names_the_layer():
    with pytest.raises(TypeError, match=r"conv2_d: Conv2D got an input of dtype int32.*astype"):
        hk.transform(lambda x: hk.Conv2D(2, 3)(x)).init(KEY, jnp.ones([1, 4, 4, 1], int))


@needs_layers
def test_linear_with_int_input_and_int_friendly_init_still_works():
    params = hk.transform(lambda x: hk.Linear(2, w_init=jnp.zeros)(x)).init(
        KEY, jnp.ones([1, 3], int)
    )
    assert params["linear"]["w"].dtype == jnp.int32


@needs_layers
def test_dropout_rng_none_with_rate_zero_is_the_identity():
    x = jnp.arange(3.0)
    assert (hk.dropout(None, 0.0, x) == x).all()


@needs_layers
def test_sequential_rejects_a_single_layer_not_in_a_list():
    with pytest.raises(TypeError, match=r"hk\.Sequential needs a sequence.*\[layer\]"):
        hk.transform(lambda x: hk.Sequential(hk.Linear(2))(x)).init(KEY, _X)


@needs_layers
def test_sequential_and_deep_rnn_accept_generators():
    def f(x):
        seq = hk.Sequential(layer for layer in [hk.Linear(3), jax.nn.relu])
        core = hk.DeepRNN(c for c in [hk.GRU(2), jax.nn.relu])
        return core(seq(x), core.initial_state(2))

    out, state = hk.transform(f).apply(hk.transform(f).init(KEY, _X), None, _X)
    assert out.shape == (2, 2) and len(state) == 1


@needs_layers
def test_skip_connections_reject_non_callables_by_index():
    with pytest.raises(TypeError, match=r"deep_rnn_with_skip_connections: layers\[1\] is 'x'"):
        hk.transform(lambda: hk.deep_rnn_with_skip_connections([hk.GRU(2), "x"])).init(KEY)


@needs_layers
def test_pad_create_accepts_sequences_of_pad_functions():
    assert hk.pad.create([hk.pad.same], 3, 1, 2) == ((1, 1), (1, 1))
    assert hk.pad.create([hk.pad.same, hk.pad.causal], 3, 1, 2) == ((1, 1), (2, 0))
    with pytest.raises(TypeError, match=r"sequence of 1 or 2 of them"):
        hk.pad.create([hk.pad.same] * 3, 3, 1, 2)


@needs_layers
def test_conv_lstm_with_a_tuple_state_names_lstm_state():
    with pytest.raises(TypeError, match=r"Conv1DLSTM needs its state to be an hk\.LSTMState"):
        hk.transform(lambda x: hk.Conv1DLSTM((3,), 2, 3)(x, (1, 2))).init(KEY, jnp.ones([1, 3, 1]))


@needs_layers
def test_unroll_batch_major_rank_one_input_needs_batch_and_time():
    with pytest.raises(
        ValueError,
        match=r"static_unroll: input_sequence has shape \(4,\).*"
        r"\[B, T, \.\.\.\]",
    ):
        hk.transform(
            lambda x: hk.static_unroll(hk.VanillaRNN(2), x, jnp.zeros([1, 2]), time_major=False)
        ).init(KEY, jnp.ones([4]))


# --- jaxwrap -----------------------------------------------------------------------------------


@needs_jaxwrap
def test_switch_with_no_branches_outside_a_transform():
    with pytest.raises(ValueError, match=r"hk\.switch needs at least one branch"):
        hk.switch(0, [], 1.0)


@needs_jaxwrap
@needs_layers
def test_layer_stack_per_layer_layer_must_return_a_pair():
    f = hk.transform(
        lambda x: hk.layer_stack(2, with_per_layer_inputs=True)(lambda y: hk.Linear(3)(y))(x)
    )
    with pytest.raises(
        TypeError,
        match=r"with_per_layer_inputs=True: the layer must return a "
        r"pair.*float32\[3\]",
    ):
        f.init(KEY, jnp.ones([3]))


@needs_jaxwrap
@needs_layers
# dm-haiku raises TypeError when a stacked layer changes its carry (issue #17 item 19).
def test_layer_stack_dtype_change_names_both_types():
    f = hk.transform(
        lambda x, y: hk.layer_stack(2)(lambda a, b: (hk.Linear(3)(a), b.astype(jnp.int32)))(x, y)
    )
    with pytest.raises(TypeError, match=r"\[1\] is float32\[3\] and it returned int32\[3\]"):
        f.init(KEY, jnp.ones([3]), jnp.ones([3]))


@needs_jaxwrap
def test_layer_stack_carry_error_at_apply():
    # The layer keeps width 3 only: fine at init, but apply gets a wider input.
    g = hk.transform(lambda x: hk.layer_stack(2)(lambda y: y[..., :3])(x))
    params = g.init(KEY, jnp.ones([3]))
    with pytest.raises(TypeError, match=r"layer_stack\(2\).*float32\[4\].*float32\[3\]"):
        g.apply(params, None, jnp.ones([4]))


@needs_jaxwrap
def test_remat_of_a_callable_object_is_fine():
    class Double:
        def __call__(self, x):
            return 2 * x

    assert hk.transform(lambda x: hk.remat(Double())(x)).apply({}, None, 1.0) == 2.0
