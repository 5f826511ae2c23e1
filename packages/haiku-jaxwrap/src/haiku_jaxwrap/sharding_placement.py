"""``hk.sharding``: logical axis names for parameters, resolved to JAX shardings.

Annotations never enter the parameter tree or the computation. ``logical_axes`` and
``axis_rules`` only push onto thread-local stacks; nothing reads those stacks while a model
runs, except :func:`constrain`. The stacks are read when :func:`param_logical_axes` traces
``init`` under ``jax.eval_shape`` with a recording creator installed: each parameter (and
state) created gets the logical axes of the innermost matching path rule. The result is a
tree of ``PartitionSpec`` s of logical names, mapped to mesh axes by
:class:`~haiku_jaxwrap.sharding_rules.LogicalAxisRules`.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import jax
from jax.sharding import Mesh, NamedSharding, PartitionSpec

import haiku as hk
from haiku import extend
from haiku_jaxwrap import _jax_compat
from haiku_jaxwrap.sharding_rules import (
    STACKED_AXIS,
    LogicalAxes,
    LogicalAxisRules,
    MeshAxes,
    PathRule,
    Pattern,
    compile_path_rules,
    normalize_axes,
)

RulesLike = LogicalAxisRules | Mapping[str, MeshAxes] | Sequence[tuple[str, MeshAxes]]


class _Active(NamedTuple):
    rules: LogicalAxisRules
    mesh: Mesh | None
    explicit_axes: frozenset[str]


class _ShardingState(threading.local):
    def __init__(self):
        super().__init__()
        self.path_rules: list[tuple[PathRule, ...]] = []
        self.axis_rules: list[_Active] = []


_STATE = _ShardingState()


def make_mesh(
    axis_shapes: Sequence[int], axis_names: Sequence[str], *, devices: Sequence[Any] | None = None
) -> Mesh:
    """``jax.make_mesh`` with ``Auto`` axes, the mode haiku layers are written for.

    ``jax.make_mesh`` makes ``Explicit`` axes by default, where a matmul over a sharded
    contracting dimension (a row-sharded ``hk.Linear``) must state its output sharding.
    With ``Auto`` axes XLA propagates shardings from the parameters and inputs.

    >>> import jax
    >>> import haiku as hk
    >>> mesh = hk.sharding.make_mesh((1,), ("data",), devices=jax.devices()[:1])
    >>> mesh.axis_names, dict(mesh.shape)
    (('data',), {'data': 1})
    """
    return _jax_compat.make_auto_mesh(axis_shapes, axis_names, devices)


@contextlib.contextmanager
def axis_rules(rules: RulesLike, mesh: Mesh | None = None) -> Iterator[LogicalAxisRules]:
    """Makes ``rules`` (logical name -> mesh axes) and ``mesh`` active in the block.

    They are used by :func:`constrain` (inside transformed functions) and by
    :func:`param_partition_specs`, :func:`param_shardings` and :func:`abstract_params`.
    Yields the :class:`LogicalAxisRules`.

    Args:
        rules: a ``LogicalAxisRules`` or what its constructor takes.
        mesh: the device mesh; needed for shardings and for :func:`constrain` (without a
            mesh, ``constrain`` uses the mesh set by ``jax.set_mesh``, if any).

    >>> import jax
    >>> import haiku as hk
    >>> mesh = hk.sharding.make_mesh((1,), ("model",), devices=jax.devices()[:1])
    >>> with hk.sharding.axis_rules({"mlp": "model"}, mesh) as rules:
    ...   print(rules.mesh_axes(("embed", "mlp")))
    P(None, 'model')
    """
    if not isinstance(rules, LogicalAxisRules):
        rules = LogicalAxisRules(rules)
    explicit: frozenset[str] = frozenset()
    if mesh is not None:
        if not isinstance(mesh, Mesh):
            raise TypeError(
                f"hk.sharding.axis_rules: mesh must be a jax.sharding.Mesh, got {mesh!r}. "
                "Build one with hk.sharding.make_mesh((2, 4), ('data', 'model'))."
            )
        rules.check_mesh(mesh)
        explicit = _jax_compat.explicit_axes(mesh)
    stack = _STATE.axis_rules
    stack.append(_Active(rules, mesh, explicit))
    try:
        yield rules
    finally:
        stack.pop()


def current_axis_rules() -> tuple[LogicalAxisRules | None, Mesh | None]:
    """The innermost active ``(rules, mesh)``, or ``(None, None)``.

    >>> import haiku as hk
    >>> hk.sharding.current_axis_rules()
    (None, None)
    """
    stack = _STATE.axis_rules
    return (stack[-1].rules, stack[-1].mesh) if stack else (None, None)


@contextlib.contextmanager
def logical_axes(
    rules: None | Mapping[Pattern, Any] | Sequence[tuple[Pattern, Any]] = None, /, **by_name: Any
) -> Iterator[None]:
    """Names the dimensions of parameters (and state) created in the block, by path.

    ``rules`` maps path patterns to logical axes, one name (or ``None``) per dimension;
    keyword arguments are patterns too, handy for parameter names: ``w=("embed", "mlp")``.
    Patterns are globs matched against the end of ``module_name/param_name`` (see
    :func:`haiku.sharding.compile_pattern`). The first matching rule of the innermost block
    wins, so a ``with`` around one layer inside the model overrides rules set around the
    whole model. Parameters that no rule matches are replicated.

    Use it around :func:`param_logical_axes` (model-wide rules) or inside the transformed
    function around a layer (per-layer annotations). Outside that trace it costs one list
    append; it never changes parameters, their tree or the computation.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def dense(x, size, name):  # stands for any layer, e.g. hk.Linear(size, name=name)
    ...   with hk.name_scope(name):
    ...     w = hk.get_parameter("w", [x.shape[-1], size], init=jnp.ones)
    ...     return x @ w + hk.get_parameter("b", [size], init=jnp.zeros)
    >>> def f(x):
    ...   with hk.sharding.logical_axes(w=("embed", "mlp"), b=("mlp",)):
    ...     x = dense(x, 8, "up")
    ...   return dense(x, 4, "down")
    >>> f = hk.transform(f)
    >>> with hk.sharding.logical_axes({"down/w": ("mlp", "embed")}):
    ...   axes = hk.sharding.param_logical_axes(f.init, jax.random.PRNGKey(0), jnp.ones([2, 4]))
    >>> axes
    {'up': {'w': P('embed', 'mlp'), 'b': P('mlp',)},
     'down': {'w': P('mlp', 'embed'), 'b': P(None,)}}
    """
    compiled = compile_path_rules(rules if rules is not None else ()) + compile_path_rules(by_name)
    if not compiled:
        raise ValueError(
            "hk.sharding.logical_axes needs at least one rule, e.g. "
            "logical_axes({'mlp/~/linear_0/w': ('embed', 'mlp')}) or logical_axes(w=('embed', "
            "'mlp'))."
        )
    stack = _STATE.path_rules
    stack.append(compiled)
    try:
        yield
    finally:
        stack.pop()


class _Record(NamedTuple):
    shape: tuple[int, ...]
    axes: LogicalAxes | None
    pattern: str | None


def _match(name: str) -> tuple[LogicalAxes | None, str | None]:
    for rules in reversed(_STATE.path_rules):
        for rule in rules:
            if rule.regex.search(name):
                return rule.axes, rule.pattern
    return None, None


def _recorder(records: dict[str, _Record]) -> Callable[..., Any]:
    def record(next_creator, shape, dtype, init, context):
        name = (context.lifted_prefix_name or "") + context.full_name
        axes, pattern = _match(name)
        records[name] = _Record(tuple(shape), axes, pattern)
        return next_creator(shape, dtype, init)

    return record


def _path_name(path: tuple) -> str:
    return "/".join(str(getattr(k, "key", getattr(k, "name", getattr(k, "idx", k)))) for k in path)


def _logical_spec(
    name: str, shape: tuple[int, ...], record: _Record | None, kind: str
) -> PartitionSpec:
    ndim = len(shape)
    if record is None or record.axes is None:
        return PartitionSpec(*(None,) * ndim)
    axes = record.axes
    if len(axes) == ndim:
        return PartitionSpec(*axes)
    stacked = ndim - len(record.shape)
    if stacked > 0 and len(axes) == len(record.shape):
        return PartitionSpec(*(STACKED_AXIS,) * stacked, *axes)
    per_layer = f" (shape {record.shape} per layer)" if stacked > 0 else ""
    raise ValueError(
        f"hk.sharding: pattern {record.pattern!r} gives {kind} '{name}' the logical axes "
        f"{axes} ({len(axes)} names), but it has shape {tuple(shape)}{per_layer}. Give one "
        "name (or None) per dimension, or make the pattern more specific so that it does "
        "not match this parameter."
    )


def _like(out: Any, like: Any) -> Any:
    """``out`` with the dict key order of ``like`` (jax.tree sorts keys; params keep theirs)."""
    if isinstance(like, dict) and isinstance(out, dict):
        return {k: _like(out[k], v) for k, v in like.items()}
    if isinstance(like, (tuple, list)) and type(out) is type(like):
        return type(like)(_like(o, v) for o, v in zip(out, like))
    return out


def _creation_order(tree: Any, records: dict[str, _Record]) -> Any:
    """A ``{module: {name: leaf}}`` tree reordered as created (``jax.eval_shape`` sorts it)."""
    if not isinstance(tree, dict) or not all(isinstance(b, dict) for b in tree.values()):
        return tree
    rank = {name: i for i, name in enumerate(records)}
    last = len(rank)

    def key(bundle: str) -> int:
        return min((rank.get(f"{bundle}/{n}", last) for n in tree[bundle]), default=last)

    return {
        bundle: dict(
            sorted(tree[bundle].items(), key=lambda item: rank.get(f"{bundle}/{item[0]}", last))
        )
        for bundle in sorted(tree, key=key)
    }


def _specs(tree: Any, records: dict[str, _Record], kind: str) -> Any:
    def spec(path: tuple, leaf: Any) -> PartitionSpec:
        name, shape = _path_name(path), tuple(leaf.shape)
        record = records.get(name)
        if record is None:  # Not made by a creator (e.g. hk.set_state): model-wide rules.
            record = _Record(shape, *_match(name))
        return _logical_spec(name, shape, record, kind)

    return _like(_jax_compat.tree_map_with_path(spec, tree), tree)


# haiku-core API 1.1; on 1.0 cores hk.custom_creator may be entered outside a transform.
_creator_scope = getattr(extend, "creator_scope", None) or hk.custom_creator


def _trace(init_fn: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[Any, Any]:
    if not callable(init_fn):
        raise TypeError(
            f"hk.sharding: expected an init function such as `f.init` of a transformed "
            f"function, got {init_fn!r}."
        )
    params: dict[str, _Record] = {}
    state: dict[str, _Record] = {}
    with (
        _creator_scope(_recorder(params)),
        _creator_scope(_recorder(state), params=False, state=True),
    ):
        # A fresh wrapper so that jax's trace cache never skips running the creators.
        shapes = jax.eval_shape(lambda *a, **k: init_fn(*a, **k), *args, **kwargs)
    if (
        isinstance(shapes, tuple)
        and len(shapes) == 2
        and all(isinstance(part, Mapping) for part in shapes)
    ):
        shapes = (_creation_order(shapes[0], params), _creation_order(shapes[1], state))
        logical = (_specs(shapes[0], params, "parameter"), _specs(shapes[1], state, "state"))
    else:
        shapes = _creation_order(shapes, params)
        logical = _specs(shapes, params, "parameter")
    return shapes, logical


def param_logical_axes(init_fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Logical ``PartitionSpec`` s for what ``init_fn(*args, **kwargs)`` returns.

    Traces ``init_fn`` with ``jax.eval_shape`` (no parameter is materialised) under the
    active :func:`logical_axes` rules. Works for ``f.init`` of ``hk.transform`` (a params
    tree) and of ``hk.transform_with_state`` (a ``(params, state)`` pair). Leading axes
    added by ``hk.layer_stack`` to a parameter annotated per layer get the logical name
    ``'layers'`` (unsharded unless a rule maps it); a rule may also name every axis.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f():
    ...   with hk.name_scope("embed"):
    ...     hk.get_parameter("embeddings", [10, 4], init=jnp.zeros)
    ...   hk.set_state("step", jnp.zeros([], jnp.int32))
    >>> f = hk.transform_with_state(f)
    >>> with hk.sharding.logical_axes({"embed/embeddings": ("vocab", "embed")}):
    ...   params, state = hk.sharding.param_logical_axes(f.init, None)
    >>> params, state
    ({'embed': {'embeddings': P('vocab', 'embed')}}, {'~': {'step': P()}})
    """
    return _trace(init_fn, args, kwargs)[1]


