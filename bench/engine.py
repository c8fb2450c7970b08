"""microcalc's eager engine beside micrograd 0.1.0 and beside microcalc as it was at commit
142aa31 (before the engine was reworked), in one process: speed, linearity, memory, depth.

    bash bench/setup.sh                       # once: bench/.venv with micrograd 0.1.0
    bench/.venv/bin/python bench/engine.py    # --reps N for more steps, --quick for fewer

commit 142aa31's microcalc is taken from git (as bench/train.py does) and imported as
microcalc_142aa31, beside this checkout's.

1. micrograd's demo step, written as demo.ipynb writes it (MLP(2, [16, 16, 1]) on
   moons100.csv, hinge loss plus 1e-4 L2, full batch; graph, backward and SGD update), run by
     micrograd      0.1.0, the cyclic garbage collector on (Python's default)
     micrograd -gc  0.1.0, the collector off and one gc.collect() per step, inside the timing
                    (micrograd makes reference cycles every step: without it they pile up)
     142aa31        microcalc's eager engine before this rework
     microcalc      this checkout
   Each engine runs blocks of steps in a row, as a training loop does; the blocks take turns
   so that every engine sees the same machine noise. Medians; the losses are compared step
   by step.
2. microcalc's own eager step (nn.GraphStep, what train(..., compiled=False) runs: the same
   graph and the same losses), 142aa31 and this checkout taking turns step by step, at the
   demo's size and on MLP(2, [64, 64, 1]) over 500 points: milliseconds and nanoseconds per
   node. Linear: this checkout's ns per node at the large size over the demo's.
3. Memory per graph node (tracemalloc): bytes held by one demo loss graph once built, and
   the peak of building it and running backward, divided by its number of nodes.
4. A chain of 1,000,000 nodes: y = x + x + ... + x, then backward().

The machine is shared: read the ratios, and run it twice.
"""

import argparse
import csv
import gc
import importlib
import platform
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))                # measure this checkout, installed or not

import micrograd  # noqa: E402
import micrograd.engine  # noqa: E402
import micrograd.nn  # noqa: E402

import microcalc  # noqa: E402
import microcalc.engine  # noqa: E402
import microcalc.nn  # noqa: E402

from train import microcalc_at  # noqa: E402

BEFORE = "142aa31"           # the eager engine before this rework
if microcalc_at(BEFORE) is None:
    sys.exit(f"microcalc at {BEFORE} is needed beside this checkout: run from a git checkout")
microcalc_142aa31 = importlib.import_module(f"microcalc_{BEFORE}")
importlib.import_module(f"microcalc_{BEFORE}.engine")
importlib.import_module(f"microcalc_{BEFORE}.nn")

MOONS = ROOT / "examples" / "data" / "moons100.csv"
CHAIN_NODES = 1_000_000


class Engine:
    """One engine's Value and MLP, how to count a graph's nodes, and how its loop runs."""

    def __init__(self, name, package, value_class, mlp_class, nodes_of, collector=True):
        self.name = name
        self.package = package
        self.Value = value_class
        self.MLP = mlp_class
        self.nodes_of = nodes_of
        self.collector = collector       # False: collector off, one collection per step


def _micrograd_nodes(root):
    seen, stack = set(), [root]
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            stack.extend(v._prev)
    return seen


MICROGRAD = Engine("micrograd", micrograd, micrograd.engine.Value, micrograd.nn.MLP,
                   _micrograd_nodes)
MICROGRAD_NO_GC = Engine("micrograd -gc", micrograd, micrograd.engine.Value,
                         micrograd.nn.MLP, _micrograd_nodes, collector=False)
BEFORE = Engine("142aa31", microcalc_142aa31, microcalc_142aa31.engine.Value,
                microcalc_142aa31.nn.MLP, microcalc_142aa31.engine.topological_order)
NOW = Engine("microcalc", microcalc, microcalc.engine.Value, microcalc.nn.MLP,
             microcalc.engine.topological_order)
ENGINES = [MICROGRAD, MICROGRAD_NO_GC, BEFORE, NOW]


