"""``hk.experimental.jaxpr_info``: a model's jaxpr as a tree of modules and expressions.

``make_model_info(f)(*args)`` traces ``f`` with ``jax.make_jaxpr`` and groups the
equations by their JAX name stack, which haiku modules fill with their names (``mlp`` >
``linear_0``). Sub-jaxprs (``jit``, ``custom_jvp_call``, ``scan``, ...) become nested
modules. With ``include_module_info``, each haiku module also reports the parameters and
state it can see, and ``compute_flops`` lets the caller attach a cost to each equation.

>>> import jax.numpy as jnp
>>> import haiku as hk
>>> info = hk.experimental.jaxpr_info.make_model_info(jnp.sin)(jnp.ones([2]))
>>> print(hk.experimental.jaxpr_info.format_module(info), end="")
sin
  sin in f32[2], out f32[2]
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Callable, Sequence
from typing import Any

import jax

from haiku import intercept_methods
from haiku_tools import _jax_compat
from haiku_tools.summarise import aval_str

NAME_SCOPE = "name_scope"


@dataclasses.dataclass
class Module:
    """A named group of expressions: a haiku module scope or a sub-jaxpr."""

    name: str
    flops: int | None = None
    expressions: list[Expression] = dataclasses.field(default_factory=list)
    total_param_size: int = 0
    param_info: dict[str, str] = dataclasses.field(default_factory=dict)
    total_state_size: int = 0
    state_info: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Expression:
    """One jaxpr equation (or a ``name_scope``/sub-jaxpr holding a :class:`Module`)."""

    primitive: str
    invars: str
    outvars: str
    flops: int | None = None
    details: str = ""
    params: dict[str, str] = dataclasses.field(default_factory=dict)
    submodule: Module | None = None
    first_outvar: str = ""
    name_stack: Sequence[str] = dataclasses.field(default_factory=list)


ComputeFlops = Callable[[Any, Expression], int]


def _spec(x: Any) -> str:
    return aval_str(getattr(x, "aval", x))


def _var_name(atom: Any) -> str:
    if hasattr(atom, "val"):
        return f"Literal({atom.val})"
    return str(atom).split(":")[0]


def _sub_jaxprs(eqn: Any) -> list[tuple[str, Any]]:
    out = []
    for key, value in eqn.params.items():
        for item in value if isinstance(value, (tuple, list)) else (value,):
            if hasattr(item, "eqns"):
                out.append((key, item))
            elif hasattr(item, "jaxpr") and hasattr(item.jaxpr, "eqns"):
                out.append((key, item.jaxpr))
    return out


def _live_equations(jaxpr: Any) -> list[Any]:
    """The equations whose results reach the outputs, or that have effects.

    ``jax.grad`` of a function whose value is unused still traces the forward pass; like
    dm-haiku, the report leaves out what does not contribute to the result.
    """
    live = {id(v) for v in jaxpr.outvars}
    kept = []
    for eqn in reversed(jaxpr.eqns):
        if eqn.effects or any(id(v) in live for v in eqn.outvars):
            kept.append(eqn)
            live.update(id(v) for v in eqn.invars)
    return kept[::-1]


def _submodule_name(eqn: Any) -> tuple[str, str]:
    """The display name and details of an equation holding sub-jaxprs."""
    name = eqn.primitive.name
    if name in ("pjit", "jit", "closed_call", "core_call"):
        return str(eqn.params.get("name", name)), ""
    if name.endswith("_call") and name.startswith("custom_"):
        return name[: -len("_call")], ""
    if name in ("remat2", "checkpoint"):  # jax.checkpoint / hk.remat
        return "remat", ""
    if name == "scan":
        return "scan", f"length={eqn.params['length']} unroll={eqn.params.get('unroll', 1)}"
    return name, ""


class _Builder:
    def __init__(self, compute_flops: ComputeFlops | None, infos: dict):
        self.compute_flops = compute_flops
        self.infos = infos

    def module(self, name: str, jaxpr: Any, prefix: tuple[str, ...]) -> Module:
        root = Module(name)
        for eqn in _live_equations(jaxpr):
            parts = tuple(p for p in str(eqn.source_info.name_stack).split("/") if p)
            target, path = root, list(prefix)
            for part in parts:
                path.append(part)
                last = target.expressions[-1] if target.expressions else None
                is_scope = last is not None and last.primitive == NAME_SCOPE
                scope = last.submodule if last is not None and is_scope else None
                # A scope is continued while its name matches, else a new one starts.
                if scope is None or scope.name != part:
                    scope = Module(part)
                    target.expressions.append(
                        Expression(NAME_SCOPE, "", "", submodule=scope, name_stack=list(path[:-1]))
                    )
                    self._attach_info(scope, "/".join(path))
                target = scope
            target.expressions.append(self.expression(eqn, tuple(path)))
        self._sum_flops(root)
        return root

    def _attach_info(self, module: Module, scope: str) -> None:
        info = self.infos.get(scope)
        if info is None:
            return
        module_name, params, state = info
        for which, values in (("param", params), ("state", state)):
            rel = {}
            for key in sorted(values):
                local = key[len(module_name) + 1 :] if key.startswith(module_name + "/") else key
                local = local[2:] if local.startswith("~/") else local
                rel["./" + local] = values[key]
            setattr(module, f"{which}_info", {k: _spec(v) for k, v in rel.items()})
            setattr(module, f"total_{which}_size", sum(math.prod(v.shape) for v in rel.values()))

    def expression(self, eqn: Any, path: tuple[str, ...]) -> Expression:
        subs = _sub_jaxprs(eqn)
        expr = Expression(
            primitive=eqn.primitive.name,
            invars=" ".join(_var_name(v) for v in eqn.invars),
            outvars=" ".join(_var_name(v) for v in eqn.outvars),
            params={k: str(v) for k, v in eqn.params.items() if k not in dict(subs)},
            first_outvar=_var_name(eqn.outvars[0]) if eqn.outvars else "",
            name_stack=list(path),
        )
        if subs:
            name, expr.details = _submodule_name(eqn)
            module = Module(name)
            for _, sub in subs:
                module.expressions.extend(self.module(name, sub, path).expressions)
            self._sum_flops(module)
            if module.flops is not None and eqn.primitive.name == "scan":
                module.flops *= int(eqn.params["length"])
            expr.submodule, expr.flops = module, module.flops
        else:
            expr.details = (
                f"in {', '.join(_spec(v) for v in eqn.invars)}, "
                f"out {', '.join(_spec(v) for v in eqn.outvars)}"
            )
            if self.compute_flops is not None:
                expr.flops = self.compute_flops(eqn, expr)
        return expr

    def _sum_flops(self, module: Module, scope: bool = False) -> None:
        """Totals flops bottom-up; sub-jaxprs costing nothing are dropped from the tree.

        A jaxpr's module always gets a total (``0 flops`` is shown); a haiku module
        (a name scope, `scope`) costing nothing keeps ``None``, as in dm-haiku.
        """
        if self.compute_flops is None:
            return
        kept = []
        for expr in module.expressions:
            if expr.primitive == NAME_SCOPE and expr.submodule is not None:
                self._sum_flops(expr.submodule, scope=True)
                expr.flops = expr.submodule.flops
            elif expr.submodule is not None and not expr.flops:
                continue
            kept.append(expr)
        module.expressions = kept
        total = sum(e.flops or 0 for e in kept)
        module.flops = None if scope and not total else total


def make_model_info(
    f: Callable[..., Any],
    name: str | None = None,
    include_module_info: bool = True,
    compute_flops: ComputeFlops | None = None,
    axis_env: Sequence[tuple[Any, int]] | None = None,
) -> Callable[..., Module]:
    """Returns a function tracing ``f`` into a :class:`Module` tree.

    Args:
      f: the function to trace, typically a transformed ``apply``.
      name: name of the root module (default: ``f.__name__``).
      include_module_info: record the parameters and state each haiku module sees.
      compute_flops: ``compute_flops(eqn, expression) -> int`` for leaf equations; module
        flops are the sums (a ``scan`` body counts ``length`` times) and sub-jaxprs with
        no flops are left out of the tree.
      axis_env: ``(axis_name, size)`` pairs for collectives, as in ``jax.make_jaxpr``.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> from haiku.experimental import jaxpr_info
    >>> class Scale(hk.Module):
    ...   def __call__(self, x):
    ...     return x * hk.get_parameter("s", [x.shape[-1]], init=jnp.ones)
    >>> f = hk.transform(lambda x: Scale()(x))
    >>> x = jnp.ones([2, 3])
    >>> info = jaxpr_info.make_model_info(f.apply, name="model")(f.init(None, x), None, x)
    >>> print(jaxpr_info.format_module(info), end="")
    model
      scale 3 params
        broadcast_in_dim in f32[3], out f32[1,3]
        mul in f32[2,3], f32[1,3], out f32[2,3]
    """
    if not callable(f):
        raise TypeError(f"jaxpr_info.make_model_info needs a function, got {type(f).__name__}.")

    def info_fn(*args, **kwargs) -> Module:
        infos: dict[str, tuple[str, dict, dict]] = {}

        def interceptor(next_f, a, k, context):
            scope = _jax_compat.current_name_stack()
            if context.method_name != "__init__" and scope not in infos:
                module = context.module
                infos[scope] = (
                    module.module_name,
                    dict(module.params_dict()),
                    dict(module.state_dict()),
                )
            return next_f(*a, **k)

        # A fresh function each time: jax caches traces by function identity, and the
        # interceptor only sees module calls when `f` is really traced.
        make_jaxpr = jax.make_jaxpr(lambda *a, **k: f(*a, **k), axis_env=axis_env)
        if include_module_info:
            with intercept_methods(interceptor):
                closed = make_jaxpr(*args, **kwargs)
        else:
            closed = make_jaxpr(*args, **kwargs)
        root_name = name or str(getattr(f, "__name__", type(f).__name__))
        return _Builder(compute_flops, infos).module(root_name, closed.jaxpr, ())

    return info_fn


_SI_PREFIXES = (("E", 18), ("P", 15), ("T", 12), ("G", 9), ("M", 6), ("k", 3))


def count_text(n: int, unit: str) -> str:
    """``n`` with ``unit``, scaled by an SI prefix above 1000 (4 significant digits).

    >>> count_text(650, "params"), count_text(4624, "params"), count_text(10**6, "flops")
    ('650 params', '4.624 kparams', '1000 kflops')
    """
    for prefix, exponent in _SI_PREFIXES:
        if n > 10**exponent:
            return f"{n / 10**exponent:.4g} {prefix}{unit}"
    return f"{n} {unit}"


def _module_line(module: Module, details: str = "") -> str:
    line = module.name
    if module.flops is not None:
        line += " " + count_text(module.flops, "flops")
    if module.total_param_size:
        line += " " + count_text(module.total_param_size, "params")
    if module.total_state_size:
        line += " " + count_text(module.total_state_size, "state")
    return f"{line} {details}" if details else line


def format_module(module: Module, depth: int = 0) -> str:
    """An indented text tree of ``module`` (two spaces per level), ending with a newline.

    >>> from haiku.experimental import jaxpr_info
    >>> m = jaxpr_info.Module("net", total_param_size=3, expressions=[
    ...     jaxpr_info.Expression("sin", "a", "b", details="in f32[3], out f32[3]")])
    >>> print(jaxpr_info.format_module(m), end="")
    net 3 params
      sin in f32[3], out f32[3]
    """
    return "".join(_format_lines(module, depth, ""))


def _format_lines(module: Module, depth: int, details: str):
    yield "  " * depth + _module_line(module, details) + "\n"
    for expr in module.expressions:
        if expr.submodule is not None:
            yield from _format_lines(
                expr.submodule, depth + 1, "" if expr.primitive == NAME_SCOPE else expr.details
            )
            continue
        line = expr.primitive
        if expr.flops is not None:
            line += " " + count_text(expr.flops, "flops")
        if expr.details:
            line += f" {expr.details}"
        yield "  " * (depth + 1) + line + "\n"


def css() -> str:
    """The stylesheet of :func:`as_html_page`."""
    return """
