"""``hk.layer_stack``: apply the same layer ``num_layers`` times with ``lax.scan``.

The layer's parameters are stacked on a new leading axis of size ``num_layers``, so the
layer is traced and compiled once whatever the depth. Keys follow dm-haiku exactly: the
stack draws two keys from the outer sequence; the first seeds per-layer init (each
layer splits its key in three: ``[init key, next layer's key, apply key]``), the second
is split into one apply key per layer.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import jax
import jax.numpy as jnp

import haiku as hk
from haiku_jaxwrap.lift import LiftWithStateUpdater, _Lifter, _LiftingModule, _outer_prefix


@runtime_checkable
class LayerStackTransparencyMapping(Protocol):
    """Maps stacked module names to per-layer ("flat") names for ``transparent=True``.

    ``stacked_to_flat(name, idx)`` names layer ``idx`` of the stacked module ``name``;
    ``flat_to_stacked(name)`` inverts it, returning ``(stacked name, idx)`` or ``None``
    for modules that do not belong to the stack.

    >>> import haiku as hk
    >>> class Numbered:
    ...   def stacked_to_flat(self, name, idx):
    ...     return name.replace("block", f"block_{idx}")
    ...   def flat_to_stacked(self, name):
    ...     head, _, rest = name.partition("/")
    ...     if not head.startswith("block_"):
    ...       return None
    ...     return "/".join(["block", rest]) if rest else "block", int(head[6:])
    >>> isinstance(Numbered(), hk.LayerStackTransparencyMapping)
    True
    """

    def stacked_to_flat(self, stacked_module_name: str, scan_idx: int) -> str:
        """The flat name of layer ``scan_idx`` of ``stacked_module_name``."""

    def flat_to_stacked(self, unstacked_module_name: str) -> tuple[str, int] | None:
        """``(stacked name, layer index)``, or ``None`` if the module is not in the stack."""


def _split_params(params: dict, num_layers: int, mapping: LayerStackTransparencyMapping) -> dict:
    flat = {}
    for name, bundle in params.items():
        for idx in range(num_layers):
            flat[mapping.stacked_to_flat(name, idx)] = {n: v[idx] for n, v in bundle.items()}
    return flat


def _stack_params(params: dict, num_layers: int, mapping: LayerStackTransparencyMapping) -> dict:
    layers: dict[str, dict[int, dict]] = {}
    for name, bundle in params.items():
        found = mapping.flat_to_stacked(name)
        if found is not None:
            stacked, idx = found
            layers.setdefault(stacked, {})[idx] = bundle
    out = {}
    for stacked, by_idx in layers.items():
        missing = sorted(set(range(num_layers)) - set(by_idx))
        if missing:
            raise ValueError(
                f"hk.layer_stack(transparent=True): module '{stacked}' is missing layers "
                f"{missing} of {num_layers}: the params do not hold a flat copy of every "
                "layer (check the transparency_map and the params passed to apply)."
            )
        names = by_idx[0].keys()
        out[stacked] = {n: jnp.stack([by_idx[i][n] for i in range(num_layers)]) for n in names}
    return out


def _is_array_like(leaf: Any) -> bool:
    return (hasattr(leaf, "shape") and hasattr(leaf, "dtype")) or isinstance(
        leaf, (bool, int, float, complex)
    )


def _abstract(leaf: Any) -> Any:
    """An array's shape and dtype (no tracer); other leaves unchanged."""
    if hasattr(leaf, "shape") and hasattr(leaf, "dtype"):
        return jax.ShapeDtypeStruct(leaf.shape, leaf.dtype)
    return leaf


def _type_str(leaf: Any) -> str:
    """``float32[3]`` for arrays (as JAX prints avals)."""
    dims = ",".join(str(d) for d in jnp.shape(leaf))
    return f"{jnp.result_type(leaf)}[{dims}]"


