"""The misuse catalogue's harness: how a mistake real users make is checked, in every package.

Each package's misuses live in its own ``tests/<package>/test_misuse.py`` as a list of
`Case` (what to run, the exception, what the message must name and the fix it must
give) run through `check`, which also asserts that a normal transform afterwards gives
the same result as before (no leaked frames, naming counters, interceptors, config or
mixed-precision policies). Cases whose message is unclear today are ``xfail(strict=True)``
(`params`): when the message is fixed the case XPASSes and the marker must be removed.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import haiku as hk
from haiku import extend

KEY = jax.random.PRNGKey(0)
W_INIT = hk.initializers.VarianceScaling(1.0)
HAS_LAYERS = importlib.util.find_spec("haiku_layers") is not None
HAS_JAXWRAP = importlib.util.find_spec("haiku_jaxwrap") is not None
needs_layers = pytest.mark.skipif(not HAS_LAYERS, reason="needs haiku_layers")
needs_jaxwrap = pytest.mark.skipif(not HAS_JAXWRAP, reason="needs haiku_jaxwrap")


@dataclasses.dataclass(frozen=True)
class Case:
    """One misuse: what to run, what it must raise and what the message must say."""

    name: str
    needs: tuple[str, ...]
    fn: Callable[[], Any]
    exc: type[BaseException]
    names: str  # regex: the message names the wrong thing (layer / argument / module)
    fix: str  # regex: the message says how to fix it
    unclear: str = ""  # non-empty: known-unclear message (xfail strict) and why


L, N, J = ("haiku_layers",), ("haiku_nets",), ("haiku_jaxwrap",)
LJ, LN, LNJ = (
    ("haiku_layers", "haiku_jaxwrap"),
    ("haiku_layers", "haiku_nets"),
    ("haiku_layers", "haiku_nets", "haiku_jaxwrap"),
)


def t(f: Callable[..., Any]) -> hk.Transformed:
    return hk.transform(f)


def ts(f: Callable[..., Any]) -> hk.TransformedWithState:
    return hk.transform_with_state(f)


def linear(x: jax.Array) -> jax.Array:
    return hk.Linear(2)(x)


def linear_params() -> hk.Params:
    return t(linear).init(KEY, jnp.ones([1, 3]))


def mlp(x: jax.Array, **kw: Any) -> jax.Array:
    return hk.nets.MLP([2])(x, **kw)


def mlp_params() -> hk.Params:
    return t(mlp).init(KEY, jnp.ones([1, 3]))


def conv_params() -> hk.Params:
    return t(lambda x: hk.Conv2D(4, 3)(x)).init(KEY, jnp.ones([1, 5, 5, 1]))


def dropout_eval_with_maybe_key(x: jax.Array) -> jax.Array:
    return hk.dropout(hk.maybe_next_rng_key(), 0.5, x)


def bn(x: jax.Array) -> jax.Array:
    return hk.BatchNorm(True, True, 0.9)(x)  # forgot is_training


def raw_scan(x: jax.Array) -> Any:
    return jax.lax.scan(lambda c, y: (c, hk.Linear(2)(y)), 0, x)


def checked(f: Callable[..., Any]) -> Callable[[], Any]:
    def run() -> Any:
        with hk.config.context(check_jax_usage=True):
            return t(f).init(KEY, jnp.ones([2, 3]))

    return run


def raw_vmap_rng(x: jax.Array) -> Any:
    return jax.vmap(lambda y: hk.dropout(hk.next_rng_key(), 0.5, y))(x)


def raw_scan_params_are_arrays() -> None:
    params = t(raw_scan).init(KEY, jnp.ones([2, 3]))
    jax.block_until_ready(params)  # a leaked tracer must not come out of init silently


def lstm_with_array_state(x: jax.Array) -> Any:
    return hk.LSTM(4)(x, jnp.zeros([1, 4]))


def deep_rnn_with_int(x: jax.Array) -> Any:
    core = hk.DeepRNN([hk.LSTM(2), 3])
    return core(x, core.initial_state(1))


# Everything the message of a misuse may include is checked against a fresh run of a model
# that exercises params, state, rng and naming.
def _reference_model(x: jax.Array) -> jax.Array:
    class Block(hk.Module):
        def __call__(self, x: jax.Array) -> jax.Array:
            w = hk.get_parameter("w", [x.shape[-1], 3], init=hk.initializers.RandomNormal())
            count = hk.get_state("count", [], init=jnp.zeros)
            hk.set_state("count", count + 1)
            return x @ w + jax.random.normal(hk.next_rng_key(), [3])

    y = Block()(x)
    with hk.name_scope("scope"):
        y = Block()(y)
    if HAS_LAYERS:
        y = hk.Linear(2)(y)
    return y


def _reference_run() -> tuple[list[str], Any]:
    f = hk.transform_with_state(_reference_model)
    params, state = f.init(KEY, jnp.ones([1, 2]))
    out, state = f.apply(params, state, KEY, jnp.ones([1, 2]))
    names = [f"{m}/{n}" for m, n, _ in hk.data_structures.traverse(params)]
    names += [f"{m}/{n}" for m, n, _ in hk.data_structures.traverse(state)]
    return names, jax.tree.map(np.asarray, (params, state, out))


BASELINE = _reference_run()
BASELINE_CONFIG = repr(hk.config.get_config())


def assert_clean() -> None:
    assert not extend.inside_transform()
    assert repr(hk.config.get_config()) == BASELINE_CONFIG
    names, values = _reference_run()
    assert names == BASELINE[0]
    jax.tree.map(np.testing.assert_array_equal, values, BASELINE[1])
    if HAS_LAYERS:
        assert hk.mixed_precision.get_policy(hk.Linear) is None


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case.unclear)] if case.unclear else []
    return pytest.param(case, id=case.name, marks=marks)


def params(cases: Sequence[Case]) -> list[Any]:
    """`cases` as pytest params (id: the case name; unclear ones xfail strictly)."""
    assert len({c.name for c in cases}) == len(cases), "case names must be unique"
    return [_param(c) for c in cases]


def check(case: Case) -> None:
    """Runs `case`: the right exception, a message naming the problem and the fix, no leaks."""
    for package in case.needs:
        pytest.importorskip(package)
    with pytest.raises(case.exc) as info:
        case.fn()
    message = str(info.value)
    assert re.search(case.names, message, re.S), f"message does not name the problem: {message}"
    assert re.search(case.fix, message, re.S), f"message does not say the fix: {message}"
    assert_clean()
