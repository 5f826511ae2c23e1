"""Depthwise (per-channel) convolutions."""

from __future__ import annotations

import math
from collections.abc import Sequence

import jax

import haiku as hk
from haiku_layers._errors import TypeValueError
from haiku_layers._staged import add_bias
from haiku_layers._utils import check_size, replicate
from haiku_layers.conv import ConvAttributes, Padding, set_conv_args


class _DepthwiseConvND(hk.Module, ConvAttributes):
    """Depthwise convolution over ``num_spatial_dims`` axes.

    Each input channel is convolved with its own ``channel_multiplier`` filters,
    giving ``channel_multiplier * C_in`` output channels (grouped by input
    channel). ``w`` has shape ``kernel_shape + (1, channel_multiplier * C_in)``.
    """

    def __init__(
        self,
        num_spatial_dims: int,
        channel_multiplier: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        rate: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "channels_last",
        name: str | None = None,
    ):
        super().__init__(name=name)
        check_size(type(self).__name__, "channel_multiplier", channel_multiplier, "1")
        self.channel_multiplier = channel_multiplier
        self.rate = set_conv_args(
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

    def __call__(self, inputs: jax.Array) -> jax.Array:
        """Convolves ``inputs`` of rank ``num_spatial_dims + 2``."""
        n = self.num_spatial_dims
        if inputs.ndim != n + 2:
            raise TypeValueError(
                f"{self.module_name}: expected a batched input of rank {n + 2} "
                f"({n} spatial axes, channels and batch), got shape "
                f"{inputs.shape}. Add a batch axis, e.g. x[None]."
            )
        in_channels = inputs.shape[self.channel_index]
        out_channels = self.channel_multiplier * in_channels
        w_shape = self.kernel_shape + (1, out_channels)
        w_init = self.w_init
        if w_init is None:
            w_init = hk.initializers.TruncatedNormal(
                stddev=1.0 / math.sqrt(math.prod(self.kernel_shape))
            )
        w = hk.get_parameter("w", w_shape, inputs.dtype, init=w_init)
        out = jax.lax.conv_general_dilated(
            inputs,
            w,
            window_strides=self.stride,
            padding=self.padding,
            lhs_dilation=(1,) * n,
            rhs_dilation=self.rate,
            dimension_numbers=self.dimension_numbers,
            feature_group_count=in_channels,
        )
        if self.with_bias:
            b_shape = (out_channels,) if self.channel_index == -1 else (out_channels,) + (1,) * n
            b = hk.get_parameter("b", b_shape, inputs.dtype, init=self.b_init)
            out = add_bias(out, b)
        return out


class DepthwiseConv1D(_DepthwiseConvND):
    """1-d depthwise convolution (``'NWC'`` layout).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.DepthwiseConv1D(2, 3)(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 8, 3]))
    >>> jax.tree.map(jnp.shape, params)
    {'depthwise_conv1_d': {'b': (6,), 'w': (3, 1, 6)}}
    """

    def __init__(
        self,
        channel_multiplier: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        rate: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "NWC",
        name: str | None = None,
    ):
        """Constructs it.

        Args:
          channel_multiplier: filters per input channel.
          kernel_shape: kernel size, an int or one per spatial axis.
          stride: an int or one per spatial axis.
          rate: kernel dilation, an int or one per spatial axis.
          padding: ``'SAME'``, ``'VALID'``, ``(low, high)`` pairs or ``hk.pad``
            functions.
          with_bias: whether to add a bias.
          w_init: initializer for ``w``; default truncated normal with
            ``stddev = 1 / sqrt(prod(kernel_shape))``.
          b_init: initializer for ``b``; default zeros.
          data_format: ``'NWC'`` or ``'NCW'``.
          name: module name.
        """
        super().__init__(
            1,
            channel_multiplier,
            kernel_shape,
            stride,
            rate,
            padding,
            with_bias,
            w_init,
            b_init,
            data_format,
            name,
        )


class DepthwiseConv2D(_DepthwiseConvND):
    """2-d depthwise convolution (``'NHWC'`` layout).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.DepthwiseConv2D(2, 3)(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 8, 8, 3]))
    >>> jax.tree.map(jnp.shape, params)
    {'depthwise_conv2_d': {'b': (6,), 'w': (3, 3, 1, 6)}}
    """

    def __init__(
        self,
        channel_multiplier: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        rate: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "NHWC",
        name: str | None = None,
    ):
        """Constructs it; see :class:`DepthwiseConv1D` for the arguments."""
        super().__init__(
            2,
            channel_multiplier,
            kernel_shape,
            stride,
            rate,
            padding,
            with_bias,
            w_init,
            b_init,
            data_format,
            name,
        )


class DepthwiseConv3D(_DepthwiseConvND):
    """3-d depthwise convolution (``'NDHWC'`` layout).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.DepthwiseConv3D(1, 2)(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 4, 4, 4, 3]))
    >>> params["depthwise_conv3_d"]["w"].shape
    (2, 2, 2, 1, 3)
    """

    def __init__(
        self,
        channel_multiplier: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        rate: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "NDHWC",
        name: str | None = None,
    ):
        """Constructs it; see :class:`DepthwiseConv1D` for the arguments."""
        super().__init__(
            3,
            channel_multiplier,
            kernel_shape,
            stride,
            rate,
            padding,
            with_bias,
            w_init,
            b_init,
            data_format,
            name,
        )


class SeparableDepthwiseConv2D(hk.Module):
    """2-d depthwise convolution split into a ``(k0, 1)`` and a ``(1, k1)`` pass.

    The first pass (``~/depthwise_conv2_d``, no bias) applies the channel
    multiplier and the stride; the second (``~/depthwise_conv2_d_1``) has one
    filter per channel and the bias.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.SeparableDepthwiseConv2D(2, (3, 5))(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 8, 8, 3]))
    >>> for name, p in params.items():
    ...   print(name, {k: v.shape for k, v in p.items()})
    separable_depthwise_conv2_d/~/depthwise_conv2_d {'w': (3, 1, 1, 6)}
    separable_depthwise_conv2_d/~/depthwise_conv2_d_1 {'w': (1, 5, 1, 6), 'b': (6,)}
    """

    def __init__(
        self,
        channel_multiplier: int,
        kernel_shape: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        data_format: str = "NHWC",
        name: str | None = None,
    ):
        """Constructs it; see :class:`DepthwiseConv1D` for the arguments."""
        super().__init__(name=name)
        kh, kw = replicate(kernel_shape, 2, "kernel_shape")
        self._conv1 = DepthwiseConv2D(
            channel_multiplier,
            kernel_shape=(kh, 1),
            stride=stride,
            padding=padding,
            with_bias=False,
            w_init=w_init,
            data_format=data_format,
        )
        self._conv2 = DepthwiseConv2D(
            1,
            kernel_shape=(1, kw),
            stride=1,
            padding=padding,
            with_bias=with_bias,
            w_init=w_init,
            b_init=b_init,
            data_format=data_format,
        )

    def __call__(self, inputs: jax.Array) -> jax.Array:
        """Applies both passes to a rank-4 input."""
        return self._conv2(self._conv1(inputs))
