"""micrograd's moons demo trained side by side: micrograd 0.1.0, microcalc's eager engine,
and microcalc's compiled graphs (pure Python and numpy back ends), in one run.

    bash bench/setup.sh                       # once: bench/.venv with micrograd and microcalc
    bench/.venv/bin/python bench/train.py     # micrograd timed on its first 5 steps
    bench/.venv/bin/python bench/train.py --full    # micrograd runs all 100 (minutes)

The demo is micrograd's demo.ipynb: 100 points of make_moons (examples/data/moons100.csv),
random.seed(1337), MLP(2, [16, 16, 1]), hinge loss + 1e-4 * L2, full-batch SGD with
learning rate 1.0 - 0.9*k/100 for 100 steps. Every contestant builds its model with the
same random draws, so all must reach micrograd's final loss, 0.010978370135492717.
Compiled runs build the loss graph once, compile it, and then replay it every step; their
total includes that build and compile.
"""

import argparse
import csv
import random
import statistics
import sys
import time
from pathlib import Path

import micrograd.engine
import micrograd.nn
import numpy

import microcalc
from microcalc.compiled import compile_graph

DATA = Path(__file__).resolve().parent.parent / "examples" / "data" / "moons100.csv"
STEPS = 100
MICROGRAD_FINAL_LOSS = 0.010978370135492717     # micrograd's own, after 100 steps
TOLERANCE = 1e-9


def moons():
    with open(DATA, newline="") as f:
        rows = list(csv.DictReader(f))
    return [[float(r["x1"]), float(r["x2"])] for r in rows], [float(r["y"]) for r in rows]


class MicrocalcMLP:
    """micrograd's MLP(2, [16, 16, 1]) in microcalc Values: the same draws in the same
    order (neuron by neuron, weights then a zero bias), ReLU hidden, linear output."""

    def __init__(self, sizes=(2, 16, 16, 1)):
        V = microcalc.Value
        self.layers = [[([V(random.uniform(-1, 1)) for _ in range(nin)], V(0))
                        for _ in range(nout)] for nin, nout in zip(sizes, sizes[1:])]

    def __call__(self, x):
        for depth, layer in enumerate(self.layers):
            sums = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            x = sums if depth == len(self.layers) - 1 else [s.relu() for s in sums]
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for w, b in layer for p in w + [b]]

    def zero_grad(self):
        _zero(self.parameters())


def demo_loss(Value, model, X, y):
    """The demo's loss(), for either engine's Value: (total loss, accuracy)."""
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum((p * p for p in model.parameters()))
    accuracy = sum((yi > 0) == (si.data > 0) for yi, si in zip(y, scores)) / len(y)
    return data_loss + reg_loss, accuracy


class Run:
    def __init__(self, name, steps):
        self.name = name
        self.steps = steps
        self.losses = []
        self.step_times = []
        self.setup_time = 0.0       # building the graph once and compiling it
        self.accuracy = None
        self.note = ""

    @property
    def per_step(self):
        return statistics.median(self.step_times)

    @property
    def total(self):
        return self.setup_time + sum(self.step_times)

    @property
    def total_for_100(self):
        """Measured total, or per-step time x 100 when only a few steps were run."""
        return self.total if self.steps == STEPS else self.per_step * STEPS


def sgd(parameters, k):
    learning_rate = 1.0 - 0.9 * k / 100
    for p in parameters:
        p.data -= learning_rate * p.grad


def train_eager(name, Value, model, steps):
    """micrograd's loop: rebuild the graph, zero the gradients, backward, update."""
    X, y = moons()
    run = Run(name, steps)
    parameters = model.parameters()
    for k in range(steps):
        start = time.perf_counter()
        loss, run.accuracy = demo_loss(Value, model, X, y)
        model.zero_grad()
        loss.backward()
        sgd(parameters, k)
        run.step_times.append(time.perf_counter() - start)
        run.losses.append(loss.data)
    return run


