"""Haiku-aware control flow: ``cond``, ``switch``, ``while_loop``, ``fori_loop``, ``scan``, ``map``.

Inside a transform, state and the RNG key sequence are threaded through the JAX primitive,
and the key queue is topped up to ``rng_reserve_size`` before the primitive and after each
branch or iteration, so the keys handed out are the ones straight-line Python would get.
Outside a transform each function is its plain ``jax.lax`` counterpart, so libraries can
use them in both worlds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp

from haiku import extend
from haiku_jaxwrap import _threading as th

_NO_OPERAND = object()


def _branch_error(what: str, created: list, err: Exception) -> TypeError:
    lines = "\n".join(f"  {label}: {names or 'none'}" for label, names in created)
    return TypeError(
        f"{what} during init: its branches created different parameters, so the branch "
        f"outputs differ:\n{lines}\nCreate every module's parameters unconditionally at "
        "init, e.g. `if hk.running_init(): out = [b(x) for b in branches][0]` and use "
        f"{what} only when not hk.running_init(). (JAX: {str(err).splitlines()[0]})"
    )


def _pure_branches(snap: th.Snapshot, branches: Sequence[Callable], created: list) -> list:
    def make(label: str, fn: Callable) -> Callable:
        def pure(carry, operands):
            state, rng = carry
            out, res = th.run_pure(
                fn, snap, state, rng, operands, {}, isolate_names=True, reserve_after=True
            )
            created.append((label, th.param_names(res.params)))
            return out, res

        return pure

    # jax.lax.cond/switch trace a function object once however many branches it serves;
    # keep that by wrapping each distinct function once.
    wrapped: dict[int, Callable] = {}
    out = []
    for i, b in enumerate(branches):
        if id(b) not in wrapped:
            wrapped[id(b)] = make(getattr(b, "__name__", f"branch {i}"), b)
        out.append(wrapped[id(b)])
    return out


def cond(
    pred: Any, true_fun: Any, false_fun: Any, *operands: Any, operand: Any = _NO_OPERAND
) -> Any:
    """``jax.lax.cond`` that threads haiku state and RNG through both branches.

    Also accepts the legacy form ``cond(pred, true_operand, true_fun, false_operand,
    false_fun)``. During init, branches must create the same parameters (or none): build
    modules unconditionally when ``hk.running_init()``.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   return hk.cond(x > 0, lambda x: x + hk.next_rng_key()[0] * 0, lambda x: -x, x)
    >>> hk.transform(f).apply({}, jax.random.PRNGKey(0), jnp.float32(-2.))
    Array(2., dtype=float32)
    >>> hk.cond(True, lambda x: x + 1, lambda x: x - 1, 1.)  # outside a transform
    Array(2., dtype=float32, weak_type=True)
    """
    if operand is not _NO_OPERAND:
        if operands:
            raise ValueError(
                "hk.cond: pass operands either positionally or as `operand=`, not both."
            )
        operands = (operand,)
    if (
        len(operands) == 2
        and not callable(true_fun)
        and callable(false_fun)
        and callable(operands[1])
    ):
        # Legacy form: cond(pred, true_operand, true_fun, false_operand, false_fun).
        t_op, t_fn, f_op, f_fn = true_fun, false_fun, operands[0], operands[1]
        true_fun = lambda ops: t_fn(ops[0])  # noqa: E731
        false_fun = lambda ops: f_fn(ops[1])  # noqa: E731
        operands = ((t_op, f_op),)
    if not extend.inside_transform():
        return jax.lax.cond(pred, true_fun, false_fun, *operands)
    return _switch_like(
        "hk.cond",
        lambda bs, carry, ops: jax.lax.cond(pred, bs[0], bs[1], carry, ops),
        [true_fun, false_fun],
        operands,
    )


def switch(index: Any, branches: Sequence[Callable[..., Any]], *operands: Any) -> Any:
    """``jax.lax.switch`` that threads haiku state and RNG through every branch.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(i):
    ...   return hk.switch(i, [lambda: 0., lambda: 1., lambda: 2.])
    >>> hk.transform(f).apply({}, None, 1)
    Array(1., dtype=float32, weak_type=True)
    """
    branches = list(branches)
    if not branches:
        raise ValueError(
            "hk.switch needs at least one branch, got an empty sequence of branches. Pass a "
            "list of callables, e.g. hk.switch(index, [f0, f1], x)."
        )
    if not extend.inside_transform():
        return jax.lax.switch(index, branches, *operands)
    return _switch_like(
        "hk.switch",
        lambda bs, carry, ops: jax.lax.switch(index, bs, carry, ops),
        branches,
        operands,
    )


def _switch_like(what: str, primitive: Callable, branches: list, operands: tuple) -> Any:
    extend.reserve_up_to_full_rng_block()
    snap = th.snapshot()
    created: list = []
    pure = _pure_branches(snap, branches, created)
    try:
        out, res = primitive(pure, (snap.state, snap.rng), operands)
    except TypeError as e:
        if snap.init and len({tuple(n) for _, n in created}) > 1:
            raise _branch_error(what, created, e) from e
        raise
    th.write_back(res)
    return out


def _check_no_new_params(what: str, res: th.Result, fix: str, error=AssertionError) -> None:
    if res.params:
        raise error(
            f"New parameters were created inside {what} during init: "
            f"{th.param_names(res.params)}. {fix}"
        )


def while_loop(
    cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any], init_val: Any
) -> Any:
    """``jax.lax.while_loop`` that threads haiku state and RNG through ``body_fun``.

    It cannot run during init (whether the body runs is unknown), and ``cond_fun`` must not
    change state or draw keys.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   if hk.running_init():
    ...     return x
    ...   return hk.while_loop(lambda v: v < 10, lambda v: v * 2, x)
    >>> f = hk.transform(f)
    >>> f.apply(f.init(None, 1), None, 1)
    Array(16, dtype=int32, weak_type=True)
    """
    if not extend.inside_transform():
        return jax.lax.while_loop(cond_fun, body_fun, init_val)
    if not extend.params_frozen():
        raise ValueError(
            "hk.while_loop cannot run during init (mode: init): whether the body runs at "
            "all is only known at run time, so its parameters cannot be created. Call the "
            "body unconditionally at init instead:\n"
            "    if hk.running_init():\n"
            "        val = body(val)\n"
            "    else:\n"
            "        val = hk.while_loop(cond, body, val)"
        )
    extend.reserve_up_to_full_rng_block()
    snap = th.snapshot()

    def pure_cond(carry):
        val, state, rng = carry
        out, res = th.run_pure(cond_fun, snap, state, rng, (val,), {})
        if _state_or_rng_changed(state, rng, res):
            raise ValueError(
                "`hk.while_loop` does not support `hk.set_state`, `hk.next_rng_key` (et al) "
                "in `cond_fun`: the condition can only read state (hk.get_state). Move state "
                "updates and key draws into `body_fun`, and let it store what the condition "
                "needs in the loop value."
            )
        return out

    def pure_body(carry):
        val, state, rng = carry
        val, res = th.run_pure(body_fun, snap, state, rng, (val,), {}, reserve_after=True)
        return val, res.state, res.rng

    val, state, rng = jax.lax.while_loop(pure_cond, pure_body, (init_val, snap.state, snap.rng))
    th.write_back(th.Result(None, state, rng))
    return val


def _state_or_rng_changed(state: th.StateTree, rng: Any, res: th.Result) -> bool:
    """Whether a function run by :func:`th.run_pure` set state or drew keys."""
    if rng is not None and (res.rng[0] is not rng[0] or len(res.rng[1]) != len(rng[1])):
        return True
    for bundle_name, bundle in res.state.items():
        before = state.get(bundle_name, {})
        for name, pair in bundle.items():
            old = before.get(name)
            if old is None or pair.current is not old.current:
                return True
    return False


def _is_concrete(x: Any) -> bool:
    try:
        int(x)
    except (jax.errors.ConcretizationTypeError, TypeError):
        return False
    return True


def fori_loop(lower: Any, upper: Any, body_fun: Callable[[Any, Any], Any], init_val: Any) -> Any:
    """``jax.lax.fori_loop`` that threads haiku state and RNG through ``body_fun``.

    During init the first iteration runs eagerly (creating parameters) and the rest in the
    loop, as in dm-haiku; modules must therefore be created outside the body.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   w = hk.get_parameter("w", [], init=jnp.ones)
    ...   return hk.fori_loop(0, 3, lambda i, x: x * w + i, x)
    >>> f = hk.transform(f)
    >>> f.apply(f.init(None, 1.), None, 1.)
    Array(4., dtype=float32)
    """
    if not extend.inside_transform():
        return jax.lax.fori_loop(lower, upper, body_fun, init_val)
    val = init_val
    if not extend.params_frozen():
        empty = _is_concrete(lower) and _is_concrete(upper) and int(upper) <= int(lower)
        val = body_fun(lower, init_val)
        if empty:
            return init_val
        concrete = _is_concrete(lower) and _is_concrete(upper)
        if concrete and int(upper) <= int(lower) + 1:
            return val
        nonempty = None if concrete else upper > lower
        val = _loop(lower + 1, upper, body_fun, val, init=True)
        if nonempty is not None:
            val = jax.tree.map(lambda a, b: jnp.where(nonempty, a, b), val, init_val)
        return val
    return _loop(lower, upper, body_fun, val, init=False)


def _loop(lower: Any, upper: Any, body_fun: Callable, val: Any, *, init: bool) -> Any:
    extend.reserve_up_to_full_rng_block()
    snap = th.snapshot()

    def pure_body(i, carry):
        val, state, rng = carry
        val, res = th.run_pure(body_fun, snap, state, rng, (i, val), {}, reserve_after=True)
        _check_no_new_params(
            "the body of hk.fori_loop",
            res,
            "At init the first iteration creates the parameters; later iterations must not "
            "create new ones: build modules outside the body and call them inside.",
            error=TypeError,
        )
        return val, res.state, res.rng

    val, state, rng = jax.lax.fori_loop(lower, upper, pure_body, (val, snap.state, snap.rng))
    th.write_back(th.Result(None, state, rng))
    return val


class _NoLengthError(ValueError, IndexError):
    """``hk.scan`` without ``length`` nor arrays (dm-haiku raises an IndexError there)."""


def _leading_length(xs: Any, length: int | None) -> int:
    if length is not None:
        return int(length)
    leaves = jax.tree.leaves(xs)
    if not leaves:
        raise _NoLengthError("hk.scan needs `length=` when `xs` has no arrays.")
    return int(leaves[0].shape[0])


def scan(
    f: Callable[[Any, Any], tuple[Any, Any]],
    init: Any,
    xs: Any,
    length: int | None = None,
    reverse: bool = False,
    unroll: int = 1,
) -> tuple[Any, Any]:
    """``jax.lax.scan`` that threads haiku state and RNG through the scanned function.

    During init the first iteration (the last one if ``reverse``) runs eagerly so that
    parameters are created; the rest runs in ``lax.scan``, where new parameters are an
    error. So create modules outside ``f`` and call them inside.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(xs):
    ...   w = hk.get_parameter("w", [], init=jnp.ones)
    ...   return hk.scan(lambda c, x: (c + w * x, c), jnp.float32(0), xs)
    >>> f = hk.transform(f)
    >>> xs = jnp.arange(3.)
    >>> f.apply(f.init(None, xs), None, xs)
    (Array(3., dtype=float32), Array([0., 0., 1.], dtype=float32))
    """
    if not extend.inside_transform():
        return jax.lax.scan(f, init, xs, length=length, reverse=reverse, unroll=unroll)
    if extend.params_frozen():
        return _scan(f, init, xs, length, reverse, unroll)
    n = _leading_length(xs, length)
    if n == 0:
        # Nothing to iterate, but the body's parameters and state must still exist after
        # init: run it once on zeros shaped like one step, keep its effects, drop its outputs.
        x0 = jax.tree.map(lambda x: jnp.zeros(x.shape[1:], x.dtype), xs)
        _, y0 = f(init, x0)
        return init, jax.tree.map(lambda y: jnp.zeros((0,) + jnp.shape(y), jnp.result_type(y)), y0)
    first = n - 1 if reverse else 0
    x0 = jax.tree.map(lambda x: x[first], xs)
    carry, y0 = f(init, x0)
    rest = jax.tree.map(lambda x: x[:-1] if reverse else x[1:], xs)
    y0 = jax.tree.map(lambda y: jnp.expand_dims(y, 0), y0)
    if n == 1:
        return carry, y0
    carry, ys = _scan(f, carry, rest, None if length is None else n - 1, reverse, unroll)
    parts = (ys, y0) if reverse else (y0, ys)
    return carry, jax.tree.map(lambda a, b: jnp.concatenate([a, b]), *parts)


def _scan(
    f: Callable, init: Any, xs: Any, length: int | None, reverse: bool, unroll: int
) -> tuple[Any, Any]:
    extend.reserve_up_to_full_rng_block()
    snap = th.snapshot()

    def pure(carry, x):
        c, state, rng = carry
        (c, y), res = th.run_pure(f, snap, state, rng, (c, x), {}, reserve_after=True)
        _check_no_new_params(
            "the body of hk.scan",
            res,
            "At init hk.scan runs the first step eagerly to create parameters; later steps "
            "must not create new ones: build modules outside the scanned function (e.g. "
            "`core = hk.LSTM(8)` before hk.scan) and call them inside.",
        )
        return (c, res.state, res.rng), y

    (carry, state, rng), ys = jax.lax.scan(
        pure, (init, snap.state, snap.rng), xs, length=length, reverse=reverse, unroll=unroll
    )
    th.write_back(th.Result(None, state, rng))
    return carry, ys


def map(f: Callable[[Any], Any], xs: Any) -> Any:
    """``jax.lax.map`` through :func:`scan` (state and RNG threaded).

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> hk.transform(lambda xs: hk.map(lambda x: x * 2, xs)).apply({}, None, jnp.arange(3))
    Array([0, 2, 4], dtype=int32)
    """
    if not extend.inside_transform():
        return jax.lax.map(f, xs)
    return scan(lambda _, x: ((), f(x)), (), xs)[1]


__all__ = ["cond", "fori_loop", "map", "scan", "switch", "while_loop"]
