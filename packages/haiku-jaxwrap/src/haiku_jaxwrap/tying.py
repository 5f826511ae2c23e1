"""``hk.experimental.tie_parameters``: one parameter shared by modules of any classes.

The tie is declared on the transformed function, not inside the model, so the modules stay
as they are (no ``force_name``, no passing modules around). ``init`` drops the tied copies
from the params; ``apply`` rebuilds each one from its source (optionally through a
function such as ``jnp.transpose``) before running the model, so the params tree holds one
copy and gradients of every use flow into it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax

import haiku as hk

TieSpec = str | tuple[str, Callable[[jax.Array], jax.Array]]


def _split_path(path: Any, what: str) -> tuple[str, str]:
    if not isinstance(path, str) or "/" not in path.strip("/"):
        raise ValueError(
            f"hk.experimental.tie_parameters: {what} {path!r} must be a parameter path "
            "'<module name>/<parameter name>', e.g. 'embed/embeddings'."
        )
    module, _, name = path.rpartition("/")
    return module, name


def _parse(ties: Any) -> dict[tuple[str, str], tuple[tuple[str, str], Callable | None]]:
    if not isinstance(ties, Mapping) or not ties:
        raise TypeError(
            "hk.experimental.tie_parameters needs a non-empty mapping {tied path: source "
            "path} or {tied path: (source path, fn)}, got "
            f"{type(ties).__name__}."
        )
    out: dict = {}
    for target, spec in ties.items():
        fn = None
        if isinstance(spec, tuple):
            if len(spec) != 2 or not callable(spec[1]):
                raise TypeError(
                    f"hk.experimental.tie_parameters: the tie of {target!r} must be a source "
                    f"path or a pair (source path, fn), got {spec!r}."
                )
            spec, fn = spec
        source = _split_path(spec, "source")
        key = _split_path(target, "tied parameter")
        if source == key:
            raise ValueError(f"hk.experimental.tie_parameters: {target!r} is tied to itself.")
        out[key] = (source, fn)
    sources = {src for src, _ in out.values()}
    chained = sorted("/".join(k) for k in out if k in sources)
    if chained:
        raise ValueError(
            f"hk.experimental.tie_parameters: {chained} are tied and also sources of other "
            "ties: tie every parameter to the one parameter that is kept."
        )
    return out


def _lookup(params: Mapping, path: tuple[str, str], role: str) -> Any:
    module, name = path
    if module not in params or name not in params[module]:
        known = sorted(f"{m}/{n}" for m, b in params.items() for n in b)
        raise ValueError(
            f"hk.experimental.tie_parameters: the {role} parameter '{module}/{name}' is not "
            f"created by the model. Its parameters are: {known}."
        )
    return params[module][name]


def tie_parameters(f: Any, ties: Mapping[str, TieSpec]) -> Any:
    """Ties parameters of a transformed function: each tied one is computed from a source.

    ``ties`` maps a tied parameter path ``'<module>/<name>'`` to its source path, or to a
    pair ``(source path, fn)`` where the tied value is ``fn(source)`` (e.g.
    ``jnp.transpose`` for a read-out ``hk.Linear`` tied to ``hk.Embed``'s embeddings).
    The returned transformed function (same kind as ``f``: ``hk.transform``,
    ``hk.transform_with_state``, with or without apply rng) has an ``init`` whose params
    hold no tied parameter and an ``apply`` that rebuilds them from their sources. Shapes
    and dtypes are checked at init. The model's code is unchanged and its params, without
    the tied entries, are exactly the untied model's.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> class Lookup(hk.Module):  # stands for hk.Embed
    ...   def __call__(self, ids):
    ...     table = hk.get_parameter("table", [10, 4], init=hk.initializers.RandomNormal())
    ...     return table[ids]
    >>> class Readout(hk.Module):  # stands for hk.Linear(10, with_bias=False)
    ...   def __call__(self, h):
    ...     w = hk.get_parameter("w", [h.shape[-1], 10], init=hk.initializers.RandomNormal())
    ...     return h @ w
    >>> def lm(tokens):
    ...   return Readout(name="readout")(Lookup(name="embed")(tokens))
    >>> f = hk.experimental.tie_parameters(
    ...     hk.transform(lm), {"readout/w": ("embed/table", jnp.transpose)})
    >>> tokens = jnp.array([1, 2, 3])
    >>> params = f.init(jax.random.PRNGKey(0), tokens)
    >>> jax.tree.map(jnp.shape, params)
    {'embed': {'table': (10, 4)}}
    >>> f.apply(params, None, tokens).shape
    (3, 10)
    """
    if not isinstance(f, (hk.Transformed, hk.TransformedWithState)):
        raise TypeError(
            "hk.experimental.tie_parameters takes the result of hk.transform or "
            f"hk.transform_with_state (or hk.without_apply_rng of one), got {type(f).__name__}."
        )
    spec = _parse(ties)
    with_state = isinstance(f, hk.TransformedWithState)

    def untie(params: Mapping) -> dict:
        out = {m: dict(b) for m, b in params.items()}
        for target, (source, fn) in spec.items():
            value = _lookup(params, target, "tied")
            src = _lookup(params, source, "source")
            built = jax.eval_shape(fn, src) if fn is not None else src
            if built.shape != value.shape or built.dtype != value.dtype:
                via = " through fn" if fn is not None else ""
                raise ValueError(
                    f"hk.experimental.tie_parameters: '{'/'.join(target)}' is "
                    f"{value.dtype}{list(value.shape)} but its source '{'/'.join(source)}'"
                    f"{via} gives {built.dtype}{list(built.shape)}: pass a (source, fn) pair "
                    "whose fn maps the source to the tied parameter's shape and dtype."
                )
            del out[target[0]][target[1]]
        return {m: b for m, b in out.items() if b}  # a module left empty is dropped

    def tie(params: Mapping) -> dict:
        out = {m: dict(b) for m, b in params.items()}
        for target, (source, fn) in spec.items():
            if target[1] in out.get(target[0], {}):
                raise ValueError(
                    f"hk.experimental.tie_parameters: the params passed to apply hold "
                    f"'{'/'.join(target)}', which is tied to '{'/'.join(source)}': pass the "
                    "params returned by the tied init (without tied copies)."
                )
            src = _lookup(params, source, "source")
            out.setdefault(target[0], {})[target[1]] = fn(src) if fn is not None else src
        return out

    init: Callable[..., Any] = f.init
    apply: Callable[..., Any] = f.apply

    def init_fn(*args: Any, **kwargs: Any) -> Any:
        if with_state:
            params, state = init(*args, **kwargs)
            return untie(params), state
        return untie(init(*args, **kwargs))

    def apply_fn(params: Mapping, /, *args: Any, **kwargs: Any) -> Any:
        return apply(tie(params), *args, **kwargs)

    wrappers: tuple[tuple[Any, Callable[..., Any]], ...] = ((init_fn, init), (apply_fn, apply))
    for fn, base in wrappers:
        fn.__wrapped__ = base  # tools find the user function behind it
        fn.__doc__ = base.__doc__
    return type(f)(init_fn, apply_fn)  # type: ignore[arg-type]  # same call shape, untyped


__all__ = ["tie_parameters"]
