"""Mapping a ``data_format`` string to the index of its channel axis."""

from __future__ import annotations

import re

# NC then spatial axes; N, spatial axes, then C; batch and time (either order), ..., depth (D).
_CHANNELS_FIRST = re.compile(r"NC[^C]*$")
_CHANNELS_LAST = re.compile(r"N[^C]*C$")
_SEQUENCE = re.compile(r"(BT|TB)[^D]*D$")


def get_channel_index(data_format: str) -> int:
    """Returns the channel axis (``1`` or ``-1``) for a data format string.

    ``"channels_first"`` and formats starting with ``NC`` (``NCHW``, ``NCW`` ...)
    put channels on axis 1. ``"channels_last"`` and formats of the form ``N...C``
    or sequence formats such as ``BTHWD`` / ``TBD`` put channels last.

    Args:
      data_format: e.g. ``"NHWC"``, ``"NCDHW"``, ``"channels_last"``.

    Returns:
      ``1`` for channels-first formats, ``-1`` for channels-last formats.

    Raises:
      ValueError: if the string names neither layout.

    >>> import haiku as hk
    >>> hk.get_channel_index("NHWC"), hk.get_channel_index("NCHW")
    (-1, 1)
    >>> hk.get_channel_index("channels_first"), hk.get_channel_index("TBD")
    (1, -1)
    """
    if data_format == "channels_first":
        return 1
    if data_format == "channels_last":
        return -1
    if _CHANNELS_FIRST.match(data_format):
        return 1
    if _CHANNELS_LAST.match(data_format) or _SEQUENCE.match(data_format):
        return -1
    raise ValueError(
        f"Cannot find the channel axis of data_format={data_format!r}. Use "
        "'channels_last', 'channels_first', an upper-case spatial format such as "
        "'NHWC' or 'NCHW', or a sequence format such as 'BTHWD'."
    )
