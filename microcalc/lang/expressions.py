"""Compiling expressions: each syntax node becomes a closure `run(local)` that computes its
value (local holds a user function's arguments by name; it is None outside functions).

Closures rather than a tree walk: an expression runs as a handful of direct calls. Every
error a closure raises is a SourceError at the node at fault, in the language's words.
"""

import operator

from ..engine import FUNCTIONS, OPS, Value
from ..errors import DomainError, MicrocalcError
from .arguments import is_number
from .calls import (argument_problem, count, describe_domain_error, message_for,
                    operation_shown)
from .errors import SourceError
from .format import describe_kind, format_number
from .library import BUILTINS
from .namespace import NOTHING
from .sequences import items_of
from .syntax import Node
from .values import GradQuery, FunctionRef
from .vocabulary import CONSTANTS, LAST_RESULTS, PYTHON_HABITS, closest

# Calls nest this deep at most. A function that calls itself whatever its arguments is
# refused at its first call; one that stops (its call after 'and' or 'or') may go this deep.
MAX_CALL_DEPTH = 200
# The grammar names each operator's rule after its op in OPS (add, neg, pow, ...).
BINARY_OPS = frozenset(op.name for op in OPS.values() if op.arity == 2 and op.symbol)
UNARY_OPS = frozenset(op.name for op in OPS.values() if op.arity == 1 and op.symbol)
# Value's own method for each operator, the fast way when the left operand is a Value:
# looked up when a statement is compiled, because the engine compiles them at first use.
_METHODS = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__", "**": "__pow__"}
# Per operator rule: the op, its function on floats, Value's method name, whether + joins lists.
_OPERATORS = {name: (OPS[name], FUNCTIONS[name], _METHODS[OPS[name].symbol], name == "add")
              for name in BINARY_OPS}
COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
               "==": operator.eq, "!=": operator.ne}
