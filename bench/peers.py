"""microcalc beside the autograd engines people know, on micrograd's moons demo, in one run:
micrograd 0.1.0, PyTorch (on 0-d scalars as micrograd writes it, and vectorised), HIPS
autograd and JAX (vectorised), each where it is installed (else n/a). Every engine runs on
one CPU thread in float64.

    bash bench/setup.sh --peers               # once: bench/.venv with every peer
    bench/.venv/bin/python bench/peers.py     # --full: micrograd and 0-d PyTorch for all 100 steps

Three figures per engine:
- one demo step (build or replay, zero, backward, SGD update), the median of its steps;
- 100 steps with setup: building the model (and compiling or jitting where the engine does);
- a Hessian: 16 x 16 second derivatives through the whole network (see hessian_microcalc;
  engines without higher derivatives, and compiled replays, which replay first
  derivatives: n/a).
The fast engines take turns, ten steps each, so that they share the machine's noise.
An engine counts only if its 100 steps end on micrograd's final loss 0.010978370135492717
(to 1e-9 relative), or, when it ran fewer steps, if its losses are the eager engine's.
"""

import argparse
import importlib.metadata
import os
import random
import statistics
import sys
import time

# One thread for every peer, set before any of them is imported.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1")

import micrograd.engine  # noqa: E402
import micrograd.nn  # noqa: E402

import microcalc  # noqa: E402
from microcalc.compiled import compile_graph  # noqa: E402

from train import (MICROGRAD_FINAL_LOSS, STEPS, TOLERANCE, MicrocalcMLP, Run,  # noqa: E402
                   demo_loss, initial_parameters, moons, relative, round_robin, seconds,
                   train_compiled, train_eager)

SLOW_STEPS = 3              # steps of the engines that take seconds a step, without --full


def _optional(name):
    try:
        return __import__(name)
    except ImportError:
        return None


def learning_rate(k):
    return 1.0 - 0.9 * k / 100


def _matrices():
    """The demo model's initial parameters as [W1, b1, W2, b2, W3, b3] (lists)."""
    matrices = []
    for layer in initial_parameters():
        matrices += [[w for w, _ in layer], [b for _, b in layer]]
    return matrices


# The eager engines: micrograd, microcalc, PyTorch on 0-d scalars.

class TorchScalar:
    """micrograd's Value written with PyTorch 0-d tensors (the lecture's comparison)."""

    def __init__(self, torch, data):
        self.t = data if isinstance(data, torch.Tensor) else torch.tensor(
            float(data), dtype=torch.float64)
        self.torch = torch

    def _wrap(self, t):
        return TorchScalar(self.torch, t)

    def _other(self, other):
        return other.t if isinstance(other, TorchScalar) else other

    def __add__(self, other):
        return self._wrap(self.t + self._other(other))

    __radd__ = __add__

    def __mul__(self, other):
        return self._wrap(self.t * self._other(other))

    __rmul__ = __mul__

    def relu(self):
        return self._wrap(self.t.relu())

    @property
    def data(self):
        return self.t.item()

    @data.setter
    def data(self, value):
        with self.torch.no_grad():
            self.t.fill_(value)

    @property
    def grad(self):
        g = self.t.grad
        return 0.0 if g is None else g.item()

    @grad.setter
    def grad(self, value):
        self.t.grad = None

    def backward(self):
        self.t.backward()


def torch_scalar_run(torch, steps):
    def Value(x):
        return TorchScalar(torch, x)

    def Parameter(x):
        p = TorchScalar(torch, x)
        p.t.requires_grad_(True)
        return p

    model = MicrocalcMLP(Parameter)
    return train_eager("PyTorch 0-d scalars", Value, model, steps)


# The vectorised peers: the same network as matrix products over the batch.

def torch_vectorised_run():
    """(Run, generator) for PyTorch vectorised on one thread, or None without PyTorch."""
    torch = _optional("torch")
    if torch is None:
        return None
    torch.set_num_threads(1)
    run = Run("PyTorch vectorised")
    return run, _torch_vectorised(torch, run)


def _torch_loss(torch, params, X, y):
    h = X
    for i in range(3):
        h = h @ params[2 * i].T + params[2 * i + 1]
        if i < 2:
            h = h.relu()
    scores = h[:, 0]
    data_loss = (1 - y * scores).relu().sum() * (1.0 / len(y))
    return data_loss + 1e-4 * sum((p * p).sum() for p in params), scores