def _layer_output_error(n: int, per_layer: bool, x_in: Any, raw: Any) -> Exception | None:
    """Explains why the layer's output cannot be scanned, or ``None`` if it looks fine.

    Called only after the scan failed, with the output recorded while tracing the body.
    """
    where = f"hk.layer_stack({n})"
    if per_layer:
        if not (isinstance(raw, (tuple, list)) and len(raw) == 2):
            got = f"an array {_type_str(raw)}" if hasattr(raw, "shape") else type(raw).__name__
            return TypeError(
                f"{where} with with_per_layer_inputs=True: the layer must return a pair "
                f"(carry, per_layer_output), got {got}. Return e.g. `return x, None` when "
                "there is no per-layer output."
            )
        x_out, zs = raw
        names = ("carry", "per_layer_output")
    else:
        x_out, zs = raw[0], None
        names = ("output", "output")
    for name, tree in zip(names, (x_out, zs)):
        for path, leaf in jax.tree_util.tree_leaves_with_path(tree):
            if not _is_array_like(leaf):
                text = repr(leaf)
                text = text if len(text) <= 40 else text[:37] + "..."
                return TypeError(
                    f"{where}: the layer returned a {type(leaf).__name__} ({text}) at "
                    f"{name}{jax.tree_util.keystr(path)}, but it must return arrays (a pytree "
                    "of jax arrays): its outputs go through a scan. Close over non-array "
                    "values instead of returning them."
                )
    taken = "the carry it takes" if per_layer else "its input"
    rule = (
        f"{where}: the {names[0]} of each layer is the "
        f"{'carry' if per_layer else 'input'} of the next, so the layer must return the "
        f"same shapes, dtypes and structure as {taken}"
    )
    in_def, out_def = jax.tree.structure(x_in), jax.tree.structure(x_out)
    if in_def != out_def:  # type: ignore[operator]  # PyTreeDef: compiled, no stub
        return TypeError(f"{rule}, but {taken} has structure {in_def} and it returned {out_def}.")
    for (path, a), b in zip(jax.tree_util.tree_leaves_with_path(x_in), jax.tree.leaves(x_out)):
        if jnp.shape(a) != jnp.shape(b) or jnp.result_type(a) != jnp.result_type(b):
            return TypeError(
                f"{rule}, but {taken}{jax.tree_util.keystr(path)} is {_type_str(a)} and it "
                f"returned {_type_str(b)}. Keep them the same, e.g. project back to the input "
                "width or cast back to the input dtype at the end of the layer."
            )
    return None


class _PerLayerInputError(ValueError, AssertionError):
    """A per-layer input without a leading ``num_layers`` axis (dm-haiku raises an
    AssertionError there; it is also a ValueError for clarity)."""


def _check_no_varargs(f: Callable[..., Any]) -> None:
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return
    if params and params[0].kind == inspect.Parameter.VAR_POSITIONAL:
        raise ValueError(
            f"hk.layer_stack: the layer function {getattr(f, '__name__', f)!r} must not take "
            "`*args`: each layer maps its explicit positional arguments to the same "
            "structure. Name the arguments, e.g. `def layer(x, y): ...`."
        )


class _LayerStack:
    """The wrapped layer: one ``lax.scan`` over stacked params and per-layer keys."""

    def __init__(
        self,
        f: Callable[..., Any],
        num_layers: int,
        with_per_layer_inputs: bool,
        unroll: int,
        pass_reverse: bool,
        transparent: bool,
        mapping: LayerStackTransparencyMapping | None,
        name: str,
    ):
        self.f = f
        self.num_layers = num_layers
        self.per_layer = with_per_layer_inputs
        self.unroll = unroll
        self.pass_reverse = pass_reverse
        self.transparent = transparent
        self.mapping = mapping
        self.name = name

    def _layer(self, reverse: bool, multi: bool) -> Callable[..., Any]:
        f = self.f
        if self.pass_reverse:
            f = functools.partial(f, reverse=reverse)
        if self.per_layer:
            return lambda x, *ys: f(x, *ys)
        if multi:
            return lambda x: (f(*x), None)
        return lambda x: (f(x), None)

    def _split_args(self, args: tuple) -> tuple[Any, tuple]:
        """``(carry, per-layer inputs)``, each per-layer input checked for its leading axis."""
        if not self.per_layer:
            return (args[0] if len(args) == 1 else tuple(args)), ()
        if not args:
            raise TypeError(
                "A layer_stack with per-layer inputs needs the carry as its "
                "first argument: stacked(x, *per_layer_inputs)."
            )
        n = self.num_layers
        for leaf in jax.tree.leaves(args[1:]):
            if leaf.shape[:1] != (n,):
                raise _PerLayerInputError(
                    f"hk.layer_stack({n}): every per-layer input needs a leading axis of size "
                    f"{n} (one slice per layer), got an input of shape {tuple(leaf.shape)}."
                )
        return args[0], args[1:]

    def __call__(self, *args: Any, reverse: bool = False) -> Any:
        x, ys = self._split_args(args)
        layer = hk.transform_with_state(self._layer(reverse, not self.per_layer and len(args) > 1))
        n = self.num_layers
        # Set exactly when transparent (layer_stack refuses transparent=True without one).
        mapping = self.mapping if self.transparent else None

        # The layer's output while tracing (shapes and dtypes only: no tracer of a finished
        # trace may stay reachable, see jax.checking_leaks), to explain scan errors.
        outputs: list = []

        def scan(body, carry, xs, x_in, **kwargs):
            try:
                return jax.lax.scan(body, carry, xs, length=n, **kwargs)
            except (TypeError, ValueError) as e:
                error = outputs and _layer_output_error(n, self.per_layer, x_in, outputs[-1])
                if error:
                    raise error from e
                raise
            finally:
                outputs.clear()

        def record(out):
            outputs.append(jax.tree.map(_abstract, out))

        def init_all(x, rng):
            # Each layer is initialised, then applied once (its state is the state after
            # that first step, as in dm-haiku), and its output feeds the next layer.
            def step(carry, ys_i):
                x, rng = carry
                if rng is None:
                    init_rng = apply_rng = None
                else:
                    keys = jax.random.split(rng, 3)
                    init_rng, rng, apply_rng = keys[0], keys[1], keys[2]
                params, state = layer.init(init_rng, x, *ys_i)
                out, state = layer.apply(params, state, apply_rng, x, *ys_i)
                record(out)
                x, _ = out
                return (x, rng), (params, state)

            _, (params, state) = scan(step, (x, rng), ys, x)
            if mapping is not None:
                return (
                    _split_params(params, n, mapping),
                    _split_params(state, n, mapping),
                )
            return params, state

        init_rng = hk.maybe_next_rng_key()
        if mapping is not None:
            lifted = _Lifter(init_all, allow_reuse=True, with_state=True, prefix_fn=_outer_prefix)
            params, state = lifted(x, init_rng)
            params = _stack_params(params, n, mapping)
            state = _stack_params(state, n, mapping)
            updater = LiftWithStateUpdater(None)
        else:
            lifting = _LiftingModule(init_all, allow_reuse=True, with_state=True, name=self.name)
            params, state = lifting(x, init_rng)
            updater = LiftWithStateUpdater(lifting.module_name)

        apply_rng = hk.maybe_next_rng_key()
        rngs = None if apply_rng is None else jax.random.split(apply_rng, n)

        def apply_step(x, inputs):
            params_i, state_i, rng_i, ys_i = inputs
            out, state_i = layer.apply(params_i, state_i, rng_i, x, *ys_i)
            record(out)
            x, z = out
            return x, (z, state_i)

        x, (zs, state) = scan(
            apply_step, x, (params, state, rngs, ys), x, reverse=reverse, unroll=self.unroll
        )
        if state:
            updater.update(_split_params(state, n, mapping) if mapping is not None else state)
        return (x, zs) if self.per_layer else x