class ExpressionCompiler:
    """Turns expression trees into closures that run against a namespace and a context."""

    def __init__(self, namespace, ctx):
        self.namespace = namespace
        self.ctx = ctx
        self.variables = namespace.variables
        self.functions = namespace.functions
        self.call_depth = 0
        self._can_end = (-1, set())  # (namespace.definitions, functions found to end)
        self._expressions = {
            "number": self._number, "string": self._string, "name": self._name,
            "list": self._list, "index": self._index, "pos": self._pos,
            "call": self._call, "derivative": self._derivative,
            "compare": self._compare, "and_": self._and, "or_": self._or, "not_": self._not,
            **{name: self._binary for name in BINARY_OPS},
            **{name: self._unary for name in UNARY_OPS},
        }

    def expression(self, tree, source, params):
        """Compile an expression tree into a function of the local parameters (or None)."""
        return self._expressions[tree.data](tree, source, params)

    # -- leaves ----------------------------------------------------------------------------

    def _number(self, tree, source, params):
        value = float(tree.children[0].value)
        if value - value:
            raise source.error_at("this number is too large for a float", tree)
        return lambda local: value

    def _string(self, tree, source, params):
        value = _unescape(tree.children[0].value[1:-1])
        if "\0" in value:          # strings name files and options: no file name holds one
            raise source.error_at("a string cannot hold the NUL character", tree)
        return lambda local: value

    def _name(self, tree, source, params):
        name = tree.children[0].value
        if name in params:
            return lambda local: local[name]
        variables = self.variables
        load_other = self._load_other

        def load(local):
            value = variables.get(name, NOTHING)
            if value is NOTHING:
                return load_other(name, tree, source)
            return value
        return load

    def _load_other(self, name, where, source):
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in LAST_RESULTS:
            if self.namespace.ans is NOTHING:
                raise source.error_at(f"'{name}' is the last result, and there is none yet",
                                      where)
            return self.namespace.ans
        entry = BUILTINS.get(name)
        if entry is not None and entry.kind == "command":
            raise source.error_at(f"'{name}' is a command: write it as a statement of its own,"
                                  f" as in {entry.signature}", where)
        if entry is not None or name in self.functions:
            raise source.error_at(f"'{name}' is a function: call it, as in {name}(x)", where)
        raise self.unknown_name(name, where, source)

    def unknown_name(self, name, where, source):
        if name in PYTHON_HABITS:
            return source.error_at(f"unknown name '{name}': {PYTHON_HABITS[name]}", where)
        known = (set(self.variables) | set(self.functions) | set(CONSTANTS) | set(LAST_RESULTS)
                 | {n for n, b in BUILTINS.items() if b.kind == "function"})
        close = closest(name, known)
        hint = f" (did you mean {close}?)" if close else ""
        return source.error_at(f"unknown name '{name}'{hint}", where)

    def function_or_value(self, tree, source, params):
        """An argument of a command: a bare name of a function is the function itself
        (`plot f, -3, 3`); anything else is compiled as an expression."""
        if tree.data == "name" and tree.children[0].value not in params:
            name = tree.children[0].value
            value = self.expression(tree, source, params)
            functions, variables = self.functions, self.variables

            def run(local):
                if name not in variables:
                    if name in functions:
                        return FunctionRef(name, functions[name])
                    entry = BUILTINS.get(name)
                    if entry is not None and entry.kind == "function":
                        return FunctionRef(name, entry)
                return value(local)
            return run
        return self.expression(tree, source, params)

    # -- lists -----------------------------------------------------------------------------

    def _list(self, tree, source, params):
        items = tree.children[0].children if tree.children else []
        compiled = [self.expression(item, source, params) for item in items]
        return lambda local: [item(local) for item in compiled]

    def _index(self, tree, source, params):
        base_tree, index_tree = tree.children
        base = self.expression(base_tree, source, params)
        index = self.expression(index_tree, source, params)

        def run(local):
            return self.item(base(local), index(local), base_tree, index_tree, source)
        return run

    def item(self, items, position, base_tree, index_tree, source):
        """items[position], or an error at the list or the index."""
        if is_number(position):
            position = float(getattr(position, "data", position))
        if not isinstance(items, (list, tuple, str)):
            examples = items_of(items)
            if examples is None:
                raise source.error_at(f"only a list can be indexed, and "
                                      f"{source.slice(base_tree)} is "
                                      f"{describe_kind(items)}", base_tree)
            items = examples
        if position.__class__ is not float or not position.is_integer():
            shown = (format_number(position) if position.__class__ is float
                     else describe_kind(position))
            raise source.error_at(f"an index must be a whole number, not {shown}", index_tree)
        size = len(items)
        if not -size <= position < size:
            raise source.error_at(
                f"index {format_number(position)} is out of range: the list has {size} "
                f"item{'s' if size != 1 else ''} (0 to {size - 1})", index_tree)
        return items[int(position)]

    # -- arithmetic ------------------------------------------------------------------------

    def _pos(self, tree, source, params):
        operand = self.expression(tree.children[0], source, params)

        def run(local):
            value = operand(local)
            if not is_number(value):
                raise source.error_at(f"'+' needs a number, not {describe_kind(value)}", tree)
            return value
        return run

    def _unary(self, tree, source, params):
        op = OPS[tree.data]
        function = FUNCTIONS[op.name]
        operand = self.expression(tree.children[0], source, params)

        def run(local):
            value = operand(local)
            try:
                return function(value)
            except DomainError as exc:
                raise source.error_at(self.domain_message(exc, tree, source), tree) from None
            except TypeError:
                raise source.error_at(f"'{op.symbol}' needs a number, not "
                                      f"{describe_kind(value)}", tree) from None
        return run

    def _binary(self, tree, source, params):
        # 1 + 2 + ... + n is a tree that leans left and is as deep as the sum is long: it is
        # compiled and run with a loop, so Python's recursion limit does not cap its length.
        spine = []                   # the operation nodes down the left edge, outermost first
        while tree.data in BINARY_OPS:
            spine.append(tree)
            tree = tree.children[0]
        first = self.expression(tree, source, params)
        steps = [self._binary_step(node, source, params) for node in reversed(spine)]
        if len(steps) == 1:
            step = steps[0]
            return lambda local: step(first(local), local)

        def run(local):
            x = first(local)
            for step in steps:
                x = step(x, local)
            return x
        return run

    def _binary_step(self, node, source, params):
        """x -> x OP right, for one operation node of a chain."""
        op, function, method_name, concatenates = _OPERATORS[node.data]
        method = getattr(Value, method_name)
        right = self.expression(node.children[1], source, params)

        def step(x, local):
            y = right(local)
            try:
                if x.__class__ is Value:
                    return method(x, y)
                if concatenates and x.__class__ is list and y.__class__ is list:
                    return x + y
                return function(x, y)
            except DomainError as exc:
                raise source.error_at(self.domain_message(exc, node, source), node) from None
            except TypeError:
                raise source.error_at(f"'{op.symbol}' needs two numbers, not "
                                      f"{describe_kind(x)} and {describe_kind(y)}",
                                      node) from None
        return step

    def domain_message(self, exc, where, source):
        """A DomainError at an operator, shown as the operation was written, (-8)**(1/3),
        with the numbers it met when names hide them: 1 / 0 in 1/x."""
        written = source.slice(where)
        shown = operation_shown(exc)
        if shown is None or _only_numbers(where):
            return f"{written}: {exc.reason}"
        return f"{shown} in {written}: {exc.reason}"

    # -- comparisons and logic -------------------------------------------------------------

    def _compare(self, tree, source, params):
        left_tree, operator_token, right_tree = tree.children
        symbol = operator_token.value
        compare = COMPARISONS[symbol]
        left = self.expression(left_tree, source, params)
        right = self.expression(right_tree, source, params)

        def run(local):
            x, y = left(local), right(local)
            if not (is_number(x) and is_number(y)):
                raise source.error_at(f"'{symbol}' compares two numbers, not "
                                      f"{describe_kind(x)} and {describe_kind(y)}", tree)
            return 1.0 if compare(getattr(x, "data", x), getattr(y, "data", y)) else 0.0
        return run

    def condition(self, tree, source, params, who):
        """A compiled expression used as a condition: run(local) -> True or False."""
        expression = self.expression(tree, source, params)

        def run(local):
            value = expression(local)
            if value.__class__ is float:
                return value != 0.0
            if is_number(value):
                return getattr(value, "data", value) != 0
            raise source.error_at(f"{who} needs a number (a comparison gives 1 or 0), not "
                                  f"{describe_kind(value)}", tree)
        return run

    def _and(self, tree, source, params):
        left, right = (self.condition(child, source, params, "'and'")
                       for child in tree.children)
        return lambda local: 1.0 if left(local) and right(local) else 0.0

    def _or(self, tree, source, params):
        left, right = (self.condition(child, source, params, "'or'")
                       for child in tree.children)
        return lambda local: 1.0 if left(local) or right(local) else 0.0

    def _not(self, tree, source, params):
        operand = self.condition(tree.children[0], source, params, "'not'")
        return lambda local: 0.0 if operand(local) else 1.0

    # -- calls -----------------------------------------------------------------------------

    def _call(self, tree, source, params):
        name_token = tree.children[0]
        name = name_token.value
        positional, keywords = self.arguments(
            tree.children[1] if len(tree.children) > 1 else None, source, params)
        functions = self.functions
        variables = self.variables
        call_builtin = self.call_builtin
        call_user = self.call_user

        def run(local):
            args = [argument(local) for argument in positional]
            kwargs = {key: argument(local) for key, argument in keywords} if keywords else {}
            function = functions.get(name)
            if function is not None:
                return call_user(function, args, kwargs, source, tree)
            entry = BUILTINS.get(name)
            if entry is not None:
                if entry.kind == "command":
                    raise source.error_at(
                        f"'{name}' is a command: write it at the start of a statement, as in "
                        f"{entry.signature}", name_token)
                return call_builtin(entry, args, kwargs, source, tree)
            value = variables.get(name, NOTHING)
            if value is NOTHING:
                raise self.unknown_name(name, name_token, source)
            if not callable(value) or value.__class__ is Value:
                raise source.error_at(
                    f"'{name}' is {describe_kind(value)}, not a function (write {name} * (...)"
                    f" to multiply)", name_token)
            return self._call_object(name, value, args, kwargs, source, tree)
        return run

    def arguments(self, tree, source, params, for_command=False):
        """Compiled positional arguments and (keyword, compiled) pairs. A command's
        arguments may be grad(...) queries and functions named bare."""
        positional, keywords, seen = [], [], set()
        for argument in tree.children if tree is not None else []:
            if argument.data == "keyword":
                key = argument.children[0].value
                if key in seen:
                    raise source.error_at(f"keyword argument '{key}' is given twice", argument)
                seen.add(key)
                keywords.append((key, self.expression(argument.children[1], source, params)))
            elif keywords:
                raise source.error_at("a positional argument cannot follow keyword arguments",
                                      argument)
            elif for_command and argument.data == "call" and \
                    argument.children[0].value == "grad":
                positional.append(self._grad_query(argument, source, params))
            elif for_command:
                positional.append(self.function_or_value(argument, source, params))
            else:
                positional.append(self.expression(argument, source, params))
        return positional, keywords

    def _grad_query(self, tree, source, params):
        """grad(...) given to a command: the graph and its inputs, not numbers."""
        positional, keywords = self.arguments(
            tree.children[1] if len(tree.children) > 1 else None, source, params)
        if keywords or not positional:
            raise source.error_at("grad(...) needs the value to differentiate first, as in "
                                  "grad(L, a)", tree)

        def run(local):
            values = [argument(local) for argument in positional]
            output, wrt = values[0], []
            for item in values[1:]:
                wrt.extend(item if isinstance(item, (list, tuple)) else [item])
            if output.__class__ is not Value:
                raise source.error_at(f"grad needs a value computed from inputs, not "
                                      f"{describe_kind(output)}", tree.children[1].children[0])
            for item in wrt:
                if item.__class__ is not Value:
                    raise source.error_at(f"grad can differentiate only with respect to a "
                                          f"variable, not {describe_kind(item)}", tree)
            if len(values) == 1:
                wrt = self.namespace.named_inputs(output)
            return GradQuery(output, wrt, source.slice(tree))
        return run

    def call_builtin(self, entry, args, kwargs, source, where):
        if not entry.accepts(len(args), kwargs):
            problem = argument_problem(entry, args, kwargs)
            if problem:
                raise source.error_at(problem, where)
        try:
            return entry.function(self.ctx, *args, **kwargs)
        except (SourceError, RecursionError):    # RecursionError: see call_user
            raise
        except Exception as exc:   # a builtin's own bug or an odd argument: never a traceback
            raise source.error_at(message_for(exc, entry.name, args), where) from _cause(exc)

    def _call_object(self, name, function, args, kwargs, source, where):
        try:
            return function(*args, **kwargs)
        except SourceError:
            raise
        except Exception as exc:
            problem = _call_problem(name, function, args, kwargs)
            if problem is not None:
                raise source.error_at(problem, where) from None
            raise source.error_at(message_for(exc, name, args), where) from _cause(exc)

    def call_user(self, function, args, kwargs, source, where):
        params = function.params
        if len(args) > len(params) or (not kwargs and len(args) < len(params)):
            raise source.error_at(f"{function.name} takes {count(len(params), 'argument')}, "
                                  f"got {len(args)}", where)
        local = dict(zip(params, args))
        for key, value in kwargs.items():
            if key not in params:
                raise source.error_at(f"{function.name} has no parameter '{key}'", where)
            if key in local:
                raise source.error_at(f"{function.name} got two values for '{key}'", where)
            local[key] = value
        missing = [p for p in params if p not in local]
        if missing:
            raise source.error_at(f"{function.name} is missing a value for "
                                  f"'{missing[0]}'", where)
        if self.call_depth == 0:
            self._refuse_endless_recursion(function, source, where)
        if self.call_depth >= MAX_CALL_DEPTH:
            raise Runaway.at(source, where, f"{function.name} calls itself more than "
                             f"{MAX_CALL_DEPTH} deep, the deepest calls may nest")
        self.call_depth += 1
        try:
            return function.body(local)
        except Runaway:
            raise
        except RecursionError:
            raise Runaway.at(source, where, f"{function.name} calls itself too deeply for "
                             f"Python's stack (calls nest at most {MAX_CALL_DEPTH} deep, fewer "
                             f"when each call does much)") from None
        except SourceError as inner:
            # Each function named once: a call nested 200 deep is not 200 times "in f:".
            message = inner.message if function.name in _functions_named(inner.message) \
                else f"in {function.name}: {inner.message}"
            raise source.error_at(message, where) from None
        finally:
            self.call_depth -= 1

    def _refuse_endless_recursion(self, function, source, where):
        """A function whose body calls itself (through others, perhaps) whatever its
        arguments never returns: the language has no conditional expression, so only a call
        after 'and' or 'or' can stop. Said before the first call, not 200 calls deep (where
        a call through grad has built graphs that double at every level). The answer holds
        until a function is defined again, so a loop of calls asks once."""
        definitions, can_end = self._can_end
        if definitions != self.namespace.definitions:
            can_end = set()
            self._can_end = (self.namespace.definitions, can_end)
        if function in can_end:
            return
        cycle = _endless_cycle(function, self.functions)
        if cycle is None:
            can_end.add(function)
            return
        calls = ", ".join(f"{a} calls {b}" for a, b in zip(cycle, cycle[1:]))
        if len(cycle) == 2:
            calls = f"its body calls {cycle[0]}"
        raise Runaway.at(source, where, f"{cycle[0]} calls itself without end: {calls} "
                         f"whatever the arguments (a call that should stop goes after "
                         f"'and' or 'or', as in f(n) = n > 0 and f(n - 1))")

    # -- derivatives: f'(x) ------------------------------------------------------------------

    def _derivative(self, tree, source, params):
        token = tree.children[0]
        name = token.value.rstrip("'")
        order = len(token.value) - len(name)
        positional, keywords = self.arguments(
            tree.children[1] if len(tree.children) > 1 else None, source, params)
        if keywords:
            raise source.error_at(f"{token.value} takes the point only, as in "
                                  f"{token.value}(2)", tree)
        if len(positional) != 1:
            raise source.error_at(f"{token.value} takes one argument, the point (as in "
                                  f"{token.value}(2)), not {len(positional)}", tree)
        (argument,) = positional

        def run(local):
            apply = self._one_argument_function(name, token, tree, source)
            return self.derivative(apply, argument(local), order, token.value, tree, source)
        return run

    def _one_argument_function(self, name, token, tree, source):
        """f as a function of one Value, for f'(x): a user function of one parameter or a
        math builtin of one argument."""
        function = self.functions.get(name)
        if function is not None:
            if len(function.params) != 1:
                raise source.error_at(
                    f"{name}{token.value[len(name):]} is the derivative of a function of one "
                    f"argument, and {name} takes {count(len(function.params), 'argument')}",
                    token)
            return lambda u: self.call_user(function, [u], {}, source, tree)
        entry = BUILTINS.get(name)
        if entry is not None:
            if entry.category != "math" or not entry.accepts(1, {}):
                raise source.error_at(
                    f"{token.value} needs a math function of one argument (tanh, exp, ...) or "
                    f"one of your own, and {name} is not one", token)
            return lambda u: self.call_builtin(entry, [u], {}, source, tree)
        if name in self.variables:
            raise source.error_at(f"'{name}' is {describe_kind(self.variables[name])}, not a "
                                  f"function: {token.value}(x) differentiates a function",
                                  token)
        raise self.unknown_name(name, token, source)

    def derivative(self, apply, x, order, written, where, source):
        """The order-th derivative of apply at x: a graph in x if x is one, else a number."""
        from ..engine import grad
        if not is_number(x):
            raise source.error_at(f"{written} needs a number, not {describe_kind(x)}", where)
        point = x if x.__class__ is Value else Value(float(x))
        y = apply(point)
        for _ in range(order):
            if y.__class__ is not Value:
                if not is_number(y):
                    raise source.error_at(f"{written} needs a function that gives a number, "
                                          f"not {describe_kind(y)}", where)
                y = 0.0                   # a constant: its derivative is 0
                continue
            try:
                y = grad(y, point, create_graph=True)
            except DomainError as exc:
                raise source.error_at(f"{written} is undefined here: "
                                      f"{describe_domain_error(exc)}", where) from None
            if y.__class__ is not Value:     # nan: no derivative here
                raise source.error_at(f"{written} is undefined at "
                                      f"{format_number(point.data)}", where)
        if x.__class__ is not Value:
            return float(getattr(y, "data", y))
        return y


