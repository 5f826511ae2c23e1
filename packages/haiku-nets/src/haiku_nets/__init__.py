"""Reference networks for ``haiku``, available as ``hk.nets``.

``haiku`` exposes this whole package as ``hk.nets`` through the ``haiku.plugins``
entry point ``nets = "haiku_nets"``. The dm-haiku 0.0.17 networks (:class:`MLP`,
:class:`MobileNetV1`, the ResNets, the VQ-VAE quantizers) keep their parameter
layout and numerics; :class:`Transformer` and :class:`TransformerBlock` are additions.

>>> import haiku as hk, haiku_nets
>>> hk.nets.MLP is haiku_nets.MLP
True
"""

from __future__ import annotations

from haiku_nets.__about__ import __version__ as __version__
from haiku_nets.mlp import MLP as MLP
from haiku_nets.mobilenet import MobileNetV1 as MobileNetV1
from haiku_nets.resnet import ResNet as ResNet
from haiku_nets.resnet import ResNet18 as ResNet18
from haiku_nets.resnet import ResNet34 as ResNet34
from haiku_nets.resnet import ResNet50 as ResNet50
from haiku_nets.resnet import ResNet101 as ResNet101
from haiku_nets.resnet import ResNet152 as ResNet152
from haiku_nets.resnet import ResNet200 as ResNet200
from haiku_nets.transformer import Transformer as Transformer
from haiku_nets.transformer import TransformerBlock as TransformerBlock
from haiku_nets.vqvae import VectorQuantizer as VectorQuantizer
from haiku_nets.vqvae import VectorQuantizerEMA as VectorQuantizerEMA

__all__ = [
    "MLP",
    "MobileNetV1",
    "ResNet",
    "ResNet18",
    "ResNet34",
    "ResNet50",
    "ResNet101",
    "ResNet152",
    "ResNet200",
    "Transformer",
    "TransformerBlock",
    "VectorQuantizer",
    "VectorQuantizerEMA",
]
