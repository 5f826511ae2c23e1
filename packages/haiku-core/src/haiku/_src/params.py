"""Parameters: ``hk.get_parameter``, custom creators and getters.

``get_parameter`` is the hottest function in a model trace. With no hooks installed it
does one thread-local read, two dict lookups and a shape comparison; the
:class:`GetterContext` handed to hooks is only built when a hook is installed.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from haiku._src.errors import MissingRNGError
from haiku._src.frame import (
    Frame,
    current_bundle,
    current_frame,
    foreign_module_error,
    frame_stack,
    outside_transform_error,
)
from haiku._src.hooks import HOOKS, lift_prefix
from haiku._src.init_kernels import create
from haiku._src.sentinels import DO_NOT_STORE
from haiku._src.typing import Initializer


def full_name_module(context: Any) -> str:
    """``context.full_name`` up to its last ``/`` (``module_name`` of the hook contexts)."""
    return context.full_name.rsplit("/", 1)[0]


def full_name_leaf(context: Any) -> str:
    """``context.full_name`` after its last ``/`` (``name`` of the hook contexts)."""
    return context.full_name.rsplit("/", 1)[1]


class GetterContext(NamedTuple):
    """Describes the parameter or state a creator or getter is called for.

    ``full_name`` is e.g. ``encoder/~/dense_0/w``: ``module_name`` is ``encoder/~/dense_0`` and
    ``name`` is ``w``. The ``original_*`` fields are what the caller of ``get_parameter``
    asked for, before any creator changed them.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> class Scale(hk.Module):
    ...   def __call__(self, x):
    ...     return x * hk.get_parameter("w", [x.shape[-1]], init=jnp.ones)
    >>> def show(next_getter, value, context):
    ...   print(context.full_name, context.module_name, context.name,
    ...         tuple(context.original_shape))
    ...   return next_getter(value)
    >>> def f(x):
    ...   with hk.custom_getter(show):
    ...     return Scale()(x)
    >>> params = hk.transform(f).init(None, jnp.zeros([2]))
    scale/w scale w (2,)
    """

    full_name: str
    module: Any | None
    original_dtype: Any
    original_shape: Sequence[int]
    original_init: Initializer | None
    lifted_prefix_name: str | None

    @property
    def module_name(self) -> str:
        """The module part of ``full_name`` (``"~"`` outside of any module)."""
        return full_name_module(self)

    @property
    def name(self) -> str:
        """The value's own name, the last part of ``full_name``."""
        return full_name_leaf(self)


def make_context(frame: Frame, bundle_name: str, name: str, shape, dtype, init) -> GetterContext:
    full_name = f"{bundle_name}/{name}"
    # Like dm-haiku: the names of the enclosing lifting modules (``outer/inner/``), only
    # while a lifted init runs (None in apply frames).
    prefix = None if frame.freeze_params else (lift_prefix() or None)
    return GetterContext(full_name, frame.scopes[-1].module, dtype, shape, init, prefix)


def run_creators(creators: list, context, shape, dtype, init) -> Any:
    """Runs ``creators`` (outermost first) around ``init``."""
    chain = tuple(creators)

    def call(index: int, shape, dtype, init):
        if index == len(chain):
            return create(init, shape, dtype)
        return chain[index](functools.partial(call, index + 1), shape, dtype, init, context)

    return call(0, shape, dtype, init)


def run_getters(getters: list, context, value) -> Any:
    """Runs ``getters`` (or setters: they chain alike, outermost first) on ``value``."""
    chain = tuple(getters)

    def call(index: int, value):
        if index == len(chain):
            return value
        return chain[index](functools.partial(call, index + 1), value, context)

    return call(0, value)


def require_transform(what: str) -> None:
    """Raises unless a user's hook context manager runs inside a transform (as dm-haiku).

    Only reached outside a transform. Core's own tools (mixed precision,
    ``fast_eval_shape``) use `creator_scope` / `getter_scope`, which have no such check;
    plugins wrapping whole ``init`` calls use ``haiku.extend.creator_scope``.
    """
    raise outside_transform_error(what)