def _torch_vectorised(torch, run):
    start = time.perf_counter()
    X, y = (torch.tensor(a, dtype=torch.float64) for a in moons())
    params = [torch.tensor(m, dtype=torch.float64, requires_grad=True) for m in _matrices()]
    run.setup_time = time.perf_counter() - start
    yield
    for k in range(STEPS):
        start = time.perf_counter()
        loss, scores = _torch_loss(torch, params, X, y)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            lr = learning_rate(k)
            for p in params:
                p -= lr * p.grad
        run.step_times.append(time.perf_counter() - start)
        run.losses.append(loss.item())
        yield
    run.accuracy = float(((scores > 0) == (y > 0)).double().mean())


def autograd_run():
    autograd = _optional("autograd")
    if autograd is None:
        return None
    run = Run("HIPS autograd vectorised")
    return run, _autograd(autograd, run)


def _numpy_loss(np, params, X, y):
    h = X
    for i in range(3):
        h = np.dot(h, params[2 * i].T) + params[2 * i + 1]
        if i < 2:
            h = h * (h > 0)
    margins = 1 - y * h[:, 0]
    data_loss = np.sum(margins * (margins > 0)) * (1.0 / len(y))
    return data_loss + 1e-4 * sum(np.sum(p * p) for p in params)


def _autograd(autograd, run):
    import autograd.numpy as anp
    start = time.perf_counter()
    X, y = (anp.array(a) for a in moons())
    params = [anp.array(m, dtype=float) for m in _matrices()]
    value_and_grad = autograd.value_and_grad(lambda ps: _numpy_loss(anp, ps, X, y))
    run.setup_time = time.perf_counter() - start
    yield
    for k in range(STEPS):
        start = time.perf_counter()
        loss, grads = value_and_grad(params)
        lr = learning_rate(k)
        params = [p - lr * g for p, g in zip(params, grads)]
        run.step_times.append(time.perf_counter() - start)
        run.losses.append(float(loss))
        yield


def jax_run():
    jax = _optional("jax")
    if jax is None:
        return None
    jax.config.update("jax_enable_x64", True)
    run = Run("jax.jit vectorised")
    return run, _jax(jax, run)


def _jax(jax, run):
    import jax.numpy as jnp
    start = time.perf_counter()
    X, y = (jnp.array(a, dtype=jnp.float64) for a in moons())
    params = [jnp.array(m, dtype=jnp.float64) for m in _matrices()]

    @jax.jit
    def step(params, lr):
        loss, grads = jax.value_and_grad(lambda ps: _numpy_loss(jnp, ps, X, y))(params)
        return loss, [p - lr * g for p, g in zip(params, grads)]

    jax.block_until_ready(step(params, 1.0))          # jit compiling is part of the setup
    run.setup_time = time.perf_counter() - start
    yield
    for k in range(STEPS):
        start = time.perf_counter()
        loss, params = step(params, learning_rate(k))
        loss = float(loss)                              # waits for the result
        run.step_times.append(time.perf_counter() - start)
        run.losses.append(loss)
        yield


# Hessians. The demo's own loss is piecewise linear in every parameter (ReLU, hinge), so its
# Hessian is the L2 term's 2e-4 * I: the Hessian measured is that of a smooth variant, the
# demo network with tanh in place of ReLU and a squared error, in the first layer's 16
# biases (a second derivative through the whole network), at the start.

def _smooth_loss(xp, params, X, y):
    h = X
    for i in range(3):
        h = h @ params[2 * i].T + params[2 * i + 1]
        if i < 2:
            h = xp.tanh(h)
    error = h[:, 0] - y
    return xp.sum(error * error) * (1.0 / len(y)) + 1e-4 * sum(xp.sum(p * p) for p in params)


def hessian_microcalc():
    X, y = moons()
    model = MicrocalcMLP(microcalc.Value, activation="tanh")
    start = time.perf_counter()
    inputs = [list(map(microcalc.Value, row)) for row in X]
    errors = [model(x) - yi for x, yi in zip(inputs, y)]
    loss = sum(e * e for e in errors) * (1.0 / len(errors)) + \
        1e-4 * sum(p * p for p in model.parameters())
    biases = [b for _, b in model.layers[0]]
    gradient = microcalc.grad(loss, biases, create_graph=True)
    rows = [microcalc.grad(g, biases) for g in gradient]
    return time.perf_counter() - start, rows


def _hessian_in_first_biases(hessian, xp, array):
    X, y = (array(a) for a in moons())
    matrices = _matrices()
    start = time.perf_counter()
    others = [array(m) for m in matrices]

    def loss_of(biases):
        return _smooth_loss(xp, others[:1] + [biases] + others[2:], X, y)

    rows = hessian(loss_of)(array(matrices[1])).tolist()
    return time.perf_counter() - start, rows


def hessian_torch(torch):
    return _hessian_in_first_biases(
        lambda f: (lambda x: torch.autograd.functional.hessian(f, x)), torch,
        lambda a: torch.tensor(a, dtype=torch.float64))


