"""``hk.experimental.apply_submodule``: run one module (or one method) of a model alone.

The model function is run only up to the point where the module named ``module_name`` is
constructed; that module's method is then called with the given inputs, with the model's
full params (and state), and the model stops there. The module is built by the model's
own code, so it has the model's configuration and names and reads exactly the parameters
it reads inside the full model.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import haiku as hk
from haiku import extend


class _Reached(Exception):  # noqa: N818 (a control-flow signal, not an error)
    """Carries the method's output out of the model function (never escapes)."""

    def __init__(self, value: Any):
        super().__init__("apply_submodule: target reached")
        self.value = value


class _NotReachedError(ValueError):
    """The model did not construct the target module."""


def _known(params: Mapping, module_name: str) -> bool:
    """Whether ``params`` hold parameters of ``module_name`` or of a module inside it."""
    return any(k == module_name or k.startswith(module_name + "/") for k in params)


def _placeholders(fn: Callable[..., Any]) -> tuple:
    """``None`` for each required positional parameter of ``fn``."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return ()
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(None for p in params if p.kind in kinds and p.default is p.empty)


def _takes_rng(apply_fn: Callable[..., Any]) -> bool:
    try:
        return "rng" in inspect.signature(apply_fn).parameters
    except (TypeError, ValueError):
        return True


class _Submodule:
    """Runs the model until ``module_name`` is constructed, then calls its ``method``."""

    def __init__(self, f, model, module_name, method, model_args, model_kwargs):
        self.model = model
        self.module_name = module_name
        self.method = method
        self.model_args = model_args
        self.model_kwargs = model_kwargs
        self.with_state = isinstance(f, hk.TransformedWithState)
        self.takes_rng = _takes_rng(f.apply)
        self.part = hk.transform_with_state(self._run_model)

    def _reach(self, args: tuple, kwargs: dict, seen: list[str]) -> Callable[..., Any]:
        """An interceptor calling the target's method once the target is constructed."""

        def reach(next_f, a, kw, context):
            out = next_f(*a, **kw)
            if context.method_name == "__init__":
                name = context.module.module_name
                seen.append(name)
                if name == self.module_name:
                    target = getattr(context.module, self.method, None)
                    if not callable(target):
                        raise AttributeError(
                            f"apply_submodule: module '{name}' "
                            f"({type(context.module).__name__}) has no method {self.method!r}."
                        )
                    raise _Reached(target(*args, **kwargs))
            return out

        return reach

    def _run_model(self, args: tuple, kwargs: dict) -> Any:
        seen: list[str] = []
        try:
            with hk.intercept_methods(self._reach(args, kwargs, seen)):
                self.model(*self.model_args, **self.model_kwargs)
        except _Reached as reached:
            return reached.value
        except Exception as e:
            if self.module_name in seen:
                raise
            raise _NotReachedError(
                f"apply_submodule: the model raised {type(e).__name__} before module "
                f"'{self.module_name}' was constructed. If the model uses its inputs before "
                "building it, pass example inputs with `model_args=` (and `model_kwargs=`)."
            ) from e
        raise _NotReachedError(
            f"apply_submodule: the model constructs no module named '{self.module_name}'. "
            f"Its modules are: {seen}."
        )

    def apply(self, params: Any, *rest: Any, **kwargs: Any) -> Any:
        lead = int(self.with_state) + int(self.takes_rng)
        if len(rest) < lead:
            raise TypeError(
                "apply_submodule: expected the leading arguments of f.apply "
                f"({'params, state' if self.with_state else 'params'}"
                f"{', rng' if self.takes_rng else ''}) before the method's inputs."
            )
        state = rest[0] if self.with_state else {}
        rng = rest[lead - 1] if self.takes_rng else None
        try:
            out, new_state = self.part.apply(params, state, rng, rest[lead:], kwargs)
        except _NotReachedError as e:
            if isinstance(params, Mapping) and params and not _known(params, self.module_name):
                raise ValueError(
                    f"apply_submodule: unknown module '{self.module_name}': the params hold "
                    "no parameters of it or of a module inside it. Modules with parameters: "
                    f"{sorted(params)}."
                ) from e
            raise
        return (out, new_state) if self.with_state else out


def apply_submodule(
    f: Any,
    module_name: str,
    method: str = "__call__",
    *,
    model_args: tuple | None = None,
    model_kwargs: Mapping[str, Any] | None = None,
) -> Callable[..., Any]:
    """A function running ``method`` of the module ``module_name`` of ``f`` with full params.

    ``f`` is a transformed function (``hk.transform`` / ``hk.transform_with_state``,
    with or without apply rng); ``module_name`` is a module's full name as it appears in
    the params (e.g. ``'vae/decoder'``, ``'mlp/~/linear_1'``). The returned function has
    ``f.apply``'s leading arguments followed by the method's:
    ``run(params, [state,] [rng,] *args, **kwargs)``; it returns the method's output
    (``(output, new_state)`` for ``hk.transform_with_state``).

    To build the module, the model function runs until the module is constructed, with
    ``model_args`` / ``model_kwargs`` as its inputs (default: ``None`` for each required
    positional argument). This suffices when the module is built before the inputs are
    used (e.g. in a parent's ``__init__``); otherwise pass example inputs. Modules created
    inside ``hk.vmap``, ``hk.scan`` and other JAX-transformed code cannot be targeted.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> class Scale(hk.Module):
    ...   def __call__(self, x):
    ...     return x * hk.get_parameter("s", [], init=hk.initializers.Constant(2.0))
    >>> class Model(hk.Module):
    ...   def __init__(self, name=None):
    ...     super().__init__(name=name)
    ...     self.first, self.second = Scale(name="first"), Scale(name="second")
    ...   def __call__(self, x):
    ...     return self.second(self.first(x) + 1)
    >>> f = hk.transform(lambda x: Model(name="model")(x))
    >>> params = f.init(None, 2.)
    >>> params["model/~/second"]
    {'s': Array(2., dtype=float32)}
    >>> second = hk.experimental.apply_submodule(f, "model/~/second")
    >>> second(params, None, 5.)
    Array(10., dtype=float32)
    """
    if not isinstance(f, (hk.Transformed, hk.TransformedWithState)):
        raise TypeError(
            "hk.experimental.apply_submodule takes the result of hk.transform or "
            f"hk.transform_with_state (or hk.without_apply_rng of one), got {type(f).__name__}."
        )
    if not isinstance(module_name, str) or not module_name:
        raise TypeError(
            f"apply_submodule: module_name must be a module's name, got {module_name!r}."
        )
    if not isinstance(method, str) or not method:
        raise TypeError(f"apply_submodule: method must be a method name, got {method!r}.")
    model = extend.original_function(f.apply)
    if model is None:
        raise TypeError(
            "hk.experimental.apply_submodule could not find the function behind f.apply: "
            "pass the transformed function itself (what hk.transform returns)."
        )
    margs = _placeholders(model) if model_args is None else tuple(model_args)
    return _Submodule(f, model, module_name, method, margs, dict(model_kwargs or {})).apply


__all__ = ["apply_submodule"]
