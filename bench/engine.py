"""microcalc's engine beside micrograd 0.1.0, in one process: speed, memory, depth.

    bash bench/setup.sh                       # once: bench/.venv with micrograd 0.1.0
    bench/.venv/bin/python bench/engine.py    # --reps N for more repetitions

1. micrograd's demo training step (MLP(2, [16, 16, 1]) on moons100.csv, hinge loss plus
   1e-4 L2, full batch): graph building, backward, and the whole step (build + backward +
   SGD update), medians over --reps steps. The engines take turns step by step, the order
   swapping every round, so both see the same machine noise.
   Before every timed step the cyclic garbage collector is run (untimed). For microcalc
   it finds nothing to free (its graph is freed by reference counting inside the next
   step, which is timed); for micrograd it frees the previous step's graph outside the
   timing, so micrograd's figures here are a little better than in a real training loop.
   A second measure runs each engine as a training loop does, several steps in a row with
   the collector left alone, in alternating blocks so that the noise is still shared.
2. Memory per graph node (tracemalloc): bytes held by one demo loss graph once built, and
   bytes at the peak of building it and running backward, divided by its number of nodes.
3. A chain of 1,000,000 nodes: y = x + x + ... + x, then backward().

Targets (issue 2): a whole step at most 1/10 of micrograd's time; memory per node at most
1/4 of micrograd's.
"""

import argparse
import csv
import gc
import platform
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))      # measure this checkout, installed or not

import micrograd  # noqa: E402
import micrograd.engine  # noqa: E402
import micrograd.nn  # noqa: E402

import microcalc  # noqa: E402
import microcalc.engine  # noqa: E402
import microcalc.nn  # noqa: E402

MOONS = ROOT / "examples" / "data" / "moons100.csv"
CHAIN_NODES = 1_000_000


class Engine:
    """One engine's Value and MLP, and its own way of listing a graph's nodes."""

    def __init__(self, name, value_class, mlp_class, nodes_of):
        self.name = name
        self.Value = value_class
        self.MLP = mlp_class
        self.nodes_of = nodes_of


def _micrograd_nodes(root):
    seen, stack = set(), [root]
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            stack.extend(v._prev)
    return seen


ENGINES = [
    Engine("micrograd", micrograd.engine.Value, micrograd.nn.MLP, _micrograd_nodes),
    Engine("microcalc", microcalc.engine.Value, microcalc.nn.MLP,
           microcalc.engine.topological_order),
]


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
    """One engine training the demo model, a step at a time, timing each phase."""

    def __init__(self, engine, X, y):
        self.engine, self.X, self.y = engine, X, y
        random.seed(1337)
        self.model = engine.MLP(2, [16, 16, 1])
        self.k = 0
        self.graph = None
        self.times = {"build": [], "backward": [], "step": []}
        self.losses = []

    def step(self, timed=True):
        model = self.model
        t0 = time.perf_counter()
        self.graph = None        # the previous step's graph goes now, inside the timing
        total = demo_loss(self.engine, model, self.X, self.y)
        t1 = time.perf_counter()
        model.zero_grad()
        total.backward()
        t2 = time.perf_counter()
        lr = 1.0 - 0.9 * self.k / 100
        for p in model.parameters():
            p.data -= lr * p.grad
        t3 = time.perf_counter()
        self.graph = total
        self.k += 1
        self.losses.append(total.data)
        if timed:
            self.times["build"].append(t1 - t0)
            self.times["backward"].append(t2 - t1)
            self.times["step"].append(t3 - t0)


def time_interleaved(reps, X, y):
    trainers = [Trainer(engine, X, y) for engine in ENGINES]
    for round_ in range(reps):
        for trainer in trainers if round_ % 2 == 0 else reversed(trainers):
            gc.collect()
            trainer.step()
    return trainers


