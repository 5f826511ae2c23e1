"""``hk.to_dot`` / ``hk.experimental.abstract_to_dot``: a model as a Graphviz graph.

The function is traced once with ``jax.make_jaxpr`` (public JAX API only). A method
interceptor wraps every module method call in a uniquely named ``jax.named_scope``; each
equation of the jaxpr carries its name stack, which tells the module call it belongs to.
Call-like primitives (``jit``, ``custom_jvp_call``, ``checkpoint``, ...) are inlined so
that e.g. ``jax.nn.relu`` shows as its ``max``; loops and conditionals stay single nodes.
Node ids are deterministic, so the same model gives the same text.
"""

from __future__ import annotations

import dataclasses
import functools
import html
from collections.abc import Callable
from typing import Any

import jax

from haiku import intercept_methods
from haiku_tools.summarise import aval_str

_MARK = "hkdot"
_INLINE = frozenset(
    {
        "pjit",
        "jit",
        "closed_call",
        "core_call",
        "custom_jvp_call",
        "custom_vjp_call",
        "custom_vjp_call_jaxpr",
        "remat",
        "checkpoint",
        "remat2",
        "custom_lin",
    }
)


@dataclasses.dataclass
class _Node:
    id: str
    label: str
    kind: str  # "input", "op" or "const"
    cluster: tuple[int, ...] = ()
    outputs: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Graph:
    """A traced function: nodes (inputs and primitives), edges and module clusters."""

    title: str
    nodes: list[_Node]
    edges: list[tuple[str, str]]
    clusters: list[tuple[str, str]]  # (module_name, method_name) per marker index.


def _aval_str(var: Any) -> str:
    return aval_str(getattr(var, "aval", None))


def _path_str(path: tuple) -> str:
    parts = []
    for key in path:
        for attr in ("key", "idx", "name"):
            if hasattr(key, attr):
                parts.append(str(getattr(key, attr)))
                break
        else:
            parts.append(str(key))
    return "/".join(parts)


def _input_labels(args: tuple, kwargs: dict, is_dynamic: Callable[[Any], bool]) -> list[str]:
    labels = []
    for path, leaf in jax.tree_util.tree_flatten_with_path((args, kwargs))[0]:
        if not is_dynamic(leaf):
            continue
        top, rest = path[1], _path_str(path[2:])
        head = f"args[{top.idx}]" if path[0].idx == 0 else str(top.key)
        labels.append(f"{head}: {rest}" if rest else head)
    return labels