def _active(what: str, need_mesh: bool) -> _Active:
    stack = _STATE.axis_rules
    if not stack or (need_mesh and stack[-1].mesh is None):
        needs = "axis rules and a mesh" if need_mesh else "axis rules"
        raise ValueError(
            f"{what} needs {needs}: call it inside `with hk.sharding.axis_rules(rules, mesh):`, "
            "e.g. rules={'batch': 'data', 'mlp': 'model'} and "
            "mesh=hk.sharding.make_mesh((2, 4), ('data', 'model'))."
        )
    return stack[-1]


def _is_single_spec(value: Any) -> bool:
    return isinstance(value, PartitionSpec) or (
        isinstance(value, (tuple, list))
        and all(v is None or isinstance(v, str) for v in value)
        and bool(value)
    )


def logical_to_mesh(logical: Any, rules: RulesLike | None = None, mesh: Mesh | None = None) -> Any:
    """Maps logical specs to mesh ``PartitionSpec`` s, or ``NamedSharding`` s given a mesh.

    ``logical`` is one spec (a ``PartitionSpec`` or tuple of logical names) or a tree of
    ``PartitionSpec`` leaves, e.g. from :func:`param_logical_axes`. ``rules`` defaults to
    the active :func:`axis_rules`.

    >>> import haiku as hk
    >>> from jax.sharding import PartitionSpec as P
    >>> hk.sharding.logical_to_mesh({"w": P("embed", "mlp")}, {"mlp": "model"})
    {'w': P(None, 'model')}
    """
    if rules is None:
        rules = _active("hk.sharding.logical_to_mesh without rules=", need_mesh=False).rules
    elif not isinstance(rules, LogicalAxisRules):
        rules = LogicalAxisRules(rules)
    if mesh is not None:
        rules.check_mesh(mesh)

    def convert(spec: Any) -> Any:
        if not isinstance(spec, PartitionSpec):
            spec = PartitionSpec(*normalize_axes(spec, "a leaf of logical_to_mesh"))
        out = rules.mesh_axes(spec)
        return out if mesh is None else NamedSharding(mesh, out)

    if _is_single_spec(logical):
        return convert(logical)
    return _like(
        jax.tree.map(convert, logical, is_leaf=lambda x: isinstance(x, PartitionSpec)), logical
    )


