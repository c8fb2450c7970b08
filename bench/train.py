"""micrograd's moons demo trained side by side: micrograd 0.1.0, microcalc's eager engine,
microcalc's compiled graphs (pure Python and numpy back ends), the same compiled back ends
as they were at commit 142aa31 (before this round of work on the replay), and PyTorch
vectorised on one thread where it is installed, in one run.

    bash bench/setup.sh [--peers]             # once: bench/.venv with micrograd (and torch)
    bench/.venv/bin/python bench/train.py     # micrograd timed on its first 5 steps
    bench/.venv/bin/python bench/train.py --full    # micrograd runs all 100 (minutes)

The demo is micrograd's demo.ipynb: 100 points of make_moons (examples/data/moons100.csv),
random.seed(1337), MLP(2, [16, 16, 1]), hinge loss + 1e-4 * L2, full-batch SGD with
learning rate 1.0 - 0.9*k/100 for 100 steps. Every contestant builds its model with the
same random draws, so all must reach micrograd's final loss, 0.010978370135492717.
Compiled runs build the loss graph once, compile it, and then replay it every step; their
total includes that build and compile.

The fast contestants (compiled replays, PyTorch) run round-robin, ten steps each in turn,
so that they share the machine's noise; the replay targets are printed as ratios of their
median steps (and of compile times, 142aa31's and today's compile taking turns):
- compiling at most 0.8 us a node;
- the compiled-python step at least 1.5x faster than at 142aa31;
- the numpy step no slower than vectorised PyTorch on one thread.
"""

import argparse
import csv
import gc
import importlib
import io
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import micrograd.engine
import micrograd.nn
import numpy

import microcalc
from microcalc.compiled import compile_graph

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "examples" / "data" / "moons100.csv"
STEPS = 100
MICROGRAD_FINAL_LOSS = 0.010978370135492717     # micrograd's own, after 100 steps
TOLERANCE = 1e-9
BEFORE = "142aa31"          # the replay before its second round of speed work
BLOCK = 10                  # steps each fast contestant takes in a row, in turn


def moons():
    with open(DATA, newline="") as f:
        rows = list(csv.DictReader(f))
    return [[float(r["x1"]), float(r["x2"])] for r in rows], [float(r["y"]) for r in rows]


def initial_parameters(sizes=(2, 16, 16, 1)):
    """micrograd's MLP(sizes) draws after random.seed(1337): per layer, per neuron, its
    weights then a zero bias, as (weights, bias) lists of floats."""
    random.seed(1337)
    return [[([random.uniform(-1, 1) for _ in range(nin)], 0.0) for _ in range(nout)]
            for nin, nout in zip(sizes, sizes[1:])]


class MicrocalcMLP:
    """micrograd's MLP(2, [16, 16, 1]) in some engine's Values: the same draws in the same
    order (neuron by neuron, weights then a zero bias), ReLU hidden, linear output."""

    def __init__(self, Value, activation="relu"):
        self.layers = [[(list(map(Value, w)), Value(b)) for w, b in layer]
                       for layer in initial_parameters()]
        self.activation = activation

    def __call__(self, x):
        for depth, layer in enumerate(self.layers):
            sums = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            x = sums if depth == len(self.layers) - 1 else \
                [getattr(s, self.activation)() for s in sums]
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for w, b in layer for p in w + [b]]

    def zero_grad(self):
        _zero(self.parameters())


def demo_loss(Value, model, X, y):
    """The demo's loss(), for any engine's Value: (total loss, accuracy)."""
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum((p * p for p in model.parameters()))
    accuracy = sum((yi > 0) == (si.data > 0) for yi, si in zip(y, scores)) / len(y)
    return data_loss + reg_loss, accuracy


class Run:
    def __init__(self, name, steps=STEPS):
        self.name = name
        self.steps = steps
        self.losses = []
        self.step_times = []
        self.setup_time = 0.0       # building the graph once and compiling it
        self.compile_time = None
        self.nodes = None
        self.stats = None
        self.accuracy = None

    @property
    def per_step(self):
        return statistics.median(self.step_times)

    @property
    def total(self):
        return self.setup_time + sum(self.step_times)

    @property
    def total_for_100(self):
        """Measured total, or per-step time x 100 when only a few steps were run."""
        return self.total if len(self.step_times) == STEPS else \
            self.setup_time + self.per_step * STEPS


