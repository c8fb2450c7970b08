"""Neural networks made of Values: micrograd's Module, Neuron, Layer and MLP (a drop-in:
`from microcalc.nn import MLP` runs micrograd programs unchanged), losses, optimizers,
data sets, saving and loading, and a training loop with a history.

Each part is imported when first asked for (`from microcalc.nn import MLP` loads the modules
and nothing of training), so a program that never trains never pays for it.
"""

from ..lazy import lazy_names

_HOMES = {
    "modules": ("Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "INITIALISERS"),
    "losses": ("mse", "sse", "hinge", "binary_cross_entropy", "softmax_cross_entropy",
               "softmax", "l2", "LOSSES"),
    "optim": ("Optimizer", "SGD", "Adam", "OPTIMIZERS", "Constant", "LinearDecay",
              "CosineDecay", "ExponentialDecay"),
    "datasets": ("Dataset", "moons", "circles", "xor", "blobs", "spirals", "load_csv",
                 "GENERATORS"),
    "serialize": ("save", "load"),
    "training": ("Objective", "GraphStep", "CompiledStep", "StepRecord", "TrainingRun",
                 "train", "predict", "classify", "accuracy", "default_loss"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}

TYPE_CHECKING = False      # for type checkers, what the lazy imports below give
if TYPE_CHECKING:
    from .datasets import Dataset, blobs, circles, load_csv, moons, spirals, xor
    from .losses import binary_cross_entropy, hinge, l2, mse, softmax, softmax_cross_entropy, sse
    from .modules import MLP, Layer, Module, Neuron
    from .optim import SGD, Adam, Optimizer
    from .serialize import load, save
    from .training import TrainingRun, accuracy, predict, train

__all__ = list(_MODULE_OF)


__getattr__, __dir__ = lazy_names(__name__, _MODULE_OF)
