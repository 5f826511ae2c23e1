"""Snapshots of a frame's params, state and RNG, for Haiku-aware JAX transforms.

A wrapper such as ``hk.cond`` makes the body pure by passing the state in and out
explicitly: it takes an :class:`InternalState`, runs the body under
:func:`temporary_internal_state` and writes the result back with
:func:`update_internal_state`. Parameters are shared by reference, never copied.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from haiku._src.frame import Frame, StatePair, current_frame, pop_frame, push_frame
from haiku._src.rng import PRNGSequence, RNGState


class InternalState(NamedTuple):
    """``params`` ({module: {name: array}}), ``state`` ({module: {name: StatePair}}), ``rng``.

    ``rng`` is the key sequence's ``(key, queued_subkeys)`` or ``None`` when no key was
    given. It is a pytree, so it can be passed through ``jax.jit``, ``jax.lax.cond``, etc.
    (see :func:`temporary_internal_state` for a complete wrapper).

    >>> import haiku as hk
    >>> from haiku import extend
    >>> def f():
    ...   snapshot = extend.internal_state(params=False)
    ...   return isinstance(snapshot, extend.InternalState), snapshot.params, snapshot.rng
    >>> hk.transform(f).apply({}, None)
    (True, None, None)
    >>> extend.InternalState(params=None, state={}, rng=None)._fields
    ('params', 'state', 'rng')
    """

    params: Any
    state: Any
    rng: RNGState | None


def internal_state(*, params: bool = True) -> InternalState:
    """The current frame's params (by reference), state (copied two-level) and RNG state.

    With ``params=False`` the params field is ``None`` (use it when params cannot change,
    e.g. during apply, to keep them out of a traced function's arguments).

    >>> import jax
    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> from haiku import extend
    >>> def f():
    ...   hk.get_parameter("w", [2], init=jnp.zeros)
    ...   hk.get_state("n", [], jnp.int32, init=jnp.zeros)
    ...   hk.next_rng_key()
    ...   snapshot = extend.internal_state()
    ...   print(jax.tree.map(jnp.shape, snapshot.params), list(snapshot.state["~"]),
    ...         snapshot.rng is not None)
    >>> _ = hk.transform_with_state(f).init(jax.random.PRNGKey(0))
    {'~': {'w': (2,)}} ['n'] True
    """
    frame = current_frame("haiku.extend.internal_state()")
    seq = frame.rng_stack[-1]
    return InternalState(
        frame.params if params else None,
        {k: dict(b) for k, b in frame.state.items()},
        None if seq is None else seq.internal_state,
    )


def update_internal_state(new: InternalState) -> None:
    """Writes params (if not ``None``), state and RNG state back into the current frame.

    A state value may be a :class:`StatePair` or a plain array (its initial value is kept).

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> from haiku import extend
    >>> def f():
    ...   hk.get_state("step", [], jnp.int32, init=jnp.zeros)
    ...   snapshot = extend.internal_state(params=False)
    ...   bumped = {"~": {"step": snapshot.state["~"]["step"].current + 5}}
    ...   extend.update_internal_state(snapshot._replace(state=bumped))
    ...   return hk.get_state("step")
    >>> model = hk.transform_with_state(f)
    >>> params, state = model.init(None)
    >>> out, state = model.apply(params, state, None)
    >>> int(out), int(state["~"]["step"])
    (5, 5)
    """
    frame = current_frame("haiku.extend.update_internal_state()")
    if new.params is not None and new.params is not frame.params:
        if frame.freeze_params:
            for bundle_name, bundle in new.params.items():
                if bundle_name not in frame.params or any(
                    n not in frame.params[bundle_name] for n in bundle
                ):
                    raise ValueError(
                        f"Parameters of module '{bundle_name}' were created during apply. "
                        "All parameters must be created as part of `init`."
                    )
        else:
            for bundle_name, bundle in new.params.items():
                frame.params.setdefault(bundle_name, {}).update(bundle)
    if new.state is not None:
        state = frame.state
        for bundle_name, bundle in new.state.items():
            target = state.setdefault(bundle_name, {})
            for name, pair in bundle.items():
                if not isinstance(pair, StatePair):
                    old = target.get(name)
                    pair = StatePair(pair if old is None else old.initial, pair)
                target[name] = pair
    if new.rng is not None:
        seq = frame.rng_stack[-1]
        if seq is not None:
            seq.replace_internal_state(new.rng)


@contextlib.contextmanager
def temporary_internal_state(state: InternalState) -> Iterator[Frame]:
    """Runs a block in a new frame holding ``state``; module naming continues unchanged.

    ``state.params`` of ``None`` shares the current params; ``state.rng`` of ``None`` means
    no RNG. The new frame keeps the current init/apply mode and the scope stack.

    This is how a Haiku-aware JAX transform is written: snapshot the state, run a pure
    function of it inside the JAX transform, and write the result back. A minimal
    ``jax.jit`` that works on haiku code inside ``hk.transform``:

    >>> import jax
    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> from haiku import extend
    >>> def jit_in_transform(fn):
    ...   def pure(state, *args):
    ...     with extend.temporary_internal_state(state) as frame:
    ...       out = fn(*args)
    ...       return out, extend.frame_internal_state(frame)
    ...   def wrapped(*args):
    ...     out, new_state = jax.jit(pure)(extend.internal_state(), *args)
    ...     extend.update_internal_state(new_state)
    ...     return out
    ...   return wrapped
    >>> class Counter(hk.Module):
    ...   def __call__(self, x):
    ...     n = hk.get_state("n", [], jnp.int32, init=jnp.zeros)
    ...     hk.set_state("n", n + 1)
    ...     return x * hk.get_parameter("w", [x.shape[-1]], init=jnp.ones)
    >>> model = hk.transform_with_state(jit_in_transform(lambda x: Counter()(x)))
    >>> params, state = model.init(None, jnp.zeros([3]))
    >>> jax.tree.map(jnp.shape, params), jax.tree.map(jnp.shape, state)
    ({'counter': {'w': (3,)}}, {'counter': {'n': ()}})
    >>> out, state = model.apply(params, state, None, jnp.ones([3]))
    >>> out.shape, int(state["counter"]["n"])
    ((3,), 1)
    """
    outer = current_frame("haiku.extend.temporary_internal_state()")
    params = outer.params if state.params is None else state.params
    rng = None if state.rng is None else PRNGSequence(state.rng)
    frame = Frame(
        params,
        {k: dict(b) for k, b in (state.state or {}).items()},
        rng,
        outer.freeze_params,
        outer.trace_state,
    )
    if outer.trace_state is not None:  # check_jax_usage: this wrapper's JAX trace is legit.
        from haiku._src.jax_usage import current_trace_state

        frame.trace_state = current_trace_state()
    frame.scopes = outer.scopes
    frame.exit_callbacks = outer.exit_callbacks
    frame.serial = outer.serial  # The same transformed call: its modules stay usable.
    push_frame(frame)
    try:
        yield frame
    finally:
        pop_frame(frame)


def frame_internal_state(frame: Frame) -> InternalState:
    """The internal state held by ``frame`` (as yielded by temporary_internal_state).

    Changes made inside a temporary frame stay there until written back with
    :func:`update_internal_state`:

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> from haiku import extend
    >>> def f():
    ...   empty = extend.InternalState(params=None, state={}, rng=None)
    ...   with extend.temporary_internal_state(empty) as frame:
    ...     hk.set_state("seen", jnp.ones([2]))
    ...     inner = extend.frame_internal_state(frame)
    ...   return list(inner.state["~"]), extend.internal_state().state
    >>> hk.transform_with_state(f).apply({}, {}, None)[0]
    (['seen'], {})
    """
    seq = frame.rng_stack[-1]
    return InternalState(frame.params, frame.state, None if seq is None else seq.internal_state)


def reserve_up_to_full_rng_block() -> None:
    """Makes the key queue ``rng_reserve_size`` keys long (topped up, extras dropped), so its
    shape is loop-invariant.

    A wrapper that carries the RNG state through ``jax.lax.scan`` or ``while_loop`` calls it
    before the loop and at the end of each step, so the carried queue keeps one shape.
    Without a key it does nothing.

    >>> import jax
    >>> import haiku as hk
    >>> from haiku import extend
    >>> def f():
    ...   hk.next_rng_key()
    ...   left = len(extend.internal_state().rng[1])
    ...   extend.reserve_up_to_full_rng_block()
    ...   return left, len(extend.internal_state().rng[1])
    >>> with hk.config.context(rng_reserve_size=4):
    ...   hk.transform(f).apply({}, jax.random.PRNGKey(0))
    (3, 4)
    """
    seq = current_frame("haiku.extend.reserve_up_to_full_rng_block()").rng_stack[-1]
    if seq is not None:
        seq.reserve_up_to_full()


def params_frozen() -> bool:
    """True during ``apply`` (no parameter may be created).

    >>> import haiku as hk
    >>> from haiku import extend
    >>> def f():
    ...   print("params frozen:", extend.params_frozen())
    >>> model = hk.transform(f)
    >>> params = model.init(None)
    params frozen: False
    >>> model.apply(params, None)
    params frozen: True
    """
    return current_frame("haiku.extend.params_frozen()").freeze_params


@contextlib.contextmanager
def isolated_naming() -> Iterator[None]:
    """Discards the module numbering done inside the block in the current calling scope.

    Modules created after the block are numbered as if the block had created none (so they
    reuse its first names and share its parameters), as dm-haiku's vmap, cond, switch, grad
    and eval_shape do.

    >>> import haiku as hk
    >>> from haiku import extend
    >>> class Unit(hk.Module):
    ...   def __call__(self):
    ...     return self.module_name
    >>> def f():
    ...   with extend.isolated_naming():
    ...     inside = Unit()()
    ...   return inside, Unit()(), Unit()()
    >>> hk.transform(f).apply({}, None)
    ('unit', 'unit', 'unit_1')
    """
    scope = current_frame("haiku.extend.isolated_naming()").scopes[-1]
    saved = (
        None if scope.counts is None else dict(scope.counts),
        None if scope.used is None else set(scope.used),
    )
    try:
        yield
    finally:
        scope.counts, scope.used = saved


def on_transform_exit(callback: Callable[[], None]) -> None:
    """Runs ``callback()`` when the current ``init``/``apply`` returns normally.

    Use it for end-of-transform checks (e.g. that a state updater was used).

    >>> import haiku as hk
    >>> from haiku import extend
    >>> def f():
    ...   extend.on_transform_exit(lambda: print("transform finished"))
    ...   print("body done")
    >>> hk.transform(f).apply({}, None)
    body done
    transform finished
    """
    current_frame("haiku.extend.on_transform_exit()").exit_callbacks.append(callback)


def transform_call_id() -> int:
    """An id of the running ``init``/``apply`` call, the same in wrappers' temporary frames.

    Use it to refuse an object created in one call being used in another (e.g. a nested
    transform).

    >>> import haiku as hk
    >>> from haiku import extend
    >>> def f():
    ...   outer = extend.transform_call_id()
    ...   inner = hk.transform(extend.transform_call_id).apply({}, None)
    ...   return outer == extend.transform_call_id(), outer == inner
    >>> hk.transform(f).apply({}, None)
    (True, False)
    """
    # Every init/apply call has its own exit-callback list, shared by temporary frames.
    return id(current_frame("haiku.extend.transform_call_id()").exit_callbacks)
