"""``hk.experimental.optimize_rng_use``: one ``split`` for all the keys a function draws."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax

from haiku._src.frame import Scope, current_frame
from haiku._src.internal_state import InternalState, temporary_internal_state
from haiku._src.rng import PRNGSequence, reserve_rng_keys


class _CountingSequence(PRNGSequence):
    """A key sequence counting ``hk.next_rng_key`` (and ``maybe_next_rng_key``) calls."""

    __slots__ = ("count",)

    def __init__(self, key):
        super().__init__(key)
        self.count = 0

    def __next__(self):
        self.count += 1
        return super().__next__()

    next = __next__

    def take(self, num: int):
        # dm-haiku counts next_rng_key calls only, not the keys of next_rng_keys(n).
        count = self.count
        keys = super().take(num)
        self.count = count
        return keys


def _copy_scope(scope: Scope) -> Scope:
    copy = Scope(scope.module, scope.method_name)
    copy.counts = None if scope.counts is None else dict(scope.counts)
    copy.used = None if scope.used is None else set(scope.used)
    return copy


def _count_keys(fun: Callable, args: tuple, kwargs: dict) -> int:
    """Runs ``fun`` abstractly in a throw-away copy of the frame; returns keys drawn."""
    frame = current_frame("hk.experimental.optimize_rng_use")
    params = {k: dict(v) for k, v in frame.params.items()}
    state = {k: dict(v) for k, v in frame.state.items()}
    scopes = [_copy_scope(s) for s in frame.scopes]
    counter: list[int] = []

    def trace():
        with temporary_internal_state(InternalState(params, state, None)) as inner:
            inner.scopes = scopes  # Names reserved here must not affect the real run.
            sequence = _CountingSequence(jax.random.PRNGKey(0))
            inner.rng_stack[-1] = sequence
            fun(*args, **kwargs)
        counter.append(sequence.count)

    jax.eval_shape(trace)
    return counter[0]


def optimize_rng_use(fun: Callable[..., Any]) -> Callable[..., Any]:
    """Makes ``fun`` split the RNG key once for all the keys it draws.

    The wrapped function first runs ``fun`` abstractly (``jax.eval_shape``, no FLOPs) to
    count its ``hk.next_rng_key`` calls, then reserves that many keys with one
    ``jax.random.split`` and runs ``fun`` for real (keys drawn with ``hk.next_rng_keys``
    are not counted, as in dm-haiku, so the key stream is dm-haiku's). This shortens the
    traced program of models drawing many keys (e.g. ``init`` of a deep network). The keys,
    and so the initial parameters, differ from those of ``fun`` itself. Use it inside a
    transform.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   keys = [hk.next_rng_key() for _ in range(3)]
    ...   return x + sum(jax.random.uniform(k, x.shape) for k in keys)
    >>> f = hk.transform(hk.experimental.optimize_rng_use(f))
    >>> f.apply({}, jax.random.PRNGKey(0), jnp.zeros([2])).shape
    (2,)
    """

    @functools.wraps(fun)
    def wrapper(*args, **kwargs):
        frame = current_frame("hk.experimental.optimize_rng_use")
        if frame.rng_stack[-1] is not None:
            count = _count_keys(fun, args, kwargs)
            if count:
                reserve_rng_keys(count)
        return fun(*args, **kwargs)

    return wrapper
