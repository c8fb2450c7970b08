"""micrograd programs run on microcalc with only their imports changed.

The engine cases are micrograd's own test/test_engine.py, its PyTorch comparisons replaced by
the exact answers (fractions such as 2421/98); the demo is micrograd's demo.ipynb cell by
cell, with scikit-learn's make_moons replaced by the same 100 points read from moons100.csv.
"""

import random
import re
from pathlib import Path

import numpy as np
import pytest

# The only change a micrograd program needs: these two imports.
from microcalc import Value
from microcalc.nn import MLP, Layer, Module, Neuron

MOONS = Path(__file__).resolve().parent.parent / "examples" / "data" / "moons100.csv"


def test_sanity_check():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    xmg, ymg = x, y
    assert ymg.data == -20.0
    assert xmg.grad == 46.0


def test_more_ops():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    amg, bmg, gmg = a, b, g
    tol = 1e-6
    assert abs(gmg.data - 2421 / 98) < tol
    assert abs(amg.grad - 47620 / 343) < tol
    assert abs(bmg.grad - 221433 / 343) < tol


def test_backward_twice_adds_as_micrograd_does():
    x = Value(3.0)
    y = x * x
    y.backward()
    assert x.grad == 6.0
    y.backward()
    assert x.grad == 12.0


def test_reprs_are_micrograds():
    random.seed(0)
    model = MLP(2, [3, 1])
    assert repr(model) == ("MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)], "
                           "Layer of [LinearNeuron(3)]]")
    assert str(model) == repr(model)
    assert repr(Layer(4, 2, nonlin=False)) == "Layer of [LinearNeuron(4), LinearNeuron(4)]"
    assert repr(Neuron(5)) == "ReLUNeuron(5)"


def test_initialisation_draws_as_micrograd():
    """Weights come from random.uniform(-1, 1), neuron by neuron, then a zero bias."""
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    draws = random.Random(1337)
    for layer in model.layers:
        for neuron in layer.neurons:
            assert [w.data for w in neuron.w] == [draws.uniform(-1, 1) for _ in neuron.w]
            assert neuron.b.data == 0.0
    assert len(model.parameters()) == 337
    assert [n.nonlin for layer in model.layers for n in layer.neurons[:1]] == [True, True, False]


def test_module_interface():
    random.seed(1)
    model = MLP(3, [4, 4, 1])
    assert isinstance(model, Module)
    assert len(model.parameters()) == 41              # 16 + 20 + 5
    out = model([2.0, 3.0, -1.0])
    assert isinstance(out, Value)                     # one output: a bare Value, as micrograd
    out.backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())
    assert isinstance(Layer(3, 2)([1.0, 2.0, 3.0]), list)
    assert isinstance(Layer(3, 1)([1.0, 2.0, 3.0]), Value)


def test_width_one_hidden_layer_works():
    """micrograd's MLP(2, [16, 1, 1]) fails: its hidden layer hands a bare Value on."""
    random.seed(2)
    out = MLP(2, [16, 1, 1])([0.5, -0.5])
    assert isinstance(out, Value)


@pytest.mark.slow
def test_demo_prints_micrograds_losses(capsys):
    """demo.ipynb as written for micrograd, beside the numbers micrograd prints."""
    # --- the notebook, cell by cell; only the imports above and the data source differ ---
    np.random.seed(1337)
    random.seed(1337)

    # make up a dataset (the notebook: X, y = make_moons(n_samples=100, noise=0.1))
    table = np.loadtxt(MOONS, delimiter=",", skiprows=1)
    X, y = table[:, :2], table[:, 2].astype(int)

    # initialize a model
    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    print(model)
    print("number of parameters", len(model.parameters()))

    # loss function
    def loss(batch_size=None):

        # inline DataLoader :)
        if batch_size is None:
            Xb, yb = X, y
        else:
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]
        inputs = [list(map(Value, xrow)) for xrow in Xb]

        # forward the model to get scores
        scores = list(map(model, inputs))

        # svm "max-margin" loss
        losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        # L2 regularization
        alpha = 1e-4
        reg_loss = alpha * sum((p*p for p in model.parameters()))
        total_loss = data_loss + reg_loss

        # also get accuracy
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    total_loss, acc = loss()
    print(total_loss, acc)

    # optimization
    for k in range(100):

        # forward
        total_loss, acc = loss()

        # backward
        model.zero_grad()
        total_loss.backward()

        # update (sgd)
        learning_rate = 1.0 - 0.9*k/100
        for p in model.parameters():
            p.data -= learning_rate * p.grad

        if k % 1 == 0:
            print(f"step {k} loss {total_loss.data}, accuracy {acc*100}%")
    # --- end of the notebook ---

    printed = capsys.readouterr().out.splitlines()
    assert printed[1] == "number of parameters 337"
    steps = [re.fullmatch(r"step (\d+) loss (\S+), accuracy (\S+)%", line) for line in printed[3:]]
    assert len(steps) == 100 and all(steps)
    losses = {int(m[1]): float(m[2]) for m in steps}
    accuracies = {int(m[1]): float(m[3]) for m in steps}
    micrograd = {0: (0.8958441028683222, 50.0), 1: (1.723590533697202, 81.0),
                 99: (0.010978370135492717, 100.0)}
    for k, (expected_loss, expected_accuracy) in micrograd.items():
        assert losses[k] == pytest.approx(expected_loss, rel=1e-9)
        assert accuracies[k] == expected_accuracy
    assert losses[99] == 0.010978370135492717          # micrograd's final loss, to the bit
