"""The training loop: forward, backward, update, with a history and a way to stop.

Three parts, kept apart so that any one can be replaced:
- an `Objective` builds the loss graph of one batch (the network's outputs, the loss,
  the L2 term): graph building and nothing else;
- a step function computes the gradients: given a batch it fills every parameter's .grad
  with d(loss)/d(parameter) and returns (loss, accuracy) as floats. `GraphStep` does it
  by building the graph and calling backward(); `CompiledStep` records the graph once and
  replays it (`microcalc.compiled`), for full-batch training where the graph's shape
  never changes, only the parameters' values;
- an optimizer (`microcalc.nn.optim`) moves the parameters.

`train()` runs them for a number of steps, keeps the loss and accuracy of every step in a
`TrainingRun`, reports each step to a callback, and stops cleanly on KeyboardInterrupt:
the model keeps the parameters of the last step that finished.
"""

from __future__ import annotations

import random
import time
from typing import NamedTuple, Optional

from ..compiled import compile_graph
from ..engine import DomainError, Value, builds_graph
from ..errors import MicrocalcError
from .losses import LOSSES, l2 as l2_penalty
from .optim import OPTIMIZERS, Optimizer

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Callable, Sequence, Union
    from .datasets import Dataset
    from .modules import Module

__all__ = ["Objective", "GraphStep", "CompiledStep", "StepRecord", "TrainingRun", "train", "predict",
           "classify", "accuracy", "default_loss", "percent"]


def _loss(name):
    if name not in LOSSES:
        raise MicrocalcError(f"unknown loss {name!r}: choose one of {', '.join(LOSSES)}")
    return LOSSES[name]


def default_loss(model: Module, data: Dataset) -> str:
    """softmax for several outputs, hinge for two classes, mse for anything else."""
    classes = data.classes
    if getattr(model, "nout", 1) > 1 and classes is not None:
        return "softmax"
    if classes is not None and len(classes) == 2:
        return "hinge"
    return "mse"


class Objective:
    """The loss of a batch as a graph: loss(model(inputs), targets) + l2 * sum(p*p)."""

    def __init__(self, model: Module, loss: Any = "mse", l2: float = 0.0,
                 classes: Optional[Sequence[float]] = None) -> None:
        self.model = model
        self.loss = _loss(loss)
        self.l2 = float(l2)
        if self.loss.multiclass:
            if not classes:
                raise MicrocalcError("softmax cross-entropy needs class labels")
            self.class_index = {label: k for k, label in enumerate(classes)}
            if len(classes) != getattr(model, "nout", len(classes)):
                raise MicrocalcError(f"the data has {len(classes)} classes but the network "
                                     f"has {model.nout} outputs")
        else:
            self.class_index = None

    def targets(self, batch: Dataset) -> Any:
        if self.class_index is None:
            return batch.labels
        return [self.class_index[y] for y in batch.labels]

    @builds_graph
    def __call__(self, batch: Dataset) -> Any:
        """(total loss as a Value, the network's outputs, the targets)."""
        # Inputs are Values, as in micrograd's demo: leaves a recorded graph can re-bind.
        outputs = [self.model(list(map(Value, row))) for row in batch.inputs]
        targets = self.targets(batch)
        total = self.loss(outputs, targets)
        if self.l2:
            total = total + l2_penalty(self.model.parameters(), self.l2)
        return total, outputs, targets

    def accuracy(self, outputs: Any, targets: Any) -> Optional[float]:
        """The fraction of outputs that are right, or None for a regression loss."""
        if not self.loss.classifies:
            return None
        return sum(self.loss.correct(o, t) for o, t in zip(outputs, targets)) / len(targets)


class GraphStep:
    """Gradients by building the batch's graph and running backward() through it."""

    def __init__(self, objective: Objective) -> None:
        self.objective = objective
        self.parameters = objective.model.parameters()

    # Built, differentiated and freed with the collector paused: it never walks the graph.
    @builds_graph
    def __call__(self, batch: Dataset) -> Any:
        total, outputs, targets = self.objective(batch)
        for p in self.parameters:
            p.grad = 0.0
        total.backward()
        return total.data, self.objective.accuracy(outputs, targets)


