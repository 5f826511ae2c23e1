"""MobileNet v1 (Howard et al. 2017): depthwise-separable convolutions."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp

import haiku as hk
from haiku_nets._activations import relu

_BN_DECAY = 0.999


def _batch_norm() -> hk.BatchNorm:
    return hk.BatchNorm(create_scale=True, create_offset=True, decay_rate=_BN_DECAY)


class MobileNetV1Block(hk.Module):
    """Depthwise 3x3 conv -> [BN] -> relu -> pointwise 1x1 conv -> [BN] -> relu.

    The depthwise conv pads one pixel on each side (so stride 2 halves odd sizes
    rounding up); convs have a bias only when ``use_bn=False``.
    """

    def __init__(self, channels: int, stride: int, use_bn: bool = True, name: str | None = None):
        super().__init__(name=name)
        self.channels = channels
        self.stride = stride
        self.use_bn = use_bn
        self.with_bias = not use_bn

    def __call__(self, inputs: jax.Array, is_training: bool) -> jax.Array:
        depthwise = hk.DepthwiseConv2D(
            channel_multiplier=1,
            kernel_shape=3,
            stride=self.stride,
            padding=((1, 1), (1, 1)),
            with_bias=self.with_bias,
            name="depthwise_conv",
        )
        pointwise = hk.Conv2D(
            self.channels,
            kernel_shape=(1, 1),
            stride=1,
            padding="VALID",
            with_bias=self.with_bias,
            name="pointwise_conv",
        )
        out = depthwise(inputs)
        if self.use_bn:
            out = _batch_norm()(out, is_training)
        out = pointwise(relu(out))
        if self.use_bn:
            out = _batch_norm()(out, is_training)
        return relu(out)


class MobileNetV1(hk.Module):
    """MobileNet v1 classifier for NHWC images.

    Layout: a 3x3/2 VALID ``conv2_d`` with 32 channels, ``batch_norm`` and relu, then
    one ``mobile_net_v1_block[_<i>]`` per entry of ``strides``/``channels``, a spatial
    mean, ``flatten`` and a ``logits`` :class:`hk.Linear`. All submodules are built in
    ``__call__``. Batch norms use ``decay_rate=0.999``; without batch norm
    (``use_bn=False``) every conv has a bias instead.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> net = lambda x: hk.nets.MobileNetV1(strides=(1, 2), channels=(8, 16),
    ...                                     num_classes=5)(x, is_training=True)
    >>> f = hk.transform_with_state(net)
    >>> x = jnp.ones([2, 16, 16, 3])
    >>> params, state = f.init(jax.random.PRNGKey(0), x)
    >>> f.apply(params, state, None, x)[0].shape
    (2, 5)
    >>> list(params)[:4]
    ['mobile_net_v1/conv2_d', 'mobile_net_v1/batch_norm', \
'mobile_net_v1/mobile_net_v1_block/depthwise_conv', \
'mobile_net_v1/mobile_net_v1_block/batch_norm']
    """

    def __init__(
        self,
        strides: Sequence[int] = (1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1),
        channels: Sequence[int] = (
            64,
            128,
            128,
            256,
            256,
            512,
            512,
            512,
            512,
            512,
            512,
            1024,
            1024,
        ),
        num_classes: int = 1000,
        use_bn: bool = True,
        name: str | None = None,
    ):
        """Configures the network.

        Args:
            strides: stride of each block.
            channels: output channels of each block (same length as ``strides``).
            num_classes: size of the logits.
            use_bn: use batch norm after each conv (otherwise convs have biases).
            name: module name (default ``mobile_net_v1``).
        """
        if len(strides) != len(channels):
            raise ValueError(
                f"MobileNetV1: `strides` and `channels` must have the same length (one "
                f"entry per block), got {len(strides)} strides and {len(channels)} channels."
            )
        super().__init__(name=name)
        self.strides = tuple(strides)
        self.channels = tuple(channels)
        self.num_classes = num_classes
        self.use_bn = use_bn
        self.with_bias = not use_bn

    def __call__(self, inputs: jax.Array, is_training: bool) -> jax.Array:
        """Computes logits ``[batch, num_classes]`` for NHWC ``inputs``.

        Args:
            inputs: images of shape ``[batch, height, width, channels]``.
            is_training: use batch statistics and update the moving averages.
        """
        out = hk.Conv2D(
            32, kernel_shape=(3, 3), stride=2, padding="VALID", with_bias=self.with_bias
        )(inputs)
        if self.use_bn:
            out = _batch_norm()(out, is_training)
        out = relu(out)
        for channels, stride in zip(self.channels, self.strides):
            out = MobileNetV1Block(channels, stride, self.use_bn)(out, is_training)
        out = hk.Flatten()(jnp.mean(out, axis=(1, 2)))
        return hk.Linear(self.num_classes, name="logits")(out)
