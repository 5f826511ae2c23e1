"""Padding functions for convolutions (``hk.pad``).

A :data:`PadFn` maps an *effective* kernel size ``(kernel - 1) * rate + 1`` to
a ``(low, high)`` pair of paddings for one spatial dimension.

>>> import haiku as hk
>>> hk.pad.same(3), hk.pad.causal(3), hk.pad.full(3)
((1, 1), (2, 0), (2, 2))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeGuard, cast

from haiku_layers._utils import replicate

__all__ = (
    "PadFn",
    "causal",
    "create",
    "create_from_padfn",
    "create_from_tuple",
    "full",
    "is_padfn",
    "reverse_causal",
    "same",
    "valid",
)

# A padding function: effective kernel size -> (low, high) padding.
PadFn = Callable[[int], tuple[int, int]]


def valid(effective_kernel_size: int) -> tuple[int, int]:
    """No padding.

    >>> import haiku as hk
    >>> hk.pad.valid(5)
    (0, 0)
    """
    del effective_kernel_size
    return (0, 0)


def same(effective_kernel_size: int) -> tuple[int, int]:
    """Pads so that a stride-1 convolution keeps the input size.

    Any odd padding unit goes at the end.

    >>> import haiku as hk
    >>> hk.pad.same(4)
    (1, 2)
    """
    return ((effective_kernel_size - 1) // 2, effective_kernel_size // 2)


def full(effective_kernel_size: int) -> tuple[int, int]:
    """Pads so that every partial overlap of kernel and input is computed.

    >>> import haiku as hk
    >>> hk.pad.full(4)
    (3, 3)
    """
    return (effective_kernel_size - 1, effective_kernel_size - 1)


def causal(effective_kernel_size: int) -> tuple[int, int]:
    """Pads at the start only, so output ``t`` sees inputs up to ``t``.

    >>> import haiku as hk
    >>> hk.pad.causal(4)
    (3, 0)
    """
    return (effective_kernel_size - 1, 0)


def reverse_causal(effective_kernel_size: int) -> tuple[int, int]:
    """Pads at the end only, so output ``t`` sees inputs from ``t`` on.

    >>> import haiku as hk
    >>> hk.pad.reverse_causal(4)
    (0, 3)
    """
    return (0, effective_kernel_size - 1)


def create_from_padfn(
    padding: PadFn | Sequence[PadFn],
    kernel: int | Sequence[int],
    rate: int | Sequence[int],
    n: int,
) -> Sequence[tuple[int, int]]:
    """Applies padding functions to each of ``n`` spatial dimensions.

    Args:
      padding: one :data:`PadFn` for every dimension, or a sequence of 1 or ``n``.
      kernel: kernel size, an int or a sequence of 1 or ``n`` ints.
      rate: kernel dilation, an int or a sequence of 1 or ``n`` ints.
      n: number of spatial dimensions.

    Returns:
      A tuple of ``n`` ``(low, high)`` pairs.

    >>> import haiku as hk
    >>> hk.pad.create_from_padfn(hk.pad.same, kernel=3, rate=2, n=2)
    ((2, 2), (2, 2))
    >>> hk.pad.create_from_padfn([hk.pad.same, hk.pad.causal], [3, 4], 1, 2)
    ((1, 1), (3, 0))
    """
    if callable(padding):
        fns = (padding,) * n
    elif is_padfn(padding) and not callable(padding) and len(padding) in (1, n):
        fns = tuple(padding) * n if len(padding) == 1 else tuple(padding)
    else:
        counts = "1" if n == 1 else f"1 or {n}"
        raise TypeError(
            f"hk.pad.create: padding={padding!r} is not a padding function for {n} spatial "
            f"dimension(s). Pass one of {_PAD_FNS}, or a sequence of {counts} of them. "
            "(Conv layers also take the strings 'SAME' and 'VALID' directly.)"
        )
    kernel = replicate(kernel, n, "kernel")
    rate = replicate(rate, n, "rate")
    return tuple(fn((k - 1) * r + 1) for fn, k, r in zip(fns, kernel, rate))


_PAD_FNS = "hk.pad.same, hk.pad.valid, hk.pad.full, hk.pad.causal, hk.pad.reverse_causal"

# Older spelling kept for compatibility.
create = create_from_padfn


def _is_pair(x: Any) -> bool:
    return (
        isinstance(x, Sequence)
        and not isinstance(x, str)
        and len(x) == 2
        and all(isinstance(v, int) for v in x)
    )


def create_from_tuple(
    padding: tuple[int, int] | Sequence[tuple[int, int]],
    n: int,
) -> Sequence[tuple[int, int]]:
    """Expands explicit ``(low, high)`` padding to ``n`` spatial dimensions.

    Args:
      padding: one ``(low, high)`` pair for every dimension, or a sequence of 1
        or ``n`` pairs.
      n: number of spatial dimensions.

    Returns:
      A tuple of ``n`` ``(low, high)`` pairs.

    Raises:
      TypeError: for any other value.

    >>> import haiku as hk
    >>> hk.pad.create_from_tuple((1, 2), 2)
    ((1, 2), (1, 2))
    >>> hk.pad.create_from_tuple([(0, 1), (2, 3)], 2)
    ((0, 1), (2, 3))
    """
    # The pairs are copied to tuples as given (not re-validated, as in dm-haiku).
    if _is_pair(padding):
        return (cast(tuple[int, int], tuple(padding)),) * n
    if isinstance(padding, Sequence) and not isinstance(padding, str):
        pairs = cast(Sequence[tuple[int, int]], padding)
        if len(pairs) == 1:
            return (cast(tuple[int, int], tuple(pairs[0])),) * n
        if len(pairs) == n:
            return tuple(cast(tuple[int, int], tuple(p)) for p in pairs)
    raise TypeError(
        f"padding={padding!r} is not valid for {n} spatial dimension(s): pass a "
        f"(low, high) pair, or a sequence of 1 or {n} such pairs."
    )


def is_padfn(padding: PadFn | Sequence[PadFn] | Any) -> TypeGuard[PadFn | Sequence[PadFn]]:
    """True if ``padding`` is a :data:`PadFn` or a non-empty sequence of them.

    >>> import haiku as hk
    >>> hk.pad.is_padfn(hk.pad.same), hk.pad.is_padfn([hk.pad.same])
    (True, True)
    >>> hk.pad.is_padfn("SAME"), hk.pad.is_padfn([(1, 1)])
    (False, False)
    """
    if callable(padding):
        return True
    return (
        isinstance(padding, Sequence)
        and not isinstance(padding, str)
        and len(padding) > 0
        and all(callable(p) for p in padding)
    )
