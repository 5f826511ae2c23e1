"""``hk.experimental.eval_summary`` and ``hk.experimental.tabulate``: what a model is made of.

Both run the model abstractly (``jax.eval_shape``: no FLOPs, no memory for activations) and
record every module method call of ``apply`` with a method interceptor. Arguments that are
not arrays (``is_training=True``, strings, ...) are passed through as Python values, so
models that branch on them can be summarised too.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import numpy as np

from haiku import (
    MethodContext,
    Module,
    Transformed,
    TransformedWithState,
    extend,
    intercept_methods,
    transform_with_state,
)
from haiku.extend import MissingRNGError

AnyTransformed = Transformed | TransformedWithState


def short_dtype(dtype: Any) -> str:
    """The compact dtype name used in summaries: ``f32``, ``bf16``, ``s8``, ``u32``, ``bool``.

    >>> import jax.numpy as jnp
    >>> short_dtype(jnp.float32), short_dtype(jnp.bfloat16), short_dtype(jnp.int8)
    ('f32', 'bf16', 's8')
    """
    try:
        name = np.dtype(dtype).name
    except TypeError:
        return str(dtype)
    for long, short in (
        ("bfloat", "bf"),
        ("float", "f"),
        ("uint", "u"),
        ("int", "s"),
        ("complex", "c"),
    ):
        if name.startswith(long):
            return short + name[len(long) :]
    return name


@dataclasses.dataclass(frozen=True)
class ArraySpec:
    """The shape and dtype of an array, printed compactly (``f32[8,784]``).

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> hk.experimental.ArraySpec((8, 784), jnp.dtype("float32"))
    f32[8,784]
    """

    shape: tuple[int, ...]
    dtype: Any

    @classmethod
    def from_array(cls, array: Any) -> ArraySpec:
        """The spec of anything with ``.shape`` and ``.dtype`` (arrays, tracers, structs)."""
        return cls(tuple(array.shape), array.dtype)

    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        """Number of bytes the array takes."""
        return self.size * np.dtype(self.dtype).itemsize

    def __repr__(self) -> str:
        return f"{short_dtype(self.dtype)}[{','.join(map(str, self.shape))}]"


@dataclasses.dataclass(frozen=True)
class ModuleDetails:
    """A module, one of its methods, and the specs of its (and its submodules') params/state.

    ``params`` and ``state`` map full names (``'mlp/~/linear_0/w'``) to :class:`ArraySpec`,
    sorted by name.
    """

    module: Module
    method_name: str
    params: Mapping[str, ArraySpec]
    state: Mapping[str, ArraySpec]

    @classmethod
    def of(cls, module: Module, method_name: str) -> ModuleDetails:
        """Details of ``module`` now (must run inside a transform)."""
        return cls(module, method_name, _specs(module.params_dict()), _specs(module.state_dict()))


@dataclasses.dataclass(frozen=True)
class MethodInvocation:
    """One module method call recorded by :func:`eval_summary`.

    ``call_stack`` starts with this call's own details, followed by the enclosing module
    method calls, innermost first.
    """

    module_details: ModuleDetails
    args_spec: tuple[Any, ...]
    kwargs_spec: dict[str, Any]
    output_spec: Any
    context: MethodContext
    call_stack: Sequence[ModuleDetails]


def _specs(values: Mapping[str, Any]) -> dict[str, ArraySpec]:
    return {k: ArraySpec.from_array(values[k]) for k in sorted(values)}


def _is_array(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype")


def to_spec(tree: Any) -> Any:
    """Replaces every array leaf of ``tree`` by its :class:`ArraySpec`."""
    return jax.tree.map(lambda x: ArraySpec.from_array(x) if _is_array(x) else x, tree)


def _split_static(args: tuple, kwargs: dict):
    """Array leaves go through ``eval_shape``; everything else stays a Python value."""
    leaves, treedef = jax.tree.flatten((args, kwargs))
    dynamic_idx = [i for i, x in enumerate(leaves) if _is_array(x)]

    def rebuild(dynamic: list) -> tuple[tuple, dict]:
        out = list(leaves)
        for i, value in zip(dynamic_idx, dynamic):
            out[i] = value
        return jax.tree.unflatten(treedef, out)

    dynamic = [jax.ShapeDtypeStruct(leaves[i].shape, leaves[i].dtype) for i in dynamic_idx]
    return dynamic, rebuild


def _takes_rng(apply_fn: Callable) -> bool:
    try:
        return "rng" in inspect.signature(apply_fn).parameters
    except (TypeError, ValueError):
        return True


class _Recorder:
    """A method interceptor that records :class:`MethodInvocation` s in call order."""

    def __init__(self):
        self.invocations: list[MethodInvocation | None] = []
        self._stack: list[ModuleDetails] = []

    def __call__(self, next_f, args, kwargs, context: MethodContext):
        if context.method_name == "__init__":
            return next_f(*args, **kwargs)
        details = ModuleDetails.of(context.module, context.method_name)
        index = len(self.invocations)
        self.invocations.append(None)  # Parents are listed before the calls they make.
        self._stack.append(details)
        try:
            out = next_f(*args, **kwargs)
        finally:
            self._stack.pop()
        self.invocations[index] = MethodInvocation(
            # Read after the call: a module's params include those of the modules it
            # called (even ones built elsewhere and passed in), as in dm-haiku.
            module_details=ModuleDetails.of(context.module, context.method_name),
            args_spec=to_spec(tuple(args)),
            kwargs_spec=to_spec(dict(kwargs)),
            output_spec=to_spec(out),
            context=context,
            call_stack=(details,) + tuple(reversed(self._stack)),
        )
        return out


def _original_function(f: Any) -> Callable | None:
    # haiku.extend.original_function arrived with extension API 1.2.
    find = getattr(extend, "original_function", None)
    return None if find is None else find(f)


def eval_summary(
    f: Callable[..., Any] | Transformed | TransformedWithState,
) -> Callable[..., Sequence[MethodInvocation]]:
    """Records every module method call of ``f`` without running any computation.

    ``f`` is a function using haiku modules, or the result of ``hk.transform`` /
    ``hk.transform_with_state``. The returned function takes the same inputs as ``f``
    (arrays or ``jax.ShapeDtypeStruct``) and returns one :class:`MethodInvocation` per
    module method call of ``apply``, in call order (a parent call before the calls it
    makes). Constructors are not listed.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> class Scale(hk.Module):
    ...   def __call__(self, x):
    ...     return x * hk.get_parameter("s", [x.shape[-1]], init=jnp.ones)
    >>> summary = hk.experimental.eval_summary(lambda x: Scale()(x))(jnp.ones([2, 3]))
    >>> call = summary[0]
    >>> call.module_details.module.module_name, call.args_spec, call.output_spec
    ('scale', (f32[2,3],), f32[2,3])
    >>> call.module_details.params
    {'scale/s': f32[3]}
    """
    if isinstance(f, (Transformed, TransformedWithState)):
        transformed: AnyTransformed = f
    elif (original := _original_function(f)) is not None:
        # A transformed init/apply, maybe jitted: summarise the function behind it.
        transformed = transform_with_state(original)
    elif callable(f):
        # A lambda: `f` may be a jax.jit/jax.pmap-ed step, which hk.transform refuses. It
        # runs with jit disabled below, so its Python body is traced in full every time.
        transformed = transform_with_state(lambda *a, **k: f(*a, **k))
    else:
        raise TypeError(
            "hk.experimental.eval_summary needs a function using haiku modules or the result "
            f"of hk.transform / hk.transform_with_state, got {type(f).__name__}."
        )
    stateful = isinstance(transformed, TransformedWithState)
    apply_takes_rng = _takes_rng(transformed.apply)

    def summarise(*args, **kwargs) -> Sequence[MethodInvocation]:
        dynamic, rebuild = _split_static(args, kwargs)
        rng = jax.random.PRNGKey(42)

        def init(rng, dynamic):
            a, k = rebuild(dynamic)
            out = transformed.init(rng, *a, **k)
            return out if stateful else (out, {})

        def apply(params, state, rng, dynamic):
            a, k = rebuild(dynamic)
            leading = (params, state) if stateful else (params,)
            if apply_takes_rng:
                leading += (rng,)
            transformed.apply(*leading, *a, **k)  # the output may be any Python value

        # With jit disabled, jitted or pmapped code inside `f` (e.g. a train step) is
        # traced on each pass instead of being served from jit's cache, so the
        # interceptors see every module call, as in dm-haiku.
        init_recorder = _Recorder()
        with intercept_methods(init_recorder), jax.disable_jit():
            params, state = jax.eval_shape(init, rng, dynamic)
        recorder = _Recorder()
        try:
            with intercept_methods(recorder), jax.disable_jit():
                jax.eval_shape(apply, params, state, rng, dynamic)
        except MissingRNGError:
            if apply_takes_rng:
                raise
            # apply was wrapped with hk.without_apply_rng but the model draws keys: the
            # calls recorded during init describe the same model.
            recorder = init_recorder
        return list(recorder.invocations)

    return summarise


# --- tabulate -------------------------------------------------------------------------------


def _format_details(details: ModuleDetails) -> str:
    cls = type(details.module).__name__
    method = "" if details.method_name == "__call__" else f".{details.method_name}"
    return f"{details.module.module_name} ({cls}{method})"


def _owned_params(inv: MethodInvocation) -> str:
    name = inv.module_details.module.module_name
    owned = [
        (k.rsplit("/", 1)[1], spec)
        for k, spec in inv.module_details.params.items()
        if k.rsplit("/", 1)[0] == name
    ]
    owned.sort(key=lambda item: (-item[1].size, item[0]))
    return "\n".join(f"{k}: {spec!r}" for k, spec in owned)


def _size(inv: MethodInvocation) -> int:
    return sum(s.size for s in inv.module_details.params.values())


def _format_input(inv: MethodInvocation) -> str:
    lines = []
    if inv.args_spec:
        lines.append(", ".join(repr(a) for a in inv.args_spec))
    if inv.kwargs_spec:
        lines.append(", ".join(f"{k}={v!r}" for k, v in inv.kwargs_spec.items()))
    return "\n".join(lines)


def format_bytes(num_bytes: float) -> str:
    """``4.00 B``, ``6.01 KB``, ``1.20 GB`` (powers of 1000, up to TB).

    >>> format_bytes(6012), format_bytes(999_999_996)
    ('6.01 KB', '1000.00 MB')
    """
    for unit in ("B", "KB", "MB", "GB"):
        if num_bytes < 1000:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1000
    return f"{num_bytes:.2f} TB"


_COLUMNS: dict[str, tuple[str, Callable[[MethodInvocation], str], str]] = {
    "module": (
        "Module",
        lambda inv: "\n".join(
            [_format_details(inv.module_details)]
            + [" └ " + _format_details(d) for d in inv.call_stack[1:]]
        ),
        "left",
    ),
    "config": ("Config", lambda inv: repr(inv.module_details.module), "left"),
    "owned_params": ("Module params", _owned_params, "left"),
    "input": ("Input", _format_input, "left"),
    "output": ("Output", lambda inv: repr(inv.output_spec), "left"),
    "params_size": ("Param count", lambda inv: f"{_size(inv):,}", "right"),
    "params_bytes": (
        "Param bytes",
        lambda inv: format_bytes(sum(s.nbytes for s in inv.module_details.params.values())),
        "right",
    ),
}

_FILTERS: dict[str, Callable[[MethodInvocation], bool]] = {
    "has_output": lambda inv: inv.output_spec is not None,
    "has_params": lambda inv: bool(inv.module_details.params),
}

DEFAULT_COLUMNS = (
    "module",
    "config",
    "owned_params",
    "input",
    "output",
    "params_size",
    "params_bytes",
)
DEFAULT_FILTERS = ("has_output",)


def _check_names(what: str, given: Sequence[str], valid: Sequence[str]) -> None:
    if isinstance(given, str):
        raise TypeError(
            f"hk.experimental.tabulate: {what}s must be a sequence of names, got "
            f"the string {given!r}; write ({given!r},)."
        )
    invalid = [name for name in given if name not in valid]
    if invalid:
        raise ValueError(f"Invalid {what}(s) {invalid}, valid {what}s {list(valid)}")


def tabulate(
    f: Callable[..., Any] | Transformed | TransformedWithState,
    *,
    columns: Sequence[str] | None = DEFAULT_COLUMNS,
    filters: Sequence[str] | None = DEFAULT_FILTERS,
    tabulate_kwargs={"tablefmt": "grid"},  # noqa: B006 - read only, dm-haiku's default
) -> Callable[..., str]:
    """Returns a function printing one table row per module method call of ``f``.

    Columns (any subset, in any order): ``module`` (name, class and method, with the
    enclosing calls below it), ``config`` (the module's repr), ``owned_params`` (params
    the module itself created, largest first), ``input``, ``output`` (array specs),
    ``params_size`` and ``params_bytes`` (of the module and its submodules). Filters:
    ``has_output`` (drop calls returning ``None``) and ``has_params``. Needs the
    ``tabulate`` package (``pip install tabulate``).

    >>> import pytest
    >>> _ = pytest.importorskip("tabulate")  # This example needs `pip install tabulate`.
    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> class Scale(hk.Module):
    ...   def __call__(self, x):
    ...     return x * hk.get_parameter("s", [x.shape[-1]], init=jnp.ones)
    >>> table = hk.experimental.tabulate(lambda x: Scale()(x),
    ...                                  columns=("module", "owned_params", "params_bytes"))
    >>> print(table(jnp.ones([2, 3])))  # doctest: +NORMALIZE_WHITESPACE
    +---------------+-----------------+---------------+
    | Module        | Module params   |   Param bytes |
    +===============+=================+===============+
    | scale (Scale) | s: f32[3]       |       12.00 B |
    +---------------+-----------------+---------------+
    """
    columns = DEFAULT_COLUMNS if columns is None else columns
    filters = DEFAULT_FILTERS if filters is None else filters
    _check_names("column", columns, list(_COLUMNS))
    _check_names("filter", filters, list(_FILTERS))
    columns, filters = tuple(columns), tuple(filters)
    summarise = eval_summary(f)

    def table(*args, **kwargs) -> str:
        try:
            import tabulate as tabulate_lib
        except ImportError as e:
            raise ImportError(
                "hk.experimental.tabulate needs the `tabulate` package: pip install tabulate "
                "(or use hk.experimental.eval_summary, which has no extra dependency)."
            ) from e
        rows = [
            inv
            for inv in summarise(*args, **kwargs)
            if all(_FILTERS[name](inv) for name in filters)
        ]
        if not rows:
            return "No modules matching filters."
        cells = [[_COLUMNS[c][1](inv) for c in columns] for inv in rows]
        return tabulate_lib.tabulate(
            cells,
            headers=[_COLUMNS[c][0] for c in columns],
            colalign=[_COLUMNS[c][2] for c in columns],
            **tabulate_kwargs,
        )

    return table
