"""Small argument helpers shared by the layer modules (private)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from haiku_layers._errors import TypeValueError, ValueTypeError


def replicate(value: int | Sequence[int], n: int, name: str) -> tuple[int, ...]:
    """Returns ``value`` as an ``n``-tuple.

    An int, or a sequence of length 1, is repeated ``n`` times; a sequence of
    length ``n`` is returned as a tuple.

    >>> replicate(3, 2, "kernel_shape")
    (3, 3)
    >>> replicate([1, 2], 2, "stride")
    (1, 2)
    """
    if isinstance(value, numbers.Integral):
        return (int(value),) * n
    if isinstance(value, Sequence) and len(value) == 1:
        return (value[0],) * n
    if isinstance(value, Sequence) and len(value) == n:
        return tuple(value)
    raise TypeError(
        f"{name} must be an int or a sequence of length 1 or {n} (one entry per "
        f"spatial dimension), got {value!r}."
    )


def non_float_input_error(module_name: str, layer: str, dtype) -> ValueTypeError:
    """The error for a layer whose default initializer got a non-float input dtype.

    Layers call this only in the failure branch of parameter creation, so the
    normal path pays nothing for the check.

    >>> import numpy as np
    >>> print(non_float_input_error("linear", "Linear", np.dtype("int32")))
    linear: Linear got an input of dtype int32, but its parameters take the dtype of the input and
    their initializers need a floating-point dtype. Cast the input first, e.g.
    hk.Linear(...)(x.astype(jnp.float32)).
    """
    return ValueTypeError(
        f"{module_name}: {layer} got an input of dtype {dtype}, but its parameters take the "
        "dtype of the input and their initializers need a floating-point dtype. Cast the "
        f"input first, e.g. hk.{layer}(...)(x.astype(jnp.float32))."
    )


def check_callables(
    owner: str, layers: Any, example: str = "hk.Linear(8), jax.nn.relu"
) -> tuple[Any, ...]:
    """Returns ``layers`` as a tuple, raising if it is not a sequence of callables.

    >>> check_callables("hk.Sequential", [abs, 3])
    Traceback (most recent call last):
    ...
    TypeError: hk.Sequential: layers[1] is 3 (int), which is not callable. Pass modules or
    functions, e.g. [hk.Linear(8), jax.nn.relu].
    """
    try:
        layers = tuple(layers)
    except TypeError:
        raise TypeError(
            f"{owner} needs a sequence of layers, got {type(layers).__name__}: {layers!r}. "
            "Wrap a single layer in a list, e.g. [layer]."
        ) from None
    for i, layer in enumerate(layers):
        if not callable(layer):
            raise TypeError(
                f"{owner}: layers[{i}] is {layer!r} ({type(layer).__name__}), which is not "
                f"callable. Pass modules or functions, e.g. [{example}]."
            )
    return layers


def check_size(layer: str, arg: str, value: Any, example: str = "8") -> None:
    """Raises unless ``value`` is a positive int (construction-time only).

    dm-haiku fails later with a ``TypeError`` from jax for negative or non-integer
    sizes and silently builds empty arrays for zero, so the error is a ``TypeError``
    (that is also a ``ValueError``).

    >>> check_size("hk.Linear", "output_size", 0)
    Traceback (most recent call last):
    ...
    haiku_layers._errors.TypeValueError: hk.Linear: `output_size` must be a positive int, got 0.
    Pass e.g. output_size=8.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) > 0:
        return
    raise TypeValueError(
        f"{layer}: `{arg}` must be a positive int, got {value!r}. Pass e.g. {arg}={example}."
    )


def check_decay(layer: str, arg: str, value: Any) -> None:
    """Raises if a Python-number decay rate is outside ``[0, 1]``.

    Arrays (possibly traced) are not inspected. dm-haiku accepts such rates and its
    averages then diverge or oscillate, so this is a plain ``ValueError``.

    >>> check_decay("hk.ExponentialMovingAverage", "decay", 1.5)
    Traceback (most recent call last):
    ...
    ValueError: hk.ExponentialMovingAverage: `decay` must be in [0, 1], got 1.5. Values near 1 (e.g.
    decay=0.99) average over more steps.
    """
    if isinstance(value, numbers.Real) and not 0 <= float(value) <= 1:
        raise ValueError(
            f"{layer}: `{arg}` must be in [0, 1], got {value!r}. Values near 1 (e.g. "
            f"{arg}=0.99) average over more steps."
        )