def load_moons():
    with open(MOONS, newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [[float(a), float(b)] for a, b, _ in rows], [int(float(c)) for _, _, c in rows]


def demo_loss(engine, model, X, y):
    """The demo's loss, written as demo.ipynb writes it."""
    Value = engine.Value
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum((p * p for p in model.parameters()))
    return data_loss + reg_loss


class Trainer:
    """One engine training the demo model with the demo's code, a step at a time."""

    def __init__(self, engine, X, y):
        self.engine, self.X, self.y = engine, X, y
        random.seed(1337)
        self.model = engine.MLP(2, [16, 16, 1])
        self.k = 0
        self.graph = None
        self.times = []
        self.losses = []

    def step(self):
        model = self.model
        t0 = time.perf_counter()
        total = demo_loss(self.engine, model, self.X, self.y)
        model.zero_grad()
        total.backward()
        lr = 1.0 - 0.9 * self.k / 100
        for p in model.parameters():
            p.data -= lr * p.grad
        self.graph = total            # kept until the next step's graph is built, as the demo
        if not self.engine.collector:
            gc.collect()
        self.times.append(time.perf_counter() - t0)
        self.k += 1
        self.losses.append(total.data)


def demo_steps(rounds, block, X, y):
    """Every engine takes `block` steps in a row, after one untimed step; the engines'
    blocks take turns, `rounds` times, the order rotating."""
    trainers = [Trainer(engine, X, y) for engine in ENGINES]
    for round_ in range(rounds):
        turn = trainers[round_ % len(trainers):] + trainers[:round_ % len(trainers)]
        for trainer in turn:
            gc.collect()               # the other engines' garbage is not this one's cost
            collecting = trainer.engine.collector
            if not collecting:
                gc.disable()
            try:
                trainer.step()
                trainer.times.pop()
                for _ in range(block):
                    trainer.step()
            finally:
                trainer.graph = None
                gc.enable()
    return trainers


class GraphStepper:
    """microcalc's own eager step (nn.GraphStep plus the SGD update) in one package."""

    def __init__(self, package, inputs, labels, sizes):
        nn = package.nn
        self.data = nn.Dataset(inputs, labels, name="bench")
        model = nn.MLP(2, sizes, seed=1337)
        self.step = nn.GraphStep(nn.Objective(model, loss="hinge", l2=1e-4))
        self.parameters = model.parameters()
        self.times, self.losses = [], []

    def __call__(self):
        k = len(self.times)
        gc.collect()
        t0 = time.perf_counter()
        loss, _ = self.step(self.data)
        lr = 1.0 - 0.9 * k / 100
        for p in self.parameters:
            p.data -= lr * p.grad
        self.times.append(time.perf_counter() - t0)
        self.losses.append(loss)


def graph_step_times(inputs, labels, sizes, steps):
    """142aa31's and this checkout's eager steps, taking turns step by step."""
    steppers = [GraphStepper(package, inputs, labels, sizes)
                for package in (microcalc_142aa31, microcalc)]
    for k in range(steps):
        for stepper in steppers if k % 2 == 0 else reversed(steppers):
            stepper()
    return steppers


def count_nodes(inputs, labels, sizes):
    nn = microcalc.nn
    model = nn.MLP(2, sizes, seed=1337)
    total, _, _ = nn.Objective(model, loss="hinge", l2=1e-4)(nn.Dataset(inputs, labels))
    return len(microcalc.engine.topological_order(total))


def memory_per_node(engine, X, y):
    """Bytes per node held by one demo loss graph once built, and at the peak of building
    it and running backward (which adds the walk and its bookkeeping)."""
    random.seed(1337)
    model = engine.MLP(2, [16, 16, 1])
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    total = demo_loss(engine, model, X, y)
    held = tracemalloc.get_traced_memory()[0] - base
    total.backward()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    nodes = len(engine.nodes_of(total))
    del total
    gc.collect()
    return held / nodes, peak / nodes, nodes


def chain(engine, n=CHAIN_NODES):
    """y = x + x + ... + x with n nodes (x and n - 1 additions), then y.backward()."""
    x = engine.Value(1.0)
    y = x
    t0 = time.perf_counter()
    for _ in range(n - 1):
        y = y + x
    t1 = time.perf_counter()
    try:
        y.backward()
    except RecursionError as exc:
        outcome = f"RecursionError ({exc}) after {time.perf_counter() - t1:.2f} s"
        backward_time = None
    else:
        backward_time = time.perf_counter() - t1
        ok = "correct" if x.grad == n else f"WRONG (expected {n})"
        outcome = f"dy/dx = {x.grad:g}, {ok}"
    del x, y
    gc.collect()
    return t1 - t0, backward_time, outcome


def ms(seconds):
    return f"{seconds * 1000:9.1f} ms"


def big_points(n):
    """n points of micrograd's moons for the large network (microcalc's own generator)."""
    data = microcalc.nn.moons(n, seed=3)
    return [list(x) for x in data.inputs], list(data.labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3,
                        help="rounds of the demo step (each a block of 2 steps per engine)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer steps at the large size, a shorter chain")
    parser.add_argument("--chain", type=int, default=None, help="nodes in the chain")
    args = parser.parse_args()
    chain_nodes = args.chain or (100_000 if args.quick else CHAIN_NODES)
    X, y = load_moons()
    print(f"Python {platform.python_version()} on {platform.machine()}; "
          f"micrograd {getattr(micrograd, '__version__', '0.1.0')}, "
          f"microcalc {microcalc.__version__} (this checkout) and at 142aa31\n")

    print(f"1. micrograd's demo step as demo.ipynb writes it: {args.reps} rounds of "
          f"2 steps in a row per engine, medians")
    trainers = demo_steps(args.reps, 2, X, y)
    now = trainers[-1]
    node_count = count_nodes(X, y, [16, 16, 1])
    steps = min(len(t.losses) for t in trainers)
    agree = {t.engine.name: max(abs(a - b) / abs(b) for a, b in
                                zip(t.losses[:steps], now.losses[:steps]))
             for t in trainers}
    print(f"   {node_count:,} nodes per loss graph; largest relative difference of the losses "
          f"from microcalc's over {steps} steps: " +
          ", ".join(f"{name} {d:.1e}" for name, d in agree.items() if name != "microcalc"))
    medians = {t.engine.name: statistics.median(t.times) for t in trainers}
    mine = medians["microcalc"]
    print(f"   {'':15}{'step':>12}{'per node':>12}{'microcalc is':>16}")
    for name, seconds in medians.items():
        ratio = "" if name == "microcalc" else f"{seconds / mine:13.1f}x faster"
        print(f"   {name:15}{ms(seconds):>12}{seconds / node_count * 1e9:9.0f} ns {ratio}")

    print("\n2. microcalc's own eager step (nn.GraphStep + SGD), taking turns, medians")
    big_inputs, big_labels = big_points(500)
    sizes = {"demo": ([16, 16, 1], X, y, 3 * args.reps),
             "large": ([64, 64, 1], big_inputs, big_labels, 2 if args.quick else 3)}
    per_node = {}
    print(f"   {'':30}{'142aa31':>12}{'microcalc':>12}{'faster':>9}{'ns/node':>10}"
          f"{'fastest':>10}")
    for label, (shape, inputs, labels, n_steps) in sizes.items():
        nodes = count_nodes(inputs, labels, shape)
        old, new = graph_step_times(inputs, labels, shape, n_steps)
        a, b = statistics.median(old.times), statistics.median(new.times)
        per_node[label] = min(new.times) / nodes * 1e9
        same = "same losses" if old.losses == new.losses else "LOSSES DIFFER"
        what = f"MLP(2, {shape}) x {len(inputs)} ({nodes / 1e6:.2f}M nodes)"
        print(f"   {what:30}{ms(a):>12}{ms(b):>12}{a / b:8.1f}x{b / nodes * 1e9:7.0f} ns"
              f"{per_node[label]:7.0f} ns   {n_steps} steps each, {same}")
    linear = per_node["large"] / per_node["demo"]
    print(f"   ns per node at the large size over the demo's (fastest steps, the least "
          f"disturbed on a shared machine): {linear:.2f}")

    print("\n3. memory per node (tracemalloc), one demo loss graph")
    rows = {e.name: memory_per_node(e, X, y) for e in (MICROGRAD, BEFORE, NOW)}
    print(f"   {'':10}{'micrograd':>12}{'142aa31':>12}{'microcalc':>12}{'share':>8}")
    for column, label in ((0, "graph"), (1, "peak")):
        a, b, c = (rows[name][column] for name in ("micrograd", "142aa31", "microcalc"))
        print(f"   {label:10}{a:8.0f} B/n{b:8.0f} B/n{c:8.0f} B/n{c / a:8.2f}")
    print("   (graph: held once built; peak: building it and running backward;"
          " share: microcalc over micrograd)")
    memory_ratio = max(rows["microcalc"][k] / rows["micrograd"][k] for k in (0, 1))

    print(f"\n4. a chain of {chain_nodes:,} nodes, then backward()")
    for engine in (MICROGRAD, NOW):
        build, backward, outcome = chain(engine, chain_nodes)
        back = "failed" if backward is None else f"backward {backward:.2f} s"
        print(f"   {engine.name:10}build {build:.2f} s, {back}: {outcome}")

    print("\ntargets")
    checks = [
        ("demo step >= 25x micrograd (collector on)", medians["micrograd"] / mine, 25),
        ("demo step >= 5x micrograd (collector off)", medians["micrograd -gc"] / mine, 5),
        ("demo step >= 2x microcalc at 142aa31", medians["142aa31"] / mine, 2),
    ]
    for what, ratio, target in checks:
        print(f"   {what:48}{ratio:7.1f}x   {'met' if ratio >= target else 'MISSED'}")
    print(f"   {'ns/node, large over demo <= 1.3 (GraphStep)':48}{linear:7.2f}    "
          f"{'met' if linear <= 1.3 else 'MISSED'}")
    print(f"   {'memory per node <= 1/4 of micrograd':48}{memory_ratio:7.2f}    "
          f"{'met' if memory_ratio <= 0.25 else 'MISSED'}")


if __name__ == "__main__":
    main()
