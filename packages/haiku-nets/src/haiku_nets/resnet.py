"""Residual networks (He et al. 2015, v1; He et al. 2016, v2 "pre-activation")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp

import haiku as hk
from haiku_nets import stacking
from haiku_nets._activations import relu

Stride = int | Sequence[int]
_NUM_GROUPS = 4
# Name of the layer_stack holding blocks 1..n-1 of a group with use_layer_stack=True.
STACK_NAME = "stacked_blocks"


def _conv(channels: int, kernel: int, stride: Stride, name: str) -> hk.Conv2D:
    return hk.Conv2D(
        channels, kernel_shape=kernel, stride=stride, with_bias=False, padding="SAME", name=name
    )


class BlockV1(hk.Module):
    """Post-activation residual block: ``relu(shortcut + bn(conv(... relu(bn(conv(x))))))``.

    Available as ``hk.nets.ResNet.BlockV1``. A basic block has two 3x3 convs
    (``conv_0`` strided); a bottleneck block has 1x1, 3x3 (strided) and 1x1 convs with
    ``channels // 4`` inner channels, and its last ``batchnorm_2`` starts with a zero
    scale so the block begins as the identity. With ``use_projection`` the shortcut is
    ``shortcut_batchnorm(shortcut_conv(x))`` (a strided 1x1 conv).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> BN = {"decay_rate": 0.9, "create_scale": True, "create_offset": True}
    >>> def f(x):
    ...     block = hk.nets.ResNet.BlockV1(8, stride=2, use_projection=True,
    ...                                    bn_config=BN, bottleneck=False)
    ...     return block(x, is_training=True, test_local_stats=False)
    >>> f = hk.transform_with_state(f)
    >>> params, state = f.init(jax.random.PRNGKey(0), jnp.ones([1, 8, 8, 4]))
    >>> list(params)
    ['block_v1/~/shortcut_conv', 'block_v1/~/shortcut_batchnorm', 'block_v1/~/conv_0', \
'block_v1/~/batchnorm_0', 'block_v1/~/conv_1', 'block_v1/~/batchnorm_1']
    >>> f.apply(params, state, None, jnp.ones([1, 8, 8, 4]))[0].shape
    (1, 4, 4, 8)
    """

    def __init__(
        self,
        channels: int,
        stride: Stride,
        use_projection: bool,
        bn_config: Mapping[str, Any],
        bottleneck: bool,
        name: str | None = None,
    ):
        """Builds the block.

        Args:
            channels: output channels.
            stride: stride of the block (applied by the strided conv and the projection).
            use_projection: whether the shortcut is a 1x1 conv + batch norm.
            bn_config: keyword arguments for every :class:`hk.BatchNorm`.
            bottleneck: bottleneck (1x1, 3x3, 1x1) instead of basic (3x3, 3x3) block.
            name: module name.
        """
        super().__init__(name=name)
        self.use_projection = use_projection
        if use_projection:
            self.proj_conv = _conv(channels, 1, stride, "shortcut_conv")
            self.proj_batchnorm = hk.BatchNorm(name="shortcut_batchnorm", **bn_config)
        inner = channels // 4 if bottleneck else channels
        layers = [
            (
                _conv(inner, 1 if bottleneck else 3, 1 if bottleneck else stride, "conv_0"),
                hk.BatchNorm(name="batchnorm_0", **bn_config),
            ),
            (
                _conv(inner, 3, stride if bottleneck else 1, "conv_1"),
                hk.BatchNorm(name="batchnorm_1", **bn_config),
            ),
        ]
        if bottleneck:
            layers.append(
                (
                    _conv(channels, 1, 1, "conv_2"),
                    hk.BatchNorm(name="batchnorm_2", scale_init=jnp.zeros, **bn_config),
                )
            )
        self.layers = tuple(layers)

    def __call__(self, inputs: jax.Array, is_training: bool, test_local_stats: bool) -> jax.Array:
        """Applies the block to NHWC ``inputs``."""
        shortcut = inputs
        if self.use_projection:
            shortcut = self.proj_batchnorm(self.proj_conv(inputs), is_training, test_local_stats)
        out = inputs
        last = len(self.layers) - 1
        for i, (conv, bn) in enumerate(self.layers):
            out = bn(conv(out), is_training, test_local_stats)
            if i < last:
                out = relu(out)
        return relu(out + shortcut)


class BlockV2(hk.Module):
    """Pre-activation residual block: ``x + conv(relu(bn(... conv(relu(bn(x))))))``.

    Available as ``hk.nets.ResNet.BlockV2``. Same convs as :class:`BlockV1`, but each
    conv is preceded by batch norm and relu, there is no activation after the sum,
    and the projection shortcut (``shortcut_conv`` only, no batch norm) is applied to
    the first pre-activated input.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> BN = {"decay_rate": 0.9, "create_scale": True, "create_offset": True}
    >>> def f(x):
    ...     block = hk.nets.ResNet.BlockV2(8, stride=1, use_projection=True,
    ...                                    bn_config=BN, bottleneck=True)
    ...     return block(x, is_training=True, test_local_stats=False)
    >>> f = hk.transform_with_state(f)
    >>> params, state = f.init(jax.random.PRNGKey(0), jnp.ones([1, 4, 4, 4]))
    >>> [name.split("/")[-1] for name in params]
    ['batchnorm_0', 'shortcut_conv', 'conv_0', 'batchnorm_1', 'conv_1', 'batchnorm_2', 'conv_2']
    """

    def __init__(
        self,
        channels: int,
        stride: Stride,
        use_projection: bool,
        bn_config: Mapping[str, Any],
        bottleneck: bool,
        name: str | None = None,
    ):
        """Builds the block; arguments as for :class:`BlockV1`."""
        super().__init__(name=name)
        self.use_projection = use_projection
        if use_projection:
            self.proj_conv = _conv(channels, 1, stride, "shortcut_conv")
        inner = channels // 4 if bottleneck else channels
        layers = [
            (
                _conv(inner, 1 if bottleneck else 3, 1 if bottleneck else stride, "conv_0"),
                hk.BatchNorm(name="batchnorm_0", **bn_config),
            ),
            (
                _conv(inner, 3, stride if bottleneck else 1, "conv_1"),
                hk.BatchNorm(name="batchnorm_1", **bn_config),
            ),
        ]
        if bottleneck:
            layers.append(
                (_conv(channels, 1, 1, "conv_2"), hk.BatchNorm(name="batchnorm_2", **bn_config))
            )
        self.layers = tuple(layers)

    def __call__(self, inputs: jax.Array, is_training: bool, test_local_stats: bool) -> jax.Array:
        """Applies the block to NHWC ``inputs``."""
        out = shortcut = inputs
        for i, (conv, bn) in enumerate(self.layers):
            out = relu(bn(out, is_training, test_local_stats))
            if i == 0 and self.use_projection:
                shortcut = self.proj_conv(out)
            out = conv(out)
        return out + shortcut


class BlockGroup(hk.Module):
    """``num_blocks`` residual blocks named ``block_<i>``; only the first one strides.

    Available as ``hk.nets.ResNet.BlockGroup``; ``use_projection`` applies to the
    first block only.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> BN = {"decay_rate": 0.9, "create_scale": True, "create_offset": True}
    >>> def f(x):
    ...     group = hk.nets.ResNet.BlockGroup(
    ...         8, num_blocks=2, stride=2, bn_config=BN, resnet_v2=False,
    ...         bottleneck=False, use_projection=True)
    ...     return group(x, is_training=True, test_local_stats=False)
    >>> f = hk.transform_with_state(f)
    >>> params, state = f.init(jax.random.PRNGKey(0), jnp.ones([1, 8, 8, 4]))
    >>> f.apply(params, state, None, jnp.ones([1, 8, 8, 4]))[0].shape
    (1, 4, 4, 8)
    >>> sorted({name.split("/~/")[1] for name in params})
    ['block_0', 'block_1']
    """

    def __init__(
        self,
        channels: int,
        num_blocks: int,
        stride: Stride,
        bn_config: Mapping[str, Any],
        resnet_v2: bool,
        bottleneck: bool,
        use_projection: bool,
        name: str | None = None,
        *,
        use_layer_stack: bool = False,
    ):
        """Builds the blocks.

        Args:
            channels: output channels of every block.
            num_blocks: number of blocks.
            stride: stride of the first block.
            bn_config: keyword arguments for every :class:`hk.BatchNorm`.
            resnet_v2: use :class:`BlockV2` instead of :class:`BlockV1`.
            bottleneck: use bottleneck blocks.
            use_projection: whether the first block has a projection shortcut.
            name: module name.
            use_layer_stack: run blocks ``1..num_blocks-1`` as one ``hk.layer_stack``
                named ``stacked_blocks`` (see :class:`ResNet`); ``blocks`` then holds
                only ``block_0``.
        """
        super().__init__(name=name)
        self.num_blocks = num_blocks
        self.use_layer_stack = use_layer_stack
        self._block_cls = BlockV2 if resnet_v2 else BlockV1
        self._block_args: dict[str, Any] = {"bn_config": bn_config, "bottleneck": bottleneck}
        self.channels = channels
        built = 1 if use_layer_stack else num_blocks
        self.blocks = tuple(
            self._block_cls(
                channels,
                stride=stride if i == 0 else 1,
                use_projection=use_projection and i == 0,
                name=f"block_{i}",
                **self._block_args,
            )
            for i in range(built)
        )

    def __call__(self, inputs: jax.Array, is_training: bool, test_local_stats: bool) -> jax.Array:
        """Applies the blocks in order."""
        out = inputs
        for block in self.blocks:
            out = block(out, is_training, test_local_stats)
        if self.use_layer_stack and self.num_blocks > 1:

            def one_block(x: jax.Array) -> jax.Array:
                block = self._block_cls(
                    self.channels, stride=1, use_projection=False, name="block", **self._block_args
                )
                return block(x, is_training, test_local_stats)

            out = hk.layer_stack(self.num_blocks - 1, name=STACK_NAME)(one_block)(out)
        return out


def _check_length(value: Sequence[Any], arg: str) -> None:
    if len(value) != _NUM_GROUPS:
        raise ValueError(
            f"ResNet: `{arg}` must have length {_NUM_GROUPS} (one entry per block group), "
            f"got {len(value)}: {value!r}."
        )


class ResNet(hk.Module):
    """A residual network for NHWC images, v1 or v2, basic or bottleneck blocks.

    Layout: ``initial_conv`` (7x7/2, 64 channels, no bias), ``initial_batchnorm``
    and relu (v1 only), 3x3/2 SAME max pool, four :class:`BlockGroup` s
    (``block_group_<i>``), ``final_batchnorm`` and relu (v2 only), spatial mean and a
    ``logits`` :class:`hk.Linear` whose ``w`` starts at zero. All submodules are built
    in the constructor, so names look like ``res_net/~/block_group_0/~/block_0/~/conv_0``.
    Batch norms default to ``decay_rate=0.9, eps=1e-5`` with scale and offset;
    ``bn_config``, ``logits_config`` and ``initial_conv_config`` override single keys.

    With ``use_layer_stack=True`` (opt-in) blocks ``1..n-1`` of each group run as one
    ``hk.layer_stack`` under ``block_group_<g>/stacked_blocks/block/~/...`` with a leading
    axis of size ``n - 1`` (params and BatchNorm state alike), so trace and compile time
    stop growing with the group's depth. ``block_0`` of each group stays unrolled: it is
    the only block with a stride and a projection shortcut, so its shapes differ from the
    others'. A group of one block has nothing to stack. :meth:`stack_params` and
    :meth:`unstack_params` convert params and state between the layouts; a stacked net
    initialised from scratch draws different random values than an unrolled one.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x, is_training):
    ...     net = hk.nets.ResNet([1, 1, 1, 1], num_classes=10, bottleneck=False,
    ...                          channels_per_group=(8, 8, 16, 16),
    ...                          initial_conv_config={"output_channels": 8})
    ...     return net(x, is_training)
    >>> f = hk.transform_with_state(f)
    >>> x = jnp.ones([2, 32, 32, 3])
    >>> params, state = f.init(jax.random.PRNGKey(0), x, is_training=True)
    >>> logits, state = f.apply(params, state, None, x, is_training=True)
    >>> logits.shape
    (2, 10)
    >>> list(params)[:3]
    ['res_net/~/initial_conv', 'res_net/~/initial_batchnorm', \
'res_net/~/block_group_0/~/block_0/~/shortcut_conv']
    """

    BlockV1 = BlockV1
    BlockV2 = BlockV2
    BlockGroup = BlockGroup

    CONFIGS: dict[int, dict[str, Any]] = {
        18: {
            "blocks_per_group": (2, 2, 2, 2),
            "bottleneck": False,
            "channels_per_group": (64, 128, 256, 512),
            "use_projection": (False, True, True, True),
        },
        34: {
            "blocks_per_group": (3, 4, 6, 3),
            "bottleneck": False,
            "channels_per_group": (64, 128, 256, 512),
            "use_projection": (False, True, True, True),
        },
        50: {
            "blocks_per_group": (3, 4, 6, 3),
            "bottleneck": True,
            "channels_per_group": (256, 512, 1024, 2048),
            "use_projection": (True, True, True, True),
        },
        101: {
            "blocks_per_group": (3, 4, 23, 3),
            "bottleneck": True,
            "channels_per_group": (256, 512, 1024, 2048),
            "use_projection": (True, True, True, True),
        },
        152: {
            "blocks_per_group": (3, 8, 36, 3),
            "bottleneck": True,
            "channels_per_group": (256, 512, 1024, 2048),
            "use_projection": (True, True, True, True),
        },
        200: {
            "blocks_per_group": (3, 24, 36, 3),
            "bottleneck": True,
            "channels_per_group": (256, 512, 1024, 2048),
            "use_projection": (True, True, True, True),
        },
    }

    def __init__(
        self,
        blocks_per_group: Sequence[int],
        num_classes: int,
        bn_config: Mapping[str, Any] | None = None,
        resnet_v2: bool = False,
        bottleneck: bool = True,
        channels_per_group: Sequence[int] = (256, 512, 1024, 2048),
        use_projection: Sequence[bool] = (True, True, True, True),
        logits_config: Mapping[str, Any] | None = None,
        name: str | None = None,
        initial_conv_config: Mapping[str, Any] | None = None,
        strides: Sequence[int] = (1, 2, 2, 2),
        *,
        use_layer_stack: bool = False,
    ):
        """Builds the network.

        Args:
            blocks_per_group: number of blocks in each of the 4 groups.
            num_classes: size of the logits.
            bn_config: overrides for the :class:`hk.BatchNorm` arguments (defaults
                ``decay_rate=0.9, eps=1e-5, create_scale=True, create_offset=True``).
            resnet_v2: use pre-activation (v2) blocks.
            bottleneck: use bottleneck blocks.
            channels_per_group: output channels of each group.
            use_projection: whether each group's first block has a projection shortcut.
            logits_config: overrides for the ``logits`` :class:`hk.Linear` (defaults
                ``w_init=zeros, name="logits"``).
            name: module name.
            initial_conv_config: overrides for the initial :class:`hk.Conv2D` (defaults
                ``output_channels=64, kernel_shape=7, stride=2, with_bias=False,
                padding="SAME", name="initial_conv"``).
            strides: stride of each group.
            use_layer_stack: build blocks ``1..n-1`` of each group with
                ``hk.layer_stack`` (stacked parameters, faster compile for deep nets).
        """
        super().__init__(name=name)
        self.resnet_v2 = resnet_v2
        bn_config = {
            "decay_rate": 0.9,
            "eps": 1e-5,
            "create_scale": True,
            "create_offset": True,
            **(bn_config or {}),
        }
        logits_config = {"w_init": jnp.zeros, "name": "logits", **(logits_config or {})}
        initial_conv_config = {
            "output_channels": 64,
            "kernel_shape": 7,
            "stride": 2,
            "with_bias": False,
            "padding": "SAME",
            "name": "initial_conv",
            **(initial_conv_config or {}),
        }
        for value, arg in (
            (blocks_per_group, "blocks_per_group"),
            (channels_per_group, "channels_per_group"),
            (use_projection, "use_projection"),
            (strides, "strides"),
        ):
            _check_length(value, arg)

        self.initial_conv = hk.Conv2D(**initial_conv_config)
        if not resnet_v2:
            self.initial_batchnorm = hk.BatchNorm(name="initial_batchnorm", **bn_config)
        self.block_groups = tuple(
            BlockGroup(
                channels_per_group[i],
                num_blocks=blocks_per_group[i],
                stride=strides[i],
                bn_config=bn_config,
                resnet_v2=resnet_v2,
                bottleneck=bottleneck,
                use_projection=use_projection[i],
                name=f"block_group_{i}",
                use_layer_stack=use_layer_stack,
            )
            for i in range(_NUM_GROUPS)
        )
        if resnet_v2:
            self.final_batchnorm = hk.BatchNorm(name="final_batchnorm", **bn_config)
        self.logits = hk.Linear(num_classes, **logits_config)

    @staticmethod
    def stack_params(tree: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """Converts unrolled (dm-haiku layout) params or state to ``use_layer_stack=True``.

        In each group, ``block_group_<g>/~/block_<i>/~/<m>`` for ``i >= 1`` becomes
        ``block_group_<g>/stacked_blocks/block/~/<m>`` with block ``i`` at index ``i - 1``
        of a new leading axis; ``block_0`` and everything else is kept. Works on params
        and on state (the BatchNorm moving averages), for a ResNet anywhere in the model.

        Raises:
            ValueError: if the tree holds no ResNet, is already stacked, has a gap in the
                block numbers, or its blocks differ in modules, shapes or dtypes.

        >>> import haiku as hk, jax, jax.numpy as jnp
        >>> def net(x, use_layer_stack):
        ...     return hk.nets.ResNet([1, 3, 1, 1], 10, bottleneck=False,
        ...                           channels_per_group=(4, 4, 4, 4),
        ...                           initial_conv_config={"output_channels": 4},
        ...                           use_layer_stack=use_layer_stack)(x, is_training=True)
        >>> unrolled = hk.transform_with_state(lambda x: net(x, False))
        >>> scanned = hk.transform_with_state(lambda x: net(x, True))
        >>> x = jnp.ones([1, 16, 16, 3])
        >>> params, state = unrolled.init(jax.random.PRNGKey(0), x)
        >>> stacked = hk.nets.ResNet.stack_params(params)
        >>> stacked["res_net/~/block_group_1/stacked_blocks/block/~/conv_0"]["w"].shape
        (2, 3, 3, 4, 4)
        >>> out, _ = scanned.apply(stacked, hk.nets.ResNet.stack_params(state), None, x)
        >>> bool(jnp.allclose(out, unrolled.apply(params, state, None, x)[0], atol=1e-6))
        True
        """
        return stacking.stack(tree, stacking.RESNET)

    @staticmethod
    def unstack_params(tree: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """Converts ``use_layer_stack=True`` params or state back to the unrolled layout.

        The inverse of :meth:`stack_params` (exact: slices of the stacked arrays).

        Raises:
            ValueError: if the tree holds no ResNet, is already unrolled, or the stacked
                arrays of one group disagree on the number of blocks.

        >>> import haiku as hk, jax.numpy as jnp
        >>> stacked = {"res_net/~/block_group_0/stacked_blocks/block/~/conv_0":
        ...            {"w": jnp.zeros([2, 3, 3, 4, 4])}}
        >>> list(hk.nets.ResNet.unstack_params(stacked))
        ['res_net/~/block_group_0/~/block_1/~/conv_0', 'res_net/~/block_group_0/~/block_2/~/conv_0']
        """
        return stacking.unstack(tree, stacking.RESNET)

    def __call__(
        self, inputs: jax.Array, is_training: bool, test_local_stats: bool = False
    ) -> jax.Array:
        """Computes logits ``[batch, num_classes]`` for NHWC ``inputs``.

        Args:
            inputs: images of shape ``[batch, height, width, channels]``.
            is_training: use batch statistics and update the moving averages.
            test_local_stats: in evaluation, use batch statistics instead of the averages.
        """
        out = self.initial_conv(inputs)
        if not self.resnet_v2:
            out = relu(self.initial_batchnorm(out, is_training, test_local_stats))
        out = hk.max_pool(out, window_shape=(1, 3, 3, 1), strides=(1, 2, 2, 1), padding="SAME")
        for group in self.block_groups:
            out = group(out, is_training, test_local_stats)
        if self.resnet_v2:
            out = relu(self.final_batchnorm(out, is_training, test_local_stats))
        return self.logits(jnp.mean(out, axis=(1, 2)))


class _ResNetPreset(ResNet):
    """Shared constructor of the fixed-depth ResNets; ``DEPTH`` selects the config."""

    DEPTH = 0

    def __init__(
        self,
        num_classes: int,
        bn_config: Mapping[str, Any] | None = None,
        resnet_v2: bool = False,
        logits_config: Mapping[str, Any] | None = None,
        name: str | None = None,
        initial_conv_config: Mapping[str, Any] | None = None,
        strides: Sequence[int] = (1, 2, 2, 2),
        *,
        use_layer_stack: bool = False,
    ):
        """Builds the network; see :class:`ResNet` for the arguments."""
        super().__init__(
            num_classes=num_classes,
            bn_config=bn_config,
            resnet_v2=resnet_v2,
            logits_config=logits_config,
            name=name,
            initial_conv_config=initial_conv_config,
            strides=strides,
            use_layer_stack=use_layer_stack,
            **ResNet.CONFIGS[self.DEPTH],
        )


class ResNet18(_ResNetPreset):
    """:class:`ResNet` with basic blocks, [2, 2, 2, 2] per group.

    Channels per group: [64, 128, 256, 512]; default module name ``res_net18``.

    >>> import haiku as hk
    >>> f = hk.transform(lambda: [len(g.blocks) for g in hk.nets.ResNet18(10).block_groups])
    >>> f.apply(f.init(None), None)
    [2, 2, 2, 2]
    """

    DEPTH = 18


class ResNet34(_ResNetPreset):
    """:class:`ResNet` with basic blocks, [3, 4, 6, 3] per group.

    Channels per group: [64, 128, 256, 512]; default module name ``res_net34``.

    >>> import haiku as hk
    >>> f = hk.transform(lambda: [len(g.blocks) for g in hk.nets.ResNet34(10).block_groups])
    >>> f.apply(f.init(None), None)
    [3, 4, 6, 3]
    """

    DEPTH = 34


class ResNet50(_ResNetPreset):
    """:class:`ResNet` with bottleneck blocks, [3, 4, 6, 3] per group.

    Channels per group: [256, 512, 1024, 2048]; default module name ``res_net50``.

    >>> import haiku as hk
    >>> f = hk.transform(lambda: [len(g.blocks) for g in hk.nets.ResNet50(10).block_groups])
    >>> f.apply(f.init(None), None)
    [3, 4, 6, 3]
    """

    DEPTH = 50


class ResNet101(_ResNetPreset):
    """:class:`ResNet` with bottleneck blocks, [3, 4, 23, 3] per group.

    Channels per group: [256, 512, 1024, 2048]; default module name ``res_net101``.

    >>> import haiku as hk
    >>> f = hk.transform(lambda: [len(g.blocks) for g in hk.nets.ResNet101(10).block_groups])
    >>> f.apply(f.init(None), None)
    [3, 4, 23, 3]
    """

    DEPTH = 101


class ResNet152(_ResNetPreset):
    """:class:`ResNet` with bottleneck blocks, [3, 8, 36, 3] per group.

    Channels per group: [256, 512, 1024, 2048]; default module name ``res_net152``.

    >>> import haiku as hk
    >>> f = hk.transform(lambda: [len(g.blocks) for g in hk.nets.ResNet152(10).block_groups])
    >>> f.apply(f.init(None), None)
    [3, 8, 36, 3]
    """

    DEPTH = 152


class ResNet200(_ResNetPreset):
    """:class:`ResNet` with bottleneck blocks, [3, 24, 36, 3] per group.

    Channels per group: [256, 512, 1024, 2048]; default module name ``res_net200``.

    >>> import haiku as hk
    >>> f = hk.transform(lambda: [len(g.blocks) for g in hk.nets.ResNet200(10).block_groups])
    >>> f.apply(f.init(None), None)
    [3, 24, 36, 3]
    """

    DEPTH = 200
