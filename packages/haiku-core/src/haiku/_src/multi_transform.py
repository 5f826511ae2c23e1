"""``hk.multi_transform`` (several apply functions sharing one init) and ``without_apply_rng``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, Generic, NamedTuple, ParamSpec, TypeVar, overload

import jax

from haiku._src.errors import NonEmptyStateError
from haiku._src.transform import (
    _NON_EMPTY_STATE,
    RNGArg,
    Transformed,
    TransformedWithoutRng,
    TransformedWithState,
    TransformedWithStateWithoutRng,
    transform_with_state,
)
from haiku._src.typing import Params, State

# The template function's parameters (what `init` takes after `rng`) and a result type.
P = ParamSpec("P")
R = TypeVar("R")


class MultiTransformed(NamedTuple, Generic[P]):
    """What :func:`multi_transform` returns: one ``init`` and a pytree of ``apply`` functions.

    Every apply function takes ``(params, rng, *args, **kwargs)`` and uses the parameters
    ``init`` created, so several entry points (e.g. encode and decode) share one model.
    For type checkers ``init`` takes the template function's arguments (``P``); ``apply``,
    a pytree of functions, is ``Any``.

    >>> import jax
    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def make():
    ...   def encode(x):
    ...     return x * hk.get_parameter("scale", [], init=jnp.ones)
    ...   def decode(y):
    ...     return y / hk.get_parameter("scale", [], init=jnp.ones)
    ...   def round_trip(x):
    ...     return decode(encode(x))
    ...   return round_trip, {"encode": encode, "decode": decode}
    >>> model = hk.multi_transform(make)
    >>> isinstance(model, hk.MultiTransformed)
    True
    >>> params = model.init(None, jnp.zeros([2]))
    >>> jax.tree.map(jnp.shape, params)
    {'~': {'scale': ()}}
    >>> sorted(model.apply)
    ['decode', 'encode']
    >>> model.apply["encode"](params, None, jnp.ones([2])).shape
    (2,)
    """

    init: Callable[Concatenate[RNGArg, P], Params]
    apply: Any


class MultiTransformedWithState(NamedTuple, Generic[P]):
    """What :func:`multi_transform_with_state` returns: a stateful :class:`MultiTransformed`.

    ``init(rng, ...)`` returns ``(params, state)``; each apply function takes
    ``(params, state, rng, ...)`` and returns ``(out, new_state)``.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def make():
    ...   def count():
    ...     n = hk.get_state("n", [], jnp.int32, init=jnp.zeros)
    ...     hk.set_state("n", n + 1)
    ...     return n
    ...   def peek():
    ...     return hk.get_state("n", [], jnp.int32, init=jnp.zeros)
    ...   return count, (count, peek)
    >>> model = hk.multi_transform_with_state(make)
    >>> isinstance(model, hk.MultiTransformedWithState)
    True
    >>> params, state = model.init(None)
    >>> count, peek = model.apply
    >>> _, state = count(params, state, None)
    >>> n, state = peek(params, state, None)
    >>> int(n)
    1
    """

    init: Callable[Concatenate[RNGArg, P], tuple[Params, State]]
    apply: Any


def _check_factory(f: Callable, what: str) -> None:
    if not callable(f):
        raise TypeError(f"{what} needs a function returning (template_fn, tree_of_fns), got {f!r}.")


def _apply_treedef(f: Callable, what: str):
    captured = []

    def capture():
        result = f()
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError(
                f"The function passed to {what} must return a pair "
                f"(template_fn, tree_of_apply_fns), got {type(result).__name__}."
            )
        captured.append(jax.tree.structure(result[1]))

    init = transform_with_state(capture).init
    jax.eval_shape(lambda: init(jax.random.PRNGKey(42)))
    return captured[0]


def multi_transform_with_state(
    f: Callable[[], tuple[Callable[P, Any], Any]],
) -> MultiTransformedWithState[P]:
    """Transforms a factory of several functions that share parameters, with state.

    ``f()`` returns ``(template, fns)``: ``init`` runs ``template`` (which must create every
    parameter) and ``apply`` is a pytree of the same shape as ``fns``, each with signature
    ``apply(params, state, rng, *a, **k) -> (out, state)``.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f():
    ...   scale = lambda x: x * hk.get_parameter("s", [], init=jnp.ones)
    ...   return scale, (scale, lambda x: -scale(x))
    >>> f = hk.multi_transform_with_state(f)
    >>> params, state = f.init(None, 2.)
    >>> f.apply[1](params, state, None, 2.)[0]
    Array(-2., dtype=float32)
    """
    _check_factory(f, "hk.multi_transform_with_state")
    init = transform_with_state(lambda *a, **k: f()[0](*a, **k)).init
    treedef = _apply_treedef(f, "hk.multi_transform_with_state")

    def make_apply(index: int):
        def fn(*a, **k):
            return jax.tree.leaves(f()[1])[index](*a, **k)

        return transform_with_state(fn).apply

    applies = [make_apply(i) for i in range(treedef.num_leaves)]
    return MultiTransformedWithState(init, jax.tree.unflatten(treedef, applies))


def multi_transform(f: Callable[[], tuple[Callable[P, Any], Any]]) -> MultiTransformed[P]:
    """Transforms a factory of several functions that share parameters.

    Like :func:`multi_transform_with_state` without state: each apply has signature
    ``apply(params, rng, *a, **k)``.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f():
    ...   scale = lambda x: x * hk.get_parameter("s", [], init=jnp.ones)
    ...   return scale, {"double": lambda x: 2 * scale(x)}
    >>> f = hk.multi_transform(f)
    >>> params = f.init(None, 3.)
    >>> f.apply["double"](params, None, 3.)
    Array(6., dtype=float32)
    """
    _check_factory(f, "hk.multi_transform")
    stateful = multi_transform_with_state(f)

    def init_fn(*args, **kwargs):
        params, state = stateful.init(*args, **kwargs)
        if state:
            raise NonEmptyStateError(
                _NON_EMPTY_STATE.replace("hk.transform_with_state", "hk.multi_transform_with_state")
            )
        return params

    def stateless(apply_fn):
        def fn(params, *args, **kwargs):
            out, state = apply_fn(params, None, *args, **kwargs)
            if state:
                raise NonEmptyStateError(
                    _NON_EMPTY_STATE.replace(
                        "hk.transform_with_state", "hk.multi_transform_with_state"
                    )
                )
            return out

        return fn

    return MultiTransformed(init_fn, jax.tree.map(stateless, stateful.apply))


# At run time the ...WithoutRng names are Transformed / TransformedWithState themselves.
AnyTransformed = (
    Transformed
    | TransformedWithState
    | MultiTransformed
    | MultiTransformedWithState
    | TransformedWithoutRng
    | TransformedWithStateWithoutRng
)


def _no_rng(apply_fn: Callable, num_leading: int) -> Callable:
    @functools.wraps(apply_fn)
    def fn(*args, **kwargs):
        if "rng" in kwargs:
            raise TypeError(
                "This apply function was wrapped with hk.without_apply_rng and takes no rng: "
                "remove the `rng=` argument."
            )
        if len(args) < num_leading:
            names = ("params", "state")[:num_leading]
            raise TypeError(
                f"apply() missing required arguments: expected {', '.join(names)} "
                "before the inputs."
            )
        return apply_fn(*args[:num_leading], None, *args[num_leading:], **kwargs)

    sig = getattr(apply_fn, "__signature__", None)
    if sig is not None:
        new_sig = sig.replace(parameters=[p for p in sig.parameters.values() if p.name != "rng"])
        fn.__signature__ = new_sig  # type: ignore[attr-defined]  # read by inspect.signature
    return fn


@overload
def without_apply_rng(f: Transformed[P, R]) -> TransformedWithoutRng[P, R]: ...
@overload
def without_apply_rng(f: TransformedWithState[P, R]) -> TransformedWithStateWithoutRng[P, R]: ...
@overload
def without_apply_rng(f: MultiTransformed[P]) -> MultiTransformed[P]: ...
@overload
def without_apply_rng(f: MultiTransformedWithState[P]) -> MultiTransformedWithState[P]: ...
def without_apply_rng(f: AnyTransformed) -> AnyTransformed:
    """Removes the ``rng`` argument of ``apply`` (for functions that use no randomness).

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> forward = lambda x: x + hk.get_parameter("b", [], init=jnp.ones)
    >>> f = hk.without_apply_rng(hk.transform(forward))
    >>> params = f.init(jax.random.PRNGKey(0), 1.)
    >>> f.apply(params, 1.)
    Array(2., dtype=float32)
    """
    if isinstance(f, Transformed):
        return Transformed(f.init, _no_rng(f.apply, 1))
    if isinstance(f, TransformedWithState):
        return TransformedWithState(f.init, _no_rng(f.apply, 2))
    if isinstance(f, MultiTransformed):
        return MultiTransformed(f.init, jax.tree.map(lambda a: _no_rng(a, 1), f.apply))
    if isinstance(f, MultiTransformedWithState):
        return MultiTransformedWithState(f.init, jax.tree.map(lambda a: _no_rng(a, 2), f.apply))
    raise ValueError(  # ValueError, as dm-haiku.
        "hk.without_apply_rng expects the result of hk.transform, hk.transform_with_state, "
        f"hk.multi_transform or hk.multi_transform_with_state, got {type(f).__name__}."
    )
