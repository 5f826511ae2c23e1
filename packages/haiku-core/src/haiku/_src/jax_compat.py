"""The one place haiku-core touches JAX internals or APIs that differ across JAX versions.

haiku-core supports JAX 0.4.34 up to the newest release (docs/index.md, "Supported JAX
versions"). Two tracing models are covered:

- "stackless" JAX (0.4.36 and later): each trace links to its parent (``parent_trace``)
  and ``jax.extend.core`` offers ``find_top_trace``, ``get_opaque_trace_state`` and the
  ``unsafe_am_i_under_a_*`` queries;
- the older trace stack (0.4.34, 0.4.35): ``jax.core`` keeps a per-thread stack of main
  traces; ``get_opaque_trace_state(convention="haiku")`` is JAX's token for exactly
  haiku's use.

Everything is imported lazily: ``jax.extend`` costs ~10 ms at import and these functions
only run in checks (``check_jax_usage``, leaked-tracer errors). Each function has a test
per supported JAX version (tests/core/test_jax_compat.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.core

#: The base class of JAX tracers (public in every supported version).
Tracer = jax.core.Tracer


def _extend_core() -> Any:
    from jax.extend import core

    return core


def is_stackless() -> bool:
    """Whether this JAX links traces to parents (0.4.36+) rather than keeping a stack.

    >>> isinstance(is_stackless(), bool)
    True
    """
    return hasattr(_extend_core(), "find_top_trace")


def trace_state() -> Any:
    """An opaque token of the current JAX trace, comparable with ``==``.

    >>> outside = trace_state()
    >>> outside == trace_state(), bool(jax.jit(lambda x: (x, trace_state() == outside))(0)[1])
    (True, False)
    """
    core = _extend_core()
    if hasattr(core, "get_opaque_trace_state"):
        return core.get_opaque_trace_state()
    return jax.core.get_opaque_trace_state(convention="haiku")


def _stack_trace_types() -> list[str]:
    """Old JAX: the names of the trace types on the current thread's trace stack."""
    stack = jax.core.thread_local_state.trace_state.trace_stack  # type: ignore[attr-defined]  # JAX < 0.4.36 only
    return [m.trace_type.__name__ for m in (*stack.stack, stack.dynamic)]


def under_vmap() -> bool:
    """Whether the caller runs inside ``jax.vmap`` (for error messages only).

    >>> import jax.numpy as jnp
    >>> under_vmap(), bool(jax.vmap(lambda x: x * under_vmap())(jnp.ones(1))[0])
    (False, True)
    """
    core = _extend_core()
    if hasattr(core, "unsafe_am_i_under_a_vmap_DO_NOT_USE"):
        return bool(core.unsafe_am_i_under_a_vmap_DO_NOT_USE())
    return "BatchTrace" in _stack_trace_types()


def under_jit() -> bool:
    """Whether the caller runs inside a staged trace (``jax.jit``, ``lax`` control flow).

    >>> under_jit(), bool(jax.jit(lambda x: x * under_jit())(1))
    (False, True)
    """
    core = _extend_core()
    if hasattr(core, "unsafe_am_i_under_a_jit_DO_NOT_USE"):
        return bool(core.unsafe_am_i_under_a_jit_DO_NOT_USE())
    return "DynamicJaxprTrace" in _stack_trace_types()


def finished_trace_test() -> Callable[[Any], bool] | None:
    """A test "this tracer belongs to a trace that has already finished", or None.

    None means the live traces cannot be determined (an unknown trace type at the root),
    and the caller must not report leaks.

    >>> import jax.numpy as jnp
    >>> leaked = []
    >>> _ = jax.jit(lambda x: leaked.append(x) or x)(jnp.ones(1))
    >>> finished_trace_test()(leaked[0])
    True
    >>> jax.jit(lambda x: x * finished_trace_test()(x))(1).item()
    0
    """
    core = _extend_core()
    if hasattr(core, "find_top_trace"):
        live = set()
        trace = core.find_top_trace(())
        while trace is not None:
            live.add(id(trace))
            parent = getattr(trace, "parent_trace", None)
            if parent is None:
                if type(trace).__name__ != "EvalTrace":
                    return None
                break
            trace = parent

        def finished_stackless(tracer: Any) -> bool:
            trace = getattr(tracer, "_trace", None)
            return trace is not None and id(trace) not in live

        return finished_stackless
    stack = jax.core.thread_local_state.trace_state.trace_stack  # type: ignore[attr-defined]  # JAX < 0.4.36 only
    live_mains = {id(m) for m in (*stack.stack, stack.dynamic)}

    def finished(tracer: Any) -> bool:
        main = getattr(getattr(tracer, "_trace", None), "main", None)
        return main is not None and id(main) not in live_mains

    return finished