class CompiledStep:
    """Gradients by replaying one batch's graph, recorded once.

    Every step of full-batch training builds the same graph with other parameter values;
    recording it once and replaying it creates no Value per node per step. The replay
    computes GraphStep's losses bit for bit and its gradients to a few ulp (they are added
    in another order), so the trajectories agree (tests/test_nn_training.py).
    """

    def __init__(self, objective: Objective, batch: Dataset, backend: str = "auto") -> None:
        self.objective = objective
        self.batch = batch
        self.backend = backend
        self.parameters = objective.model.parameters()
        self._record()

    def _record(self):
        total, outputs, self.targets = self.objective(self.batch)
        self.outputs = outputs
        self.output_nodes = [v for o in outputs for v in (o if isinstance(o, list) else [o])]
        self.program = compile_graph(total, self.backend, keep=self.output_nodes)

    def __call__(self, batch: Dataset) -> Any:
        if batch is not self.batch:
            raise MicrocalcError("a compiled step replays the batch it was recorded on")
        try:
            loss = self.program.forward()
        except DomainError:
            # A constant recorded with the graph (softmax's subtracted maximum) may no
            # longer suit the parameters: record the graph again at today's values.
            self._record()
            loss = self.program.forward()
        for p in self.parameters:
            p.grad = 0.0
        self.program.backward()
        values = iter(self.program.values_of(self.output_nodes))
        outputs = [[next(values) for _ in o] if isinstance(o, list) else next(values)
                   for o in self.outputs]
        return loss, self.objective.accuracy(outputs, self.targets)


class StepRecord(NamedTuple):
    step: int                    # 0 for the first update
    loss: float                  # the loss before this step's update, as micrograd prints it
    accuracy: Optional[float]    # fraction right on the batch, None for regression
    lr: float                    # the learning rate this step used


class TrainingRun:
    """What a call of train() did: the model, the data, and every step's loss and accuracy."""

    def __init__(self, model: Module, data: Dataset, loss: Any, optimizer: Any, steps: int,
                 batch_size: Optional[int]) -> None:
        self.model = model
        self.data = data
        self.loss = loss                # a Loss from LOSSES
        self.optimizer = optimizer
        self.steps = steps              # steps asked for
        self.batch_size = batch_size
        self.history = []               # one StepRecord per finished step
        self.interrupted = False
        self.seconds = 0.0

    @property
    def losses(self) -> list[float]:
        return [r.loss for r in self.history]

    @property
    def accuracies(self) -> list[Optional[float]]:
        return [r.accuracy for r in self.history]

    @property
    def steps_per_second(self) -> float:
        return len(self.history) / self.seconds if self.seconds > 0 else 0.0

    def predict(self, point: Any) -> Any:
        """The trained network's output for one input row, as floats."""
        return predict(self.model, point)

    def classify(self, point: Any) -> Any:
        """The label the network gives one input row, or None for regression."""
        return classify(self.model, point, self.loss, self.data.classes)

    def __str__(self):
        done = len(self.history)
        what = (f"{_describe(self.model)} on {self.data.name} ({len(self.data)} examples), "
                f"{self.loss.name} loss, {self.optimizer!r}")
        if not done:
            return f"no step finished: {what}"
        first, last = self.history[0], self.history[-1]
        text = f"{done} steps: {what}; loss {first.loss:.4g} -> {last.loss:.4g}"
        if last.accuracy is not None:
            text += f", accuracy {percent(first.accuracy)} -> {percent(last.accuracy)}"
        if self.interrupted:
            text += (f"; stopped after {done} of {self.steps} steps, "
                     f"keeping step {done}'s parameters")
        return text

    def to_data(self) -> dict[str, Any]:
        """A JSON-ready summary (the language's --json output uses it)."""
        return {"model": _describe(self.model), "data": self.data.name, "loss": self.loss.name,
                "steps": len(self.history), "steps_asked": self.steps,
                "losses": self.losses, "accuracies": self.accuracies,
                "interrupted": self.interrupted, "seconds": self.seconds}

    def __repr__(self):
        return f"<TrainingRun {self}>"


def percent(fraction):
    """0.81 as "81%", 0.995 as "99.5%" (never rounded up to a perfect 100%)."""
    return f"{100 * fraction:.3g}%"


def _describe(model):
    describe = getattr(model, "describe", None)
    return describe() if describe else type(model).__name__


def _outputs_as_floats(output):
    if isinstance(output, list):
        return [o.data if isinstance(o, Value) else float(o) for o in output]
    return output.data if isinstance(output, Value) else float(output)


def predict(model: Module, point: Any) -> Any:
    """model's output for one input row: a float, or a list of floats for several outputs."""
    return _outputs_as_floats(model(list(point) if isinstance(point, tuple) else point))


def classify(model: Module, point: Any, loss: Any, classes: Optional[Sequence[float]]) -> Any:
    """The label model gives point under loss: the sign for -1/+1 labels, the index of the
    largest output for several classes; None for a regression loss."""
    if not loss.classifies:
        return None
    output = predict(model, point)
    if loss.multiclass:
        best = max(range(len(output)), key=output.__getitem__)
        return classes[best] if classes else float(best)
    if classes and len(classes) == 2:
        return classes[1] if output > 0 else classes[0]
    return 1.0 if output > 0 else -1.0


