"""``hk.experimental.check_jax_usage``: catch raw JAX transforms over haiku code.

haiku functions read and write the params, state and RNG of the enclosing transform.
Calling them inside ``jax.vmap``, ``jax.jit``, ``jax.lax.scan``, ``jax.grad``, ... within
a transformed function hides those side effects from JAX, which leaks tracers or silently
misbehaves. With the check enabled, each ``init``/``apply`` records the JAX trace it was
entered in (and so does every frame a haiku-aware wrapper such as ``hk.vmap`` pushes);
``hk.get_parameter``, ``hk.get_state``, ``hk.set_state`` and ``hk.next_rng_key`` then
raise :class:`~haiku._src.errors.JaxUsageError` when called under another trace.

Cost: nothing when disabled beyond one flag test per ``init``/``apply`` call; when
enabled, the check runs as a custom getter/setter and in the RNG functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from haiku._src import config as _config
from haiku._src import jax_compat
from haiku._src.errors import JaxUsageError
from haiku._src.frame import Frame, call_when_stack_empties, frame_stack
from haiku._src.hooks import HOOKS


def current_trace_state() -> Any:
    """An opaque token of the current JAX trace (comparable with ``==``)."""
    return jax_compat.trace_state()


def _suggestion() -> tuple[str, str]:
    if jax_compat.under_vmap():
        transform, fix = "jax.vmap", "`hk.vmap(fn, split_rng=...)`"
    elif jax_compat.under_jit():
        transform = "jax.jit or a jax.lax control-flow function (scan, cond, while_loop, ...)"
        fix = (
            "`hk.scan`, `hk.cond`, `hk.switch`, `hk.while_loop`, `hk.fori_loop`, "
            "`hk.remat` or `hk.eval_shape` (there is no hk.jit: jit the transformed "
            "init/apply instead, e.g. `jax.jit(f.apply)`)"
        )
    else:
        transform = "jax.grad or another JAX transform"
        fix = "`hk.grad` or `hk.value_and_grad`"
    from haiku._src import plugins

    known = plugins.known_provider(plugins.GROUP, "vmap")
    if known and "vmap" not in plugins.registry().scan().providers:  # wrappers: a plugin
        fix += f" (these come with `{plugins.install_hint(*known)}`)"
    return transform, fix


def check(what: str) -> None:
    """Raises JaxUsageError if the current JAX trace is not the one of the current frame."""
    frames = frame_stack()
    if not frames or not _config.get_config().check_jax_usage:
        return  # Disabled in the middle of a transform: off at once.
    expected = frames[-1].trace_state
    if expected is None or current_trace_state() == expected:
        return
    transform, fix = _suggestion()
    raise JaxUsageError(
        f"{what} was called inside {transform}, within a haiku transform. haiku functions "
        "have side effects (they read and write the params, state and RNG keys of the "
        "enclosing hk.transform) that raw JAX transforms cannot see. Use the haiku-aware "
        f"wrapper instead: {fix}. Alternatively apply the JAX transform to the transformed "
        "functions, e.g. `jax.vmap(f.apply, in_axes=(None, None, 0))`. "
        "(This check is on because of hk.experimental.check_jax_usage / "
        "hk.config check_jax_usage=True.)"
    )


def _param_getter(next_getter, value, context):
    check("hk.get_parameter")
    return next_getter(value)


def _state_getter(next_getter, value, context):
    check("hk.get_state")
    return next_getter(value)


def _state_setter(next_setter, value, context):
    check("hk.set_state")
    return next_setter(value)


_HOOKS = (
    ("param_getters", _param_getter),
    ("state_getters", _state_getter),
    ("state_setters", _state_setter),
)


def _install_hooks() -> list:
    """Installs the missing check hooks; returns ``(stack, hook)`` pairs to remove later."""
    pushed = []
    for stack_name, hook in _HOOKS:
        stack = getattr(HOOKS, stack_name)
        if hook not in stack:  # Nested transforms install the hooks once.
            stack.append(hook)
            pushed.append((stack, hook))
    return pushed


def _remove_hooks(pushed: list) -> None:
    for stack, hook in pushed:
        stack.remove(hook)


def run_checked(
    run: Callable[..., Any], f: Callable, frame: Frame, args: tuple, kwargs: dict
) -> Any:
    """``run(f, frame, args, kwargs)`` with the usage checks installed (transform entry)."""
    frame.trace_state = current_trace_state()
    pushed = _install_hooks()
    try:
        return run(f, frame, args, kwargs)
    finally:
        _remove_hooks(pushed)


def enable_in_running_transform() -> None:
    """Inside a transform, turns the checks on for the rest of it (no-op outside).

    The innermost frame adopts the current JAX trace (outer frames, whose trace is not
    known, stay unchecked) and the hooks are removed when the outermost transform
    returns or raises.
    """
    frames = frame_stack()
    if not frames:
        return
    frame = frames[-1]
    if frame.trace_state is None:
        frame.trace_state = current_trace_state()
    pushed = _install_hooks()
    if pushed:
        call_when_stack_empties(lambda: _remove_hooks(pushed))


def check_jax_usage(enabled: bool = True) -> bool:
    """Turns the check for raw JAX transforms over haiku code on or off (this thread).

    When on, calling ``hk.get_parameter``, ``hk.get_state``, ``hk.set_state`` or
    ``hk.next_rng_key`` inside ``jax.vmap``/``jax.jit``/``jax.lax.scan``/``jax.grad``...
    within a transformed function raises ``JaxUsageError`` naming the haiku wrapper to use
    (``hk.vmap``, ``hk.scan``, ...). Returns the previous setting. The same switch is
    ``hk.config.set(check_jax_usage=...)``. This function takes effect at once, also when
    called inside a transformed function (for the rest of that call); ``hk.config``
    turns the check on from the next ``init``/``apply`` (off at once).

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   return jax.vmap(lambda y: y * hk.get_parameter("w", [], init=jnp.ones))(x)
    >>> previous = hk.experimental.check_jax_usage(True)
    >>> try:
    ...   hk.transform(f).init(None, jnp.ones([2]))
    ... except hk.experimental.JaxUsageError as e:
    ...   print(str(e)[:43])
    hk.get_parameter was called inside jax.vmap
    >>> hk.experimental.check_jax_usage(previous)
    True
    """
    config = _config.get_config()
    previous = config.check_jax_usage
    _config.set(check_jax_usage=bool(enabled))
    if enabled:
        enable_in_running_transform()
    return previous