def get_parameter(
    name: str,
    shape: Sequence[int],
    dtype: Any = jnp.float32,
    init: Initializer | None = None,
) -> jax.Array:
    """Creates (during ``init``) or retrieves (during ``apply``) a parameter.

    Parameters live in ``params[hk.current_name()][name]``. ``init(shape, dtype)`` runs only
    when the parameter is created.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f():
    ...   return hk.get_parameter("bias", [3], init=jnp.zeros)
    >>> hk.transform(f).init(None)
    {'~': {'bias': Array([0., 0., 0.], dtype=float32)}}
    """
    frame, _, bundle_name = current_bundle("hk.get_parameter")
    bundle = frame.params.get(bundle_name)
    value = None if bundle is None else bundle.get(name)
    if value is None:
        value = _create(frame, bundle_name, name, shape, dtype, init)
    getters = HOOKS.param_getters
    if getters:
        value = run_getters(
            getters, make_context(frame, bundle_name, name, shape, dtype, init), value
        )
        if value is None:
            raise ValueError(
                f"A custom getter returned None for parameter "
                f"'{bundle_name}/{name}': getters must return a value."
            )
    if value is DO_NOT_STORE:
        raise ValueError(
            f"Parameter '{name}' of module '{bundle_name}' was not stored (a creator returned "
            "hk.DO_NOT_STORE) and no custom getter supplied a value for it."
        )
    if value.shape != tuple(shape):  # Checked after the getters: they may reshape values.
        raise _shape_mismatch(bundle_name, name, value, shape, bool(getters))
    return value


def _create(frame: Frame, bundle_name: str, name: str, shape, dtype, init) -> Any:
    """Creates a missing parameter (stored unless it is ``hk.DO_NOT_STORE``).

    During ``apply`` only custom creators may still produce a value, and only
    ``hk.DO_NOT_STORE`` (a getter then supplies the value): anything else is an error.
    """
    creators = HOOKS.param_creators
    module = frame.scopes[-1].module
    if module is not None:
        error = foreign_module_error(module, "creating its parameter " + repr(name))
        if error is not None:
            raise error
    if frame.freeze_params:
        if not creators:
            raise _missing_parameter(frame, bundle_name, name, shape)
        try:
            value = run_creators(
                creators,
                make_context(frame, bundle_name, name, shape, dtype, init),
                shape,
                dtype,
                init,
            )
        except MissingRNGError as e:
            raise _missing_parameter(frame, bundle_name, name, shape) from e
        if value is not DO_NOT_STORE:
            raise _missing_parameter(frame, bundle_name, name, shape)
        return value
    if init is None:
        if not creators:
            raise _no_initializer(bundle_name, name)
        init = functools.partial(_raise_no_initializer, bundle_name, name)
    if creators:
        context = make_context(frame, bundle_name, name, shape, dtype, init)
        value = run_creators(creators, context, shape, dtype, init)
    else:
        value = create(init, shape, dtype)
    if value is None:
        raise ValueError(
            f"Parameter '{name}' of module '{bundle_name}': the initializer or a custom "
            "creator returned None. Return an array (or hk.DO_NOT_STORE to skip storing it)."
        )
    if value is not DO_NOT_STORE:
        bundle = frame.params.get(bundle_name)
        if bundle is None:
            bundle = frame.params[bundle_name] = {}
        bundle[name] = value
    return value


def _no_initializer(bundle_name: str, name: str) -> ValueError:
    return ValueError(
        f"Parameter '{name}' of module '{bundle_name}' does not exist yet, so an "
        "initializer is needed to create it: pass `init=`, e.g. "
        "init=hk.initializers.TruncatedNormal()."
    )


def _raise_no_initializer(bundle_name: str, name: str, shape, dtype):
    del shape, dtype
    raise _no_initializer(bundle_name, name)


def _shape_mismatch(bundle_name: str, name: str, value: Any, shape, getters: bool) -> ValueError:
    got = tuple(getattr(value, "shape", ()))
    if getters:
        where = (
            " after the custom getters ran. A custom getter must return a value of the "
            "shape the model asks for (e.g. slice a stacked parameter to that shape)."
        )
    else:
        where = (
            ". Check that the params you pass to apply come from init of the same model "
            "with the same input shapes, and that initializers and custom creators "
            "return the requested shape."
        )
    return ValueError(
        f"Parameter '{name}' of module '{bundle_name}' has shape {got}, but the model asks "
        f"for shape {tuple(shape)} (dtype {getattr(value, 'dtype', '?')}){where}"
    )