def accuracy(model: Module, data: Dataset, loss: Optional[str] = None) -> Optional[float]:
    """Fraction of data's examples model gets right (None for a regression loss)."""
    objective = Objective(model, loss or default_loss(model, data), classes=data.classes)
    outputs = [model(row) for row in data.inputs]
    return objective.accuracy(outputs, objective.targets(data))


def _batches(data, batch_size, rng):
    """Mini-batches forever, a fresh shuffle each pass; the whole data set if batch_size is None."""
    if batch_size is None or batch_size >= len(data):
        while True:
            yield data
    while True:
        yield from data.batches(batch_size, rng)


def train(model: Module, data: Dataset, loss: Optional[str] = None, steps: int = 100,
          optimizer: Any = "sgd", lr: Any = None, l2: float = 0.0,
          batch_size: Optional[int] = None, seed: int = 0,
          callback: Optional[Callable[[TrainingRun, StepRecord], None]] = None,
          step_function: Any = None, catch_interrupt: bool = True,
          compiled: Union[bool, str] = "auto", **optimizer_options: Any) -> TrainingRun:
    """Train model on data for steps updates and return the TrainingRun.

    loss: a name from LOSSES (default: default_loss). optimizer: "sgd", "adam" or an
    Optimizer over model.parameters(); lr a number or a schedule (default 0.1 for SGD,
    0.01 for Adam); other keywords go to the optimizer (momentum=, weight_decay=, ...).
    l2: weight of the sum of squared parameters added to the loss (micrograd's demo: 1e-4).
    batch_size: examples per step (default: all, as micrograd's demo), shuffled by seed.
    callback(run, record) is called after every step. step_function(batch) -> (loss,
    accuracy) replaces GraphStep (it must fill every parameter's .grad).
    compiled: full-batch training replays a recorded graph (CompiledStep) when this is
    "auto" and there are at least 3 steps (recording costs about one step), or when True;
    False always rebuilds the graph (GraphStep). Mini-batches always rebuild it.
    KeyboardInterrupt ends the run with the parameters of the last finished step; with
    catch_interrupt=False it is raised again after that.
    """
    steps = int(steps)
    if steps < 0:
        raise MicrocalcError(f"steps must be >= 0, not {steps}")
    if batch_size is not None:
        batch_size = int(batch_size)
        if batch_size < 1:
            raise MicrocalcError(f"a batch size must be at least 1, not {batch_size}")
    loss = loss or default_loss(model, data)
    objective = Objective(model, loss, l2, classes=data.classes)
    if not isinstance(optimizer, Optimizer):
        if optimizer not in OPTIMIZERS:
            raise MicrocalcError(f"unknown optimizer {optimizer!r}: "
                                 f"choose one of {', '.join(OPTIMIZERS)}")
        if lr is None:
            lr = 0.01 if optimizer == "adam" else 0.1
        optimizer = OPTIMIZERS[optimizer](model.parameters(), lr=lr, **optimizer_options)
    elif lr is not None or optimizer_options:
        raise MicrocalcError("give lr and optimizer options to the optimizer itself")
    if step_function is None:
        full_batch = batch_size is None or batch_size >= len(data)
        if compiled is True and not full_batch:
            raise MicrocalcError("a compiled step needs full-batch training (no batch size)")
        if full_batch and (compiled is True or (compiled == "auto" and steps >= 3)):
            step_function = CompiledStep(objective, data)
        else:
            step_function = GraphStep(objective)
    run = TrainingRun(model, data, objective.loss, optimizer, steps, batch_size)
    batches = _batches(data, batch_size, random.Random(seed))
    started = time.perf_counter()
    for k in range(steps):
        snapshot = None
        try:
            loss_value, batch_accuracy = step_function(next(batches))
            lr_used = optimizer.lr
            snapshot = optimizer.snapshot()
            optimizer.step()
            run.history.append(StepRecord(k, loss_value, batch_accuracy, lr_used))
            run.seconds = time.perf_counter() - started
            if callback is not None:
                callback(run, run.history[-1])
        except KeyboardInterrupt:
            # Undo an update that did not finish (or finished but was not recorded), so
            # the parameters are those of the last step in the history.
            if snapshot is not None and len(run.history) == k:
                optimizer.restore(snapshot)
            optimizer.zero_grad()
            run.interrupted = True
            run.seconds = time.perf_counter() - started
            if not catch_interrupt:
                raise
            break
    return run
