"""The extension API: what plugin authors may use beyond the user API (``import haiku``).

This is a versioned contract (:data:`API_VERSION`): the first-party plugins use only
``haiku`` and this module, and third-party plugins get the same footing. Anything under
``haiku._src`` is private and may change at any time.

Frames and internal state
    :func:`inside_transform`, :func:`params_frozen`, :class:`InternalState`,
    :func:`internal_state`, :func:`update_internal_state`,
    :func:`temporary_internal_state`, :func:`frame_internal_state`, :class:`StatePair`,
    :func:`isolated_naming`, :func:`on_transform_exit`, :func:`transform_call_id`.
    A Haiku-aware JAX transform snapshots the internal state, runs a pure function of it
    under ``temporary_internal_state`` inside the JAX primitive, and writes the result back.
RNG
    :func:`reserve_up_to_full_rng_block` keeps the key queue's shape loop-invariant.
Lifting
    :func:`lift_prefix` marks parameters created by an inner transform as lifted into an
    outer one (custom creators and getters see ``lifted_prefix_name``).
Interception
    :func:`add_global_interceptor` installs a method interceptor for every thread;
    :func:`creator_scope` installs a parameter/state creator for the ``init`` calls run
    in its block, entered outside a transform (``hk.custom_creator`` must be entered
    inside one): tools that wrap a whole ``init`` call, such as ``hk.sharding``.
Naming
    :func:`camel_to_snake`, the default-name rule of modules.
Transformed functions
    :func:`original_function` finds the user function behind a transformed ``init`` or
    ``apply``, also through ``jax.jit`` and other wrappers that set ``__wrapped__``
    (summaries and graph tools accept ``jax.jit(f.init)`` with it).
Errors
    :class:`MissingRNGError`, raised by ``hk.next_rng_key()`` when no key was given
    (a ``ValueError``; tools that run a model abstractly catch it).

>>> import jax.numpy as jnp
>>> import haiku as hk
>>> from haiku import extend
>>> def f():
...   before = extend.internal_state()
...   return extend.inside_transform(), sorted(before.state)
>>> hk.transform(f).apply({}, None)
(True, [])
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from haiku._src.errors import MissingRNGError as MissingRNGError
from haiku._src.frame import StatePair as StatePair
from haiku._src.frame import inside_transform as inside_transform
from haiku._src.hooks import HOOKS as _HOOKS
from haiku._src.hooks import add_global_interceptor as add_global_interceptor
from haiku._src.internal_state import InternalState as InternalState
from haiku._src.internal_state import frame_internal_state as frame_internal_state
from haiku._src.internal_state import internal_state as internal_state
from haiku._src.internal_state import isolated_naming as isolated_naming
from haiku._src.internal_state import on_transform_exit as on_transform_exit
from haiku._src.internal_state import params_frozen as params_frozen
from haiku._src.internal_state import reserve_up_to_full_rng_block as reserve_up_to_full_rng_block
from haiku._src.internal_state import temporary_internal_state as temporary_internal_state
from haiku._src.internal_state import transform_call_id as transform_call_id
from haiku._src.internal_state import update_internal_state as update_internal_state
from haiku._src.naming import camel_to_snake as camel_to_snake
from haiku._src.params import creator_scope as _creator_scope
from haiku._src.transform import original_function as original_function

API_VERSION = (1, 2)
"""The extension-API version, ``(major, minor)``: what plugins declare a range for.

A plugin declares the range it supports in its ``pyproject.toml``
(``[project.entry-points."haiku.api"] requires = ">=1.0,<2"``); haiku refuses to load the
names of a plugin whose range excludes this version (``IncompatiblePluginError``). The
major is bumped by any breaking change of ``haiku`` or ``haiku.extend`` (a removal or a
changed signature), the minor by additions (see the checked-in ``api-snapshot.json``).
"""


@contextlib.contextmanager
def lift_prefix(prefix: str) -> Iterator[None]:
    """Marks everything created in the block as lifted under ``prefix`` (e.g. ``'outer/lifted'``).

    >>> from haiku import extend
    >>> with extend.lift_prefix("outer"):
    ...   pass
    """
    stack = _HOOKS.lift_prefixes
    stack.append(prefix)
    try:
        yield
    finally:
        stack.pop()


@contextlib.contextmanager
def creator_scope(
    creator: Callable[..., Any], *, params: bool = True, state: bool = False
) -> Iterator[None]:
    """Runs ``creator(next_creator, shape, dtype, init, context)`` for the values created
    by every init call in the block, like ``hk.custom_creator`` but entered *around* a
    transformed call rather than inside one (API 1.1).

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> from haiku import extend
    >>> seen = []
    >>> def record(next_creator, shape, dtype, init, context):
    ...   seen.append(context.full_name)
    ...   return next_creator(shape, dtype, init)
    >>> f = hk.transform(lambda: hk.get_parameter("w", [2], init=jnp.ones))
    >>> with extend.creator_scope(record):
    ...   _ = f.init(None)
    >>> seen
    ['~/w']
    """
    if not callable(creator):
        raise TypeError(f"haiku.extend.creator_scope needs a callable, got {creator!r}.")
    with _creator_scope(creator, params=params, state=state):
        yield


__all__ = [
    "API_VERSION",
    "InternalState",
    "MissingRNGError",
    "StatePair",
    "add_global_interceptor",
    "camel_to_snake",
    "creator_scope",
    "frame_internal_state",
    "inside_transform",
    "internal_state",
    "isolated_naming",
    "lift_prefix",
    "on_transform_exit",
    "original_function",
    "params_frozen",
    "reserve_up_to_full_rng_block",
    "temporary_internal_state",
    "transform_call_id",
    "update_internal_state",
]