def hessian_autograd(autograd):
    import autograd.numpy as anp
    return _hessian_in_first_biases(autograd.hessian, anp, lambda a: anp.array(a, dtype=float))


def hessian_jax(jax):
    import jax.numpy as jnp
    return _hessian_in_first_biases(lambda f: jax.jit(jax.hessian(f)), jnp,
                                    lambda a: jnp.array(a, dtype=jnp.float64))


def largest_difference(rows, reference):
    scale = max(abs(x) for row in reference for x in row)
    return max(abs(a - b) for r, q in zip(rows, reference) for a, b in zip(r, q)) / scale


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true",
                        help="run micrograd and 0-d PyTorch for all 100 steps (many minutes)")
    args = parser.parse_args(argv)
    slow_steps = STEPS if args.full else SLOW_STEPS
    torch, autograd, jax = _optional("torch"), _optional("autograd"), _optional("jax")
    if torch is not None:
        torch.set_num_threads(1)
    print(f"micrograd's moons demo, MLP(2, [16, 16, 1]), float64, one thread. Python "
          f"{sys.version.split()[0]}; " + ", ".join(
              f"{name} {importlib.metadata.version(name)}" for name, module in
              (("torch", torch), ("autograd", autograd), ("jax", jax)) if module) + "\n")

    runs = []
    random.seed(1337)
    runs.append(train_eager("micrograd 0.1.0", micrograd.engine.Value,
                      micrograd.nn.MLP(2, [16, 16, 1]), slow_steps))
    runs.append(torch_scalar_run(torch, slow_steps) if torch else Run("PyTorch 0-d scalars"))
    runs.append(train_eager("microcalc eager", microcalc.Value, MicrocalcMLP(microcalc.Value),
                      STEPS))
    generators = []
    for backend in ("python", "numpy"):
        run = Run(f"microcalc compiled {backend}")
        runs.append(run)
        generators.append(train_compiled(run, microcalc.Value, compile_graph, backend))
    for make, name in ((torch_vectorised_run, "PyTorch vectorised"),
                       (autograd_run, "HIPS autograd vectorised"),
                       (jax_run, "jax.jit vectorised")):
        made = make()
        if made is None:
            runs.append(Run(name))
        else:
            runs.append(made[0])
            generators.append(made[1])
    round_robin(generators)

    hessians = {"microcalc eager": hessian_microcalc()}
    if torch:
        hessians["PyTorch vectorised"] = hessian_torch(torch)
    if autograd:
        hessians["HIPS autograd vectorised"] = hessian_autograd(autograd)
    if jax:
        hessians["jax.jit vectorised"] = hessian_jax(jax)
    return report(runs, hessians)


def report(runs, hessians):
    by_name = {run.name: run for run in runs}
    eager_run = by_name["microcalc eager"]
    reference = hessians["microcalc eager"][1]
    header = (f"{'':28}{'one step':>10}{'x micrograd':>12}{'100 steps + setup':>19}"
              f"{'Hessian':>10}{'final loss':>24}  counts")
    print(header)
    print("-" * len(header))
    micrograd_step = by_name["micrograd 0.1.0"].per_step
    failures = 0
    for run in runs:
        if not run.step_times:
            print(f"{run.name:28}{'n/a':>10}{'':12}{'':19}{'':10}{'(not installed)':>24}")
            continue
        done = len(run.step_times)
        total = seconds(run.total_for_100) + ("*" if done != STEPS else "")
        hessian = seconds(hessians[run.name][0]) if run.name in hessians else "n/a"
        if done == STEPS:
            final = repr(run.losses[-1])
            counts = relative(run.losses[-1], MICROGRAD_FINAL_LOSS) <= TOLERANCE
        else:
            final = f"(first {done} steps)"
            counts = all(relative(a, b) <= TOLERANCE
                         for a, b in zip(run.losses, eager_run.losses))
        failures += not counts
        print(f"{run.name:28}{seconds(run.per_step):>10}"
              f"{micrograd_step / run.per_step:>11.0f}x{total:>19}{hessian:>10}{final:>24}"
              f"  {'yes' if counts else 'NO'}")
    print(f"* timed on its first steps (--full runs all {STEPS}): setup plus its median "
          f"step x {STEPS}.")
    print("Hessians agree with microcalc's (largest difference relative to its largest "
          "entry): " + ", ".join(f"{name} {largest_difference(rows, reference):.1e}"
                                  for name, (_, rows) in hessians.items()
                                  if name != "microcalc eager"))
    numpy_run, torch_run = by_name["microcalc compiled numpy"], by_name["PyTorch vectorised"]
    if torch_run.step_times:
        print(f"microcalc compiled numpy step / PyTorch vectorised step: "
              f"{numpy_run.per_step / torch_run.per_step:.2f} (target at most 1)")
    print("all count" if not failures else f"{failures} do not count")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
