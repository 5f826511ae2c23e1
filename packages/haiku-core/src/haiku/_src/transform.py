"""``hk.transform`` and friends: turning impure haiku functions into pure init/apply pairs."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from types import GenericAlias
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    NamedTuple,
    Optional,
    ParamSpec,
    TypeVar,
    Union,
    cast,
    overload,
)

import jax

from haiku._src import config as _config
from haiku._src.errors import NonEmptyStateError
from haiku._src.frame import Frame, StatePair, current_frame, pop_frame, push_frame
from haiku._src.rng import PRNGSequence
from haiku._src.tracer_leaks import check_init_outputs
from haiku._src.typing import Params, State

T = TypeVar("T")
# The transformed function's parameters and result: `init`/`apply` take the same inputs as
# the user function after their leading arguments, and `apply` returns what it returns.
P = ParamSpec("P")
R = TypeVar("R")
# What `init`/`apply` accept as `rng` (type checkers only; run time also takes an
# hk.PRNGSequence).
RNGArg = jax.Array | int | None

_TRACER_HINT = (
    "\n\nhaiku hint: a raw JAX transform (jax.vmap, jax.lax.scan, jax.jit, jax.remat, ...) "
    "was probably used over haiku modules inside a transformed function, which leaks "
    "tracers out of it. Use the haiku-aware wrappers instead (hk.vmap, hk.scan, hk.remat, "
    "hk.cond, ...{install}), or apply the JAX transform to the transformed init/apply "
    "functions."
)


def _tracer_hint() -> str:
    from haiku._src import plugins  # only on the error path

    known = plugins.known_provider(plugins.GROUP, "vmap")
    install = f" from `{plugins.install_hint(*known)}`" if known else ""
    return _TRACER_HINT.format(install=install)


class Transformed(NamedTuple, Generic[P, R]):
    """The pair of pure functions :func:`transform` returns.

    ``init(rng, *args, **kwargs)`` runs the function once to create its parameters and
    returns them; ``apply(params, rng, *args, **kwargs)`` runs it with those parameters and
    returns its output. It is a named tuple, so ``init, apply = hk.transform(f)`` works.
    For type checkers it is generic: ``hk.transform(f)`` with ``f: Callable[P, R]`` is a
    ``Transformed[P, R]`` whose ``apply`` takes ``f``'s arguments and returns ``R``.

    >>> import jax
    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   return x * hk.get_parameter("w", [x.shape[-1]], init=jnp.ones)
    >>> model = hk.transform(f)
    >>> isinstance(model, hk.Transformed), model._fields
    (True, ('init', 'apply'))
    >>> params = model.init(jax.random.PRNGKey(0), jnp.zeros([3]))
    >>> jax.tree.map(jnp.shape, params)
    {'~': {'w': (3,)}}
    >>> init, apply = model
    >>> apply(params, None, jnp.ones([3])).shape
    (3,)
    """

    init: Callable[Concatenate[RNGArg, P], Params]
    apply: Callable[Concatenate[Params | None, RNGArg, P], R]


class TransformedWithState(NamedTuple, Generic[P, R]):
    """The pure functions :func:`transform_with_state` returns: state goes in and out.

    ``init(rng, *args, **kwargs)`` returns ``(params, state)`` and
    ``apply(params, state, rng, *args, **kwargs)`` returns ``(out, new_state)``; for type
    checkers ``hk.transform_with_state(f)`` is a ``TransformedWithState[P, R]`` as for
    :class:`Transformed`.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def counter():
    ...   n = hk.get_state("n", [], jnp.int32, init=jnp.zeros)
    ...   hk.set_state("n", n + 1)
    ...   return n
    >>> model = hk.transform_with_state(counter)
    >>> isinstance(model, hk.TransformedWithState)
    True
    >>> params, state = model.init(None)
    >>> out, state = model.apply(params, state, None)
    >>> int(out), int(state["~"]["n"])
    (0, 1)
    """

    init: Callable[Concatenate[RNGArg, P], tuple[Params, State]]
    apply: Callable[Concatenate[Params | None, State | None, RNGArg, P], tuple[R, State]]


# What hk.without_apply_rng returns, as type checkers see it: the same named tuples whose
# `apply` takes no rng. At run time they are Transformed / TransformedWithState themselves.
if TYPE_CHECKING:

    class TransformedWithoutRng(NamedTuple, Generic[P, R]):
        init: Callable[Concatenate[RNGArg, P], Params]
        apply: Callable[Concatenate[Params | None, P], R]

    class TransformedWithStateWithoutRng(NamedTuple, Generic[P, R]):
        init: Callable[Concatenate[RNGArg, P], tuple[Params, State]]
        apply: Callable[Concatenate[Params | None, State | None, P], tuple[R, State]]

else:
    TransformedWithoutRng = Transformed
    TransformedWithStateWithoutRng = TransformedWithState

AnyStateless = Transformed | TransformedWithoutRng
AnyWithState = TransformedWithState | TransformedWithStateWithoutRng


def _check_not_jax_transformed(f: Callable, what: str) -> None:
    if type(f).__name__ in ("PjitFunction", "PmapFunction", "CompiledFunction"):
        raise ValueError(
            f"{what} was given a function that is already jax.jit/jax.pmap-ed. Transform "
            "the plain function first and then jit the resulting init/apply: "
            "`f = hk.transform(fn); apply = jax.jit(f.apply)`."
        )


def _as_rng(rng, what: str) -> PRNGSequence | None:
    if rng is None:
        return None
    if isinstance(rng, PRNGSequence):
        return rng
    return PRNGSequence(_validate_key(rng, what))


def _validate_key(rng, what: str):
    from haiku._src.rng import as_key

    return as_key(rng, what)


def _check_params(params, what: str) -> Mapping:
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise TypeError(
            f"{what}: params must be the mapping returned by init, "
            f"{{module_name: {{param_name: array}}}}, got {type(params).__name__}. Check the "
            "argument order: apply(params, rng, *inputs)."
        )
    for key, bundle in params.items():
        if not isinstance(bundle, Mapping):
            raise TypeError(
                f"{what}: params[{key!r}] must be a mapping {{param_name: array}}, got "
                f"{type(bundle).__name__}. Params must keep the two-level structure returned "
                "by init (use hk.data_structures.to_haiku_dict on flattened params)."
            )
    return params


def _state_pairs(state, what: str) -> dict:
    if state is None:
        return {}
    if not isinstance(state, Mapping):
        raise TypeError(
            f"{what}: state must be the mapping returned by init, "
            f"{{module_name: {{name: array}}}}, got {type(state).__name__}. Check the argument "
            "order: apply(params, state, rng, *inputs)."
        )
    out = {}
    for key, bundle in state.items():
        if not isinstance(bundle, Mapping):
            raise TypeError(
                f"{what}: state[{key!r}] must be a mapping {{name: array}}, got "
                f"{type(bundle).__name__}."
            )
        out[key] = {name: StatePair(v, v) for name, v in bundle.items()}
    return out


def _run(f: Callable, frame: Frame, args: tuple, kwargs: dict):
    if _config.get_config().check_jax_usage:  # One flag test per init/apply call.
        from haiku._src import jax_usage

        return jax_usage.run_checked(_run_frame, f, frame, args, kwargs)
    return _run_frame(f, frame, args, kwargs)


def _run_frame(f: Callable, frame: Frame, args: tuple, kwargs: dict):
    push_frame(frame)
    try:
        out = f(*args, **kwargs)
        for callback in frame.exit_callbacks:
            callback()
        return out
    except jax.errors.UnexpectedTracerError as e:
        raise jax.errors.UnexpectedTracerError(str(e) + _tracer_hint()) from e
    finally:
        pop_frame(frame)


_Bundles = Mapping[str, Mapping[str, jax.Array]]
# Spelled with typing's Optional/Union on purpose: inspect.signature(f.init) then reads
# exactly as in dm-haiku (`rng: Union[jax.Array, int, NoneType]`).
_RNG = Optional[Union[jax.Array, int]]  # noqa: UP007, UP045
_LEADING = {"rng": _RNG, "params": Optional[_Bundles], "state": Optional[_Bundles]}  # noqa: UP045


def _signature(
    f: Callable, leading: tuple[str, ...], returns: Callable[[Any], Any]
) -> inspect.Signature | None:
    """``f``'s signature with annotated ``leading`` parameters; ``returns`` maps its return
    annotation (``Any`` when missing) to the transformed function's."""
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        return None
    rest = list(sig.parameters.values())
    positional_only = any(p.kind is inspect.Parameter.POSITIONAL_ONLY for p in rest)
    kind = (
        inspect.Parameter.POSITIONAL_ONLY
        if positional_only
        else inspect.Parameter.POSITIONAL_OR_KEYWORD
    )
    params = [inspect.Parameter(n, kind, annotation=_LEADING[n]) for n in leading]
    ret = sig.return_annotation
    ret = returns(Any if ret is inspect.Signature.empty else ret)
    try:
        return sig.replace(parameters=params + rest, return_annotation=ret)
    except ValueError:
        return None


