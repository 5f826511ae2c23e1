"""N-d convolutions and transposed convolutions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import cast

import jax
import jax.numpy as jnp

import haiku as hk
from haiku_layers import pad as pad_lib
from haiku_layers._errors import RuntimeValueError, ValueTypeError
from haiku_layers._staged import add_bias
from haiku_layers._utils import check_size, non_float_input_error, replicate
from haiku_layers.data_format import get_channel_index

_STRING_PADDINGS = ("SAME", "VALID", "SAME_LOWER")

Padding = str | Sequence[tuple[int, int]] | pad_lib.PadFn | Sequence[pad_lib.PadFn]


def to_dimension_numbers(
    num_spatial_dims: int,
    channels_last: bool,
    transpose: bool,
) -> jax.lax.ConvDimensionNumbers:
    """Dimension numbers for an input layout and our kernel layout.

    Kernels are stored ``spatial + (C_in, C_out)`` (or ``spatial + (C_out,
    C_in)`` for transposed convolutions).
    """
    n = num_spatial_dims + 2
    spatial = tuple(range(n - 2))
    image = (0, n - 1) + tuple(range(1, n - 1)) if channels_last else (0, 1) + tuple(range(2, n))
    kernel = (n - 2, n - 1) + spatial if transpose else (n - 1, n - 2) + spatial
    return jax.lax.ConvDimensionNumbers(lhs_spec=image, rhs_spec=kernel, out_spec=image)


def normalize_padding(
    layer: str,
    padding: Padding,
    kernel_shape: tuple[int, ...],
    rate: tuple[int, ...],
    allow_padfn: bool = True,
) -> str | tuple[tuple[int, int], ...]:
    """Turns any accepted ``padding`` into a string or explicit pairs."""
    n = len(kernel_shape)
    if isinstance(padding, str):
        upper = padding.upper()
        if upper not in _STRING_PADDINGS:
            raise RuntimeValueError(
                f"{layer}: padding={padding!r} is not supported. Use 'SAME' or "
                "'VALID', explicit (low, high) pairs, or an hk.pad function such "
                "as hk.pad.causal."
            )
        return upper
    if pad_lib.is_padfn(padding):
        if not allow_padfn:
            raise ValueTypeError(
                f"{layer}: padding functions are not supported here; use 'SAME', "
                "'VALID' or explicit (low, high) pairs."
            )
        return tuple(pad_lib.create_from_padfn(padding, kernel_shape, rate, n))
    # What is left are explicit pairs (create_from_tuple rejects anything else).
    pairs = cast(Sequence[tuple[int, int]], padding)
    return tuple(pad_lib.create_from_tuple(pairs, n))


class ConvAttributes:
    """Declares the attributes :func:`set_conv_args` stores, for type checkers.

    A base of the convolutions that call it; annotations without values create no
    class attributes, so instances read what the constructor stored.
    """

    num_spatial_dims: int
    kernel_shape: tuple[int, ...]
    stride: tuple[int, ...]
    padding: str | tuple[tuple[int, int], ...]
    with_bias: bool
    w_init: hk.initializers.Initializer | None
    b_init: hk.initializers.Initializer
    data_format: str
    channel_index: int
    dimension_numbers: jax.lax.ConvDimensionNumbers


def set_conv_args(
    module: ConvAttributes,
    num_spatial_dims: int,
    kernel_shape: int | Sequence[int],
    stride: int | Sequence[int],
    rate: int | Sequence[int],
    padding: Padding,
    with_bias: bool,
    w_init: hk.initializers.Initializer | None,
    b_init: hk.initializers.Initializer | None,
    data_format: str,
) -> tuple[int, ...]:
    """Checks and stores the arguments a (non-transposed) convolution and a depthwise
    convolution share; returns ``rate`` as one dilation per spatial axis."""
    n = module.num_spatial_dims = num_spatial_dims
    module.kernel_shape = replicate(kernel_shape, n, "kernel_shape")
    module.stride = replicate(stride, n, "strides")
    dilation = replicate(rate, n, "rate")
    module.with_bias = with_bias
    module.w_init = w_init
    module.b_init = b_init or jnp.zeros
    module.data_format = data_format
    module.channel_index = get_channel_index(data_format)
    module.dimension_numbers = to_dimension_numbers(
        n, channels_last=module.channel_index == -1, transpose=False
    )
    module.padding = normalize_padding(
        type(module).__name__, padding, module.kernel_shape, dilation
    )
    return dilation


def _bias_shape(output_channels: int, channel_index: int, n: int) -> tuple[int, ...]:
    if channel_index == -1:
        return (output_channels,)
    return (output_channels,) + (1,) * n


def _check_rank(layer: str, inputs: jax.Array, n: int, allow_unbatched: bool = True) -> None:
    ranks = (n + 1, n + 2) if allow_unbatched else (n + 2,)
    if inputs.ndim not in ranks:
        raise ValueError(
            f"{layer}: expected an input of rank {' or '.join(map(str, ranks))} "
            f"({n} spatial axes plus channels"
            f"{', optionally' if allow_unbatched else ''} plus a batch axis), got "
            f"shape {inputs.shape}."
        )


class ConvND(hk.Module, ConvAttributes):
    """N-d convolution with an optional bias.

    The kernel ``w`` has shape ``kernel_shape + (C_in // feature_group_count,
    C_out)`` and the dtype of the input; by default it is drawn from a truncated
    normal with ``stddev = 1 / sqrt(prod(w.shape[:-1]))``. The bias ``b`` has
    shape ``(C_out,)`` (channels last) or ``(C_out, 1, ..., 1)`` (channels
    first). Inputs without a batch axis are accepted.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.ConvND(2, 4, kernel_shape=3)(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 8, 8, 3]))
    >>> jax.tree.map(jnp.shape, params)
    {'conv_nd': {'b': (4,), 'w': (3, 3, 3, 4)}}
    """

    def __init__(
        self,
        num_spatial_dims: int,
        output_channels: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        rate: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "channels_last",
        mask: jax.Array | None = None,
        feature_group_count: int = 1,
        name: str | None = None,
    ):
        """Constructs a convolution.

        Args:
          num_spatial_dims: number of spatial axes (1 for sequences, 2 for
            images, ...). Must be positive.
          output_channels: number of output channels.
          kernel_shape: kernel size, an int or one per spatial axis.
          stride: step between windows, an int or one per spatial axis.
          rate: kernel dilation, an int or one per spatial axis.
          padding: ``'SAME'``, ``'VALID'``, explicit ``(low, high)`` pairs (one,
            or one per axis), or ``hk.pad`` functions (one, or one per axis).
          with_bias: whether to add a bias.
          w_init: initializer for ``w``.
          b_init: initializer for ``b``; default zeros.
          data_format: channel position, e.g. ``'channels_last'``, ``'NHWC'``,
            ``'NCHW'``.
          mask: optional array of the kernel's shape multiplied into ``w``.
          feature_group_count: number of channel groups (``C_in`` and ``C_out``
            must both be divisible by it).
          name: module name.
        """
        super().__init__(name=name)
        if num_spatial_dims <= 0:
            raise ValueError(
                f"{type(self).__name__}: num_spatial_dims must be > 0, got {num_spatial_dims}."
            )
        check_size(type(self).__name__, "output_channels", output_channels, "16")
        self.output_channels = output_channels
        self.mask = mask
        self.feature_group_count = feature_group_count
        self.lhs_dilation = (1,) * num_spatial_dims
        self.kernel_dilation = set_conv_args(
            self,
            num_spatial_dims,
            kernel_shape,
            stride,
            rate,
            padding,
            with_bias,
            w_init,
            b_init,
            data_format,
        )

    def __call__(
        self,
        inputs: jax.Array,
        *,
        precision: jax.lax.Precision | None = None,
    ) -> jax.Array:
        """Convolves ``inputs`` (rank ``N + 2``, or ``N + 1`` without batch)."""
        n = self.num_spatial_dims
        _check_rank(self.module_name, inputs, n)
        unbatched = inputs.ndim == n + 1
        if unbatched:
            inputs = jnp.expand_dims(inputs, 0)
        in_channels = inputs.shape[self.channel_index]
        groups = self.feature_group_count
        if in_channels % groups:
            raise ValueError(
                f"{self.module_name}: input channels ({in_channels}) must be a "
                f"multiple of feature_group_count ({groups})."
            )
        w_shape = self.kernel_shape + (in_channels // groups, self.output_channels)
        mask = self.mask
        if mask is not None and tuple(mask.shape) != w_shape:
            raise ValueError(
                f"{self.module_name}: mask shape {tuple(mask.shape)} must equal the "
                f"kernel shape {w_shape}."
            )
        w_init = self.w_init
        if w_init is None:
            w_init = hk.initializers.TruncatedNormal(
                stddev=1.0 / math.sqrt(math.prod(w_shape[:-1]))
            )
        try:
            w = hk.get_parameter("w", w_shape, inputs.dtype, init=w_init)
        except (TypeError, ValueError) as e:
            if jnp.issubdtype(inputs.dtype, jnp.inexact):
                raise
            raise non_float_input_error(self.module_name, type(self).__name__, inputs.dtype) from e
        if mask is not None:
            w = w * mask
        out = jax.lax.conv_general_dilated(
            inputs,
            w,
            window_strides=self.stride,
            padding=self.padding,
            lhs_dilation=self.lhs_dilation,
            rhs_dilation=self.kernel_dilation,
            dimension_numbers=self.dimension_numbers,
            feature_group_count=groups,
            precision=precision,
        )
        if self.with_bias:
            b = hk.get_parameter(
                "b",
                _bias_shape(self.output_channels, self.channel_index, n),
                inputs.dtype,
                init=self.b_init,
            )
            out = add_bias(out, b)
        if unbatched:
            out = jnp.squeeze(out, axis=0)
        return out


class Conv1D(ConvND):
    """1-d convolution (``ConvND`` with one spatial axis, ``'NWC'`` layout).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.Conv1D(4, 3, padding=hk.pad.causal)(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([2, 10, 3]))
    >>> f.apply(params, None, jnp.ones([2, 10, 3])).shape
    (2, 10, 4)
    """

    def __init__(
        self,
        output_channels: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        rate: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "NWC",
        mask: jax.Array | None = None,
        feature_group_count: int = 1,
        name: str | None = None,
    ):
        """Constructs a 1-d convolution; see :class:`ConvND` for the arguments."""
        super().__init__(
            1,
            output_channels,
            kernel_shape,
            stride,
            rate,
            padding,
            with_bias,
            w_init,
            b_init,
            data_format,
            mask,
            feature_group_count,
            name,
        )


class Conv2D(ConvND):
    """2-d convolution (``ConvND`` with two spatial axes, ``'NHWC'`` layout).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.Conv2D(4, 3, stride=2)(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 8, 8, 3]))
    >>> jax.tree.map(jnp.shape, params)
    {'conv2_d': {'b': (4,), 'w': (3, 3, 3, 4)}}
    >>> f.apply(params, None, jnp.ones([1, 8, 8, 3])).shape
    (1, 4, 4, 4)
    """

    def __init__(
        self,
        output_channels: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        rate: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "NHWC",
        mask: jax.Array | None = None,
        feature_group_count: int = 1,
        name: str | None = None,
    ):
        """Constructs a 2-d convolution; see :class:`ConvND` for the arguments."""
        super().__init__(
            2,
            output_channels,
            kernel_shape,
            stride,
            rate,
            padding,
            with_bias,
            w_init,
            b_init,
            data_format,
            mask,
            feature_group_count,
            name,
        )


class Conv3D(ConvND):
    """3-d convolution (``ConvND`` with three spatial axes, ``'NDHWC'``).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.Conv3D(2, 3)(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 4, 4, 4, 3]))
    >>> params["conv3_d"]["w"].shape
    (3, 3, 3, 3, 2)
    """

    def __init__(
        self,
        output_channels: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        rate: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "NDHWC",
        mask: jax.Array | None = None,
        feature_group_count: int = 1,
        name: str | None = None,
    ):
        """Constructs a 3-d convolution; see :class:`ConvND` for the arguments."""
        super().__init__(
            3,
            output_channels,
            kernel_shape,
            stride,
            rate,
            padding,
            with_bias,
            w_init,
            b_init,
            data_format,
            mask,
            feature_group_count,
            name,
        )


def compute_adjusted_padding(
    input_size: int,
    output_size: int,
    kernel_size: int,
    stride: int,
    padding: str,
    dilation: int = 1,
) -> tuple[int, int]:
    """Explicit padding that makes a transposed conv produce ``output_size``.

    ``input_size`` must be the size a forward conv with the same ``padding``
    and ``stride`` would produce from ``output_size``.
    """
    k = (kernel_size - 1) * dilation + 1
    if padding == "VALID":
        expected = (output_size - k + stride) // stride
        before = 0
    elif padding == "SAME":
        expected = (output_size + stride - 1) // stride
        before = max(0, (input_size - 1) * stride + k - output_size) // 2
    else:
        raise ValueError(f"output_shape requires padding 'SAME' or 'VALID', got {padding!r}.")
    if input_size != expected:
        raise ValueError(
            f"With this kernel, stride and padding, output_shape {output_size} "
            f"needs an input size of {expected}, but the input has {input_size}."
        )
    # Dilate the input by `stride`, then pad so a VALID conv of kernel `k`
    # yields `output_size` values.
    lo = k - 1 - before
    hi = output_size + k - 1 - ((input_size - 1) * stride + 1) - lo
    return (lo, hi)


class ConvNDTranspose(hk.Module):
    """N-d transposed convolution (the gradient of a strided convolution).

    The kernel ``w`` has shape ``kernel_shape + (C_out, C_in)``; by default it
    is drawn from a truncated normal with ``stddev = 1 / sqrt(prod(kernel_shape)
    * C_in)``. ``output_shape`` picks the exact spatial output size when the
    stride makes it ambiguous (string padding only).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.ConvNDTranspose(2, 4, 3, stride=2)(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 5, 5, 3]))
    >>> params["conv_nd_transpose"]["w"].shape
    (3, 3, 4, 3)
    >>> f.apply(params, None, jnp.ones([1, 5, 5, 3])).shape
    (1, 10, 10, 4)
    """

    def __init__(
        self,
        num_spatial_dims: int,
        output_channels: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        output_shape: int | Sequence[int] | None = None,
        padding: str | Sequence[tuple[int, int]] = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "channels_last",
        mask: jax.Array | None = None,
        name: str | None = None,
    ):
        """Constructs a transposed convolution.

        Args:
          num_spatial_dims: number of spatial axes; must be positive.
          output_channels: number of output channels.
          kernel_shape: kernel size, an int or one per spatial axis.
          stride: input dilation, an int or one per spatial axis.
          output_shape: optional spatial output size (int or one per axis);
            needs padding ``'SAME'`` or ``'VALID'``.
          padding: ``'SAME'``, ``'VALID'`` or explicit ``(low, high)`` pairs.
          with_bias: whether to add a bias.
          w_init: initializer for ``w``.
          b_init: initializer for ``b``; default zeros.
          data_format: channel position, e.g. ``'channels_last'``, ``'NCHW'``.
          mask: optional array of the kernel's shape multiplied into ``w``.
          name: module name.
        """
        super().__init__(name=name)
        layer = type(self).__name__
        if num_spatial_dims <= 0:
            raise ValueError(f"{layer}: num_spatial_dims must be > 0, got {num_spatial_dims}.")
        check_size(layer, "output_channels", output_channels, "16")
        n = self.num_spatial_dims = num_spatial_dims
        self.output_channels = output_channels
        self.kernel_shape = replicate(kernel_shape, n, "kernel_shape")
        self.output_shape: tuple[int, ...] | None = None
        if output_shape is not None:
            self.output_shape = replicate(output_shape, n, "output_shape")
            if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
                raise ValueError(
                    f"{layer}: output_shape needs padding 'SAME' or 'VALID', got {padding!r}."
                )
        self.with_bias = with_bias
        self.stride = replicate(stride, n, "strides")
        self.w_init = w_init
        self.b_init = b_init or jnp.zeros
        self.mask = mask
        self.data_format = data_format
        self.channel_index = get_channel_index(data_format)
        self.dimension_numbers = to_dimension_numbers(
            n, channels_last=self.channel_index == -1, transpose=True
        )
        self.padding = normalize_padding(
            layer, padding, self.kernel_shape, (1,) * n, allow_padfn=False
        )

    def __call__(
        self,
        inputs: jax.Array,
        *,
        precision: jax.lax.Precision | None = None,
    ) -> jax.Array:
        """Applies the transposed convolution (rank ``N + 2`` or ``N + 1``)."""
        n = self.num_spatial_dims
        _check_rank(self.module_name, inputs, n)
        unbatched = inputs.ndim == n + 1
        if unbatched:
            inputs = jnp.expand_dims(inputs, 0)
        in_channels = inputs.shape[self.channel_index]
        w_shape = self.kernel_shape + (self.output_channels, in_channels)
        mask = self.mask
        if mask is not None and tuple(mask.shape) != w_shape:
            raise ValueError(
                f"{self.module_name}: mask shape {tuple(mask.shape)} must equal the "
                f"kernel shape {w_shape}."
            )
        w_init = self.w_init
        if w_init is None:
            w_init = hk.initializers.TruncatedNormal(
                stddev=1.0 / math.sqrt(math.prod(self.kernel_shape) * in_channels)
            )
        try:
            w = hk.get_parameter("w", w_shape, inputs.dtype, init=w_init)
        except (TypeError, ValueError) as e:
            if jnp.issubdtype(inputs.dtype, jnp.inexact):
                raise
            raise non_float_input_error(self.module_name, type(self).__name__, inputs.dtype) from e
        if mask is not None:
            w = w * mask
        padding = self.padding
        # With output_shape, the constructor allows only 'SAME' / 'VALID' padding.
        if self.output_shape is not None and isinstance(padding, str):
            spatial = inputs.shape[2:] if self.channel_index == 1 else inputs.shape[1:-1]
            padding = tuple(
                compute_adjusted_padding(i, o, k, s, padding)
                for i, o, k, s in zip(spatial, self.output_shape, self.kernel_shape, self.stride)
            )
        out = jax.lax.conv_transpose(
            inputs,
            w,
            strides=self.stride,
            padding=padding,
            dimension_numbers=self.dimension_numbers,
            precision=precision,
        )
        if self.with_bias:
            b = hk.get_parameter(
                "b",
                _bias_shape(self.output_channels, self.channel_index, n),
                inputs.dtype,
                init=self.b_init,
            )
            out = add_bias(out, b)
        if unbatched:
            out = jnp.squeeze(out, axis=0)
        return out


class Conv1DTranspose(ConvNDTranspose):
    """1-d transposed convolution (``'NWC'`` layout).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.Conv1DTranspose(2, 3, stride=2)(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 5, 3]))
    >>> f.apply(params, None, jnp.ones([1, 5, 3])).shape
    (1, 10, 2)
    """

    def __init__(
        self,
        output_channels: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        output_shape: int | Sequence[int] | None = None,
        padding: str | Sequence[tuple[int, int]] = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "NWC",
        mask: jax.Array | None = None,
        name: str | None = None,
    ):
        """Constructs it; see :class:`ConvNDTranspose` for the arguments."""
        super().__init__(
            1,
            output_channels,
            kernel_shape,
            stride,
            output_shape,
            padding,
            with_bias,
            w_init,
            b_init,
            data_format,
            mask,
            name,
        )


class Conv2DTranspose(ConvNDTranspose):
    """2-d transposed convolution (``'NHWC'`` layout).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(
    ...     lambda x: hk.Conv2DTranspose(2, 3, stride=2, output_shape=9)(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 5, 5, 3]))
    >>> f.apply(params, None, jnp.ones([1, 5, 5, 3])).shape
    (1, 9, 9, 2)
    """

    def __init__(
        self,
        output_channels: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        output_shape: int | Sequence[int] | None = None,
        padding: str | Sequence[tuple[int, int]] = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "NHWC",
        mask: jax.Array | None = None,
        name: str | None = None,
    ):
        """Constructs it; see :class:`ConvNDTranspose` for the arguments."""
        super().__init__(
            2,
            output_channels,
            kernel_shape,
            stride,
            output_shape,
            padding,
            with_bias,
            w_init,
            b_init,
            data_format,
            mask,
            name,
        )


class Conv3DTranspose(ConvNDTranspose):
    """3-d transposed convolution (``'NDHWC'`` layout).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.Conv3DTranspose(2, 3, stride=2)(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 2, 2, 2, 3]))
    >>> f.apply(params, None, jnp.ones([1, 2, 2, 2, 3])).shape
    (1, 4, 4, 4, 2)
    """

    def __init__(
        self,
        output_channels: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        output_shape: int | Sequence[int] | None = None,
        padding: str | Sequence[tuple[int, int]] = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "NDHWC",
        mask: jax.Array | None = None,
        name: str | None = None,
    ):
        """Constructs it; see :class:`ConvNDTranspose` for the arguments."""
        super().__init__(
            3,
            output_channels,
            kernel_shape,
            stride,
            output_shape,
            padding,
            with_bias,
            w_init,
            b_init,
            data_format,
            mask,
            name,
        )
