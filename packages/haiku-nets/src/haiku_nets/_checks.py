"""Argument checks shared by the nets (private; construction time or failure branch only)."""

from __future__ import annotations

import numbers
from typing import Any


class TypeValueError(TypeError, ValueError):
    """dm-haiku raises a ``TypeError`` here; also a ``ValueError`` as documented before."""


def check_sizes(net: str, arg: str, sizes: tuple[Any, ...], example: str) -> None:
    """Raises unless every entry of ``sizes`` is a positive int.

    >>> check_sizes("hk.nets.MLP", "output_sizes", (8, 0), "[64, 10]")
    Traceback (most recent call last):
    ...
    haiku_nets._checks.TypeValueError: hk.nets.MLP: `output_sizes[1]` must be a positive int, got 0.
    Pass e.g. output_sizes=[64, 10].
    """
    for i, size in enumerate(sizes):
        is_int = isinstance(size, numbers.Integral) and not isinstance(size, bool)
        if not (is_int and int(size) > 0):
            raise TypeValueError(
                f"{net}: `{arg}[{i}]` must be a positive int, got {size!r}. Pass e.g. "
                f"{arg}={example}."
            )