def _set_signature(
    fn: Callable, f: Callable, leading: tuple[str, ...], returns: Callable[[Any], Any]
) -> None:
    sig = _signature(f, leading, returns)
    if sig is not None:
        fn.__signature__ = sig  # type: ignore[attr-defined]  # read by inspect.signature


# The attribute name dm-haiku uses, so tools written for it find the function too.
_ORIGINAL_FN = "_original_fn"


def _tie_to_original(f: Callable | None, *fns: Callable) -> None:
    """Records ``f`` as the user function behind the transformed ``fns``."""
    if f is not None:
        for fn in fns:
            setattr(fn, _ORIGINAL_FN, f)


def original_function(fn: Any) -> Callable | None:
    """The user function behind a transformed ``init``/``apply`` (or ``None``).

    Looks through wrappers that set ``__wrapped__``, such as ``jax.jit``, so tools can
    find the Haiku function inside a jitted ``init`` or ``apply``.

    >>> import jax
    >>> import haiku as hk
    >>> def forward(x):
    ...   return x
    >>> f = hk.transform(forward)
    >>> original_function(jax.jit(f.apply)) is forward, original_function(forward)
    (True, None)
    """
    seen = 0
    while fn is not None and seen < 100:  # a bound on pathological __wrapped__ cycles
        found = getattr(fn, _ORIGINAL_FN, None)
        if found is not None:
            return found
        fn, seen = getattr(fn, "__wrapped__", None), seen + 1
    return None


