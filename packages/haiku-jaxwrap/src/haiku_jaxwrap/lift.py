"""``hk.lift`` and friends: run an inner transform's ``init`` inside an outer transform.

During the outer ``init`` the inner ``init_fn`` runs and its parameters (and state) are
stored in the outer tree under ``<lifting module name>/<inner module name>``
(``transparent_*`` variants: under the enclosing module's name only). During the outer
``apply`` ``init_fn`` does not run: the lifted values are read back from the outer tree.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import haiku as hk
from haiku import extend

_transform_call_id = getattr(extend, "transform_call_id", None)

Tree = Mapping[str, Mapping[str, Any]]


def _prefixed(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def _outer_prefix() -> str:
    name = hk.current_name()
    return "" if name == "~" else name


def _select(tree: Mapping, prefix: str) -> dict:
    """The bundles of ``tree`` under ``prefix`` (all of them for ``''``), prefix removed."""
    if not prefix:
        return {k: dict(b) for k, b in tree.items()}
    start = prefix + "/"
    cut = len(start)
    return {k[cut:]: dict(b) for k, b in tree.items() if k.startswith(start)}


def _store(kind: str, inner: Tree, prefix: str, outer: Mapping, allow_reuse: bool) -> dict:
    """``{outer bundle name: bundle}`` for ``inner``, refusing silent re-use."""
    out = {}
    for bundle_name, bundle in inner.items():
        key = _prefixed(prefix, bundle_name)
        if key in outer and not allow_reuse:
            raise ValueError(
                f"Key '{key}' already exists in the destination {kind}. hk.lift (mode: init) "
                f"refuses to overwrite {kind} of the outer transform: calling the same lifted "
                "init function twice, or lifting into a name that is already used, would "
                "silently share them. Pass `allow_reuse=True` to hk.lift to share them "
                "deliberately, or give each lift its own `name=`."
            )
        out[key] = dict(bundle)
    return out


class _TreeTypeError(TypeError, AttributeError):
    """Not a ``{module: {name: value}}`` mapping (dm-haiku fails with an AttributeError)."""


def _check_tree(what: str, tree: Any) -> None:
    if not isinstance(tree, Mapping) or any(not isinstance(b, Mapping) for b in tree.values()):
        raise _TreeTypeError(
            f"hk.lift: the lifted init function must return {what} as a two-level mapping "
            f"{{module_name: {{name: array}}}} (what `hk.transform(f).init` returns), got "
            f"{type(tree).__name__}."
        )


def _assert_inside(what: str) -> None:
    if not extend.inside_transform():
        raise ValueError(
            f"`hk.{what}` must be used as part of an `hk.transform`: it stores the lifted "
            "values in the enclosing transform's params. Call it inside the function you "
            "pass to hk.transform / hk.transform_with_state."
        )


@contextlib.contextmanager
def _no_closed_over_modules(what: str) -> Iterator[None]:
    """Raises if a module created outside the lifted function creates a parameter or state.

    With transparent lifting the inner names are the outer ones, so a module created
    outside (closed over) would create its values twice under the same name. Calling such
    a module is fine as long as it creates nothing (as dm-haiku).
    """
    created: set[int] = set()

    def track(method, args, kwargs, context):
        if context.method_name == "__init__":
            created.add(id(context.module))
        return method(*args, **kwargs)

    def check(next_creator, shape, dtype, init, context):
        module = context.module
        if module is not None and id(module) not in created:
            raise ValueError(
                f"A function lifted with hk.{what} must not close over a module created "
                f"outside of it ({module.module_name!r}): hk.{what} keeps the inner names, "
                "so its parameters would be created twice under the same name. Create the "
                "module inside the lifted function, or use hk.lift (inner parameters go "
                "under a prefix)."
            )
        return next_creator(shape, dtype, init)

    with hk.intercept_methods(track), hk.custom_creator(check, params=True, state=True):
        yield


class _Lifter:
    """Shared logic of the lift functions: where the values go and how they come back."""

    def __init__(
        self,
        init_fn: Callable[..., Any],
        *,
        allow_reuse: bool,
        with_state: bool,
        prefix_fn: Callable[[], str],
        transparent: str = "",
    ):
        if not callable(init_fn):
            raise TypeError(f"hk.lift needs a callable init function, got {init_fn!r}.")
        self.init_fn = init_fn
        self.allow_reuse = allow_reuse
        self.with_state = with_state
        self.prefix_fn = prefix_fn
        self.transparent = transparent  # the public name of a transparent lift, or ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        prefix = self.prefix_fn()
        outer = extend.internal_state(params=True)
        if not extend.params_frozen():
            closure_check = (
                _no_closed_over_modules(self.transparent)
                if self.transparent
                else contextlib.nullcontext()
            )
            with extend.lift_prefix(prefix), closure_check:
                result = self.init_fn(*args, **kwargs)
            if not self.with_state and not isinstance(result, Mapping):
                raise ValueError(
                    "For stateful lifted functions use `hk.lift_with_state`: the function "
                    f"given to hk.lift returned a {type(result).__name__}, not a params "
                    "mapping (an `hk.transform_with_state(f).init` returns (params, state))."
                )
            params, state = result if self.with_state else (result, {})
            _check_tree("params", params)
            _check_tree("state", state)
            new_params = _store("params", params, prefix, outer.params, self.allow_reuse)
            new_state = _store("state", state, prefix, outer.state, self.allow_reuse)
            extend.update_internal_state(extend.InternalState(new_params, new_state, None))
            outer = extend.internal_state(params=True)
        params = _select(outer.params, prefix)
        if not self.with_state:
            return params
        state = {
            k: {n: p.current for n, p in b.items()} for k, b in _select(outer.state, prefix).items()
        }
        return params, state


class _LiftingModule(hk.Module):
    """Owns the name lifted values are stored under (numbered like any module)."""

    def __init__(
        self, init_fn: Callable[..., Any], *, allow_reuse: bool, with_state: bool, name: str
    ):
        super().__init__(name=name)
        self._lifter = _Lifter(
            init_fn,
            allow_reuse=allow_reuse,
            with_state=with_state,
            prefix_fn=lambda: self.module_name,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._lifter(*args, **kwargs)


def lift(
    init_fn: Callable[..., Any], *, allow_reuse: bool = False, name: str = "lifted"
) -> Callable[..., Any]:
    """Runs ``init_fn`` (an inner transform's init) as part of the outer transform.

    The returned function takes ``init_fn``'s arguments and returns the inner params,
    which the outer ``init`` stores under ``<name>/<inner module>``. During ``apply`` it
    returns them from the outer params without running ``init_fn``.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> inner = hk.transform(lambda x: x * hk.get_parameter("w", [], init=jnp.ones))
    >>> def outer(x):
    ...   params = hk.lift(inner.init, name="inner")(hk.maybe_next_rng_key(), x)
    ...   return inner.apply(params, None, x)
    >>> outer = hk.transform(outer)
    >>> params = outer.init(jax.random.PRNGKey(0), 2.)
    >>> params
    {'inner/~': {'w': Array(1., dtype=float32)}}
    >>> outer.apply(params, None, 2.)
    Array(2., dtype=float32)
    """
    _assert_inside("lift")
    return _LiftingModule(init_fn, allow_reuse=allow_reuse, with_state=False, name=name)


def transparent_lift(
    init_fn: Callable[..., Any], *, allow_reuse: bool = False
) -> Callable[..., Any]:
    """Like :func:`lift`, without a name prefix: inner names are used as they are.

    Inside a module the values go under that module's name.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> inner = hk.transform(lambda: hk.get_parameter("w", [], init=jnp.ones))
    >>> hk.transform(lambda: hk.transparent_lift(inner.init)(None)).init(None)
    {'~': {'w': Array(1., dtype=float32)}}
    """
    _assert_inside("transparent_lift")
    return _Lifter(
        init_fn,
        allow_reuse=allow_reuse,
        with_state=False,
        prefix_fn=_outer_prefix,
        transparent="transparent_lift",
    )


class LiftWithStateUpdater:
    """Writes the updated state of a lifted stateful transform back into the outer state.

    Call :meth:`update` once with the state returned by the inner ``apply``, or
    :meth:`ignore_update` to leave the outer state unchanged.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> inner = hk.transform_with_state(
    ...     lambda: hk.set_state("n", hk.get_state("n", [], init=jnp.zeros) + 1))
    >>> def outer():
    ...   init, updater = hk.lift_with_state(inner.init, name="inner")
    ...   params, state = init(None)
    ...   _, state = inner.apply(params, state, None)
    ...   updater.update(state)
    >>> f = hk.transform_with_state(outer)
    >>> params, state = f.init(None)
    >>> f.apply(params, state, None)[1]
    {'inner/~': {'n': Array(1., dtype=float32)}}
    """

    def __init__(self, name: str | None):
        self._name = name
        self._used = False
        # extend.transform_call_id is API 1.1; on a 1.0 core the same-call check is skipped.
        self._call_id = (
            _transform_call_id() if _transform_call_id and extend.inside_transform() else None
        )

    def _prefix(self) -> str:
        return _outer_prefix() if self._name is None else self._name

    def _mark_used(self) -> None:
        if self._used:
            raise ValueError(
                "This LiftWithStateUpdater was already used: call `.update(state)` or "
                "`.ignore_update()` once per call of the lifted init function."
            )
        if not extend.inside_transform():
            raise ValueError(
                "State updater must be used inside hk.transform_with_state: call "
                "`.update(state)` or `.ignore_update()` in the function that called "
                "hk.lift_with_state."
            )
        if (
            self._call_id is not None
            and _transform_call_id is not None
            and self._call_id != _transform_call_id()
        ):
            raise ValueError(
                "State updater must be used within the same call to init/apply that "
                "created it (not inside another, nested transform): call `.update(state)` "
                "or `.ignore_update()` in the function that called hk.lift_with_state."
            )
        self._used = True

    def update(self, state: Tree) -> None:
        """Stores ``state`` (inner names) as the new current values of the lifted state."""
        self._mark_used()
        _check_tree("state", state)
        prefix = self._prefix()
        new = {_prefixed(prefix, k): dict(b) for k, b in state.items()}
        extend.update_internal_state(extend.InternalState(None, new, None))

    def ignore_update(self) -> None:
        """Leaves the lifted state as it was."""
        self._mark_used()

    def _check_used(self) -> None:
        if not self._used:
            raise ValueError(
                "The updater returned by hk.lift_with_state / hk.transparent_lift_with_state "
                "was never used: call `updater.update(state)` with the state returned by the "
                "inner apply, or `updater.ignore_update()` to keep the lifted state as it is, "
                "before the transformed function returns."
            )


def _lift_with_state(
    init_fn: Callable[..., Any], allow_reuse: bool, name: str | None
) -> tuple[Callable[..., Any], LiftWithStateUpdater]:
    if name is None:
        lifter: Callable[..., Any] = _Lifter(
            init_fn,
            allow_reuse=allow_reuse,
            with_state=True,
            prefix_fn=_outer_prefix,
            transparent="transparent_lift_with_state",
        )
        updater = LiftWithStateUpdater(None)
    else:
        lifter = _LiftingModule(init_fn, allow_reuse=allow_reuse, with_state=True, name=name)
        updater = LiftWithStateUpdater(lifter.module_name)
    if extend.inside_transform():
        extend.on_transform_exit(updater._check_used)
    return lifter, updater


def lift_with_state(
    init_fn: Callable[..., Any], *, allow_reuse: bool = False, name: str = "lifted"
) -> tuple[Callable[..., Any], LiftWithStateUpdater]:
    """:func:`lift` for ``hk.transform_with_state``: returns ``(init, updater)``.

    ``init(...)`` returns the inner ``(params, state)``; pass the state returned by the
    inner ``apply`` to ``updater.update``.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> inner = hk.transform_with_state(lambda: hk.get_state("s", [], init=jnp.ones))
    >>> def outer():
    ...   init, updater = hk.lift_with_state(inner.init)
    ...   params, state = init(None)
    ...   updater.ignore_update()
    ...   return state
    >>> hk.transform_with_state(outer).init(None)[1]
    {'lifted/~': {'s': Array(1., dtype=float32)}}
    """
    _assert_inside("lift_with_state")
    return _lift_with_state(init_fn, allow_reuse, name)


def transparent_lift_with_state(
    init_fn: Callable[..., Any], *, allow_reuse: bool = False
) -> tuple[Callable[..., Any], LiftWithStateUpdater]:
    """:func:`lift_with_state` without a name prefix.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> inner = hk.transform_with_state(lambda: hk.get_state("s", [], init=jnp.ones))
    >>> def outer():
    ...   init, updater = hk.transparent_lift_with_state(inner.init)
    ...   params, state = init(None)
    ...   updater.update(state)
    >>> hk.transform_with_state(outer).init(None)[1]
    {'~': {'s': Array(1., dtype=float32)}}
    """
    _assert_inside("transparent_lift_with_state")
    return _lift_with_state(init_fn, allow_reuse, None)


__all__ = [
    "LiftWithStateUpdater",
    "lift",
    "lift_with_state",
    "transparent_lift",
    "transparent_lift_with_state",
]