def _is_dynamic(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    return (hasattr(x, "shape") and hasattr(x, "dtype")) or isinstance(x, (int, float, complex))


def _cluster_path(name_stack: Any) -> tuple[int, ...]:
    return tuple(
        int(part[len(_MARK) :])
        for part in str(name_stack).split("/")
        if part.startswith(_MARK) and part[len(_MARK) :].isdigit()
    )


def _sub_jaxpr(eqn: Any) -> tuple[Any, list] | None:
    for key in ("jaxpr", "call_jaxpr", "fun_jaxpr"):
        sub = eqn.params.get(key)
        if sub is None:
            continue
        if hasattr(sub, "jaxpr"):  # ClosedJaxpr
            return sub.jaxpr, list(sub.consts)
        if hasattr(sub, "eqns"):
            return sub, []
    return None


class _Builder:
    def __init__(self):
        self.nodes: list[_Node] = []
        self.edges: list[tuple[str, str]] = []
        self.producer: dict[Any, str] = {}

    def new_node(self, label: str, kind: str, cluster: tuple[int, ...] = ()) -> _Node:
        node = _Node(f"n{len(self.nodes)}", label, kind, cluster)
        self.nodes.append(node)
        return node

    def source(self, atom: Any, env: dict) -> str | None:
        if hasattr(atom, "val"):  # Literal
            return None
        return env.get(atom)

    def walk(self, jaxpr: Any, env: dict, parent: tuple[int, ...]) -> None:
        for eqn in jaxpr.eqns:
            path = _cluster_path(eqn.source_info.name_stack)
            cluster = path if path[: len(parent)] == parent else parent + path
            name = eqn.primitive.name
            sub = _sub_jaxpr(eqn) if name in _INLINE else None
            if sub is not None:
                sub_jaxpr, consts = sub
                sub_env: dict[Any, str | None] = {v: None for v in sub_jaxpr.constvars}
                for var, atom in zip(sub_jaxpr.invars, eqn.invars):
                    sub_env[var] = self.source(atom, env)
                self.walk(sub_jaxpr, sub_env, cluster)
                for outer, inner in zip(eqn.outvars, sub_jaxpr.outvars):
                    env[outer] = self.source(inner, sub_env)
                continue
            label = name if name not in ("pjit", "jit") else eqn.params.get("name", name)
            node = self.new_node(label, "op", cluster)
            node.outputs = [_aval_str(v) for v in eqn.outvars]
            for atom in eqn.invars:
                src = self.source(atom, env)
                if src is not None and (src, node.id) not in self.edges:
                    self.edges.append((src, node.id))
            for var in eqn.outvars:
                env[var] = node.id


def trace(fun: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[Graph, list]:
    """Traces ``fun(*args, **kwargs)`` into a :class:`Graph` (inputs may be structs)."""
    markers: list[tuple[Any, str]] = []

    def interceptor(next_f, a, k, context):
        index = len(markers)
        markers.append((context.module, context.method_name))  # Named after __init__.
        with jax.named_scope(f"{_MARK}{index}"):
            return next_f(*a, **k)

    leaves, treedef = jax.tree.flatten((args, kwargs))
    dynamic_idx = [i for i, x in enumerate(leaves) if _is_dynamic(x)]

    def flat_fun(*dynamic):
        full = list(leaves)
        for i, value in zip(dynamic_idx, dynamic):
            full[i] = value
        a, k = jax.tree.unflatten(treedef, full)
        return fun(*a, **k)

    with intercept_methods(interceptor):
        closed, out_shape = jax.make_jaxpr(flat_fun, return_shape=True)(
            *[leaves[i] for i in dynamic_idx]
        )
    builder = _Builder()
    jaxpr = closed.jaxpr
    env: dict = {v: None for v in jaxpr.constvars}
    labels = _input_labels(args, kwargs, _is_dynamic)
    for var, label in zip(jaxpr.invars, labels):
        node = builder.new_node(label, "input")
        node.outputs = [_aval_str(var)]
        env[var] = node.id
    builder.walk(jaxpr, env, ())
    out_paths = [_path_str(p) for p, _ in jax.tree_util.tree_flatten_with_path(out_shape)[0]]
    single = len(out_paths) == 1 and not out_paths[0]
    by_id = {n.id: n for n in builder.nodes}
    for i, (atom, path) in enumerate(zip(jaxpr.outvars, out_paths)):
        name = "output" if single else f"output[{path or i}]"
        src = builder.source(atom, env)
        if src is None:
            node = builder.new_node(f"{name}: {atom}", "const")
            node.outputs = [_aval_str(atom)]
            continue
        by_id[src].label = f"{name}|{by_id[src].label}"
    title = getattr(fun, "__name__", type(fun).__name__)
    clusters = [(getattr(m, "module_name", type(m).__name__), method) for m, method in markers]
    return Graph(title, builder.nodes, builder.edges, clusters), out_shape


# --- rendering -------------------------------------------------------------------------------

_STYLE = {
    "input": 'shape=rect, style="filled", color="#E07B39", fillcolor="#FCE3C8"',
    "op": 'shape=rect, style="filled", color="#D9B300", fillcolor="#FFF5B0"',
    "output": 'shape=rect, style="filled,bold", color="#2457C5", fillcolor="#C9D8FF"',
    "const": 'shape=rect, style="filled", color="#7A7A7A", fillcolor="#EEEEEE"',
}


def _node_line(node: _Node) -> str:
    *names, op = node.label.split("|")
    parts = [f"<b>{html.escape(n)}</b>" for n in names + [op]]
    if node.outputs:
        parts.append(html.escape(", ".join(node.outputs)))
    style = _STYLE["output" if names else node.kind]
    return f"{node.id} [label=<{'<br/>'.join(parts)}>, {style}];"


def _cluster_label(module_name: str, method_name: str) -> str:
    suffix = "" if method_name == "__call__" else f" ({method_name})"
    return html.escape(module_name + suffix)


def render(graph: Graph) -> str:
    """The DOT text of ``graph``: one subgraph cluster per module method call."""
    children: dict[tuple[int, ...], set[tuple[int, ...]]] = {}
    members: dict[tuple[int, ...], list[_Node]] = {}
    for node in graph.nodes:
        members.setdefault(node.cluster, []).append(node)
        for depth in range(1, len(node.cluster) + 1):
            children.setdefault(node.cluster[: depth - 1], set()).add(node.cluster[:depth])
    lines = [
        "digraph G {",
        "rankdir=TD;",
        "compound=true;",
        f"label=<<b>{html.escape(graph.title)}</b>>;",
        "labelloc=t;",
        "fontsize=20;",
        'node [fontname="Helvetica", fontsize=11];',
    ]

    def emit(path: tuple[int, ...], indent: str) -> None:
        for child in sorted(children.get(path, ())):
            module_name, method_name = graph.clusters[child[-1]]
            lines.append(f"{indent}subgraph cluster_{'_'.join(map(str, child))} {{")
            lines.append(f"{indent}  label=<<b>{_cluster_label(module_name, method_name)}</b>>;")
            lines.append(
                f'{indent}  style="rounded,filled"; fillcolor="#EEF3F5"; '
                'color="#1F3A5F"; fontsize=14;'
            )
            emit(child, indent + "  ")
            lines.append(f"{indent}}}")
        for node in members.get(path, ()):
            lines.append(indent + _node_line(node))

    emit((), "")
    lines.extend(f"{a} -> {b};" for a, b in graph.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _to_dot(fun: Callable[..., Any], what: str) -> Callable[..., str]:
    if not callable(fun):
        raise TypeError(f"{what} needs a function, got {type(fun).__name__}.")

    @functools.wraps(fun)
    def dot(*args, **kwargs) -> str:
        graph, _ = trace(fun, args, kwargs)
        return render(graph)

    return dot


def to_dot(fun: Callable[..., Any]) -> Callable[..., str]:
    """Returns a function giving the Graphviz DOT text of ``fun``'s computation.

    Each module method call is a box (cluster) holding the JAX primitives it ran; inputs
    are labelled by their position and path (``args[0]: linear/w``), outputs are
    highlighted. Values are not used: ``fun`` is traced abstractly, so Python control flow
    may not depend on array values. Render the text with Graphviz, e.g.
    ``graphviz.Source(dot).render(format="png")``.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   return jnp.tanh(x @ hk.get_parameter("w", [3, 2], init=jnp.ones))
    >>> f = hk.transform(f)
    >>> x = jnp.ones([1, 3])
    >>> dot = hk.to_dot(f.apply)(f.init(None, x), None, x)
    >>> dot.splitlines()[0]
    'digraph G {'
    >>> "tanh" in dot and "args[0]: ~/w" in dot
    True
    """
    return _to_dot(fun, "hk.to_dot")


def abstract_to_dot(fun: Callable[..., Any]) -> Callable[..., str]:
    """Like :func:`to_dot`, for inputs given as ``jax.ShapeDtypeStruct`` (or arrays).

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> dot = hk.experimental.abstract_to_dot(jnp.sin)(jax.ShapeDtypeStruct([2], jnp.float32))
    >>> "sin" in dot
    True
    """
    return _to_dot(fun, "hk.experimental.abstract_to_dot")