def _with_new_state(ret: Any) -> GenericAlias:
    """``tuple[ret, _Bundles]`` for a return annotation known only at run time."""
    return GenericAlias(tuple, (ret, _Bundles))


def transform_with_state(f: Callable[P, R]) -> TransformedWithState[P, R]:
    """Transforms a function using haiku modules, parameters and state into a pure pair.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   n = hk.get_state("n", [], jnp.int32, init=jnp.zeros)
    ...   hk.set_state("n", n + 1)
    ...   return x * hk.get_parameter("w", [], init=jnp.ones)
    >>> f = hk.transform_with_state(f)
    >>> params, state = f.init(jax.random.PRNGKey(0), 2.)
    >>> out, state = f.apply(params, state, None, 2.)
    >>> out, state["~"]["n"]
    (Array(2., dtype=float32), Array(1, dtype=int32))
    """
    if not callable(f):
        raise TypeError(f"hk.transform_with_state needs a callable, got {f!r}.")
    _check_not_jax_transformed(f, "hk.transform_with_state")

    def init_fn(rng, *args, **kwargs):
        frame = Frame({}, {}, _as_rng(rng, "init"), False)
        _run(f, frame, args, kwargs)
        state = {k: {n: p.initial for n, p in b.items()} for k, b in frame.state.items()}
        check_init_outputs(frame.params, state)
        return frame.params, state

    def apply_fn(params, state, rng, *args, **kwargs):
        frame = Frame(
            # Frozen during apply: the caller's mapping is only read, never written.
            cast(dict, _check_params(params, "apply")),
            _state_pairs(state, "apply"),
            _as_rng(rng, "apply"),
            True,
        )
        out = _run(f, frame, args, kwargs)
        state = {k: {n: p.current for n, p in b.items()} for k, b in frame.state.items()}
        return out, state

    _set_signature(init_fn, f, ("rng",), lambda ret: tuple[_Bundles, _Bundles])
    _set_signature(apply_fn, f, ("params", "state", "rng"), _with_new_state)
    _tie_to_original(f, init_fn, apply_fn)
    return TransformedWithState(init_fn, apply_fn)


_NON_EMPTY_STATE = (
    "The transformed function used state (hk.get_state/hk.set_state) but was transformed with "
    "hk.transform. If your transformed function uses `hk.{get,set}_state` then use "
    "`hk.transform_with_state`."
)


