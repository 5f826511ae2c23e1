"""Small argument helpers shared by the layer modules (private)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence


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
      f"spatial dimension), got {value!r}.")

