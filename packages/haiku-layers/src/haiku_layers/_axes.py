"""Axis and scale/offset argument helpers shared by the normalisation layers (private)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jax.numpy as jnp

from haiku.initializers import Initializer
from haiku_layers._errors import IndexValueError, ZeroDivisionValueError

AxisSpec = int | Iterable[int] | slice


def to_axes_or_slice(axis: Any, layer: str, arg: str = "axis") -> tuple[int, ...] | slice:
    """Normalises an ``axis`` argument to a tuple of ints or a slice.

    >>> to_axes_or_slice(-1, "LayerNorm")
    (-1,)
    >>> to_axes_or_slice([1, 2], "LayerNorm")
    (1, 2)
    >>> to_axes_or_slice(slice(1, None), "LayerNorm")
    slice(1, None, None)
    """
    if isinstance(axis, slice):
        return axis
    if isinstance(axis, int) and not isinstance(axis, bool):
        return (axis,)
    if isinstance(axis, Iterable) and not isinstance(axis, (str, bytes)):
        axes = tuple(axis)
        if all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            return axes
    raise ValueError(
        f"{layer}: `{arg}` should be an int, slice or iterable of ints. Got: "
        f"{axis!r}. For example `{arg}=-1` (last axis) or `{arg}=slice(1, None)` "
        "(every axis but the first)."
    )


def to_abs_axes(axes: tuple[int, ...] | slice, ndim: int, layer: str) -> tuple[int, ...]:
    """Returns the sorted, non-negative axes that ``axes`` names for a rank.

    >>> to_abs_axes((-1, 0), 3, "LayerNorm")
    (0, 2)
    >>> to_abs_axes(slice(1, None), 3, "LayerNorm")
    (1, 2)
    """
    if isinstance(axes, slice):
        return tuple(range(ndim)[axes])
    if ndim == 0 and axes:
        raise ZeroDivisionValueError(
            f"{layer}: cannot normalise a scalar over axis {axes}. Give the input at "
            "least one axis, e.g. x[None]."
        )
    return in_range_axes(axes, ndim, layer)


def in_range_axes(axes: Iterable[int], ndim: int, layer: str) -> tuple[int, ...]:
    """The sorted, non-negative form of ``axes``; raises on an axis outside the rank.

    >>> in_range_axes((-1, 0, 2), 3, "BatchNorm")
    (0, 2)
    """
    out = set()
    for a in axes:
        if not -ndim <= a < ndim:
            raise IndexValueError(
                f"{layer}: axis {a} is out of range for an input of rank {ndim}. "
                f"Use axes in [{-ndim}, {ndim - 1}]."
            )
        out.add(a % ndim)
    return tuple(sorted(out))


def check_init_args(
    layer: str,
    create_scale: bool,
    scale_init: Any,
    create_offset: bool | None = None,
    offset_init: Any = None,
) -> None:
    """Raises if an initializer is given for a parameter that is not created."""
    if not create_scale and scale_init is not None:
        raise ValueError(
            f"{layer}: Cannot set `scale_init` if `create_scale=False`. Pass "
            "`create_scale=True` or drop `scale_init`."
        )
    if create_offset is not None and not create_offset and offset_init is not None:
        raise ValueError(
            f"{layer}: Cannot set `offset_init` if `create_offset=False`. Pass "
            "`create_offset=True` or drop `offset_init`."
        )


class ScaleOffsetAttributes:
    """Declares the attributes :func:`set_scale_offset` stores, for type checkers.

    A base of the normalisation layers that call it; annotations without values
    create no class attributes, so instances read what the constructor stored.
    """

    eps: float
    create_scale: bool
    create_offset: bool
    scale_init: Initializer
    offset_init: Initializer


def set_scale_offset(
    module: ScaleOffsetAttributes,
    layer: str,
    eps: float,
    create_scale: bool,
    scale_init: Initializer | None,
    create_offset: bool,
    offset_init: Initializer | None,
) -> None:
    """Checks and stores the ``eps``/scale/offset arguments of a normalisation layer.

    ``scale_init`` defaults to ones and ``offset_init`` to zeros.
    """
    check_init_args(layer, create_scale, scale_init, create_offset, offset_init)
    module.eps = eps
    module.create_scale = create_scale
    module.create_offset = create_offset
    module.scale_init = scale_init or jnp.ones
    module.offset_init = offset_init or jnp.zeros


def check_call_args(
    layer: str,
    create_scale: bool,
    scale: Any,
    create_offset: bool | None = None,
    offset: Any = None,
) -> None:
    """Raises if a call-time ``scale``/``offset`` clashes with a created one."""
    if create_scale and scale is not None:
        raise ValueError(
            f"{layer}: Cannot pass `scale` at call time if `create_scale=True`. "
            "Construct the layer with `create_scale=False` to pass your own scale."
        )
    if create_offset and offset is not None:
        raise ValueError(
            f"{layer}: Cannot pass `offset` at call time if `create_offset=True`. "
            "Construct the layer with `create_offset=False` to pass your own offset."
        )