def sgd(parameters, k):
    learning_rate = 1.0 - 0.9 * k / 100
    for p in parameters:
        p.data -= learning_rate * p.grad


def _zero(parameters):
    for p in parameters:
        p.grad = 0.0


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
        run.losses.append(float(loss.data))
    return run


def train_compiled(run, Value, compile_graph, backend):
    """Build the graph once, compile it, then replay: forward, zero, backward, update.
    A generator: it yields after every step, so that contestants can take turns."""
    X, y = moons()
    model = MicrocalcMLP(Value)
    parameters = model.parameters()
    start = time.perf_counter()
    loss, _ = demo_loss(Value, model, X, y)
    built = time.perf_counter()
    program = compile_graph(loss, backend)
    run.setup_time = time.perf_counter() - start
    run.compile_time = time.perf_counter() - built
    run.stats = program.stats()
    run.nodes = run.stats["nodes"]
    del loss
    yield
    for k in range(STEPS):
        start = time.perf_counter()
        value = program.forward()
        _zero(parameters)
        program.backward()
        sgd(parameters, k)
        run.step_times.append(time.perf_counter() - start)
        run.losses.append(value)
        yield
    run.accuracy = demo_loss(Value, model, X, y)[1]


def round_robin(contestants, block=BLOCK):
    """Advance every generator `block` steps in turn until all are done."""
    live = list(contestants)
    while live:
        for generator in list(live):
            for _ in range(block):
                if next(generator, StopIteration) is StopIteration:
                    live.remove(generator)
                    break


def compile_times(engines, rounds=5):
    """Median seconds to compile the demo graph, per engine (name, Value, compile_graph),
    the engines taking turns; and the graph's node count."""
    X, y = moons()
    graphs = [demo_loss(Value, MicrocalcMLP(Value), X, y)[0] for _, Value, _ in engines]
    times = [[] for _ in engines]
    for _ in range(rounds):
        for (_, _, compile_graph), graph, spent in zip(engines, graphs, times):
            gc.collect()
            start = time.perf_counter()
            program = compile_graph(graph, "python")
            spent.append(time.perf_counter() - start)
            nodes = program.stats()["nodes"]
            del program         # freed here, not inside the next engine's timing
    return [statistics.median(spent) for spent in times], nodes


