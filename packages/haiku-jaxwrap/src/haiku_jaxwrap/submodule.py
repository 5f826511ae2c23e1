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


class _Reached(Exception):
    """Carries the method's output out of the model function (never escapes)."""

    def __init__(self, value: Any):
        super().__init__("apply_submodule: target reached")
        self.value = value


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

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> f = hk.transform(lambda x: hk.nets.MLP([4, 3], name="mlp")(x))
    >>> x = jnp.ones([2, 5])
    >>> params = f.init(jax.random.PRNGKey(0), x)
    >>> last = hk.experimental.apply_submodule(f, "mlp/~/linear_1")
    >>> last(params, None, jnp.ones([2, 4])).shape
    (2, 3)
    """
    if not isinstance(f, (hk.Transformed, hk.TransformedWithState)):
        raise TypeError(
            "hk.experimental.apply_submodule takes the result of hk.transform or "
            f"hk.transform_with_state (or hk.without_apply_rng of one), got {type(f).__name__}."
        )
    if not isinstance(module_name, str) or not module_name:
        raise TypeError(f"apply_submodule: module_name must be a module's name, got {module_name!r}.")
    if not isinstance(method, str) or not method:
        raise TypeError(f"apply_submodule: method must be a method name, got {method!r}.")
    model = extend.original_function(f.apply)
    if model is None:
        raise TypeError(
            "hk.experimental.apply_submodule could not find the function behind f.apply: "
            "pass the transformed function itself (what hk.transform returns)."
        )
    with_state = isinstance(f, hk.TransformedWithState)
    takes_rng = _takes_rng(f.apply)
    margs = _placeholders(model) if model_args is None else tuple(model_args)
    mkwargs = dict(model_kwargs or {})

    def run_model(args: tuple, kwargs: dict) -> Any:
        seen: list[str] = []

        def reach(next_f, a, kw, context):
            out = next_f(*a, **kw)
            if context.method_name == "__init__":
                name = context.module.module_name
                seen.append(name)
                if name == module_name:
                    target = getattr(context.module, method, None)
                    if not callable(target):
                        raise AttributeError(
                            f"apply_submodule: module '{name}' "
                            f"({type(context.module).__name__}) has no method {method!r}."
                        )
                    raise _Reached(target(*args, **kwargs))
            return out

        try:
            with hk.intercept_methods(reach):
                model(*margs, **mkwargs)
        except _Reached as reached:
            return reached.value
        except Exception as e:
            if module_name in seen:
                raise
            raise ValueError(
                f"apply_submodule: the model raised {type(e).__name__} before module "
                f"'{module_name}' was constructed. If the model uses its inputs before building "
                "it, pass example inputs with `model_args=` (and `model_kwargs=`)."
            ) from e
        raise ValueError(
            f"apply_submodule: the model constructs no module named '{module_name}'. Its "
            f"modules are: {seen}."
        )

    part = hk.transform_with_state(run_model)

    def apply_fn(params: Any, *rest: Any, **kwargs: Any) -> Any:
        lead = (1 if with_state else 0) + (1 if takes_rng else 0)
        if len(rest) < lead:
            raise TypeError(
                "apply_submodule: expected the leading arguments of f.apply "
                f"({'params, state' if with_state else 'params'}"
                f"{', rng' if takes_rng else ''}) before the method's inputs."
            )
        state = rest[0] if with_state else {}
        rng = rest[lead - 1] if takes_rng else None
        out, new_state = part.apply(params, state, rng, rest[lead:], kwargs)
        return (out, new_state) if with_state else out

    return apply_fn


__all__ = ["apply_submodule"]
