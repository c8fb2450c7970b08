"""The one registry of operations: each op's forward rule and its local derivative, side by
side. `Value`'s operators and methods, the generic functions (`tanh(x)` on floats or Values),
the engine's backward step, the compiled back ends and the language's math builtins, help and
highlighting are all generated from `OPS`, so a new operation is added here and nowhere else.

Adding an op is one `_register(...)` call: a name, the arity, the forward rule on floats, the
local derivative (one Python expression per operand, in the operands' numbers `x`, or `a`
and `b`, and the result `out`), the same partials as text for people, and one line of help.
`rules.py` compiles each derivative expression twice: on floats, inline in the backward step,
and with the generic functions, so that it also runs on Values (derivatives that are graphs,
`grad(..., create_graph=True)`) and on numpy arrays. The functions an expression calls
(`cos`, `step`, ...) are the ops of this table.

The numpy back end replays a whole group of like nodes as one operation on arrays. By
default it applies an op's rules to arrays element by element (`Op.array_forward` and
`Op.array_derivative` then call the scalar rules on each element's floats), which is exact by
construction and needs nothing more: a new op registered with no array keyword replays on
both back ends as it is, and tests/test_compiled.py checks that every op of OPS does. An
entry may say that its rules are faster on arrays:
- `arrays="both"`: the forward and the derivative rule accept numpy arrays as written
  (operators and abs: + - * / and unary - are exactly rounded on arrays as on floats);
- `arrays="derivative"`: only the derivative rule does (`1.0 - out * out`; the generic
  functions it calls, `cos(x)`, `step(x)`, dispatch on arrays themselves), while the
  forward rule is a math-module function applied element by element, because numpy's
  exp, tanh and pow differ from the C library's in the last bit on some inputs;
- `array_forward=` / `array_derivative=`: an array form of a rule that branches on a
  value (`x if x > 0 else 0.0`), beside the scalar rule in the same entry.
Whatever the form, it must give the scalar rule's floats bit for bit (tests/test_compiled.py
checks every op on a grid of points), and where the scalar rule raises (out of the op's
domain) the array form gives nan or inf for that element instead: the replay then lets the
eager engine report the error at the node where eager evaluation fails.
"""

import math
import operator

from .value import Value

__all__ = ["Op", "OPS", "FUNCTIONS", "compile_table"]


class Op:
    """One operation: how to compute it, and its partial derivatives."""

    __slots__ = ("name", "arity", "forward", "partials", "formulas", "doc", "symbol", "domain",
                 "example", "token", "arrays", "array_forward", "derivative", "evaluate",
                 "array_derivative")

    def __init__(self, name, arity, forward, partials, formulas, doc, symbol, domain, example,
                 token, arrays, array_forward):
        self.name = name
        self.arity = arity
        self.forward = forward          # floats -> float (unchecked)
        self.partials = partials        # one expression per operand, in x (or a, b) and out
        self.formulas = formulas        # the same partials as text for people, in u (and v)
        self.doc = doc                  # one line, for help
        self.symbol = symbol            # infix/prefix operator, or None for a function
        self.domain = domain            # (*operands) -> why they are out of domain
        self.example = example          # a call with its result, for help and the docs
        self.token = token              # how micrograd writes the op in a node's `_op`
        self.arrays = arrays            # which rules accept numpy arrays as written
        self.array_forward = array_forward    # the forward rule on numpy arrays
        # Compiled from the above by rules.py when first used:
        #   evaluate          floats -> float, or the DomainError that says why not
        #   derivative        (*operands, out) -> one partial per operand
        #   array_derivative  the derivative rule on numpy arrays

    def __getattr__(self, name):
        if name == "evaluate":
            rules._compile_application(self)
        elif name in ("derivative", "array_derivative"):
            rules._compile_derivative(self)
        else:
            raise AttributeError(name)
        return object.__getattribute__(self, name)

    @property
    def is_function(self):
        """Called by name (tanh(x)) rather than written as an operator (a + b)."""
        return self.symbol is None

    def __str__(self):
        return self.symbol or self.name

    def __repr__(self):
        return f"<op {self.name}>"

    def __reduce__(self):
        # An op pickles as its name: a Value's op is the registered one after loading too.
        return (_registered, (self.name,))