def microcalc_at(commit):
    """microcalc as it was at commit, imported under another name from a folder of its own
    (a git checkout is needed; None without one)."""
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "microcalc"],
                                 capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    folder = Path(tempfile.mkdtemp(prefix="microcalc-bench-"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder)
    name = f"microcalc_{commit}"
    (folder / "microcalc").rename(folder / name)
    sys.path.insert(0, str(folder))
    return importlib.import_module(name), importlib.import_module(f"{name}.compiled")


def seconds(t):
    if t < 1e-3:
        return f"{t * 1e6:.0f} us"
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
    random.seed(1337)
    runs = [train_eager("micrograd 0.1.0", micrograd.engine.Value,
                        micrograd.nn.MLP(2, [16, 16, 1]), micrograd_steps),
            train_eager("microcalc eager", microcalc.Value, MicrocalcMLP(microcalc.Value),
                        STEPS)]

    fast, generators = [], []
    for backend in ("python", "numpy"):
        run = Run(f"compiled {backend}")
        fast.append(run)
        generators.append(train_compiled(run, microcalc.Value, compile_graph, backend))
    before = microcalc_at(BEFORE)
    if before is not None:
        for backend in ("python", "numpy"):
            run = Run(f"{BEFORE} {backend}")
            fast.append(run)
            generators.append(train_compiled(run, before[0].Value, before[1].compile_graph,
                                             backend))
    import peers
    torch_run = peers.torch_vectorised_run()
    if torch_run is not None:
        fast.append(torch_run[0])
        generators.append(torch_run[1])
    round_robin(generators)
    runs += fast
    engines = [("now", microcalc.Value, compile_graph)]
    if before is not None:
        engines.append((BEFORE, before[0].Value, before[1].compile_graph))
    return report(runs, compile_times(engines), before is not None)


def report(runs, compiling, have_before):
    micrograd_run, eager = runs[0], runs[1]
    by_name = {run.name: run for run in runs}
    for run in runs:
        if run.stats:
            s = run.stats
            print(f"{run.name}: graph of {s['nodes']} nodes, {s['depth_before']} deep; "
                  f"compiled to {s['slots']} slots in {s['groups']} groups, {s['depth']} deep "
                  f"({s['folded']} nodes folded into n-ary sums); "
                  f"compile {seconds(run.compile_time)}")
    print()
    header = (f"{'':22}{'steps':>6}{'per step':>10}{'100 steps':>11}{'final loss':>23}"
              f"{'acc':>6}  {'faster than micrograd: per step, 100 steps':>42}")
    print(header)
    print("-" * len(header))
    for run in runs:
        done = len(run.step_times)
        total = seconds(run.total_for_100) + ("*" if done != STEPS else "")
        final = f"{run.losses[-1]!r}" if done == STEPS else f"(step {done})"
        per_step = micrograd_run.per_step / run.per_step
        whole = micrograd_run.total_for_100 / run.total_for_100
        accuracy = f"{run.accuracy:>6.0%}" if run.accuracy is not None else f"{'':>6}"
        print(f"{run.name:22}{done:>6}{seconds(run.per_step):>10}{total:>11}{final:>23}"
              f"{accuracy}  {per_step:>33.0f}x {whole:>7.0f}x")
    if len(micrograd_run.step_times) != STEPS:
        print(f"* micrograd was timed on its first {len(micrograd_run.step_times)} steps "
              f"(--full runs all {STEPS}); its 100-step figure is its median step x {STEPS}.")
    print("Compiled totals include building the graph once and compiling it; the fast "
          f"contestants took turns, {BLOCK} steps each.")
    print()

    print("Replay targets (ratios of medians measured side by side in this run):")
    python, numpy_run = by_name["compiled python"], by_name["compiled numpy"]
    (now, *then), nodes = compiling
    print(f"  compiling the demo graph: {now / nodes * 1e6:.2f} us a node (target at most 0.8; "
          f"median of 5, taking turns" + (f" with {BEFORE}: {then[0] / nodes * 1e6:.2f} us a "
                                          f"node, {then[0] / now:.1f}x slower)" if then else ")"))
    if have_before:
        old = by_name[f"{BEFORE} python"]
        print(f"  compiled-python step: {old.per_step / python.per_step:.2f}x faster than "
              f"{BEFORE} ({seconds(python.per_step)} against {seconds(old.per_step)}; "
              f"target at least 1.5x)")
        old = by_name[f"{BEFORE} numpy"]
        print(f"  compiled-numpy step: {old.per_step / numpy_run.per_step:.2f}x faster than "
              f"{BEFORE} ({seconds(numpy_run.per_step)} against {seconds(old.per_step)})")
    else:
        print(f"  (no git checkout: {BEFORE}'s figures are not measured)")
    torch_run = by_name.get("PyTorch vectorised")
    if torch_run is not None:
        print(f"  numpy step / vectorised PyTorch step (one thread): "
              f"{numpy_run.per_step / torch_run.per_step:.2f} "
              f"({seconds(numpy_run.per_step)} against {seconds(torch_run.per_step)}; "
              f"target at most 1)")
    else:
        print("  vectorised PyTorch: n/a (not installed: bash bench/setup.sh --peers)")
    print()

    failures = []
    for run in runs:
        if len(run.step_times) == STEPS and \
                relative(run.losses[-1], MICROGRAD_FINAL_LOSS) > TOLERANCE:
            failures.append(f"{run.name}: final loss {run.losses[-1]!r}")
        if run is micrograd_run or run.name == "PyTorch vectorised":
            continue
        worst = max(relative(a, b) for a, b in zip(run.losses, eager.losses))
        if worst > TOLERANCE:
            failures.append(f"{run.name}: differs from the eager trajectory by {worst:.1e}")
    for k, (a, b) in enumerate(zip(micrograd_run.losses, eager.losses)):
        if relative(a, b) > TOLERANCE:
            failures.append(f"step {k}: micrograd's loss {a!r} but microcalc's {b!r}")
    print(f"micrograd's final loss is {MICROGRAD_FINAL_LOSS!r}; every run must reach it "
          f"within {TOLERANCE:g} relative, every microcalc run must follow the eager "
          f"trajectory, and micrograd's first {len(micrograd_run.step_times)} losses must "
          f"match microcalc's.")
    for failure in failures:
        print("MISMATCH", failure)
    print("all agree" if not failures else f"{len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
