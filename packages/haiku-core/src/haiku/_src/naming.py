"""Module naming: default names, validation and per-scope uniquification.

The rules reproduce dm-haiku exactly, since checkpoints are keyed by these strings:

* the default name is the class name in snake case (``Conv2D`` -> ``conv2_d``);
* a module created in ``P.__init__`` is ``P/~/name``, in ``P.__call__`` it is ``P/name`` and
  in any other method ``m`` it is ``P/~m/name``;
* names are numbered per calling scope (``linear``, ``linear_1``, ...); an explicit number
  (``name="linear_3"``) is used as is and must be unique in that scope.
"""

from __future__ import annotations

import re

from haiku._src.frame import Scope

_CAMEL_BOUNDARY = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")
_VALID_COMPONENT = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_NUMBER_SUFFIX = re.compile(r"^(.*)_(0|[1-9]\d*)$")
FORCE_PREFIX = "FORCE:"


def camel_to_snake(name: str) -> str:
    """Converts a class name to the default module name (``BatchNorm`` -> ``batch_norm``).

    >>> camel_to_snake("Conv2DTranspose")
    'conv2_d_transpose'
    >>> camel_to_snake("HTTPServer")
    'http_server'
    """
    return _CAMEL_BOUNDARY.sub(r"_\1", name).lower()


def validate_name(name: str, *, forced: bool = False) -> None:
    """Raises ValueError unless every ``/``-separated part of ``name`` is an identifier."""
    for _i, part in enumerate(name.split("/")):
        if forced and part.startswith("~"):
            part = part[1:] or "_"
        if not _VALID_COMPONENT.match(part):
            raise ValueError(
                f"'{name}' is not a valid module name: each part must be a Python identifier "
                "(letters, digits and underscores, not starting with a digit). Pass a name "
                "such as name='encoder' or name='block_1'."
            )


def split_number(name: str) -> tuple[str, int | None]:
    """Splits an explicit numeric suffix: ``linear_3`` -> (``linear``, 3); ``x_007`` is kept."""
    match = _NUMBER_SUFFIX.match(name)
    if match is None:
        return name, None
    return match.group(1), int(match.group(2))


def reserve_module_name(caller: Scope, name: str) -> str:
    """Returns the full, unique module name for a module created from ``caller``."""
    parent = caller.module
    if parent is not None:
        method_name = caller.method_name
        if method_name == "__init__":
            name = f"{parent.module_name}/~/{name}"
        elif method_name == "__call__":
            name = f"{parent.module_name}/{name}"
        else:
            name = f"{parent.module_name}/~{method_name}/{name}"

    counts, used = caller.counts, caller.used
    if counts is None or used is None:  # created together, on first use
        counts = caller.counts = {}
        used = caller.used = set()

    base, number = split_number(name)
    if number is None:
        number = counts.get(base, 0)
        full_name = f"{base}_{number}" if number else base
    else:
        full_name = name
        if full_name in used:
            raise ValueError(
                f"Module name '{full_name}' is not unique: another module in the same scope "
                "already has it. Drop the explicit number to let haiku number modules, or "
                "choose a different name."
            )
    used.add(full_name)
    if counts.get(base, 0) <= number:
        counts[base] = number + 1
    return full_name


def reserve_forced_name(caller: Scope, name: str) -> None:
    """Records a forced (absolute) name in the caller's scope, as dm-haiku does.

    Unlike :func:`reserve_module_name` it allows reuse (forced names share parameters), but
    later automatically numbered modules skip it: after ``force_name("foo")``, a module
    named ``"foo"`` in the same scope becomes ``foo_1``.
    """
    counts, used = caller.counts, caller.used
    if counts is None or used is None:  # created together, on first use
        counts = caller.counts = {}
        used = caller.used = set()
    used.add(name)
    base, number = split_number(name)
    number = 0 if number is None else number
    if counts.get(base, 0) <= number:
        counts[base] = number + 1