def _registered(name):
    return OPS[name]


OPS = {}
_ARRAY_DERIVATIVES = {}       # name -> an array form of the derivative given by its entry


def _register(name, arity, forward, partials, formulas, doc, symbol=None, domain=None,
              example=None, token=None, arrays=None, array_forward=None,
              array_derivative=None):
    if len(partials) != arity or len(formulas) != arity:
        raise ValueError(f"{name} needs one derivative per operand")
    if arrays not in (None, "both", "derivative"):
        raise ValueError(f"{name}: arrays= is 'both', 'derivative' or left out")
    if array_forward is None:
        array_forward = forward if arrays == "both" else _element_by_element(forward)
    if array_derivative is not None:
        _ARRAY_DERIVATIVES[name] = array_derivative
    OPS[name] = Op(name, arity, forward, partials, formulas, doc, symbol, domain, example,
                   token or symbol or name, arrays, array_forward)


# Rules on numpy arrays, element by element: the scalar rule's own floats. numpy is imported
# only inside them, where numpy arrays are already in hand.

def _element_columns(arrays):
    import numpy
    arrays = numpy.broadcast_arrays(*arrays)
    return arrays[0].shape, [a.ravel().tolist() for a in arrays]


def _or_nan(rule, args):
    """rule(*args) as a float, or nan where it raises or leaves the reals ((-8) ** 0.5)."""
    try:
        result = rule(*args)
    except (ArithmeticError, ValueError):
        return math.nan
    return float(result) if result.__class__ in (float, int) else math.nan


def _element_by_element(forward):
    def on_arrays(*arrays):
        import numpy
        shape, columns = _element_columns(arrays)
        try:
            flat = numpy.fromiter(map(forward, *columns), float, len(columns[0]))
        except (ArithmeticError, ValueError, TypeError):
            flat = numpy.array([_or_nan(forward, args) for args in zip(*columns)], float)
        return flat.reshape(shape)
    on_arrays.__doc__ = f"{forward.__name__} applied to each element of numpy arrays"
    return on_arrays


def _partials_element_by_element(derivative):
    def on_arrays(*arrays):
        import numpy
        shape, columns = _element_columns(arrays)
        rows = []
        for args in zip(*columns):
            try:
                rows.append([float(d) if d.__class__ in (float, int) else math.nan
                             for d in derivative(*args)])
            except (ArithmeticError, ValueError):
                rows.append([math.nan] * (len(arrays) - 1))
        partials = numpy.array(rows, float).reshape(len(rows), len(arrays) - 1)
        return tuple(column.reshape(shape) for column in partials.T)
    return on_arrays


# Forward rules that need more than the math module gives: they say why they fail.

def _div(a, b):
    return a / b


def _pow(a, b):
    if a == 0 and b < 0:
        raise ZeroDivisionError("0 to a negative power")     # as Python's 0.0 ** -1
    return math.pow(a, b)


def _why_pow(a, b):
    if a == 0 and b < 0:
        return "0 to a negative power is undefined"
    if a < 0 and not float(b).is_integer():
        return "a negative number to a fractional power is not a real number"
    return "result too large"


def _sigmoid(x):
    # Two forms so that exp never overflows: for x < 0 exp(x) is small.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _log_base(x, b):
    return math.log(x) / math.log(b)


def _why_log_base(x, b):
    if x <= 0:
        return "log is defined only for positive numbers"
    if b <= 0 or b == 1:
        return "a logarithm's base must be positive and not 1"
    return "result too large"


# Helpers of the derivative expressions. Their arguments are floats or Values alike.

def _number(x):
    return x.data if isinstance(x, Value) else x