def _check_divisible(
    name: str, shape: tuple[int, ...], logical: PartitionSpec, spec: PartitionSpec, mesh: Mesh
) -> None:
    for dim, (size, axes) in enumerate(zip(shape, spec)):
        if axes is None:
            continue
        axes = (axes,) if isinstance(axes, str) else tuple(axes)
        parts = math.prod(mesh.shape[a] for a in axes)
        if size % parts:
            raise ValueError(
                f"hk.sharding: '{name}' has shape {shape}; dimension {dim} (size {size}, "
                f"logical axis {logical[dim]!r}) is sharded over mesh axes {axes} "
                f"({parts} devices), which does not divide it. Change the layer size or map "
                f"{logical[dim]!r} to other mesh axes (or None)."
            )


def _shardings(shapes: Any, logical: Any, active: _Active) -> Any:
    rules, mesh = active.rules, active.mesh
    assert mesh is not None, "callers get `active` with need_mesh=True"

    def one(path: tuple, leaf: Any, spec: PartitionSpec) -> NamedSharding:
        mesh_spec = rules.mesh_axes(spec)
        _check_divisible(_path_name(path), tuple(leaf.shape), spec, mesh_spec, mesh)
        return NamedSharding(mesh, mesh_spec)

    return _like(_jax_compat.tree_map_with_path(one, shapes, logical), shapes)


