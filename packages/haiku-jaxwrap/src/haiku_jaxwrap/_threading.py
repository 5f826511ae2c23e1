"""State threading shared by every wrapper: run an impure haiku function as a pure one.

A wrapper takes a :class:`Snapshot` of the current frame, hands its ``state`` and ``rng``
to the JAX primitive as explicit operands, runs the user's function inside the primitive
with :func:`run_pure` and writes the result back with :func:`write_back`.

Parameters never travel through the primitive during ``apply``: they are frozen, so the
inner frame shares (closes over) the outer parameter dict and nothing is copied. During
``init`` the inner frame gets a shallow two-level copy, so that parameters created inside
the primitive are returned as outputs (only the *new* ones) instead of leaking tracers
into the outer dict.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, NamedTuple

import haiku as hk
from haiku import extend

Params = dict
StateTree = dict


class Snapshot(NamedTuple):
    """What a wrapper reads from the current frame before entering a JAX primitive.

    ``init`` is True while parameters may be created; ``params`` is the outer parameter
    dict (by reference, only read); ``state`` maps ``{module: {name: StatePair}}``; ``rng``
    is the key sequence's ``(key, subkeys)`` or ``None``.
    """

    init: bool
    params: Params
    state: StateTree
    rng: Any


class Result(NamedTuple):
    """What comes back out of the primitive: new params (init only), state and rng."""

    params: Params | None
    state: StateTree
    rng: Any


def snapshot() -> Snapshot:
    """Reads the current frame (cheap: the params dict is referenced, state copied 2-level)."""
    init = not extend.params_frozen()
    st = extend.internal_state(params=True)
    return Snapshot(init, st.params, st.state, st.rng)


def new_params(outer: Params, inner: Params) -> Params:
    """The entries of ``inner`` that ``outer`` does not have, in creation order."""
    out = {}
    for bundle_name, bundle in inner.items():
        known = outer.get(bundle_name)
        if known is None:
            out[bundle_name] = dict(bundle)
        elif len(bundle) != len(known):
            fresh = {n: v for n, v in bundle.items() if n not in known}
            if fresh:
                out[bundle_name] = fresh
    return out


def param_names(params: Params | None) -> list[tuple[str, str]]:
    """``[(module, name), ...]`` of a params dict, for error messages."""
    return [(m, n) for m, b in (params or {}).items() for n in b]


def run_pure(
    fun: Callable[..., Any],
    snap: Snapshot,
    state: StateTree,
    rng: Any,
    args: tuple,
    kwargs: dict,
    *,
    isolate_names: bool = False,
    reserve_after: bool = False,
    with_params: bool | None = None,
) -> tuple[Any, Result]:
    """Runs ``fun(*args, **kwargs)`` in a temporary frame holding ``state`` and ``rng``.

    Returns ``(out, Result)``. ``Result.params`` holds the parameters created inside
    (only during init, else ``None``). ``reserve_after`` tops the key queue up before
    leaving (loop bodies and branches, so the RNG state has a fixed shape).
    """
    init = snap.init if with_params is None else with_params
    params = {k: dict(b) for k, b in snap.params.items()} if init else None
    # dm-haiku discards the module numbering done inside vmap, cond, switch, grad,
    # value_and_grad and eval_shape (a module created after the wrapper reuses the first
    # name used inside it); checkpoints depend on this.
    naming = extend.isolated_naming() if isolate_names else contextlib.nullcontext()
    with extend.temporary_internal_state(extend.InternalState(params, state, rng)) as frame, naming:
        out = fun(*args, **kwargs)
        if reserve_after:
            extend.reserve_up_to_full_rng_block()
        inner = extend.frame_internal_state(frame)
    created = new_params(snap.params, inner.params) if init else None
    return out, Result(created, inner.state, inner.rng)


def write_back(result: Result) -> None:
    """Writes new params (init), state and the RNG state back into the current frame."""
    extend.update_internal_state(
        extend.InternalState(result.params or None, result.state, result.rng)
    )


def mode() -> str:
    """``'init'`` or ``'apply'``, for error messages."""
    return "init" if hk.running_init() else "apply"