def _base_partial(a, b):
    """d(a**b)/da = b * a**(b-1); exactly 0 when b is the number 0, as PyTorch, so 0**-1 is
    never computed. A Value exponent at 0 keeps the formula (a graph that follows the
    exponent when it changes) unless a is 0 too."""
    if _number(b) == 0 and (b.__class__ is float or _number(a) == 0):
        return 0.0
    return b * a ** (b - 1)


def _exponent_partial(a, out):
    """d(a**b)/db = a**b * log(a): undefined for a < 0 (nan, as PyTorch), 0 in the limit at a = 0."""
    base = _number(a)
    if base > 0:
        return out * log(a)
    return 0.0 if base == 0 else math.nan


def _pow_partials_on_arrays(a, b, out):
    """pow's partials on numpy arrays: the scalar rule's branches as masks; pow itself
    element by element, as the C library computes `a ** (b - 1)`."""
    import numpy
    positive = a > 0
    exponent = numpy.where(positive, out * log(numpy.where(positive, a, 1.0)),
                           numpy.where(a == 0, 0.0, math.nan))
    return numpy.where(b == 0, 0.0, b * pow_(a, b - 1.0)), exponent


# The registry. Each entry: name, arity, forward rule, local derivative (one expression per
# operand, in the operands x or a, b and the result out), the same derivative as text for
# people (in operands u and v), one line of help. arrays= and array_forward= say how the
# numpy back end applies the rules to arrays (see the module's docstring).
# Kinks follow PyTorch: relu'(0) = 0, abs'(0) = 0.
_register("add", 2, operator.add, ("1.0", "1.0"),
          ("1", "1"),
          "sum of two numbers", symbol="+", example="2 + 3 = 5", arrays="both")
_register("sub", 2, operator.sub, ("1.0", "-1.0"),
          ("1", "-1"),
          "difference of two numbers", symbol="-", example="2 - 3 = -1", arrays="both")
_register("mul", 2, operator.mul, ("b", "a"),
          ("v", "u"),
          "product of two numbers", symbol="*", example="2 * 3 = 6", arrays="both")
_register("div", 2, _div, ("1.0 / b", "-out / b"),
          ("1/v", "-u/v**2"),
          "quotient of two numbers", symbol="/",
          domain=lambda a, b: "division by zero" if b == 0 else "result too large",
          example="3 / 2 = 1.5", arrays="both")
_register("pow", 2, _pow, ("_base_partial(a, b)", "_exponent_partial(a, out)"),
          ("v*u**(v-1)", "u**v*log(u)"),
          "a to the power b (b may be a Value: its gradient is a**b * log(a))", symbol="**",
          domain=_why_pow, example="2 ** 3 = 8", array_derivative=_pow_partials_on_arrays)
_register("neg", 1, operator.neg, ("-1.0",),
          ("-1",),
          "negation", symbol="-", example="-(2) = -2", arrays="both")
_register("tanh", 1, math.tanh, ("1.0 - out * out",),
          ("1 - tanh(u)**2",),
          "The hyperbolic tangent of x; tanh'(x) = 1 - tanh(x)**2.", example="tanh(0) = 0",
          arrays="derivative")
_register("exp", 1, math.exp, ("out",),
          ("exp(u)",),
          "e to the power x; exp'(x) = exp(x).", example="exp(0) = 1", arrays="derivative")
_register("log", 1, math.log, ("1.0 / x",),
          ("1/u",),
          "The natural logarithm of x, for x > 0; log'(x) = 1/x.",
          domain=lambda x: "log is defined only for positive numbers", example="log(1) = 0",
          arrays="derivative")
_register("relu", 1, lambda x: x if x > 0 else 0.0, ("step(x)",),
          ("step(u)",),
          "The larger of 0 and x, max(0, x); relu'(x) = step(x): 1 if x > 0, else 0.",
          example="relu(-2) = 0",
          token="ReLU", arrays="derivative", array_forward=lambda x: (x > 0) * x + 0.0)
_register("sigmoid", 1, _sigmoid, ("out * (1.0 - out)",),
          ("sigmoid(u)*(1 - sigmoid(u))",),
          "The logistic function 1/(1 + exp(-x)); sigmoid' = sigmoid*(1 - sigmoid).",
          example="sigmoid(0) = 0.5", arrays="derivative")
