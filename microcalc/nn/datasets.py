"""Small data sets to train on: generated in pure Python from a seed, or read from CSV.

A `Dataset` is a list of input rows (each a list of floats) and one label per row.
Labels follow one convention, so the losses know what to expect: two classes are -1 and
+1 (what the hinge loss and micrograd's demo use), K > 2 classes are 0, 1, ..., K-1 (what
softmax cross-entropy takes), and anything else is a regression target.

Every generator takes seed= and draws only from `random.Random(seed)`: the same seed gives
the same points on every run and every machine.

A data set holds at most MAX_EXAMPLES examples and MAX_NUMBERS numbers (inputs and labels
together): far more than a scalar engine can train on, and little enough memory (about
100 MB) that asking for a billion points is an error at once instead of the machine running
out of memory.
"""

from __future__ import annotations

import io
import math
import os
import random
import re

from ..engine import Value
from ..errors import MicrocalcError
from ..files import read_limited

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import Any, Iterable, Iterator, Optional, Sequence

__all__ = ["Dataset", "moons", "circles", "xor", "blobs", "spirals", "load_csv", "GENERATORS"]

# More distinct whole-number labels than this and the labels are taken as regression targets.
_MAX_CLASSES = 20
MAX_EXAMPLES = 100_000
MAX_NUMBERS = 1_000_000
# The longest line load_csv reads, as for a program's lines.
MAX_LINE = 1_000_000


class Dataset:
    """Rows of inputs with one label each."""

    def __init__(self, inputs: Iterable[Sequence[float]], labels: Iterable[float],
                 name: str = "data") -> None:
        inputs = _rows(inputs)
        labels = [_number(y, f"label {i + 1}") for i, y in _limited(labels)]
        if len(inputs) != len(labels):
            raise MicrocalcError(f"{len(inputs)} input rows but {len(labels)} labels")
        if not inputs:
            raise MicrocalcError("a data set needs at least one example")
        widths = {len(x) for x in inputs}
        if len(widths) > 1:
            raise MicrocalcError(f"input rows have different lengths: {sorted(widths)}")
        self.inputs = inputs
        self.labels = labels
        self.name = name

    def __len__(self):
        return len(self.labels)

    def __iter__(self):
        return zip(self.inputs, self.labels)

    @property
    def n_features(self) -> int:
        return len(self.inputs[0])

    @property
    def classes(self) -> Optional[list[float]]:
        """The distinct labels, sorted, if they look like classes; None for regression."""
        distinct = sorted(set(self.labels))
        if len(distinct) <= _MAX_CLASSES and all(y.is_integer() for y in distinct):
            return distinct
        return None

    def subset(self, indices: Iterable[int], name: Optional[str] = None) -> Dataset:
        return Dataset([self.inputs[i] for i in indices], [self.labels[i] for i in indices],
                       name or self.name)

    def batches(self, size: int, rng: Any = None) -> Iterator[Dataset]:
        """One pass over the data in mini-batches of size (the last may be smaller),
        shuffled by rng (a random.Random) unless rng is None."""
        size = int(size)
        if size < 1:
            raise MicrocalcError(f"a batch size must be at least 1, not {size}")
        order = list(range(len(self)))
        if rng is not None:
            rng.shuffle(order)
        for start in range(0, len(order), size):
            yield self.subset(order[start:start + size])

    def to_data(self) -> dict[str, Any]:
        """A JSON-ready summary (the language's --json output uses it)."""
        return {"dataset": self.name, "examples": len(self), "inputs": self.n_features,
                "classes": self.classes}

    def __repr__(self):
        return f"<Dataset {self}>"

    def __str__(self):
        classes = self.classes
        if classes is None:
            kind = "regression targets"
        else:
            kind = "classes " + ", ".join(f"{c:g}" for c in classes)
        return f"{self.name}: {len(self)} examples, {self.n_features} inputs, {kind}"


def _number(x, where):
    if isinstance(x, Value):
        x = x.data
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        try:
            x = float(x)     # numpy scalars
        except (TypeError, ValueError):
            # Not repr(x): a list nested 100,000 deep has none, and a string is the user's.
            raise MicrocalcError(f"{where} is not a number") from None
    x = float(x)
    if not math.isfinite(x):
        raise MicrocalcError(f"{where} is not a finite number: {x!r}")
    return x


def _limited(items):
    """enumerate(items), refusing more than MAX_EXAMPLES of them."""
    for i, item in enumerate(items):
        if i == MAX_EXAMPLES:
            raise MicrocalcError(_too_many_examples("more than"))
        yield i, item


def _too_many_examples(count):
    return f"a data set holds at most {MAX_EXAMPLES:,} examples, not {count}"


