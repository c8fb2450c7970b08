"""Neurons, layers and networks beyond the micrograd drop-in: activations, initialisation,
shapes, names, and gradients checked against finite differences."""

import math
import random
import statistics

import pytest

from microcalc import MicrocalcError, Value, gradcheck
from microcalc.nn import ACTIVATIONS, MLP, Layer, Neuron


@pytest.mark.parametrize("activation, function", [
    ("relu", lambda s: max(s, 0.0)),
    ("tanh", math.tanh),
    ("sigmoid", lambda s: 1 / (1 + math.exp(-s))),
    ("linear", lambda s: s),
])
def test_neuron_computes_activation_of_weighted_sum(activation, function):
    neuron = Neuron(3, activation=activation, rng=random.Random(4))
    neuron.b.data = 0.25
    x = [0.5, -1.5, 2.0]
    weighted = 0.25 + sum(w.data * xi for w, xi in zip(neuron.w, x))
    assert neuron(x).data == pytest.approx(function(weighted), rel=1e-15, abs=1e-15)


def test_activation_names_and_nonlin_flag():
    assert set(ACTIVATIONS) == {"relu", "tanh", "sigmoid", "linear"}
    assert repr(Neuron(2, activation="tanh")) == "TanhNeuron(2)"
    assert repr(Neuron(2, activation="sigmoid")) == "SigmoidNeuron(2)"
    assert Neuron(2, nonlin=False).activation == "linear"
    assert Neuron(2, activation="tanh").nonlin is True


def test_mlp_layers_activations():
    net = MLP(3, [4, 4, 1], activation="tanh", seed=0)
    assert [n.activation for layer in net.layers for n in layer.neurons[:1]] == \
        ["tanh", "tanh", "linear"]
    net = MLP(3, [4, 2], activation="tanh", output="sigmoid", seed=0)
    assert net.layers[-1].neurons[0].activation == "sigmoid"
    assert net.describe() == "MLP(3, [4, 2], activation='tanh', output='sigmoid')"
    assert MLP(2, [16, 16, 1], seed=1).describe() == "MLP(2, [16, 16, 1])"


def test_seed_gives_same_weights_and_leaves_global_random_alone():
    random.seed(99)
    expected_next = random.Random(99).random()
    a = MLP(2, [5, 3], seed=7)
    b = MLP(2, [5, 3], seed=7)
    assert random.random() == expected_next           # the global generator was not used
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in MLP(2, [5, 3], seed=8).parameters()] != \
        [p.data for p in a.parameters()]


def test_xavier_and_he_scales():
    fan_in, fan_out = 50, 30
    layer = Layer(fan_in, fan_out, init="xavier", rng=random.Random(0))
    weights = [w.data for n in layer.neurons for w in n.w]
    limit = math.sqrt(6 / (fan_in + fan_out))
    assert max(abs(w) for w in weights) <= limit
    # uniform on [-limit, limit] has variance limit**2 / 3 = 2 / (fan_in + fan_out)
    assert statistics.pvariance(weights) == pytest.approx(2 / (fan_in + fan_out), rel=0.1)
    layer = Layer(fan_in, fan_out, init="he", rng=random.Random(0))
    weights = [w.data for n in layer.neurons for w in n.w]
    assert statistics.pvariance(weights) == pytest.approx(2 / fan_in, rel=0.1)
    assert all(n.b.data == 0 for n in layer.neurons)


def test_squeeze_false_always_returns_lists():
    net = MLP(2, [3, 1], seed=0, squeeze=False)
    out = net([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)
    assert isinstance(Layer(2, 1, squeeze=False)([1.0, 2.0]), list)


def test_single_input_network_takes_a_number():
    net = MLP(1, [3, 1], seed=0)
    assert net(0.5).data == net([0.5]).data


def test_named_parameters_follow_parameters_order():
    net = MLP(2, [3, 2], seed=0)
    named = net.named_parameters()
    assert [p for _, p in named] == net.parameters()
    assert [name for name, _ in named][:4] == ["layer0.neuron0.w0", "layer0.neuron0.w1",
                                              "layer0.neuron0.b", "layer0.neuron1.w0"]
    assert named[-1][0] == "layer1.neuron1.b"
    assert len({name for name, _ in named}) == len(named)


@pytest.mark.parametrize("bad, message", [
    (lambda: MLP(2, []), "list of layer sizes"),
    (lambda: MLP(0, [3]), "positive whole number"),
    (lambda: MLP(2, [3.5]), "positive whole number"),
    (lambda: MLP(2, [3], activation="swish"), "unknown activation 'swish'"),
    (lambda: MLP(2, [3], init="zeros"), "unknown initialisation"),
    (lambda: MLP(2, [3], seed=1, rng=random.Random(1)), "not both"),
    (lambda: MLP(2, [3], seed=0)([1.0, 2.0, 3.0]), "takes 2 inputs, got 3"),
    (lambda: MLP(2, [3], seed=0)(5.0), "takes a list of 2 inputs"),
])
def test_bad_arguments_are_microcalc_errors(bad, message):
    with pytest.raises(MicrocalcError, match=message):
        bad()


def test_sizes_given_as_floats_are_accepted():
    """The language hands numbers over as floats."""
    net = MLP(2.0, [4.0, 1.0], seed=0)
    assert net.sizes == [4, 1] and net.nin == 2 and net.nout == 1


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_network_gradients_match_finite_differences(activation):
    net = MLP(3, [4, 3, 1], activation=activation, seed=3)
    # Shift relu biases away from the kink so finite differences are smooth.
    for p in net.parameters():
        p.data += 0.05
    x = [Value(0.3), Value(-0.7), Value(1.1)]
    out = net(x)
    checks = gradcheck(out, net.parameters() + x)
    assert max(c.error for c in checks) < 1e-6
