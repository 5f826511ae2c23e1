"""``python -m haiku summary module:function --input-shape 8,784``: a model's table.

The target is ``package.module:attr`` or ``path/to/file.py:attr``; ``attr`` may be dotted
and names a function using haiku modules or a ``Transformed``/``TransformedWithState``.
The model runs abstractly (no FLOPs, no parameter memory), so large models are fine.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import math
import os
import sys
from collections.abc import Sequence
from typing import Any

_COLUMNS = ("module", "owned_params", "input", "output", "params_size", "params_bytes")


def parse_shape(text: str) -> tuple[int, ...]:
    """``'8,784'`` -> ``(8, 784)``; ``''`` or ``'scalar'`` -> ``()``.

    >>> parse_shape("8,784"), parse_shape("8x28x28"), parse_shape("scalar")
    ((8, 784), (8, 28, 28), ())
    """
    text = text.strip()
    if text in ("", "scalar", "()"):
        return ()
    try:
        dims = tuple(int(d) for d in text.replace("x", ",").split(",") if d.strip())
    except ValueError:
        raise ValueError(
            f"--input-shape {text!r} is not a shape: write comma-separated "
            "integers, e.g. --input-shape 8,784"
        ) from None
    if any(d < 0 for d in dims):
        raise ValueError(f"--input-shape {text!r} has a negative dimension.")
    return dims


def load_target(spec: str) -> Any:
    """Imports ``module:attr`` (or ``file.py:attr``) and returns the attribute."""
    module_name, sep, attr = spec.rpartition(":")
    if not sep or not module_name or not attr:
        raise ValueError(
            f"{spec!r} is not a model: write module:function, e.g. "
            "my_project.models:forward or models.py:forward"
        )
    if module_name.endswith(".py") or os.sep in module_name:
        path = os.path.abspath(module_name)
        if not os.path.exists(path):
            raise ValueError(f"No such file: {module_name}")
        name = os.path.splitext(os.path.basename(path))[0]
        module_spec = importlib.util.spec_from_file_location(name, path)
        if module_spec is None or module_spec.loader is None:
            raise ValueError(f"Cannot import {module_name}: not a Python module.")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        module_spec.loader.exec_module(module)
    else:
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        module = importlib.import_module(module_name)
    obj = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise ValueError(f"{module_name} has no attribute {attr!r}.")
        obj = getattr(obj, part)
    return obj


def _plain_table(headers: list[str], rows: list[list[str]]) -> str:
    """A simple aligned table, used when the `tabulate` package is not installed."""
    split = [[cell.split("\n") for cell in row] for row in rows]
    widths = [
        max([len(h)] + [len(line) for r in split for line in r[i]]) for i, h in enumerate(headers)
    ]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths)),
        "  ".join("-" * w for w in widths),
    ]
    for row in split:
        for k in range(max(len(c) for c in row)):
            lines.append(
                "  ".join(
                    (c[k] if k < len(c) else "").ljust(w) for c, w in zip(row, widths)
                ).rstrip()
            )
    return "\n".join(lines)


def summarise(
    target: Any, shapes: Sequence[tuple[int, ...]], dtype: str, tablefmt: str = "simple"
) -> str:
    """The summary text of ``target`` called on arrays of ``shapes`` and ``dtype``.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   return x @ hk.get_parameter("w", [x.shape[-1], 2], init=jnp.ones)
    >>> print(summarise(f, [(8, 3)], "float32").splitlines()[-1])
    Total: 6 parameters (24.00 B) in 1 arrays; 0 state values (0.00 B)
    """
    import jax
    import numpy as np

    from haiku import Transformed, TransformedWithState, transform_with_state
    from haiku_tools import summarise as summ

    inputs = [jax.ShapeDtypeStruct(shape, np.dtype(dtype)) for shape in shapes]
    invocations = summ.eval_summary(target)(*inputs)
    transformed = (
        target
        if isinstance(target, (Transformed, TransformedWithState))
        else transform_with_state(target)
    )
    out = jax.eval_shape(transformed.init, jax.random.PRNGKey(0), *inputs)
    params, state = out if isinstance(transformed, TransformedWithState) else (out, {})
    headers = [summ._COLUMNS[c][0] for c in _COLUMNS]
    rows = [[summ._COLUMNS[c][1](inv) for c in _COLUMNS] for inv in invocations]
    try:
        import tabulate
    except ImportError:
        table = _plain_table(headers, rows)
    else:
        table = tabulate.tabulate(
            rows,
            headers=headers,
            tablefmt=tablefmt,
            colalign=[summ._COLUMNS[c][2] for c in _COLUMNS],
        )
    if not rows:
        table = "(no module method calls)"
    p_leaves, s_leaves = jax.tree.leaves(params), jax.tree.leaves(state)

    def count(leaves):
        return sum(math.prod(x.shape) for x in leaves)

    def nbytes(leaves):
        return sum(math.prod(x.shape) * np.dtype(x.dtype).itemsize for x in leaves)

    total = (
        f"Total: {count(p_leaves):,} parameters ({summ.format_bytes(nbytes(p_leaves))}) "
        f"in {len(p_leaves)} arrays; {count(s_leaves):,} state values "
        f"({summ.format_bytes(nbytes(s_leaves))})"
    )
    return f"{table}\n{total}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``summary`` subcommand's arguments."""
    parser.add_argument("target", help="module:function (or file.py:function) to summarise")
    parser.add_argument(
        "--input-shape",
        action="append",
        required=True,
        metavar="SHAPE",
        help="shape of one positional input, e.g. 8,784 (repeat per input)",
    )
    parser.add_argument("--dtype", default="float32", help="dtype of the inputs (float32)")
    parser.add_argument(
        "--format",
        default="simple",
        help="table format of the `tabulate` package (simple, grid, github...)",
    )


def cmd_summary(args: argparse.Namespace) -> int:
    """Prints the summary table; returns 2 on bad arguments."""
    try:
        shapes = [parse_shape(s) for s in args.input_shape]
        target = load_target(args.target)
    except ValueError as e:
        print(f"python -m haiku summary: {e}", file=sys.stderr)
        return 2
    if not callable(target) and not hasattr(target, "init"):
        print(
            f"python -m haiku summary: {args.target} is not a function or a transformed function.",
            file=sys.stderr,
        )
        return 2
    print(summarise(target, shapes, args.dtype, args.format))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds ``summary`` to ``python -m haiku`` (the ``haiku.cli`` entry point ``summary``).

    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> parser.parse_args(["summary", "m:f", "--input-shape", "2,3"]).input_shape
    ['2,3']
    """
    parser = subparsers.add_parser("summary", help="table of a model's modules, shapes and params")
    add_arguments(parser)
    parser.set_defaults(func=cmd_summary)