def _rows(inputs):
    """The input rows as lists of floats, refusing more than the limits allow."""
    rows, numbers = [], 0
    for i, x in _limited(inputs):
        row = _row(x, i)
        numbers += len(row) + 1          # its label too
        if numbers > MAX_NUMBERS:
            raise MicrocalcError(f"a data set holds at most {MAX_NUMBERS:,} numbers (inputs "
                                 f"and labels); these rows have more")
        rows.append(row)
    return rows


def _row(x, i):
    if isinstance(x, (int, float)):
        x = [x]
    elif not isinstance(x, (list, tuple)):
        try:
            x = list(x)
        except TypeError:
            raise MicrocalcError(f"example {i + 1} is not a row of numbers") from None
    if len(x) >= MAX_NUMBERS:
        raise MicrocalcError(f"example {i + 1} has {len(x):,} inputs; a data set holds at "
                             f"most {MAX_NUMBERS:,} numbers")
    return [_number(v, f"input {j + 1} of example {i + 1}") for j, v in enumerate(x)]


def _class_labels(class_count):
    """Label of class k: -1/+1 for two classes, k itself for more."""
    return [-1.0, 1.0] if class_count == 2 else [float(k) for k in range(class_count)]


def _split(n, parts):
    """n as parts whole numbers differing by at most one, larger first."""
    return [n // parts + (1 if k < n % parts else 0) for k in range(parts)]


def _linspace(start, stop, n):
    if n == 1:
        return [start]
    return [start + (stop - start) * i / (n - 1) for i in range(n)]


def _check(n, noise, at_least=1):
    if isinstance(n, bool) or not isinstance(n, (int, float)) or not math.isfinite(n) \
            or n != int(n):
        raise MicrocalcError(f"the number of examples must be a whole number, not {n!r}")
    n = int(n)
    if n < at_least:
        raise MicrocalcError(f"a data set needs at least {at_least:,} examples, not {n:,}")
    if n > MAX_EXAMPLES:
        raise MicrocalcError(_too_many_examples(f"{n:,}"))
    if not noise >= 0:
        raise MicrocalcError(f"noise must be >= 0, not {noise!r}")
    return n


def _shuffled(points, labels, rng, name):
    order = list(range(len(points)))
    rng.shuffle(order)
    return Dataset([points[i] for i in order], [labels[i] for i in order], name)


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles (scikit-learn's make_moons): upper -1, lower +1."""
    n = _check(n, noise, 2)
    rng = random.Random(seed)
    upper, lower = n // 2, n - n // 2
    points = [[math.cos(t), math.sin(t)] for t in _linspace(0, math.pi, upper)]
    points += [[1 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0, math.pi, lower)]
    points = [[x + rng.gauss(0, noise), y + rng.gauss(0, noise)] for x, y in points]
    return _shuffled(points, [-1.0] * upper + [1.0] * lower, rng, "moons")


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5,
            seed: int = 0) -> Dataset:
    """A small circle (+1) inside a unit circle (-1); factor is the inner radius."""
    n = _check(n, noise, 2)
    if not 0 < factor < 1:
        raise MicrocalcError(f"factor must be between 0 and 1, not {factor!r}")
    rng = random.Random(seed)
    outer, inner = n // 2, n - n // 2
    points = [[math.cos(2 * math.pi * k / outer), math.sin(2 * math.pi * k / outer)]
              for k in range(outer)]
    points += [[factor * math.cos(2 * math.pi * k / inner),
                factor * math.sin(2 * math.pi * k / inner)] for k in range(inner)]
    points = [[x + rng.gauss(0, noise), y + rng.gauss(0, noise)] for x, y in points]
    return _shuffled(points, [-1.0] * outer + [1.0] * inner, rng, "circles")


def xor(n: int = 100, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Points in the square [-1, 1]²: +1 where x1*x2 > 0, -1 elsewhere (noise moves the
    points after labelling)."""
    n = _check(n, noise)
    rng = random.Random(seed)
    points = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(n)]
    labels = [1.0 if x * y > 0 else -1.0 for x, y in points]
    points = [[x + rng.gauss(0, noise), y + rng.gauss(0, noise)] for x, y in points]
    return Dataset(points, labels, "xor")


def blobs(n: int = 100, centers: int = 3, spread: float = 0.5, seed: int = 0) -> Dataset:
    """Gaussian clusters of standard deviation spread around centers evenly spaced on a
    circle of radius 2."""
    centers = int(centers)
    n = _check(n, spread, centers)
    if centers < 2:
        raise MicrocalcError(f"blobs needs at least 2 centers, not {centers}")
    rng = random.Random(seed)
    labels_of = _class_labels(centers)
    points, labels = [], []
    for k, count in enumerate(_split(n, centers)):
        angle = 2 * math.pi * k / centers
        cx, cy = 2 * math.cos(angle), 2 * math.sin(angle)
        points += [[cx + rng.gauss(0, spread), cy + rng.gauss(0, spread)]
                   for _ in range(count)]
        labels += [labels_of[k]] * count
    return _shuffled(points, labels, rng, "blobs")


def spirals(n: int = 100, classes: int = 2, noise: float = 0.2,
            seed: int = 0) -> Dataset:
    """Spiral arms, one per class, winding out from the centre (CS231n's spiral data): arm k
    at radius r has angle 4*(k + r) plus noise."""
    classes = int(classes)
    n = _check(n, noise, 2 * classes)
    if classes < 2:
        raise MicrocalcError(f"spirals needs at least 2 classes, not {classes}")
    rng = random.Random(seed)
    labels_of = _class_labels(classes)
    points, labels = [], []
    for k, count in enumerate(_split(n, classes)):
        for r in _linspace(0, 1, count):
            t = 4 * (k + r) + rng.gauss(0, noise)
            points.append([r * math.sin(t), r * math.cos(t)])
        labels += [labels_of[k]] * count
    return _shuffled(points, labels, rng, "spirals")


GENERATORS = {f.__name__: f for f in (moons, circles, xor, blobs, spirals)}


def load_csv(path: str) -> Dataset:
    """Rows of numbers, the label in the last column; a first row of names is skipped.

    `x1,x2,y` over rows like `1.12,0.081,-1` (examples/data/moons100.csv) gives 2 inputs
    and a label per row. A number is written in ASCII decimal as in the language (`-1.5`,
    `2e-3`): not `1_000`, not `inf`, not digits of other scripts. The first row is a header
    when none of its cells is a number, so a first row of data is never dropped. A UTF-8
    byte-order mark is not part of the first cell.
    """
    import csv          # here: the language loads this module for every piped one-liner
    path = os.fspath(path)
    name = os.path.splitext(os.path.basename(path))[0]
    data = read_limited(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MicrocalcError(f"cannot read {path}: not UTF-8 (byte 0x{data[exc.start]:02x} "
                             f"at offset {exc.start})") from None
    try:
        rows = [(number, row) for number, row
                in enumerate(csv.reader(_lines(text, path)), 1)
                if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise MicrocalcError(f"cannot read {path}: {exc}") from None
    if rows and not any(_is_number(cell) for cell in rows[0][1]):
        rows = rows[1:]
    if not rows:
        raise MicrocalcError(f"{path} has no rows of data")
    if len(rows) > MAX_EXAMPLES:
        raise MicrocalcError(f"{path}: {_too_many_examples(f'{len(rows):,}')}")
    width = len(rows[0][1])
    if width < 2:
        raise MicrocalcError(f"{path}: each row needs inputs and a label (at least 2 columns)")
    inputs, labels = [], []
    for number, row in rows:
        if len(row) != width:
            raise MicrocalcError(f"{path}, line {number}: {len(row)} columns, "
                                 f"expected {width} like the first row")
        bad = next((cell for cell in row if not _is_number(cell)), None)
        if bad is not None:
            raise MicrocalcError(f"{path}, line {number}: not a number: {_clipped(bad)}")
        values = [float(cell) for cell in row]
        if not all(math.isfinite(v) for v in values):
            raise MicrocalcError(f"{path}, line {number}: numbers must be finite")
        inputs.append(values[:-1])
        labels.append(values[-1])
    try:
        return Dataset(inputs, labels, name)
    except MicrocalcError as exc:
        raise MicrocalcError(f"{path}: {exc}") from None


# A number as the language writes it, in ASCII digits only (float() also takes 1_000, "inf"
# and Arabic-Indic digits), with spaces around it allowed.
_NUMBER = re.compile(r"[ \t]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t]*")


def _is_number(cell):
    return _NUMBER.fullmatch(cell) is not None


def _lines(text, path):
    """The lines of text, refusing one longer than MAX_LINE characters (a megabyte of one row
    would become hundreds of thousands of cells before any check)."""
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        if len(line) > MAX_LINE + 2:          # its line break is not counted
            raise MicrocalcError(f"{path}, line {number}: longer than {MAX_LINE:,} "
                                 f"characters, the most microcalc reads")
        yield line


def _clipped(cell, most=40):
    """A cell as a message shows it: quoted, at most `most` characters."""
    import json
    return json.dumps(cell if len(cell) <= most else cell[:most] + "...", ensure_ascii=False)
