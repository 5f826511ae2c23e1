"""Per-transform frames: where params, state, RNG and the module scope stack live.

Every call of a transformed ``init`` or ``apply`` pushes one :class:`Frame` on a
thread-local stack for the duration of the call. Module methods, ``get_parameter``,
``get_state`` and ``next_rng_key`` all read the top frame. The hot paths fetch the frame
once with :func:`current_frame` and then work on plain attributes: no generators, no
per-call allocations beyond the one :class:`Scope` a module method pushes.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from haiku._src.errors import NotInTransformError


class StatePair(NamedTuple):
    """The value a state entry had when the transform started, and its value now.

    :func:`haiku.extend.internal_state` reports every state entry as a pair, so a wrapper
    that carries state through a JAX transform keeps both (``init`` returns ``initial``).

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> from haiku import extend
    >>> def f():
    ...   n = hk.get_state("n", [], jnp.int32, init=jnp.zeros)
    ...   hk.set_state("n", n + 1)
    ...   pair = extend.internal_state().state["~"]["n"]
    ...   return isinstance(pair, extend.StatePair), int(pair.initial), int(pair.current)
    >>> model = hk.transform_with_state(f)
    >>> params, state = model.init(None)
    >>> model.apply(params, state, None)[0]
    (True, 0, 1)
    """

    initial: Any
    current: Any


class Scope:
    """One entry of the module scope stack: a module method invocation.

    The root scope of a frame has ``module=None``. ``counts`` and ``used`` hold the
    numbering of modules created inside this invocation; they are created on first use,
    since most method calls create no module.
    """

    __slots__ = ("module", "method_name", "counts", "used")

    def __init__(self, module: Any, method_name: str | None):
        self.module = module
        self.method_name = method_name
        self.counts: dict[str, int] | None = None
        self.used: set[str] | None = None


_SERIALS = itertools.count()


class Frame:
    """The mutable context of one ``init`` or ``apply`` call."""

    __slots__ = (
        "params",
        "state",
        "rng_stack",
        "freeze_params",
        "scopes",
        "trace_state",
        "exit_callbacks",
        "serial",
        "__weakref__",
    )

    def __init__(
        self, params: dict, state: dict, rng: Any, freeze_params: bool, trace_state: Any = None
    ):
        self.params = params
        self.state = state
        self.rng_stack: list = [rng]
        self.freeze_params = freeze_params
        self.scopes: list[Scope] = [Scope(None, None)]
        self.trace_state = trace_state
        # Run (in order) when the transform's function returns normally; shared with the
        # temporary frames of Haiku-aware JAX transforms.
        self.exit_callbacks: list = []
        # Identifies the init/apply call; temporary frames of wrappers share their outer's.
        self.serial = next(_SERIALS)

    def current_name(self) -> str:
        """The bundle name parameters created now are stored under (``'~'`` at top level)."""
        module = self.scopes[-1].module
        return "~" if module is None else module.module_name

    @property
    def rng(self):
        return self.rng_stack[-1]


class _FrameStack(threading.local):
    def __init__(self):
        super().__init__()
        self.frames: list[Frame] = []
        # Run when the outermost frame is popped, whether the transform returned or
        # raised (e.g. to undo hooks installed in the middle of a transform).
        self.on_empty: list = []


_STACK = _FrameStack()

OUTSIDE_TRANSFORM_HINT = (
    "Wrap the function that uses it in `hk.transform` (or `hk.transform_with_state`) "
    "and call the resulting `init`/`apply`."
)


def outside_transform_error(what: str) -> NotInTransformError:
    """The error for ``what`` used while no transform runs."""
    return NotInTransformError(
        f"{what} must be used as part of an `hk.transform`. {OUTSIDE_TRANSFORM_HINT}"
    )


def frame_stack() -> list[Frame]:
    """The calling thread's stack of frames (innermost last)."""
    return _STACK.frames


def current_frame(what: str = "This function") -> Frame:
    """Returns the innermost frame, or raises a clear error outside of a transform."""
    frames = _STACK.frames
    if not frames:
        raise outside_transform_error(what)
    return frames[-1]


def current_bundle(what: str) -> tuple[Frame, Any, str]:
    """The innermost frame, the module whose method runs (``None`` at top level) and the
    bundle name its parameters and state live under (``'~'`` at top level).

    The one prologue of ``get_parameter``, ``get_state`` and ``set_state``; ``what`` names
    the caller in the error raised outside of a transform.
    """
    frames = _STACK.frames
    if not frames:
        raise outside_transform_error(what)
    frame = frames[-1]
    module = frame.scopes[-1].module
    return frame, module, "~" if module is None else module.module_name


def call_when_stack_empties(callback: Callable[[], Any]) -> None:
    """Runs ``callback`` when the outermost frame of this thread is popped (returned or raised)."""
    _STACK.on_empty.append(callback)


def inside_transform() -> bool:
    """True while an ``init`` or ``apply`` of a haiku transform is running.

    A plugin helper can use it to choose between its transformed behaviour and a plain one
    (or to fail with a clear message) instead of hitting a "not in transform" error.

    >>> import haiku as hk
    >>> from haiku import extend
    >>> extend.inside_transform()
    False
    >>> hk.transform(extend.inside_transform).apply({}, None)
    True
    """
    return bool(_STACK.frames)


def push_frame(frame: Frame) -> None:
    _STACK.frames.append(frame)


def pop_frame(frame: Frame) -> None:
    frames = _STACK.frames
    if not frames or frames[-1] is not frame:
        # Only reachable if user code pushed frames manually and unbalanced them.
        raise RuntimeError("haiku frame stack is corrupted: frames were not popped in order.")
    frames.pop()
    if not frames and _STACK.on_empty:
        callbacks, _STACK.on_empty = _STACK.on_empty, []
        for callback in callbacks:
            callback()


def foreign_module_error(module: Any, what: str) -> ValueError | None:
    """An error if ``module`` was built in an init/apply call that is not running now.

    Only called on the (rare) creation and missing-value paths, never per method call.
    """
    serial = getattr(module, "_hk_frame_serial", None)
    if serial is None or any(f.serial == serial for f in _STACK.frames):
        return None
    return ValueError(
        f"{type(module).__name__} '{module.module_name}' was constructed in another "
        f"init/apply call than the one now {what}. A module instance belongs to the "
        "transformed call that built it: construct modules inside the function you "
        "transform (e.g. keep a factory, not an instance, outside of it)."
    )