def time_in_blocks(rounds, block, X, y):
    """Steps as a training loop runs them: each engine takes `block` steps in a row with the
    collector left to itself (after one untimed step, so that every timed step frees the
    graph before it), the engines' blocks alternating so they still share the noise."""
    trainers = [Trainer(engine, X, y) for engine in ENGINES]
    for round_ in range(rounds):
        for trainer in trainers if round_ % 2 == 0 else reversed(trainers):
            gc.collect()           # the other engine's garbage is not this engine's cost
            trainer.step(timed=False)
            for _ in range(block):
                trainer.step()
            trainer.graph = None
    return trainers


def memory_per_node(engine, X, y):
    """Bytes per node held by one demo loss graph once built, and at the peak of building
    it and running backward (which adds the topological order and its bookkeeping)."""
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=7, help="timed steps per engine")
    parser.add_argument("--chain", type=int, default=CHAIN_NODES, help="nodes in the chain")
    args = parser.parse_args()
    X, y = load_moons()

    print(f"Python {platform.python_version()} on {platform.machine()}; "
          f"micrograd {getattr(micrograd, '__version__', '0.1.0')}, "
          f"microcalc {microcalc.__version__}\n")

    print(f"1. micrograd's demo step, median of {args.reps} interleaved steps")
    old, new = time_interleaved(args.reps, X, y)
    node_count = len(microcalc.engine.topological_order(new.graph))
    same = all(abs(a - b) <= 1e-9 * abs(a) for a, b in zip(old.losses, new.losses))
    print(f"   {node_count:,} nodes per loss graph; the two engines' losses "
          f"{'agree' if same else 'DISAGREE'} step by step (to 1e-9)")
    print(f"   {'':10}{'micrograd':>12}{'microcalc':>12}{'faster':>10}")
    for phase in ("build", "backward", "step"):
        a = statistics.median(old.times[phase])
        b = statistics.median(new.times[phase])
        print(f"   {phase:10}{ms(a):>12}{ms(b):>12}{a / b:9.1f}x")
    speedup = statistics.median(old.times["step"]) / statistics.median(new.times["step"])
    old.graph = new.graph = None

    rounds = max(2, args.reps // 3)
    print(f"   in a loop ({rounds} alternating blocks of 3 steps in a row per engine, "
          f"collector untouched):")
    old, new = time_in_blocks(rounds, 3, X, y)
    a, b = statistics.median(old.times["step"]), statistics.median(new.times["step"])
    print(f"   {'step':10}{ms(a):>12}{ms(b):>12}{a / b:9.1f}x")
    loop_speedup = a / b

    print("\n2. memory per node (tracemalloc), one loss graph")
    rows = {e.name: memory_per_node(e, X, y) for e in ENGINES}
    print(f"   {'':10}{'micrograd':>12}{'microcalc':>12}{'share':>10}")
    for column, label in ((0, "graph"), (1, "peak")):
        a, b = rows["micrograd"][column], rows["microcalc"][column]
        print(f"   {label:10}{a:8.0f} B/n{b:8.0f} B/n{b / a:10.2f}")
    print("   (graph: held once built; peak: building it and running backward)")
    memory_ratio = rows["microcalc"][1] / rows["micrograd"][1]

    print(f"\n3. a chain of {args.chain:,} nodes, then backward()")
    for engine in ENGINES:
        build, backward, outcome = chain(engine, args.chain)
        back = "failed" if backward is None else f"backward {backward:.2f} s"
        print(f"   {engine.name:10}build {build:.2f} s, {back}: {outcome}")

    print("\ntargets")
    for how, ratio in (("interleaved", speedup), ("in a loop", loop_speedup)):
        print(f"   whole step <= 1/10 of micrograd's ({how}):  1/{ratio:.1f}   "
              f"{'met' if ratio >= 10 else 'MISSED'}")
    print(f"   peak memory per node <= 1/4 of micrograd's:  1/{1 / memory_ratio:.1f}   "
          f"{'met' if memory_ratio <= 0.25 else 'MISSED'}")


if __name__ == "__main__":
    main()
