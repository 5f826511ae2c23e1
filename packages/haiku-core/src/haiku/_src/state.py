"""State: ``hk.get_state``, ``hk.set_state`` and custom setters.

Each state entry is a :class:`~haiku._src.frame.StatePair` ``(initial, current)``:
``init`` returns the initial values, ``apply`` returns the current ones.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from haiku._src.frame import StatePair, current_bundle, current_frame, foreign_module_error
from haiku._src.hooks import HOOKS, lift_prefix
from haiku._src.init_kernels import create
from haiku._src.params import (
    Initializer,
    _checked_hook,
    full_name_leaf,
    full_name_module,
    make_context,
    run_creators,
    run_getters,
)
from haiku._src.sentinels import DO_NOT_STORE


class SetterContext(NamedTuple):
    """Describes the state entry a custom setter (:func:`custom_setter`) is called for.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def clip(next_setter, value, context):
    ...   print("set", context.full_name, "shape", tuple(context.original_shape))
    ...   return next_setter(jnp.minimum(value, 3))
    >>> class Counter(hk.Module):
    ...   def __call__(self):
    ...     n = hk.get_state("n", [], jnp.int32, init=jnp.zeros)
    ...     hk.set_state("n", n + 5)
    >>> def f():
    ...   with hk.custom_setter(clip):
    ...     Counter()()
    >>> model = hk.transform_with_state(f)
    >>> params, state = model.init(None)
    set counter/n shape ()
    >>> _, state = model.apply(params, state, None)
    set counter/n shape ()
    >>> int(state["counter"]["n"])
    3
    """

    full_name: str
    module: Any | None
    original_dtype: Any
    original_shape: Sequence[int] | None  # None when the value has no shape
    lifted_prefix_name: str | None

    @property
    def module_name(self) -> str:
        """The module part of ``full_name`` (``"~"`` outside of any module)."""
        return full_name_module(self)

    @property
    def name(self) -> str:
        """The value's own name, the last part of ``full_name``."""
        return full_name_leaf(self)


def get_state(
    name: str,
    shape: Sequence[int] | None = None,
    dtype: Any = jnp.float32,
    init: Initializer | None = None,
) -> jax.Array:
    """Returns the current value of a state entry, creating it from ``init`` if missing.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f():
    ...   count = hk.get_state("count", [], jnp.int32, init=jnp.zeros)
    ...   hk.set_state("count", count + 1)
    ...   return count
    >>> f = hk.transform_with_state(f)
    >>> params, state = f.init(None)
    >>> state
    {'~': {'count': Array(0, dtype=int32)}}
    >>> f.apply(params, state, None)[1]
    {'~': {'count': Array(1, dtype=int32)}}
    """
    frame, module, bundle_name = current_bundle("hk.get_state")
    state = frame.state
    bundle = state.get(bundle_name)
    pair = None if bundle is None else bundle.get(name)
    hooks = HOOKS
    if pair is None:
        if module is not None:
            error = foreign_module_error(module, "creating its state " + repr(name))
            if error is not None:
                raise error
        if init is None or shape is None:
            missing = "an initializer (`init=`)" if init is None else "a shape"
            raise ValueError(
                f"State '{name}' of module '{bundle_name}' does not exist yet, so "
                f"{missing} is needed to create it, e.g. "
                f"hk.get_state('{name}', shape=[], dtype=jnp.float32, init=jnp.zeros)."
            )
        # `shape` goes to initializers and hooks exactly as given (a list stays a list).
        if hooks.state_creators:
            context = make_context(frame, bundle_name, name, shape, dtype, init)
            value = run_creators(hooks.state_creators, context, shape, dtype, init)
        else:
            value = create(init, shape, dtype)
        if value is not DO_NOT_STORE:
            if bundle is None:
                bundle = state[bundle_name] = {}
            bundle[name] = StatePair(value, value)
    else:
        value = pair.current
    if hooks.state_getters:
        context = make_context(frame, bundle_name, name, shape, dtype, init)
        value = run_getters(hooks.state_getters, context, value)
    return value


def set_state(name: str, value: Any) -> None:
    """Sets the current value of a state entry (creating it with that value if new).

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f():
    ...   hk.set_state("last", jnp.ones([2]))
    >>> hk.transform_with_state(f).init(None)[1]
    {'~': {'last': Array([1., 1.], dtype=float32)}}
    """
    frame, module, bundle_name = current_bundle("hk.set_state")
    setters = HOOKS.state_setters
    if setters:
        full_name = f"{bundle_name}/{name}"
        prefix = None if frame.freeze_params else (lift_prefix() or None)
        context = SetterContext(
            full_name, module, getattr(value, "dtype", None), getattr(value, "shape", None), prefix
        )
        value = run_getters(setters, context, value)  # Setters chain like getters.
        if value is DO_NOT_STORE:
            return
    state = frame.state
    bundle = state.get(bundle_name)
    if bundle is None:
        bundle = state[bundle_name] = {}
    pair = bundle.get(name)
    bundle[name] = StatePair(value, value) if pair is None else StatePair(pair.initial, value)


def get_initial_state() -> dict[str, dict[str, jax.Array]]:
    """A copy of the initial state: what init returns, or what apply was given.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f():
    ...   hk.set_state("s", jnp.zeros([]))
    ...   hk.set_state("s", jnp.ones([]))
    ...   return hk.get_initial_state()
    >>> hk.transform_with_state(f).apply({}, {}, None)[0]
    {'~': {'s': Array(0., dtype=float32)}}
    """
    frame = current_frame("hk.get_initial_state()")
    return {k: {n: p.initial for n, p in b.items()} for k, b in frame.state.items()}


def get_current_state() -> dict[str, dict[str, jax.Array]]:
    """A copy of the current state: what apply returns if nothing else changes.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f():
    ...   hk.set_state("s", jnp.zeros([]))
    ...   hk.set_state("s", jnp.ones([]))
    ...   return hk.get_current_state()
    >>> hk.transform_with_state(f).apply({}, {}, None)[0]
    {'~': {'s': Array(1., dtype=float32)}}
    """
    frame = current_frame("hk.get_current_state()")
    return {k: {n: p.current for n, p in b.items()} for k, b in frame.state.items()}


@contextlib.contextmanager
def custom_setter(setter: Callable[..., Any]) -> Iterator[None]:
    """Runs ``setter(next_setter, value, context)`` on every ``hk.set_state``.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def clip(next_setter, value, context):
    ...   return next_setter(jnp.minimum(value, jnp.ones([])))
    >>> def f():
    ...   with hk.custom_setter(clip):
    ...     hk.set_state("s", jnp.full([], 5., jnp.float32))
    >>> hk.transform_with_state(f).init(None)[1]
    {'~': {'s': Array(1., dtype=float32)}}
    """
    _checked_hook(setter, "hk.custom_setter")
    stack = HOOKS.state_setters
    stack.append(setter)
    try:
        yield
    finally:
        stack.remove(setter)
