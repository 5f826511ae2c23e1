"""Multi-layer perceptron."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import jax

import haiku as hk
from haiku_nets._activations import activate
from haiku_nets._checks import check_sizes

Activation = Callable[[jax.Array], jax.Array]


class MLP(hk.Module):
    """A stack of :class:`hk.Linear` layers with an activation between them.

    The layers are built in the constructor with the explicit names ``linear_0``,
    ``linear_1``, ..., so their parameters live under ``<name>/~/linear_<i>``.
    The activation follows every layer except the last one (and the last one too
    when ``activate_final=True``).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.nets.MLP([8, 3])(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([2, 5]))
    >>> jax.tree.map(jnp.shape, params)
    {'mlp/~/linear_0': {'b': (8,), 'w': (5, 8)}, 'mlp/~/linear_1': {'b': (3,), 'w': (8, 3)}}
    >>> f.apply(params, None, jnp.ones([2, 5])).shape
    (2, 3)
    """

    def __init__(
        self,
        output_sizes: Iterable[int],
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        with_bias: bool = True,
        activation: Activation = jax.nn.relu,
        activate_final: bool = False,
        name: str | None = None,
    ):
        """Builds the layers.

        Args:
            output_sizes: the output size of each layer, in order.
            w_init: initializer for every layer's ``w`` (default: :class:`hk.Linear`'s).
            b_init: initializer for every layer's ``b``; must be ``None`` when
                ``with_bias=False``.
            with_bias: whether the layers have a bias.
            activation: applied after each activated layer.
            activate_final: whether to also activate the output of the last layer.
            name: module name (default ``mlp``).
        """
        if not with_bias and b_init is not None:
            raise ValueError(
                "MLP: b_init was given but with_bias=False, so there is no bias to "
                "initialise. Drop b_init or set with_bias=True."
            )
        output_sizes = tuple(output_sizes)
        check_sizes("hk.nets.MLP", "output_sizes", output_sizes, "[64, 10]")
        super().__init__(name=name)
        self.with_bias = with_bias
        self.w_init = w_init
        self.b_init = b_init
        self.activation = activation
        self.activate_final = activate_final
        self.layers = tuple(
            hk.Linear(size, with_bias=with_bias, w_init=w_init, b_init=b_init, name=f"linear_{i}")
            for i, size in enumerate(output_sizes)
        )
        # Output size of the last layer (None for an MLP without layers).
        self.output_size: int | None = self.layers[-1].output_size if self.layers else None

    def __call__(
        self,
        inputs: jax.Array,
        dropout_rate: float | None = None,
        rng: jax.Array | None = None,
    ) -> jax.Array:
        """Applies the layers to ``inputs`` of shape ``[..., input_size]``.

        Args:
            inputs: the input array.
            dropout_rate: if set, dropout with this rate is applied to the output of
                every activated layer, before the activation.
            rng: key for dropout; required exactly when ``dropout_rate`` is set.
                Keys are drawn from ``hk.PRNGSequence(rng)``, not from the transform's
                RNG.

        Returns:
            An array of shape ``[..., output_sizes[-1]]``.
        """
        if dropout_rate is not None and rng is None:
            raise ValueError(
                f"{self.module_name}: dropout_rate={dropout_rate} needs an rng key. "
                "Pass rng=<PRNGKey> to the MLP call."
            )
        if rng is not None and dropout_rate is None:
            raise ValueError(
                f"{self.module_name}: an rng key was passed but dropout_rate is None. "
                "Pass dropout_rate=<float> or drop the rng argument."
            )
        keys = hk.PRNGSequence(rng) if rng is not None else None
        last = len(self.layers) - 1
        out = inputs
        for i, layer in enumerate(self.layers):
            out = layer(out)
            if i < last or self.activate_final:
                if keys is not None and dropout_rate is not None:  # both or neither (above)
                    out = hk.dropout(next(keys), dropout_rate, out)
                out = activate(self.activation, out)
        return out

    def reverse(self, activate_final: bool | None = None, name: str | None = None) -> MLP:
        """Returns a new MLP that maps back from this MLP's output to its input size.

        The layer sizes are this MLP's input sizes in reverse order, so this MLP must
        have been called at least once. The new module is named ``<name>_reversed``
        unless ``name`` is given and shares the initializers, bias setting and
        activation (``activate_final`` too, unless overridden).

        >>> import haiku as hk, jax, jax.numpy as jnp
        >>> def autoencoder(x):
        ...     encoder = hk.nets.MLP([4, 2], name="enc")
        ...     code = encoder(x)
        ...     return encoder.reverse()(code)
        >>> f = hk.transform(autoencoder)
        >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([3, 6]))
        >>> f.apply(params, None, jnp.ones([3, 6])).shape
        (3, 6)
        >>> sorted(params)[-1]
        'enc/~reverse/enc_reversed/~/linear_1'
        """
        sizes = tuple(
            size for layer in reversed(self.layers) if (size := layer.input_size) is not None
        )
        if len(sizes) != len(self.layers):
            raise ValueError(
                f"{self.module_name}: cannot reverse an MLP before it has been called "
                "(its input sizes are not known yet). Call it on an input first."
            )
        return MLP(
            output_sizes=sizes,
            w_init=self.w_init,
            b_init=self.b_init,
            with_bias=self.with_bias,
            activation=self.activation,
            activate_final=self.activate_final if activate_final is None else activate_final,
            name=f"{self.name}_reversed" if name is None else name,
        )
