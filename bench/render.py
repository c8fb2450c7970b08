"""How long seeing a graph takes, and how much it prints, on two graphs that break naive
renderers:

- 60 doublings (x1 = x0 + x0, ..., x60): 61 nodes but 2**60 paths from the top to x0;
- micrograd's demo loss (MLP(2, [16, 16, 1]) on moons100.csv, hinge + L2): 65,818 nodes,
  341 deep.

    python bench/render.py [--repeats N]

Each renderer runs N times; the median is shown with the output's size, beside the time
micrograd 0.1.0 takes to build the same demo loss (when micrograd is installed, as in the
bench environment from bench/setup.sh): micrograd has no terminal renderer, so the ratio
says what drawing costs next to building the graph it draws.
"""

import argparse
import csv
import random
import statistics
import sys
import time
from pathlib import Path

from microcalc.engine import Value, topological_order
from microcalc.nn import MLP
from microcalc.render import check, dot, explain, tree

DATA = Path(__file__).resolve().parent.parent / "examples" / "data" / "moons100.csv"


def load_moons():
    with open(DATA, newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [[float(r[0]), float(r[1])] for r in rows], [float(r[2]) for r in rows]


def demo_loss(value_class, mlp_class, inputs, labels):
    """micrograd's demo.ipynb loss, written the way the notebook writes it."""
    random.seed(1337)
    model = mlp_class(2, [16, 16, 1])
    scores = [model(list(map(value_class, row))) for row in inputs]
    losses = [(1 + -y * score).relu() for y, score in zip(labels, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    return data_loss + reg_loss, model


def doubling(levels):
    xs = [Value(1.0)]
    for _ in range(levels):
        xs.append(xs[-1] + xs[-1])
    return xs, {x: f"x{i}" for i, x in enumerate(xs)}


def median_run(function, repeats):
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def micrograd_build_seconds(inputs, labels, repeats):
    try:
        from micrograd.engine import Value as MicrogradValue
        from micrograd.nn import MLP as MicrogradMLP
    except ImportError:
        return None
    seconds, _ = median_run(lambda: demo_loss(MicrogradValue, MicrogradMLP, inputs, labels),
                            repeats)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats

    inputs, labels = load_moons()
    loss, model = demo_loss(Value, MLP, inputs, labels)
    names = {loss: "loss"}
    names.update({p: f"p{i}" for i, p in enumerate(model.parameters())})
    order = topological_order(loss)
    xs, xnames = doubling(60)

    cases = [
        ("doubling x60: tree, all 61 levels", lambda: tree(xs[-1], xnames, depth=100)),
        ("doubling x60: explain d x60/d x0", lambda: explain(xs[-1], xs[0], xnames)),
        ("doubling x60: dot", lambda: dot(xs[-1], xnames)),
        ("demo loss: tree, depth=12 (default)", lambda: tree(loss, names)),
        ("demo loss: tree, depth=40, nodes=2000",
         lambda: tree(loss, names, depth=40, nodes=2000)),
        ("demo loss: explain d loss/d p0", lambda: explain(loss, model.parameters()[0], names)),
        ("demo loss: dot, every node", lambda: dot(loss, names)),
        ("demo loss: check 3 parameters",
         lambda: check(loss, model.parameters()[:3], names)),
    ]
    print(f"demo loss graph: {len(order):,} nodes; doubling graph: 61 nodes, 2**60 paths")
    print(f"median of {repeats} runs\n")
    print(f"{'case':42} {'time':>10} {'lines':>8} {'characters':>11}")
    results = {}
    for label, function in cases:
        seconds, picture = median_run(function, repeats)
        results[label] = seconds
        print(f"{label:42} {seconds * 1000:8.1f} ms {len(picture.splitlines()):8,} "
              f"{len(picture):11,}")

    build = micrograd_build_seconds(inputs, labels, max(1, repeats // 2))
    if build is None:
        print("\nmicrograd is not installed here: run bench/setup.sh and use bench/.venv/bin/python"
              " for the side-by-side figure")
        return 0
    drawn = results["demo loss: tree, depth=12 (default)"]
    print(f"\nmicrograd 0.1.0 builds the same demo loss in {build * 1000:.0f} ms: drawing its "
          f"tree takes {drawn / build:.2f}x that time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
