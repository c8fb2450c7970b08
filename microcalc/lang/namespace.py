"""The session's names: variables, user functions and `ans`, what each Value is called, and
changing an input in place with every graph that uses it brought up to date.
"""

from ..engine import DomainError, Value, topological_order
from ..errors import MicrocalcError
from .calls import describe_domain_error
from .dependents import Dependents
from .format import describe_kind, format_number

NOTHING = object()          # `ans` before the first result; a variable that does not exist


class UserFunction:
    """A function defined in the language: f(x, y) = x*y + tanh(x)."""

    __slots__ = ("name", "params", "body", "text", "calls")

    def __init__(self, name, params, body, text, calls=frozenset()):
        self.name = name
        self.params = params
        self.body = body        # a compiled expression: body(local values by name)
        self.text = text        # its definition as written
        self.calls = calls      # the functions its body calls whatever the arguments

    def __str__(self):
        return self.text


def _may_hold_graphs(value):
    """Could value hold a graph (a computed Value, or a list that may hold one)?"""
    return (value.__class__ is Value and not value.is_input) or isinstance(value, (list, tuple))


class Namespace:
    def __init__(self):
        self.variables = {}
        self.functions = {}
        self.ans = NOTHING
        self.watchers = []          # callables run after every change of an input
        self.noted = {}             # name -> the graph it held when a change recomputed it
        self.dependents = Dependents(self.variables)
        self._version = 0           # bumped on every (re)binding: the names cache is stale
        self.definitions = 0        # bumped whenever a function is defined or goes
        self._names_version = -1
        self._names_by_id = {}

    def reset(self):
        self.variables.clear()
        self.functions.clear()
        self.watchers.clear()
        self.noted.clear()
        self.ans = NOTHING
        self.definitions += 1
        self._changed()

    def names(self):
        """User variables and functions, sorted."""
        return sorted(set(self.variables) | set(self.functions))

    def bind(self, name, value):
        old = self.variables.get(name)
        self.variables[name] = value
        if self.functions and self.functions.pop(name, None) is not None:
            self.definitions += 1
        self._version += 1
        if _may_hold_graphs(old) or _may_hold_graphs(value):
            self.dependents.forget(name)

    def define(self, function):
        self.variables.pop(function.name, None)
        self.functions[function.name] = function
        self.definitions += 1
        self._changed()

    def _changed(self):
        self._version += 1
        self.dependents.forget()

    def name_of(self, value):
        """The variable name bound to exactly this object; else a Value's own label (a
        network's weights are labelled l1.n3.w2, as micrograd's users label theirs); else
        None."""
        if self._names_version != self._version:
            names = {}
            for name, bound in self.variables.items():
                names.setdefault(id(bound), name)
            self._names_by_id = names
            self._names_version = self._version
        name = self._names_by_id.get(id(value))
        if name is not None and self.variables.get(name) is value:
            return name
        return (value.label or None) if value.__class__ is Value else None

    def named_inputs(self, output):
        """The inputs of output's graph that have a name (a variable's, or a label such as a
        network weight's), in graph order."""
        if not isinstance(output, Value):
            return []
        return [v for v in topological_order(output) if v.is_input and self.name_of(v)]

    def users_of(self, value):
        """The names of the variables whose graphs (alone or in a list) use the input value,
        each once."""
        return self.dependents.user_names(value)

    # -- changing an input in place ------------------------------------------------------

    def input_named(self, name, symbol):
        """The input Value a change (`name := ...`, `name -= ...`) applies to, or an error
        saying why name is not one."""
        value = self.variables.get(name, NOTHING)
        if value.__class__ is Value and value.is_input:
            return value
        if value.__class__ is Value:
            inputs = ", ".join(map(self.name_of, self.named_inputs(value)))
            hint = f"; change one of its inputs instead ({inputs})" if inputs else ""
            raise MicrocalcError(f"{name} is not an input: it is computed from other values"
                                 f"{hint}")
        raise MicrocalcError(f"{symbol} changes an input (a number), and {name} is "
                             f"{describe_kind(value)}")

    def change_input(self, name, value, new):
        """Give input `value` a new number and recompute every graph that uses it. name is
        how the input is written (or a function giving it, asked only for an error).

        If a graph cannot be computed at the new value (log of a negative number, say), the
        old value is put back and everything recomputed again before the error is raised:
        an error loses nothing. Ctrl-C half-way does the same.
        """
        dependents = self.dependents
        old = value.data
        value.data = new
        ans = self.ans
        try:
            dependents.recompute(value, also=ans)
        except DomainError as exc:
            value.data = old
            dependents.recompute(value, also=ans)
            culprit = self.name_of(dependents.first_failing(value, new)) or "a graph that uses it"
            name = name() if callable(name) else name
            raise MicrocalcError(
                f"{name} = {format_number(new)} would make {culprit} undefined: "
                f"{describe_domain_error(exc)}; {name} keeps its value {format_number(old)}"
            ) from None
        except BaseException:         # Ctrl-C, or anything unforeseen: lose nothing
            value.data = old
            dependents.recompute(value, also=ans)
            raise
        for watcher in list(self.watchers):
            watcher()