_register("sqrt", 1, math.sqrt, ("0.5 / out",),
          ("1/(2*sqrt(u))",),
          "The square root of x, for x >= 0; sqrt'(x) = 1/(2 sqrt(x)).",
          domain=lambda x: "sqrt is defined only for numbers >= 0", example="sqrt(9) = 3",
          arrays="derivative")
_register("abs", 1, abs, ("sign(x)",),
          ("sign(u)",),
          "The absolute value of x; abs'(x) = sign(x), 0 at 0.",
          example="abs(-2) = 2", arrays="both")
_register("sin", 1, math.sin, ("cos(x)",),
          ("cos(u)",),
          "The sine of x in radians; sin'(x) = cos(x).", example="sin(0) = 0", arrays="derivative")
_register("cos", 1, math.cos, ("-sin(x)",),
          ("-sin(u)",),
          "The cosine of x in radians; cos'(x) = -sin(x).",
          example="cos(0) = 1", arrays="derivative")
_register("tan", 1, math.tan, ("1.0 + out * out",),
          ("1 + tan(u)**2",),
          "The tangent of x in radians; tan'(x) = 1 + tan(x)**2.", example="tan(0) = 0")
_register("asin", 1, math.asin, ("1.0 / sqrt(1.0 - x * x)",),
          ("1/sqrt(1 - u**2)",),
          "The arc sine of x, for -1 <= x <= 1; asin'(x) = 1/sqrt(1 - x**2).",
          domain=lambda x: "asin is defined only for numbers from -1 to 1",
          example="asin(1) = 1.5707963267948966")
_register("acos", 1, math.acos, ("-1.0 / sqrt(1.0 - x * x)",),
          ("-1/sqrt(1 - u**2)",),
          "The arc cosine of x, for -1 <= x <= 1; acos'(x) = -1/sqrt(1 - x**2).",
          domain=lambda x: "acos is defined only for numbers from -1 to 1",
          example="acos(1) = 0")
_register("atan", 1, math.atan, ("1.0 / (1.0 + x * x)",),
          ("1/(1 + u**2)",),
          "The arc tangent of x; atan'(x) = 1/(1 + x**2).", example="atan(1) = 0.7853981633974483")
_register("sinh", 1, math.sinh, ("cosh(x)",),
          ("cosh(u)",),
          "The hyperbolic sine of x; sinh'(x) = cosh(x).", example="sinh(0) = 0")
_register("cosh", 1, math.cosh, ("sinh(x)",),
          ("sinh(u)",),
          "The hyperbolic cosine of x; cosh'(x) = sinh(x).", example="cosh(0) = 1")
_register("asinh", 1, math.asinh, ("1.0 / sqrt(x * x + 1.0)",),
          ("1/sqrt(u**2 + 1)",),
          "The inverse hyperbolic sine of x; asinh'(x) = 1/sqrt(x**2 + 1).",
          example="asinh(0) = 0")
_register("acosh", 1, math.acosh, ("1.0 / sqrt(x * x - 1.0)",),
          ("1/sqrt(u**2 - 1)",),
          "The inverse hyperbolic cosine of x, for x >= 1; acosh'(x) = 1/sqrt(x**2 - 1).",
          domain=lambda x: "acosh is defined only for numbers >= 1", example="acosh(1) = 0")
_register("atanh", 1, math.atanh, ("1.0 / (1.0 - x * x)",),
          ("1/(1 - u**2)",),
          "The inverse hyperbolic tangent of x, for -1 < x < 1; atanh'(x) = 1/(1 - x**2).",
          domain=lambda x: "atanh is defined only for numbers between -1 and 1",
          example="atanh(0) = 0")
_register("log2", 1, math.log2, ("1.0 / (x * _LN2)",),
          ("1/(u*log(2))",),
          "The logarithm of x to base 2, for x > 0; log2'(x) = 1/(x log(2)).",
          domain=lambda x: "log2 is defined only for positive numbers", example="log2(8) = 3")
