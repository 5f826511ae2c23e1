"""Convolutional LSTM cores (Shi et al., 2015)."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp

from haiku_layers.conv import ConvND
from haiku_layers.recurrent import LSTMState, RNNCore, _lstm_update, add_batch, lstm_state_error


class ConvNDLSTM(RNNCore):
    """An LSTM whose input and recurrent projections are convolutions.

    Two ``ConvND`` layers with ``4 * output_channels`` outputs and ``SAME``
    padding, named ``input_to_hidden`` and ``hidden_to_hidden``, produce the
    gates (order input, cell, forget, output; forget bias 1). Inputs and
    states are channels-last; the state is an :class:`LSTMState` of shape
    ``[B, *input_shape, output_channels]``.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> from haiku_layers.conv_lstm import ConvNDLSTM
    >>> def f(x):
    ...   core = ConvNDLSTM(1, input_shape=(6,), output_channels=2, kernel_shape=3)
    ...   return core(x, core.initial_state(1))
    >>> params = hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones((1, 6, 3)))
    >>> {n: v.shape for n, v in params["conv_ndlstm/input_to_hidden"].items()}
    {'w': (3, 3, 8), 'b': (8,)}
    """

    def __init__(
        self,
        num_spatial_dims: int,
        input_shape: Sequence[int],
        output_channels: int,
        kernel_shape: int | Sequence[int],
        name: str | None = None,
    ):
        """Creates the core.

        Args:
          num_spatial_dims: number of spatial dimensions (1, 2 or 3).
          input_shape: spatial shape of the inputs (without batch or channels).
          output_channels: channels of the hidden and cell states.
          kernel_shape: convolution kernel size (int or one per spatial dim).
          name: module name.
        """
        super().__init__(name=name)
        input_shape = tuple(input_shape)
        if len(input_shape) != num_spatial_dims:
            raise ValueError(
                f"{type(self).__name__}: `input_shape` must have {num_spatial_dims} "
                f"spatial entries (no batch or channel axis), got {input_shape}."
            )
        self.num_spatial_dims = num_spatial_dims
        self.input_shape = input_shape
        self.output_channels = output_channels
        self.kernel_shape = kernel_shape

    def __call__(self, inputs: jax.Array, state: LSTMState) -> tuple[jax.Array, LSTMState]:
        """Runs one step on channels-last inputs ``[B, *input_shape, C_in]``."""
        try:
            hidden, cell = state.hidden, state.cell
        except AttributeError:
            raise lstm_state_error(self.module_name, type(self).__name__, state) from None

        def conv(name):
            return ConvND(
                self.num_spatial_dims, 4 * self.output_channels, self.kernel_shape, name=name
            )

        input_to_hidden = conv("input_to_hidden")
        hidden_to_hidden = conv("hidden_to_hidden")
        gates = input_to_hidden(inputs) + hidden_to_hidden(hidden)
        return _lstm_update(gates, cell)

    def initial_state(self, batch_size: int | None) -> LSTMState:
        """Zeros of shape ``[batch_size, *input_shape, output_channels]``."""
        zeros = jnp.zeros(self.input_shape + (self.output_channels,))
        return add_batch(LSTMState(hidden=zeros, cell=zeros), batch_size)


class Conv1DLSTM(ConvNDLSTM):
    """1D convolutional LSTM (inputs ``[B, W, C]``).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x):
    ...   core = hk.Conv1DLSTM(input_shape=(6,), output_channels=2, kernel_shape=3)
    ...   return core(x, core.initial_state(1))
    >>> params = hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones((1, 6, 3)))
    >>> list(params)
    ['conv1_dlstm/input_to_hidden', 'conv1_dlstm/hidden_to_hidden']
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        output_channels: int,
        kernel_shape: int | Sequence[int],
        name: str | None = None,
    ):
        """Creates the core; see :class:`ConvNDLSTM` for the arguments."""
        super().__init__(1, input_shape, output_channels, kernel_shape, name=name)


class Conv2DLSTM(ConvNDLSTM):
    """2D convolutional LSTM (inputs ``[B, H, W, C]``).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x):
    ...   core = hk.Conv2DLSTM(input_shape=(4, 4), output_channels=2, kernel_shape=3)
    ...   return core(x, core.initial_state(1))
    >>> params = hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones((1, 4, 4, 3)))
    >>> {n: v.shape for n, v in params["conv2_dlstm/hidden_to_hidden"].items()}
    {'w': (3, 3, 2, 8), 'b': (8,)}
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        output_channels: int,
        kernel_shape: int | Sequence[int],
        name: str | None = None,
    ):
        """Creates the core; see :class:`ConvNDLSTM` for the arguments."""
        super().__init__(2, input_shape, output_channels, kernel_shape, name=name)


class Conv3DLSTM(ConvNDLSTM):
    """3D convolutional LSTM (inputs ``[B, D, H, W, C]``).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x):
    ...   core = hk.Conv3DLSTM(input_shape=(2, 2, 2), output_channels=1, kernel_shape=1)
    ...   return core(x, core.initial_state(1))
    >>> f = hk.transform(f)
    >>> x = jnp.ones((1, 2, 2, 2, 3))
    >>> out, state = f.apply(f.init(jax.random.PRNGKey(0), x), None, x)
    >>> out.shape
    (1, 2, 2, 2, 1)
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        output_channels: int,
        kernel_shape: int | Sequence[int],
        name: str | None = None,
    ):
        """Creates the core; see :class:`ConvNDLSTM` for the arguments."""
        super().__init__(3, input_shape, output_channels, kernel_shape, name=name)
