"""Neural networks made of Values: micrograd's Module, Neuron, Layer and MLP (a drop-in:
`from microcalc.nn import MLP` runs micrograd programs unchanged), losses, optimizers,
data sets, saving and loading, and a training loop with a history.
"""

from .datasets import GENERATORS, Dataset, blobs, circles, load_csv, moons, spirals, xor
from .losses import (LOSSES, binary_cross_entropy, hinge, l2, mse, softmax,
                     softmax_cross_entropy, sse)
from .modules import ACTIVATIONS, INITIALISERS, MLP, Layer, Module, Neuron
from .optim import (OPTIMIZERS, SGD, Adam, Constant, CosineDecay, ExponentialDecay,
                    LinearDecay, Optimizer)
from .serialize import load, save
from .training import (CompiledStep, GraphStep, Objective, StepRecord, TrainingRun, accuracy,
                       classify, default_loss, predict, train)

__all__ = [
    "Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "INITIALISERS",
    "mse", "sse", "hinge", "binary_cross_entropy", "softmax_cross_entropy", "softmax", "l2",
    "LOSSES",
    "Optimizer", "SGD", "Adam", "OPTIMIZERS", "Constant", "LinearDecay", "CosineDecay",
    "ExponentialDecay",
    "Dataset", "moons", "circles", "xor", "blobs", "spirals", "load_csv", "GENERATORS",
    "save", "load",
    "Objective", "GraphStep", "CompiledStep", "StepRecord", "TrainingRun", "train", "predict", "classify",
    "accuracy", "default_loss",
]
