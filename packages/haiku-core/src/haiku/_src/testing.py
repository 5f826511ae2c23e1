"""Test helpers: ``hk.testing.transform_and_run``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import jax

from haiku._src.transform import transform_with_state

__all__ = ["transform_and_run"]

T = TypeVar("T")


def transform_and_run(
    f: Callable[..., T] | None = None,
    seed: int | None = 42,
    run_apply: bool = True,
    jax_transform: Callable[[Callable[..., T]], Callable[..., T]] | None = None,
    *,
    map_rng: Callable[[Any], Any] | None = None,
) -> Callable[..., Any]:
    """Runs a function that uses haiku as if it were ordinary code (handy in tests).

    The decorated function is wrapped with ``hk.transform_with_state``; each call runs
    ``init`` with ``PRNGKey(seed)`` and then ``apply`` with the new params and state and
    ``PRNGKey(seed + 1)``, and returns what ``apply`` returned (``None`` if ``run_apply`` is
    false). Works as ``@transform_and_run`` or ``@transform_and_run(seed=...)``, also on
    methods.

    Args:
        f: The function to run.
        seed: Seed of the keys passed to ``init`` and ``apply``; ``None`` passes no key.
        run_apply: Whether to run ``apply`` after ``init``.
        jax_transform: Optional JAX transform (e.g. ``jax.jit``) applied to the pure
            ``init_fn(rng)`` and ``apply_fn(params, state, rng)`` before calling them.
        map_rng: Optional function applied to each key before it is passed (e.g. to pass
            typed keys).

    Returns:
        The decorated function (or a decorator, when ``f`` is omitted).

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> @hk.testing.transform_and_run
    ... def test_params():
    ...   w = hk.get_parameter("w", [2, 3], init=jnp.zeros)
    ...   return w.shape, hk.running_init()
    >>> test_params()
    ((2, 3), False)
    """
    if f is None:
        return functools.partial(
            transform_and_run,
            seed=seed,
            run_apply=run_apply,
            jax_transform=jax_transform,
            map_rng=map_rng,
        )
    if not callable(f):
        raise TypeError(f"hk.testing.transform_and_run decorates a function, got {f!r}.")

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        transformed = transform_with_state(lambda: f(*args, **kwargs))

        def init_fn(rng):
            return transformed.init(rng)

        def apply_fn(params, state, rng):
            return transformed.apply(params, state, rng)

        if jax_transform is not None:
            init_fn = jax_transform(init_fn)
            apply_fn = jax_transform(apply_fn)

        if seed is None:
            init_rng = apply_rng = None
        else:
            init_rng = jax.random.PRNGKey(seed)
            apply_rng = jax.random.PRNGKey(seed + 1)
            if map_rng is not None:
                init_rng, apply_rng = map_rng(init_rng), map_rng(apply_rng)

        params, state = init_fn(init_rng)
        if run_apply:
            out, _ = apply_fn(params, state, apply_rng)
            return out
        return None

    return wrapper