def train_compiled(backend, steps):
    """Build the graph once, compile it, then replay: forward, zero, backward, update."""
    X, y = moons()
    random.seed(1337)
    model = MicrocalcMLP()
    parameters = model.parameters()
    run = Run(f"compiled {backend}", steps)
    start = time.perf_counter()
    loss, _ = demo_loss(microcalc.Value, model, X, y)
    built = time.perf_counter()
    program = compile_graph(loss, backend)
    run.setup_time = time.perf_counter() - start
    run.compile_time = time.perf_counter() - built
    run.stats = program.stats()
    for k in range(steps):
        start = time.perf_counter()
        value = program.forward()
        _zero(parameters)
        program.backward()
        sgd(parameters, k)
        run.step_times.append(time.perf_counter() - start)
        run.losses.append(value)
    run.accuracy = demo_loss(microcalc.Value, model, X, y)[1]
    return run


def _zero(parameters):
    for p in parameters:
        p.grad = 0.0


def seconds(t):
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"


def relative(a, b):
    return abs(a - b) / abs(b)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true",
                        help="run micrograd for all 100 steps (minutes) instead of 5")
    parser.add_argument("--micrograd-steps", type=int, default=5, metavar="N",
                        help="steps of micrograd to time without --full (default 5)")
    args = parser.parse_args(argv)
    micrograd_steps = STEPS if args.full else max(1, min(STEPS, args.micrograd_steps))

    print(f"micrograd's moons demo: 100 points, MLP(2, [16, 16, 1]), {STEPS} full-batch "
          f"SGD steps. Python {sys.version.split()[0]}, numpy {numpy.__version__}.")
    runs = []
    random.seed(1337)
    runs.append(train_eager("micrograd 0.1.0", micrograd.engine.Value,
                            micrograd.nn.MLP(2, [16, 16, 1]), micrograd_steps))
    random.seed(1337)
    runs.append(train_eager("microcalc eager", microcalc.Value, MicrocalcMLP(), STEPS))
    runs.append(train_compiled("python", STEPS))
    runs.append(train_compiled("numpy", STEPS))
    return report(runs)


def report(runs):
    micrograd_run, eager = runs[0], runs[1]
    for run in runs[2:]:
        s = run.stats
        print(f"{run.name}: graph of {s['nodes']} nodes, {s['depth_before']} deep; "
              f"compiled to {s['slots']} slots in {s['groups']} groups, {s['depth']} deep "
              f"({s['folded']} `+`/`-` folded into n-ary sums); "
              f"compile {seconds(run.compile_time)}")
    print()
    header = (f"{'':16}{'steps':>6}{'per step':>10}{'100 steps':>11}{'final loss':>23}"
              f"{'acc':>6}  {'faster than micrograd: per step, 100 steps':>42}")
    print(header)
    print("-" * len(header))
    for run in runs:
        total = seconds(run.total_for_100) + ("*" if run.steps != STEPS else "")
        final = f"{run.losses[-1]!r}" if run.steps == STEPS else f"(step {run.steps})"
        per_step = micrograd_run.per_step / run.per_step
        whole = micrograd_run.total_for_100 / run.total_for_100
        print(f"{run.name:16}{run.steps:>6}{seconds(run.per_step):>10}{total:>11}{final:>23}"
              f"{run.accuracy:>6.0%}  {per_step:>33.0f}x {whole:>7.0f}x")
    if micrograd_run.steps != STEPS:
        print(f"* micrograd was timed on its first {micrograd_run.steps} steps (--full runs "
              f"all {STEPS}); its 100-step figure is its median step x {STEPS}.")
    print("Compiled totals include building the graph once and compiling it.")
    print()

    failures = []
    for run in runs:
        if run.steps == STEPS and relative(run.losses[-1], MICROGRAD_FINAL_LOSS) > TOLERANCE:
            failures.append(f"{run.name}: final loss {run.losses[-1]!r}")
        worst = max(relative(a, b) for a, b in zip(run.losses, eager.losses))
        if run is not micrograd_run and worst > TOLERANCE:
            failures.append(f"{run.name}: differs from the eager trajectory by {worst:.1e}")
    for k, (a, b) in enumerate(zip(micrograd_run.losses, eager.losses)):
        if relative(a, b) > TOLERANCE:
            failures.append(f"step {k}: micrograd's loss {a!r} but microcalc's {b!r}")
    print(f"micrograd's final loss is {MICROGRAD_FINAL_LOSS!r}; every microcalc run must "
          f"reach it within {TOLERANCE:g} relative, and micrograd's first "
          f"{micrograd_run.steps} losses must match microcalc's.")
    for failure in failures:
        print("MISMATCH", failure)
    print("all agree" if not failures else f"{len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