@overload
def without_state(f: TransformedWithState[P, R]) -> Transformed[P, R]: ...
@overload
def without_state(f: TransformedWithStateWithoutRng[P, R]) -> TransformedWithoutRng[P, R]: ...
def without_state(f: AnyWithState) -> AnyStateless:
    """Drops state from a :class:`TransformedWithState`, raising if the function uses state.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> f = hk.without_state(hk.transform_with_state(lambda: jnp.ones([])))
    >>> f.apply({}, None)
    Array(1., dtype=float32)
    """
    if not isinstance(f, TransformedWithState):
        raise TypeError(
            f"hk.without_state expects the result of hk.transform_with_state, got "
            f"{type(f).__name__}."
        )

    def init_fn(*args, **kwargs):
        params, state = f.init(*args, **kwargs)
        if state:
            raise NonEmptyStateError(_NON_EMPTY_STATE)
        return params

    def apply_fn(params, *args, **kwargs):
        if "state" in kwargs:
            raise TypeError(
                "apply() of a function transformed without state does not take `state=`. "
                "Use hk.transform_with_state if the function needs state."
            )
        out, state = f.apply(params, None, *args, **kwargs)
        if state:
            raise NonEmptyStateError(_NON_EMPTY_STATE)
        return out

    _tie_to_original(original_function(f.init), init_fn, apply_fn)
    _drop_param(init_fn, f.init, None)
    _drop_param(apply_fn, f.apply, "state")
    return Transformed(init_fn, apply_fn)


def _drop_param(new: Callable, old: Callable, name: str | None) -> None:
    """Copies ``old``'s signature without parameter ``name`` and without the state output."""
    sig = getattr(old, "__signature__", None)
    if sig is None:
        return
    params = [p for p in sig.parameters.values() if p.name != name]
    ret = sig.return_annotation
    args: tuple = getattr(ret, "__args__", ())
    ret = args[0] if getattr(ret, "__origin__", None) is tuple and len(args) == 2 else Any
    new_sig = sig.replace(parameters=params, return_annotation=ret)
    new.__signature__ = new_sig  # type: ignore[attr-defined]  # read by inspect.signature


@overload
def with_empty_state(f: Transformed[P, R]) -> TransformedWithState[P, R]: ...
@overload
def with_empty_state(f: TransformedWithoutRng[P, R]) -> TransformedWithStateWithoutRng[P, R]: ...
def with_empty_state(f: AnyStateless) -> AnyWithState:
    """Adds an empty state to a :class:`Transformed` (``init`` returns ``(params, {})``).

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> f = hk.with_empty_state(hk.transform(lambda: jnp.ones([])))
    >>> f.init(None)
    ({}, {})
    """
    if not isinstance(f, Transformed):
        raise TypeError(
            f"hk.with_empty_state expects the result of hk.transform, got {type(f).__name__}."
        )

    def init_fn(*args, **kwargs):
        return f.init(*args, **kwargs), {}

    def apply_fn(params, state, *args, **kwargs):
        del state
        return f.apply(params, *args, **kwargs), {}

    _tie_to_original(original_function(f.init), init_fn, apply_fn)
    return TransformedWithState(init_fn, apply_fn)


def transform(f: Callable[P, R], *, apply_rng: Any = None) -> Transformed[P, R]:
    """Transforms a function using haiku modules and parameters into a pure init/apply pair.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   w = hk.get_parameter("w", [x.shape[-1], 2], init=jnp.ones)
    ...   return x @ w
    >>> f = hk.transform(f)
    >>> params = f.init(jax.random.PRNGKey(42), jnp.ones([1, 3]))
    >>> f.apply(params, None, jnp.ones([1, 3]))
    Array([[3., 3.]], dtype=float32)
    """
    if apply_rng is not None:
        raise ValueError(
            "The apply_rng argument of hk.transform has been removed: apply always takes an "
            "rng argument. Use hk.without_apply_rng(hk.transform(f)) to drop it."
        )
    return without_state(transform_with_state(f))


def running_init() -> bool:
    """True while running ``init`` (parameters may be created), False during ``apply``.

    >>> import haiku as hk
    >>> f = hk.transform(hk.running_init)
    >>> f.init(None), f.apply({}, None)
    ({}, False)
    """
    return not current_frame("hk.running_init()").freeze_params