_register("log10", 1, math.log10, ("1.0 / (x * _LN10)",),
          ("1/(u*log(10))",),
          "The logarithm of x to base 10, for x > 0; log10'(x) = 1/(x log(10)).",
          domain=lambda x: "log10 is defined only for positive numbers",
          example="log10(1000) = 3")
_register("log_base", 2, _log_base, ("1.0 / (a * log(b))", "-out / (b * log(b))"),
          ("1/(u*log(v))", "-log(u)/(v*log(v)**2)"),
          "The logarithm of x to the base b, for x > 0 and b > 0 (not 1): log(x)/log(b).",
          domain=_why_log_base, example="log(8, 2) = 3")
_register("floor", 1, lambda x: float(math.floor(x)), ("0.0",),
          ("0",),
          "The largest whole number <= x; its derivative is 0 (as PyTorch's).",
          example="floor(-1.5) = -2")
_register("ceil", 1, lambda x: float(math.ceil(x)), ("0.0",),
          ("0",),
          "The smallest whole number >= x; its derivative is 0 (as PyTorch's).",
          example="ceil(-1.5) = -1")
# max and min send the whole gradient to the operand they chose, the first of two equal
# ones (as Python's max and min choose); step() keeps the choice a graph that follows its
# operands when a derivative taken with create_graph=True is recomputed.
_register("max", 2, lambda a, b: a if a >= b else b, ("1.0 - step(b - a)", "step(b - a)"),
          ("1 - step(v - u)", "step(v - u)"),
          "The larger of two numbers (the first if equal); the gradient goes to the one chosen.",
          example="max(2, 3) = 3")
_register("min", 2, lambda a, b: a if a <= b else b, ("1.0 - step(a - b)", "step(a - b)"),
          ("1 - step(u - v)", "step(u - v)"),
          "The smaller of two numbers (the first if equal); the gradient goes to the one "
          "chosen.", example="min(2, 3) = 2")
_register("hypot", 2, math.hypot, ("a / out", "b / out"),
          ("u/hypot(u, v)", "v/hypot(u, v)"),
          "The length sqrt(x**2 + y**2), without overflow on the way; its partials are "
          "x/hypot and y/hypot.",
          example="hypot(3, 4) = 5")
# The slopes of relu and abs, as ops of their own so that a derivative taken with
# create_graph=True is a graph that follows its input across the kink when recomputed.
_register("step", 1, lambda x: 1.0 if x > 0 else 0.0, ("0.0",),
          ("0",),
          "1 if x > 0, else 0 (the slope of relu); its derivative is 0.", example="step(2) = 1",
          arrays="derivative", array_forward=lambda x: (x > 0) * 1.0)
_register("sign", 1, lambda x: 1.0 if x > 0 else -1.0 if x < 0 else 0.0, ("0.0",),
          ("0",),
          "-1, 0 or 1 by the sign of x (the slope of abs); its derivative is 0.",
          example="sign(-2) = -1", arrays="derivative",
          array_forward=lambda x: (x > 0) * 1.0 - (x < 0))


# The table is complete: compile it into Value's operators and methods, the engine's
# backward step and the generic functions (`FUNCTIONS["tanh"](x)` on floats, Values or
# numpy arrays).
from . import rules  # noqa: E402

FUNCTIONS = {}


def _array_derivative(op):
    return _ARRAY_DERIVATIVES.get(op.name) or (
        op.derivative if op.arrays else _partials_element_by_element(op.derivative))


def compile_table():
    """Compile OPS into the engine's code (again, after an entry was added or changed);
    each piece is compiled when first used."""
    functions = rules.install(OPS, {"_base_partial": _base_partial,
                                    "_exponent_partial": _exponent_partial,
                                    "_LN2": _LN2, "_LN10": _LN10},
                              _array_derivative)
    FUNCTIONS.clear()
    FUNCTIONS.update(functions)


compile_table()
log, pow_ = FUNCTIONS["log"], FUNCTIONS["pow"]
