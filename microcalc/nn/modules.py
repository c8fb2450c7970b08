"""Neurons, layers and multi-layer perceptrons made of Values, as in micrograd.

With their default arguments these classes are micrograd's: the same constructor
arguments, the same `random.uniform(-1, 1)` draws in the same order (neuron by neuron,
weights first, then a zero bias), ReLU hidden layers, a linear last layer, the same repr,
and a one-neuron layer returns its Value bare. A program written for micrograd runs with
only its imports changed and prints the same numbers.

Beyond micrograd: a choice of activation (relu, tanh, sigmoid, linear) and of
initialisation (micrograd's uniform, xavier, he) drawn from a seeded `random.Random`;
`squeeze=False` makes a layer or network always return a list; hidden layers of width 1
work (micrograd's bare Value broke the next layer); named parameters, for saving; and every
parameter carries its place in the network as its `label` (`l1.n3.w2`: layer 1, neuron 3,
weight 2, counted from 1 as the lecture counts x1, w1), so that pictures of a graph built
from a network name its weights instead of showing bare numbers. A module has at most
MAX_PARAMETERS parameters, checked before any is made (a hundred million Values would take
all memory and minutes before failing).
"""

from __future__ import annotations

import math
import numbers
import random
from operator import methodcaller

from ..engine import Value, rules
from ..engine.collector import pause, resume
from ..errors import MicrocalcError

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Optional, Sequence, Union
    Row = Sequence[Union[Value, float]]

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "INITIALISERS", "MAX_PARAMETERS"]

# The most parameters a neuron, layer or network may have: a million Values take about
# 200 MB, and one forward pass through them makes two million more.
MAX_PARAMETERS = 1_000_000


def _linear(v):
    return v



# Activation name -> (function of a Value, the name micrograd-style reprs use).
ACTIVATIONS = {
    "relu": (methodcaller("relu"), "ReLU"),
    "tanh": (methodcaller("tanh"), "Tanh"),
    "sigmoid": (methodcaller("sigmoid"), "Sigmoid"),
    "linear": (_linear, "Linear"),
}


def _uniform(rng, fan_in, fan_out):
    return rng.uniform(-1, 1)


def _xavier(rng, fan_in, fan_out):
    # Glorot & Bengio (2010): keeps the variance of activations and gradients alike
    # across layers for tanh and sigmoid.
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit)


def _he(rng, fan_in, fan_out):
    # He et al. (2015): ReLU zeroes half its inputs, so twice the variance of xavier.
    return rng.gauss(0.0, math.sqrt(2.0 / fan_in))


# Initialisation name -> function (rng, fan_in, fan_out) -> one weight.
INITIALISERS = {"uniform": _uniform, "xavier": _xavier, "he": _he}


def _choice(kind, name, table):
    if name not in table:
        raise MicrocalcError(f"unknown {kind} {name!r}: choose one of {', '.join(table)}")
    return name


def _whole(what, n):
    """n as a positive int, accepting 2.0 (the language's numbers are floats)."""
    if isinstance(n, bool) or not isinstance(n, (int, float)) or n != int(n) or n < 1:
        raise MicrocalcError(f"{what} must be a positive whole number, not {n!r}")
    return int(n)


def _check_size(parameters, what):
    """Refuse a module of more than MAX_PARAMETERS parameters before any is made."""
    if parameters > MAX_PARAMETERS:
        raise MicrocalcError(f"{what} would have {parameters:,} parameters; a network has at "
                             f"most {MAX_PARAMETERS:,}")


def _refuse_non_numbers(x, owner):
    """A clear error if an input is not a number (a list, a string): found when multiplying
    by a weight failed, so that a call with numbers pays nothing for the check."""
    for i, v in enumerate(x):
        if not isinstance(v, (numbers.Real, Value)):
            raise MicrocalcError(f"{owner} takes {len(x)} numbers as inputs, and input "
                                 f"{i + 1} is not a number") from None


def _inputs(x, count, owner):
    """x as a list of count inputs; a single number is accepted when count is 1."""
    if isinstance(x, (int, float, Value)):
        if count == 1:
            return [x]
        raise MicrocalcError(f"{owner} takes a list of {count} inputs, not one number")
    if not isinstance(x, (list, tuple)):
        try:
            x = list(x)
        except TypeError:
            raise MicrocalcError(f"{owner} takes a list of {count} inputs") from None
    if len(x) != count:
        raise MicrocalcError(f"{owner} takes {count} inputs, got {len(x)}")
    return x


def _prefix_labels(module, prefix):
    """Put the part's place in front of its parameters' labels: w2 in neuron 3 is n3.w2."""
    for p in module.parameters():
        p.label = prefix + p.label


