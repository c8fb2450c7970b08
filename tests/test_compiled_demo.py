"""micrograd's moons demo, compiled: its graph, its gradients, its 100 training steps.

The model is built with plain Values exactly as micrograd's demo.ipynb builds it
(random.seed(1337), MLP(2, [16, 16, 1]) drawn neuron by neuron, ReLU hidden layers, a
linear output, hinge loss plus 1e-4 * sum(p*p)), so the numbers are micrograd's own:
loss 0.8958441028683222 at step 0, 1.723590533697202 at step 1 and
0.010978370135492717 at step 99.
"""

import csv
import math
import random
from pathlib import Path

import pytest

from microcalc import Value
from microcalc.compiled import compile_graph
from microcalc.engine import topological_order
from microcalc.nn import MLP, CompiledStep, LinearDecay, Objective, load_csv, train as nn_train

from conftest import absolute_gradients

DATA = Path(__file__).resolve().parent.parent / "examples" / "data" / "moons100.csv"
STEPS = 100
BACKENDS = ["python", "numpy"]


def moons():
    with open(DATA, newline="") as f:
        rows = list(csv.DictReader(f))
    return [[float(r["x1"]), float(r["x2"])] for r in rows], [float(r["y"]) for r in rows]


class DemoModel:
    """micrograd's MLP(2, [16, 16, 1]) as lists of (weights, bias) per neuron."""

    def __init__(self, sizes=(2, 16, 16, 1)):
        random.seed(1337)
        self.layers = [[([Value(random.uniform(-1, 1)) for _ in range(nin)], Value(0))
                        for _ in range(nout)] for nin, nout in zip(sizes, sizes[1:])]

    def __call__(self, x):
        for depth, layer in enumerate(self.layers):
            last = depth == len(self.layers) - 1
            sums = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            x = sums if last else [s.relu() for s in sums]
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for w, b in layer for p in w + [b]]


def demo_loss(model, X, y):
    """The demo's loss(): (total loss, accuracy), built eagerly."""
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum((p * p for p in model.parameters()))
    accuracy = sum((yi > 0) == (si.data > 0) for yi, si in zip(y, scores)) / len(y)
    return data_loss + reg_loss, accuracy


def train(backend):
    """100 steps of the demo: losses per step and the final parameters. backend None is
    the eager engine (the graph rebuilt every step), otherwise one compiled program."""
    X, y = moons()
    model = DemoModel()
    parameters = model.parameters()
    program = None
    losses = []
    for k in range(STEPS):
        if backend is None:
            loss, _ = demo_loss(model, X, y)
            losses.append(loss.data)
        else:
            if program is None:
                program = compile_graph(demo_loss(model, X, y)[0], backend)
            losses.append(program.forward())
        for p in parameters:
            p.grad = 0.0
        if backend is None:
            loss.backward()
        else:
            program.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in parameters:
            p.data -= learning_rate * p.grad
    return losses, [p.data for p in parameters], demo_loss(model, X, y)[1]


@pytest.fixture(scope="module")
def eager_training():
    return train(None)


@pytest.fixture(scope="module")
def demo_graph():
    X, y = moons()
    model = DemoModel()
    loss, _ = demo_loss(model, X, y)
    return loss, model


def test_the_demo_graph_and_its_folded_sums(demo_graph):
    loss, _ = demo_graph
    stats = compile_graph(loss, "python").stats()
    assert stats["nodes"] == 65818                    # micrograd's demo graph
    assert stats["depth_before"] == 341               # deep because of its chains of `+`
    # Each neuron is one sum with its products: 3 layers (sum, relu, sum, relu, sum), the
    # hinge per point (sum, relu), the mean, the total with the L2 term.
    assert stats["depth"] == 10
    # parameters, inputs, per point -y and 1, and 0, 1/100, 0, 1e-4 from the two sums
    assert stats["leaves"] == 337 + 200 + 2 * 100 + 4
    assert stats["slots"] == stats["nodes"] - stats["folded"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_demo_loss_and_every_gradient(backend, demo_graph):
    loss, model = demo_graph
    program = compile_graph(loss, backend)
    assert program.forward() == loss.data == 0.8958441028683222
    for v in topological_order(loss):
        v.grad = 0.0
    loss.backward()
    eager = [leaf.grad for leaf in program.leaves]
    replayed = program.gradients()
    assert sum(g != 0 for g in eager) > 337 // 2
    for r, e in zip(replayed, eager):
        assert r == pytest.approx(e, rel=1e-12, abs=0)
    # docs/python.md: within 8 ulp of the absolute gradient; half of them bitwise.
    scale = absolute_gradients(loss, list(program.leaves))
    assert all(abs(r - e) <= 8 * math.ulp(s) for r, e, s in zip(replayed, eager, scale))
    assert 0.4 < sum(r == e for r, e in zip(replayed, eager)) / len(eager) < 1


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_100_training_steps_follow_the_eager_trajectory(backend, eager_training):
    eager_losses, eager_parameters, eager_accuracy = eager_training
    losses, parameters, accuracy = train(backend)
    assert eager_losses[0] == 0.8958441028683222           # micrograd's own
    assert eager_losses[1] == pytest.approx(1.723590533697202, rel=1e-12)
    assert eager_losses[-1] == pytest.approx(0.010978370135492717, rel=1e-9)
    for r, e in zip(losses, eager_losses):
        assert r == pytest.approx(e, rel=1e-9, abs=0)
    for r, e in zip(parameters, eager_parameters):
        assert r == pytest.approx(e, rel=1e-9, abs=1e-15)
    assert losses[-1] == pytest.approx(0.010978370135492717, rel=1e-9)
    assert accuracy == eager_accuracy == 1.0


@pytest.mark.slow
@pytest.mark.parametrize("path", ["rebuilt", "python", "numpy"])
def test_train_ends_on_micrograds_losses_on_every_path(path):
    """microcalc.nn.train on the demo: rebuilding the graph every step (GraphStep) or
    replaying it on either back end (CompiledStep) reaches micrograd's losses."""
    data = load_csv(str(DATA))
    net = MLP(2, [16, 16, 1], seed=1337)
    options = dict(loss="hinge", l2=1e-4, lr=LinearDecay(1.0, 0.1, 100), steps=STEPS)
    if path == "rebuilt":
        run = nn_train(net, data, compiled=False, **options)
    else:
        objective = Objective(net, "hinge", 1e-4, classes=data.classes)
        step = CompiledStep(objective, data, backend=path)
        assert step.program.backend == path
        run = nn_train(net, data, step_function=step, **options)
    assert run.losses[0] == 0.8958441028683222
    assert run.losses[1] == pytest.approx(1.723590533697202, rel=1e-12)
    assert run.losses[-1] == pytest.approx(0.010978370135492717, rel=1e-9)
    assert run.accuracies[-1] == 1.0