class Runaway(SourceError):
    """A call that cannot end, or calls nested past MAX_CALL_DEPTH: passed up unchanged
    through every enclosing call."""

    @classmethod
    def at(cls, source, where, message):
        error = source.error_at(message, where)
        return cls(error.message, error.filename, error.line, error.column, error.source_line,
                   error.end_column)


def _only_numbers(tree):
    """Is an expression made of number literals and operators alone?"""
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.__class__ is not Node:
            continue
        if node.data != "number" and node.data != "pos" and node.data not in OPS:
            return False
        stack.extend(node.children)
    return True


def _call_problem(name, function, args, kwargs):
    """Why a callable value (a network) cannot take these arguments, in the language's
    words; None if the arguments fit and the call failed for another reason."""
    import inspect
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        wanted = [p for p in signature.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        inputs = getattr(function, "nin", None)
        hint = (f" (a list of its {inputs} inputs, as in {name}([{', '.join(['1'] * inputs)}]))"
                if inputs is not None and len(wanted) == 1 else "")
        return f"{name} takes {count(len(wanted), 'argument')}{hint}, got {len(args)}"
    return None


def _unescape(text):
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            following = text[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(following, following))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _cause(exc):
    """What a translated error keeps as its cause: nothing for errors the user made, the
    exception itself for a bug (MICROCALC_TRACEBACK=1 shows it)."""
    return None if isinstance(exc, MicrocalcError) else exc


def _functions_named(message):
    """The functions a message's leading 'in g: in f: ' names."""
    names = []
    while True:
        head, colon, rest = message.partition(": ")
        if not (colon and head.startswith("in ") and head[3:].isidentifier()):
            return names
        names.append(head[3:])
        message = rest


def unconditional_calls(body):
    """The names of the functions an expression calls whatever its values: every call and
    f'(x) in it, except those after 'and' or 'or', which may not be reached."""
    names = set()
    stack = [body]
    while stack:
        node = stack.pop()
        if node.__class__ is not Node:
            continue
        if node.data in ("call", "derivative"):
            names.add(node.children[0].value.rstrip("'"))
        children = node.children
        if node.data in ("and_", "or_"):
            children = children[:1]
        stack.extend(children)
    return frozenset(names)


def _endless_cycle(function, functions):
    """A chain of user functions from function that comes back to one of them, each calling
    the next whatever the arguments ([f, g, f]), or None."""
    path = [function.name]
    on_path = {function.name}
    explored = set()            # functions from which no such chain comes back
    pending = [iter(sorted(function.calls))]
    while pending:
        name = next(pending[-1], None)
        if name is None:
            pending.pop()
            finished = path.pop()
            on_path.discard(finished)
            explored.add(finished)
            continue
        if name in on_path:
            return path[path.index(name):] + [name]
        callee = functions.get(name)
        if callee is None or name in explored:
            continue
        path.append(name)
        on_path.add(name)
        pending.append(iter(sorted(callee.calls)))
    return None
