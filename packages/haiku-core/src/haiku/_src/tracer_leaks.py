"""Catch params/state that leaked out of a raw JAX transform during ``init``.

A raw ``jax.lax.scan`` (or ``jax.jit``, ``jax.vmap``, ...) over haiku modules inside a
transformed function creates the parameters inside the inner trace: ``init`` would return
tracers of a trace that has already finished, and the failure would only show up later,
far from the cause. :func:`check_init_outputs` runs once at the end of ``init``.

Cost: one ``isinstance`` per param/state value. Only tracer values (``init`` itself being
traced by ``jax.jit``/``jax.vmap``/``jax.eval_shape``, or a leak) take the slower path,
which compares the tracer's trace with the traces that are live now: the current trace and
its parents. Tracers of live traces are legitimate (e.g. ``jax.jit(f.init)``).

JAX has no public API for "the trace of this tracer": :mod:`haiku._src.jax_compat` reads
the trace attributes defensively, for each supported JAX version; when the live traces
cannot be followed to the root, nothing is reported (no false alarms).
"""

from __future__ import annotations

from typing import Any

from haiku._src import jax_compat

_HINTS = (
    ("BatchTracer", "jax.vmap", "hk.vmap"),
    ("JVPTracer", "jax.grad/jax.jvp", "hk.grad"),
    ("LinearizeTracer", "jax.grad/jax.linearize", "hk.grad"),
)
_WRAPPERS = (
    "hk.scan",
    "hk.fori_loop",
    "hk.cond",
    "hk.switch",
    "hk.while_loop",
    "hk.vmap",
    "hk.remat",
    "hk.grad",
)


def _leaked_error(kind: str, module_name: str, name: str, tracer: Any) -> ValueError:
    tracer_type = type(tracer).__name__
    transform, wrapper = "jax.jit or jax.lax control flow (jax.lax.scan, ...)", "hk.scan"
    for prefix, raw, fix in _HINTS:
        if tracer_type.startswith(prefix):
            transform, wrapper = raw, fix
    return ValueError(
        f"init: {kind} '{name}' of module '{module_name}' is a {tracer_type} that leaked out "
        f"of a JAX transform which had already finished when init returned: it was created "
        f"inside a raw {transform} over haiku modules, which cannot see haiku's params and "
        f"state. Use the haiku-aware wrapper {wrapper} instead (the others are "
        f"{', '.join(w for w in _WRAPPERS if w != wrapper)}; they come with "
        '`pip install "haiku-core[jaxwrap]"`), or apply the JAX transform to the '
        "transformed init/apply themselves, e.g. jax.jit(f.init)."
    )


def check_init_outputs(params: dict, state: dict) -> None:
    """Raises ValueError if a param or initial state value is a tracer of a finished trace.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   w = lambda c, y: (c, y * hk.get_parameter("w", [], init=jnp.ones))
    ...   return jax.lax.scan(w, 0, x)
    >>> hk.transform(f).init(None, jnp.ones([2]))
    Traceback (most recent call last):
    ...
    ValueError: init: parameter 'w' of module '~' is a DynamicJaxprTracer that leaked ...
    >>> jax.tree.map(jnp.shape, jax.jit(hk.transform(lambda: hk.get_parameter(
    ...     "w", [2], init=jnp.ones)).init)(None))
    {'~': {'w': (2,)}}
    """
    finished: Any = False  # Computed on the first tracer found.
    for kind, tree in (("parameter", params), ("state", state)):
        for module_name, bundle in tree.items():
            for name, value in bundle.items():
                if not isinstance(value, jax_compat.Tracer):
                    continue
                if finished is False:
                    finished = jax_compat.finished_trace_test()
                if finished is None:
                    return
                if finished(value):
                    raise _leaked_error(kind, module_name, name, value)