def layer_stack(
    num_layers: int,
    with_per_layer_inputs: bool = False,
    unroll: int = 1,
    pass_reverse_to_layer_fn: bool = False,
    transparent: bool = False,
    transparency_map: LayerStackTransparencyMapping | None = None,
    name: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: the decorated layer runs ``num_layers`` times with stacked parameters.

    Without per-layer inputs the layer maps its arguments to the same structure
    (``f(*carry) -> carry``). With ``with_per_layer_inputs=True`` it is
    ``f(x, *ys_i) -> (x, zs_i)`` and the stack returns ``(x, stacked zs)``; each ``ys``
    input has a leading axis of size ``num_layers``. Parameters are stored under
    ``<name>/<inner module>`` with a leading axis of size ``num_layers`` (default name
    ``__layer_stack_no_per_layer`` or ``__layer_stack_with_per_layer``); with
    ``transparent=True`` they are stored per layer under the names ``transparency_map``
    gives. State used by the layer (``hk.get_state``/``hk.set_state``) is stacked the
    same way; at init it holds each layer's state after its first step.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   @hk.layer_stack(4)
    ...   def layer(x):
    ...     w = hk.get_parameter("w", [3, 3], init=hk.initializers.TruncatedNormal())
    ...     return jnp.tanh(x @ w)
    ...   return layer(x)
    >>> f = hk.transform(f)
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([2, 3]))
    >>> jax.tree.map(jnp.shape, params)
    {'__layer_stack_no_per_layer/~': {'w': (4, 3, 3)}}
    """
    if not isinstance(num_layers, int) or num_layers < 1:
        raise ValueError(f"hk.layer_stack needs num_layers >= 1 (an int), got {num_layers!r}.")
    if transparent and transparency_map is None:
        raise ValueError(
            "hk.layer_stack: transparency_map must be provided with "
            "transparent=True (a LayerStackTransparencyMapping naming each layer)."
        )
    if name is None:
        name = (
            "__layer_stack_with_per_layer"
            if with_per_layer_inputs
            else "__layer_stack_no_per_layer"
        )

    def decorator(f: Callable[..., Any]) -> Callable[..., Any]:
        if not with_per_layer_inputs:
            _check_no_varargs(f)

        @functools.wraps(f)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            unknown = set(kwargs) - {"reverse"}
            if unknown:
                raise TypeError(
                    f"A layer_stack-ed function only takes the keyword `reverse`, got "
                    f"{sorted(unknown)}: pass other inputs positionally (with "
                    "with_per_layer_inputs=True for per-layer inputs) or close over them."
                )
            stack = _LayerStack(
                f,
                num_layers,
                with_per_layer_inputs,
                unroll,
                pass_reverse_to_layer_fn,
                transparent,
                transparency_map,
                name,
            )
            return stack(*args, **kwargs)

        return wrapped

    return decorator


__all__ = ["LayerStackTransparencyMapping", "layer_stack"]
