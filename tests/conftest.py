"""What several test modules share: the micrograd lecture's example graphs, their expected
pictures, reading transcripts out of the docs, and a scratch folder for programs that write
files. (Test modules import from here, never from each other.)"""

import math
import os
import shutil

import pytest

from microcalc.engine import Value
from microcalc.lang.errors import SourceError


# A test that draws with Graphviz's own `dot` program (an optional tool) runs only where it is.
needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None,
                                    reason="needs Graphviz's dot program, which is not installed")


@pytest.fixture(scope="module")
def scratch_folder(tmp_path_factory):
    """Programs may write files (save, dot, :save): they land in a folder of their own."""
    folder = tmp_path_factory.mktemp("scratch")
    before = os.getcwd()
    os.chdir(folder)
    yield folder
    os.chdir(before)


# -- the lecture's graphs, named as a session would name them ---------------------------

def _named(**values):
    return values, {v: k for k, v in values.items()}


def lecture_expression():
    """L = (a*b + c)*f with a=2, b=-3, c=10, f=-2 (e = a*b, d = e + c): values, names."""
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    return _named(a=a, b=b, c=c, f=f, e=e, d=d, L=L)


def lecture_neuron():
    """o = tanh(x1*w1 + x2*w2 + b): the lecture's single neuron."""
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    return _named(x1=x1, x2=x2, w1=w1, w2=w2, b=b, n=n, o=o)


def doubling(levels):
    """x0 = 1, x1 = x0 + x0, ..., x{levels}: 2**levels paths from the top to x0."""
    xs = [Value(1.0)]
    for _ in range(levels):
        xs.append(xs[-1] + xs[-1])
    return xs, {x: f"x{i}" for i, x in enumerate(xs)}


# -- their pictures ----------------------------------------------------------------------

LECTURE_TREE = """\
node         value  grad
L (*)           -8     1
├─ d (+)         4    -2
│  ├─ e (*)     -6    -2
│  │  ├─ a       2     6
│  │  └─ b      -3    -4
│  └─ c         10    -2
└─ f            -2     4"""

LECTURE_TREE_ASCII = """\
node         value  grad
L (*)           -8     1
|- d (+)         4    -2
|  |- e (*)     -6    -2
|  |  |- a       2     6
|  |  `- b      -3    -4
|  `- c         10    -2
`- f            -2     4"""

NEURON_TREE = """\
node               value  grad
o (tanh)        0.707107     1
└─ n (+)        0.881374   0.5
   ├─ +               -6   0.5
   │  ├─ *            -6   0.5
   │  │  ├─ x1         2  -1.5
   │  │  └─ w1        -3     1
   │  └─ *             0   0.5
   │     ├─ x2         0   0.5
   │     └─ w2         1     0
   └─ b          6.88137   0.5"""

LECTURE_EXPLAIN = """\
dL/da by the chain rule: 1 path from L down to a

local derivatives
  dL/dd = d(u*v)/du = v = f = -2
  dd/de = d(u+v)/du = 1
  de/da = d(u*v)/du = v = b = -3

path
  L → d → e → a    dL/dd · dd/de · de/da = -2 × 1 × (-3) = 6

dL/da = 6"""

NEURON_EXPLAIN = """\
do/dx1 by the chain rule: 1 path from o down to x1
  where t1 = t2+t3, t2 = x1*w1, t3 = x2*w2

local derivatives
  do/dn   = d(tanh(u))/du = 1 - tanh(u)**2 = 1 - tanh(n)**2 = 0.5
  dn/dt1  = d(u+v)/du = 1
  dt1/dt2 = d(u+v)/du = 1
  dt2/dx1 = d(u*v)/du = v = w1 = -3

path
  o → n → t1 → t2 → x1    do/dn · dn/dt1 · dt1/dt2 · dt2/dx1 = 0.5 × 1 × 1 × (-3) = -1.5

do/dx1 = -1.5"""

LECTURE_CHECK = """\
input  autodiff  numeric  rel. error
a             6        6     8.2e-11  ✓
b            -4       -4     8.3e-12  ✓
c            -2       -2     3.8e-11  ✓
f             4        4     2.7e-11  ✓
all 4 gradients agree with central differences (largest relative error 8.2e-11)"""


# -- transcripts in the docs (```mc blocks: mc> input, then its output) -----------------

def mc_blocks(text):
    """(line number, lines) of every ```mc fenced block."""
    blocks, current, start = [], None, 0
    for number, line in enumerate(text.splitlines(), start=1):
        if current is None and line.strip() == "```mc":
            current, start = [], number + 1
        elif current is not None and line.strip() == "```":
            blocks.append((start, current))
            current = None
        elif current is not None:
            current.append(line)
    assert current is None, "an ```mc block is never closed"
    return blocks


def steps(lines):
    """[(input, expected output lines)] of one transcript."""
    result = []
    for line in lines:
        if line.startswith("mc> "):
            result.append([line[4:], []])
        elif line.startswith("... ") and result and not result[-1][1]:
            result[-1][0] += "\n" + line[4:]
        else:
            assert result, f"output before any input: {line!r}"
            result[-1][1].append(line)
    return result


def shown(session, source):
    lines = []

    def emit(event):
        if event.kind in ("value", "text"):
            lines.extend(event.text.split("\n"))
        elif event.kind == "note":
            lines.append(f"note: {event.text}")
        elif event.kind == "progress" and (event.data or {}).get("report"):
            lines.append(event.text)
    try:
        session.run(source, emit=emit)
    except SourceError as err:
        lines.extend(err.format().split("\n"))
    return lines


def matches(expected, actual):
    """Does actual fit expected, where a line "..." stands for any number of lines?"""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


# -- how far a replayed gradient may be from the eager one ------------------------------

def absolute_gradients(output, leaves):
    """Sum over paths from output to each leaf of |product of partials along the path|: the
    scale of what adding a gradient's contributions in another order can change."""
    from microcalc.engine import topological_order
    adjoint = {output: 1.0}
    for v in reversed(topological_order(output)):
        g = adjoint.get(v)
        if g is None or v.is_input:
            continue
        try:
            partials = v.op.derivative(*[c.data for c in v.operands], v.data)
        except (ArithmeticError, ValueError):      # infinite: stopped by a 0 below, or raised
            partials = [math.inf] * len(v.operands)
        for child, d in zip(v.operands, partials):
            if d != 0:                             # a partial of exactly 0 stops the path
                adjoint[child] = adjoint.get(child, 0.0) + abs(d) * g
    return [adjoint.get(x, 0.0) for x in leaves]


# -- running the language in tests -----------------------------------------------------------

def outputs(session, source):
    """The text of every value/text event, one string per event."""
    return [e.text for e in session.run(source) if e.kind in ("value", "text")]


def notes(session, source):
    return [e.text for e in session.run(source) if e.kind == "note"]


def values_printed(session, source):
    """The numbers (or lists) a program prints as values, as their data."""
    return [e.data["value"] for e in session.run(source) if e.kind == "value"]


def error_of_program(source, setup=""):
    """The SourceError a program raises in a fresh session (after running setup)."""
    import pytest

    from microcalc.lang import Session
    session = Session()
    if setup:
        session.run(setup)
    with pytest.raises(SourceError) as info:
        session.run(source)
    return info.value