class Module:
    """Anything with parameters: a neuron, a layer, a network."""

    if TYPE_CHECKING:
        def __call__(self, x: Any) -> Any: ...

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        return []

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(name, Value) pairs in parameters() order, e.g. ("layer0.neuron3.w1", Value)."""
        return []


class Neuron(Module):
    """activation(w . x + b): micrograd's neuron, with a choice of activation and init.

    nonlin=True is ReLU and nonlin=False linear, as in micrograd; activation= overrides it.
    rng is where the weights are drawn from: the global `random` module by default, as in
    micrograd (so `random.seed(1337)` reproduces its demo), or a seeded `random.Random`.
    """

    def __init__(self, nin: int, nonlin: bool = True, activation: Optional[str] = None,
                 init: str = "uniform", rng: Any = None, fan_out: int = 1) -> None:
        nin = _whole("a neuron's number of inputs", nin)
        _check_size(nin + 1, f"Neuron({nin})")
        if activation is None:
            activation = "relu" if nonlin else "linear"
        self.activation = _choice("activation", activation, ACTIVATIONS)
        self.init = _choice("initialisation", init, INITIALISERS)
        draw = INITIALISERS[init]
        rng = random if rng is None else rng
        self.w = [Value(draw(rng, nin, fan_out)) for _ in range(nin)]
        self.b = Value(0)
        for i, w in enumerate(self.w, 1):
            w.label = f"w{i}"
        self.b.label = "b"
        self.nonlin = activation != "linear"
        self._activate = ACTIVATIONS[activation][0]

    def __call__(self, x: Row) -> Value:
        pause()
        try:
            return self._forward(x)
        finally:
            resume()

    def _forward(self, x: Row) -> Value:
        if x.__class__ is not list or len(x) != len(self.w):
            x = _inputs(x, len(self.w), repr(self))
        # b + w0*x0 + w1*x1 + ...: micrograd's sum(), in its order, so sums match it exactly.
        try:
            act = rules.weighted_sum(self.b, self.w, x)
        except TypeError:
            _refuse_non_numbers(x, repr(self))
            raise
        return self._activate(act)

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"w{i}", w) for i, w in enumerate(self.w)] + [("b", self.b)]

    def describe(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"

    def __repr__(self):
        return f"{ACTIVATIONS[self.activation][1]}Neuron({len(self.w)})"


class Layer(Module):
    """nout neurons reading the same inputs.

    squeeze=True (micrograd's behaviour) returns a bare Value when nout is 1;
    squeeze=False always returns a list. Other keywords go to every Neuron.
    """

    def __init__(self, nin: int, nout: int, squeeze: bool = True, **kwargs: Any) -> None:
        nout = _whole("a layer's number of outputs", nout)
        if isinstance(nin, (int, float)) and not isinstance(nin, bool) and nin == int(nin):
            _check_size((int(nin) + 1) * nout, f"Layer({int(nin)}, {nout})")
        kwargs.setdefault("fan_out", nout)
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]
        self.squeeze = squeeze
        for i, neuron in enumerate(self.neurons, 1):
            _prefix_labels(neuron, f"n{i}.")

    def __call__(self, x: Row) -> Any:
        pause()
        try:
            return self._forward(x)
        finally:
            resume()

    def _forward(self, x: Row) -> Any:
        out = [n._forward(x) for n in self.neurons]
        return out[0] if self.squeeze and len(out) == 1 else out

    @property
    def nin(self) -> int:
        return len(self.neurons[0].w)

    @property
    def nout(self) -> int:
        return len(self.neurons)

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"neuron{i}.{name}", p) for i, n in enumerate(self.neurons)
                for name, p in n.named_parameters()]

    def describe(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.neurons[0].activation!r})"

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers chained: MLP(2, [16, 16, 1]) is 2 inputs, two hidden layers of 16, 1 output.

    activation is the hidden layers' (relu by default, as micrograd), output the last
    layer's (linear by default). init is "uniform" (micrograd's), "xavier" or "he". seed
    draws the weights from random.Random(seed) instead of the global random module.
    squeeze=True returns a bare Value when the last layer has one output, as micrograd;
    hidden layers always hand lists on, so a hidden layer of width 1 works.
    """

    def __init__(self, nin: int, nouts: list[int], activation: str = "relu",
                 output: str = "linear", init: str = "uniform", seed: Optional[int] = None,
                 rng: Any = None, squeeze: bool = True) -> None:
        nin = _whole("a network's number of inputs", nin)
        if not isinstance(nouts, (list, tuple)) or not nouts:
            raise MicrocalcError("a network needs a list of layer sizes, e.g. [16, 16, 1]")
        nouts = [_whole("a layer size", n) for n in nouts]
        _choice("activation", activation, ACTIVATIONS)
        _choice("activation", output, ACTIVATIONS)
        if seed is not None:
            if rng is not None:
                raise MicrocalcError("give a network either seed= or rng=, not both")
            rng = random.Random(seed)
        sizes = [nin] + nouts
        _check_size(sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts))),
                    f"MLP({nin}, {nouts})")
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1],
                             squeeze=squeeze and i == last,
                             activation=output if i == last else activation,
                             init=init, rng=rng)
                       for i in range(len(nouts))]
        for i, layer in enumerate(self.layers, 1):
            _prefix_labels(layer, f"l{i}.")
        self.activation = activation
        self.output = output
        self.init = init

    def __call__(self, x: Row) -> Any:
        if x.__class__ is not list or len(x) != self.nin:
            x = _inputs(x, self.nin, self.describe())
        # The collector paused, without allocating first: see engine/collector.py.
        pause()
        out = x
        try:
            for layer in self.layers:
                out = layer._forward(out)
        except (TypeError, MicrocalcError):
            _refuse_non_numbers(x, self.describe())     # named as the network, not a neuron
            raise
        finally:
            resume()
        return out

    @property
    def nin(self) -> int:
        return self.layers[0].nin

    @property
    def nout(self) -> int:
        return self.layers[-1].nout

    @property
    def sizes(self) -> list[int]:
        return [layer.nout for layer in self.layers]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"layer{i}.{name}", p) for i, layer in enumerate(self.layers)
                for name, p in layer.named_parameters()]

    def describe(self) -> str:
        """The constructor call that makes a network of this shape: MLP(2, [16, 16, 1])."""
        options = "".join(f", {key}={value!r}" for key, value, default in (
            ("activation", self.activation, "relu"), ("output", self.output, "linear"))
            if value != default)
        return f"MLP({self.nin}, {self.sizes}{options})"

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