def param_partition_specs(init_fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Mesh ``PartitionSpec`` s for ``init_fn``'s output under the active rules.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def linear(x):
    ...   with hk.name_scope("linear"):
    ...     return x @ hk.get_parameter("w", [x.shape[-1], 8], init=jnp.ones)
    >>> f = hk.transform(linear)
    >>> with hk.sharding.axis_rules({"mlp": "model"}), hk.sharding.logical_axes(
    ...     w=("embed", "mlp")):
    ...   hk.sharding.param_partition_specs(f.init, jax.random.PRNGKey(0), jnp.ones([1, 4]))
    {'linear': {'w': P(None, 'model')}}
    """
    rules = _active("hk.sharding.param_partition_specs", need_mesh=False).rules
    return logical_to_mesh(_trace(init_fn, args, kwargs)[1], rules)


def param_shardings(init_fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``NamedSharding`` s for ``init_fn``'s output under the active rules and mesh.

    Pass them to ``jax.jit(init_fn, out_shardings=...)`` to create parameters sharded,
    each device computing only its shards. Raises if a sharded dimension does not divide.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def linear(x):
    ...   with hk.name_scope("linear"):
    ...     return x @ hk.get_parameter("w", [x.shape[-1], 8], init=jnp.ones)
    >>> f = hk.transform(linear)
    >>> mesh = hk.sharding.make_mesh((1,), ("model",), devices=jax.devices()[:1])
    >>> rng, x = jax.random.PRNGKey(0), jnp.ones([1, 4])
    >>> with hk.sharding.axis_rules({"mlp": "model"}, mesh), hk.sharding.logical_axes(
    ...     w=("embed", "mlp")):
    ...   shardings = hk.sharding.param_shardings(f.init, rng, x)
    >>> params = jax.jit(f.init, out_shardings=shardings)(rng, x)
    >>> params["linear"]["w"].sharding.spec
    P(None, 'model')
    """
    active = _active("hk.sharding.param_shardings", need_mesh=True)
    shapes, logical = _trace(init_fn, args, kwargs)
    return _shardings(shapes, logical, active)


def abstract_params(init_fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``jax.ShapeDtypeStruct`` s with shardings for ``init_fn``'s output (nothing allocated).

    A restore target for checkpoint libraries, e.g. orbax:
    ``checkpointer.restore(path, hk.sharding.abstract_params(f.init, rng, x))``.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def linear(x):
    ...   with hk.name_scope("linear"):
    ...     return x @ hk.get_parameter("w", [x.shape[-1], 8], init=jnp.ones)
    >>> f = hk.transform(linear)
    >>> mesh = hk.sharding.make_mesh((1,), ("model",), devices=jax.devices()[:1])
    >>> with hk.sharding.axis_rules({"mlp": "model"}, mesh):
    ...   target = hk.sharding.abstract_params(f.init, jax.random.PRNGKey(0), jnp.ones([1, 4]))
    >>> target["linear"]["w"].shape, target["linear"]["w"].sharding.spec
    ((4, 8), P(None, None))
    """
    active = _active("hk.sharding.abstract_params", need_mesh=True)
    shapes, logical = _trace(init_fn, args, kwargs)
    shardings = _shardings(shapes, logical, active)
    return _like(
        jax.tree.map(
            lambda s, sh: jax.ShapeDtypeStruct(s.shape, s.dtype, sharding=sh), shapes, shardings
        ),
        shapes,
    )


def constrain(x: jax.Array, names: Sequence[str | None] | PartitionSpec) -> jax.Array:
    """Constrains the sharding of activation ``x`` by logical axis names.

    With active :func:`axis_rules` and a mesh this is ``jax.lax.with_sharding_constraint``
    (``jax.sharding.reshard`` for ``Explicit`` mesh axes); mesh axes that are manual here
    (inside ``jax.shard_map``) are dropped. Without rules or mesh it returns ``x``.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> f = hk.transform(lambda x: hk.sharding.constrain(x * 2, ("batch", "embed")))
    >>> f.apply({}, None, jnp.ones([2, 3])).shape  # no rules: a no-op
    (2, 3)
    >>> mesh = hk.sharding.make_mesh((1,), ("data",), devices=jax.devices()[:1])
    >>> with hk.sharding.axis_rules({"batch": "data"}, mesh):
    ...   jaxpr = jax.make_jaxpr(f.apply)({}, None, jnp.ones([2, 3]))
    >>> "sharding_constraint" in str(jaxpr)
    True
    """
    stack = _STATE.axis_rules
    if not stack:
        return x
    active = stack[-1]
    spec = active.rules.mesh_axes(names)
    if len(spec) != x.ndim:
        raise ValueError(
            f"hk.sharding.constrain: {len(spec)} logical names {tuple(names)} for an array of "
            f"shape {tuple(x.shape)}; give one name (or None) per dimension."
        )
    no_ambient_mesh, manual = _jax_compat.ambient_mesh()
    if manual:
        spec = PartitionSpec(*_without(spec, set(manual)))
        if all(a is None for a in spec):
            return x
        return jax.lax.with_sharding_constraint(x, spec)
    mesh = active.mesh
    if mesh is None:
        if no_ambient_mesh:
            return x
        return jax.lax.with_sharding_constraint(x, spec)
    sharding = NamedSharding(mesh, spec)
    if active.explicit_axes and any(a in active.explicit_axes for a in _flat(spec)):
        return _jax_compat.reshard(x, sharding)
    return jax.lax.with_sharding_constraint(x, sharding)


def _flat(spec: PartitionSpec) -> list[str]:
    return [
        a for axes in spec if axes is not None for a in ((axes,) if isinstance(axes, str) else axes)
    ]


def _without(spec: PartitionSpec, drop: set[str]) -> list[Any]:
    out: list[Any] = []
    for axes in spec:
        kept = [a for a in ((axes,) if isinstance(axes, str) else axes or ()) if a not in drop]
        out.append(None if not kept else kept[0] if len(kept) == 1 else tuple(kept))
    return out