def _missing_parameter(frame: Frame, bundle_name: str, name: str, shape) -> ValueError:
    if bundle_name in frame.params:
        known = sorted(frame.params[bundle_name])
        detail = f" The module has parameters {known}."
    else:
        detail = (
            " No parameters exist for that module: "
            f"{len(frame.params)} modules were passed to apply."
        )
    return ValueError(
        f"Unable to retrieve parameter '{name}' for module '{bundle_name}'. All parameters "
        f"must be created as part of `init`.{detail} Pass the params returned by init of the "
        "same model, and construct modules in the same order in init and apply."
    )


def get_params() -> dict[str, dict[str, jax.Array]]:
    """Returns a copy of the parameters created or passed in so far (getters do not run).

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f():
    ...   hk.get_parameter("w", [], init=jnp.ones)
    ...   return hk.get_params()
    >>> hk.transform(f).apply({"~": {"w": jnp.ones([])}}, None)
    {'~': {'w': Array(1., dtype=float32)}}
    """
    frame = current_frame("hk.get_params()")
    return {k: dict(v) for k, v in frame.params.items()}


def _push(stack: list, hook: Callable) -> Callable[[], None]:
    stack.append(hook)
    return lambda: stack.remove(hook) if hook in stack else None


@contextlib.contextmanager
def _hook_scope(hook: Callable[..., Any], *stacks: list | None) -> Iterator[None]:
    """Pushes ``hook`` on each given stack (``None`` entries are skipped) for the block."""
    undo = [_push(stack, hook) for stack in stacks if stack is not None]
    try:
        yield
    finally:
        for u in reversed(undo):
            u()


@contextlib.contextmanager
def creator_scope(
    creator: Callable[..., Any], *, params: bool = True, state: bool = False
) -> Iterator[None]:
    """`custom_creator` without the inside-a-transform check (see ``haiku.extend``)."""
    param_stack = HOOKS.param_creators if params else None
    with _hook_scope(creator, param_stack, HOOKS.state_creators if state else None):
        yield


@contextlib.contextmanager
def getter_scope(
    getter: Callable[..., Any], *, params: bool = True, state: bool = False
) -> Iterator[None]:
    """`custom_getter` without the inside-a-transform check."""
    param_stack = HOOKS.param_getters if params else None
    with _hook_scope(getter, param_stack, HOOKS.state_getters if state else None):
        yield


def _checked_hook(hook: Callable[..., Any], what: str) -> None:
    """The argument and context checks of the public hook context managers."""
    if not callable(hook):
        raise TypeError(f"{what} needs a callable, got {hook!r}.")
    if not frame_stack():
        require_transform(what)


@contextlib.contextmanager
def custom_creator(
    creator: Callable[..., Any], *, params: bool = True, state: bool = False
) -> Iterator[None]:
    """Runs ``creator(next_creator, shape, dtype, init, context)`` when values are created.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def zeros_creator(next_creator, shape, dtype, init, context):
    ...   return next_creator(shape, dtype, jnp.zeros)
    >>> def f():
    ...   with hk.custom_creator(zeros_creator):
    ...     return hk.get_parameter("w", [2], init=jnp.ones)
    >>> hk.transform(f).init(None)["~"]["w"]
    Array([0., 0.], dtype=float32)
    """
    _checked_hook(creator, "hk.custom_creator")
    with creator_scope(creator, params=params, state=state):
        yield


@contextlib.contextmanager
def custom_getter(
    getter: Callable[..., Any], *, params: bool = True, state: bool = False
) -> Iterator[None]:
    """Runs ``getter(next_getter, value, context)`` every time a value is read.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def double(next_getter, value, context):
    ...   return next_getter(value * 2)
    >>> def f():
    ...   with hk.custom_getter(double):
    ...     return hk.get_parameter("w", [], init=jnp.ones)
    >>> hk.transform(f).apply({"~": {"w": jnp.ones([])}}, None)
    Array(2., dtype=float32)
    """
    _checked_hook(getter, "hk.custom_getter")
    with getter_scope(getter, params=params, state=state):
        yield