ol.hk-tree, ol.hk-tree ol { list-style-type: none; padding-left: 0; margin-left: 1.4em; }
ol.hk-tree li { border-left: 1px solid #999; padding-left: 0.4em; }
ol.hk-tree li:last-child { border-left: none; }
.hk-module { font-weight: bold; cursor: pointer; }
.hk-module::before { content: "\\25B8 "; }
.hk-open > .hk-module::before { content: "\\25BE "; }
.hk-minor { color: #888; }
.hk-flops, .hk-size { color: #2457C5; margin-left: 0.6em; font-size: 90%; }
.hk-details { color: #555; margin-left: 0.6em; font-family: monospace; }
.hk-info { display: none; }
.hk-module:hover + .hk-info { display: inline; color: #555; margin-left: 0.6em; }
"""


def js() -> str:
    """The script of :func:`as_html_page` (click a module to expand or collapse it)."""
    return """
function hkToggle(el) {
  var item = el.parentElement;
  var list = item.querySelector(':scope > ol');
  if (!list) { return; }
  var open = list.style.display !== 'none';
  list.style.display = open ? 'none' : 'block';
  item.classList.toggle('hk-open', !open);
}
"""


def as_html(module: Module, min_flop: int = 1000, outvars: str = "", last: bool = False) -> str:
    """``module`` as a nested HTML list; expressions below ``min_flop`` flops are greyed.

    ``outvars`` (the variables the module defines) is shown next to its name; ``last``
    marks the last item of its parent list.

    >>> from haiku.experimental import jaxpr_info
    >>> html = jaxpr_info.as_html(jaxpr_info.Module("net"))
    >>> html.startswith("<li") and "net" in html
    True
    """
    info = "; ".join(f"{k}: {v}" for k, v in {**module.param_info, **module.state_info}.items())
    head = f'<span class="hk-module" onclick="hkToggle(this)">{html.escape(module.name)}</span>'
    if info:
        head += f'<span class="hk-info">{html.escape(info)}</span>'
    if outvars:
        head = f"{html.escape(outvars)} = {head}"
    if module.flops is not None:
        head += f'<span class="hk-flops">{count_text(module.flops, "flops")}</span>'
    if module.total_param_size:
        head += f'<span class="hk-size">{count_text(module.total_param_size, "params")}</span>'
    if module.total_state_size:
        head += f'<span class="hk-size">{count_text(module.total_state_size, "state")}</span>'
    items = []
    for i, expr in enumerate(module.expressions):
        is_last = i == len(module.expressions) - 1
        if expr.submodule is not None:
            items.append(as_html(expr.submodule, min_flop, expr.outvars, is_last))
            continue
        minor = expr.flops is not None and expr.flops < min_flop
        text = f"{html.escape(expr.outvars)} = <b>{html.escape(expr.primitive)}</b>"
        if expr.flops is not None:
            text += f'<span class="hk-flops">{count_text(expr.flops, "flops")}</span>'
        text += f'<span class="hk-details">{html.escape(expr.details)}</span>'
        items.append(f'<li class="{"hk-minor" if minor else "hk-op"}">{text}</li>')
    body = f'<ol style="display:none">{"".join(items)}</ol>' if items else ""
    cls = "hk-node hk-last" if last else "hk-node"
    return f'<li class="{cls}">{head}{body}</li>'


def as_html_page(module: Module, min_flop: int = 1000) -> str:
    """A standalone HTML page showing ``module`` (see :func:`as_html`).

    >>> from haiku.experimental import jaxpr_info
    >>> page = jaxpr_info.as_html_page(jaxpr_info.Module("net"))
    >>> page.startswith("<!DOCTYPE html>")
    True
    """
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(module.name)}</title><style>{css()}</style>"
        f'<script>{js()}</script></head><body><ol class="hk-tree">'
        f"{as_html(module, min_flop, last=True)}</ol></body></html>\n"
    )


__all__ = [
    "Expression",
    "Module",
    "as_html",
    "as_html_page",
    "css",
    "format_module",
    "js",
    "make_model_info",
]
