"""Which graphs use an input, so that changing the input in place recomputes them all.

`a := 3` must bring every variable's graph that uses `a` up to date: L, its gradients,
lists of graphs, and `ans`. The graphs' topological orders are computed once and kept
while a variable (or `ans`) holds the graph; the nodes to recompute for an input are worked
out once per set of bindings, so a loop of updates (`repeat 100 { a -= 0.1 * grad(L, a) }`)
recomputes without searching the graphs again.

Lists are walked without recursion and each list object once: a list nested a thousand
deep, or one that holds itself twice forty times over (`xs = [xs, xs]`), is read in time
proportional to the lists and graphs it holds, not to its paths.
"""

from ..engine import DomainError, Value, recompute, topological_order


class Dependents:
    def __init__(self, variables):
        self.variables = variables
        self._held = {}           # name -> the graphs its value holds, worked out once
        self._changed = set(variables)   # names bound since their graphs were worked out
        self._roots = None        # graphs the variables hold; None after a binding changed
        self._owners = {}         # id(graph) -> the first variable that holds it (or a list)
        self._orders = {}         # id(graph) -> (graph, topological order, its inputs)
        self._plans = {}          # id(input) -> (input, the nodes that depend on it)
        self._also = (None, None, None)     # the same as _orders' entries, for `ans`

    def forget(self, name=None):
        """A binding changed (name's, or any): look at it again when next needed."""
        if name is None:
            self._changed.update(self.variables)
            self._changed.update(self._held)
        else:
            self._changed.add(name)
        self._roots = None

    def graphs(self):
        """Every graph (non-leaf Value) a variable holds, alone or inside a list."""
        if self._roots is None:
            self._look_again()
            roots, owners = [], {}
            held = self._held
            for name in self.variables:
                for root in held.get(name, ()):
                    if id(root) not in owners:
                        owners[id(root)] = name
                        roots.append(root)
            self._roots, self._owners = roots, owners
            if len(self._orders) > 2 * len(owners) + 16:     # let go of graphs no one holds
                self._orders = {key: entry for key, entry in self._orders.items()
                                if key in owners}
            self._plans = {}
        return self._roots

    def _look_again(self):
        """Work out the graphs of the names bound since the last look."""
        variables, held = self.variables, self._held
        for name in self._changed:
            value = variables.get(name)
            if value.__class__ is Value:            # most variables: no list to walk
                found = () if value.is_input else (value,)
            elif isinstance(value, (list, tuple)):
                found = tuple(graphs_in((value,)))
            else:
                found = ()
            if found:
                held[name] = found
            else:
                held.pop(name, None)
        self._changed.clear()

    def users(self, changed):
        """The graphs held by variables that use the input `changed`."""
        inputs = self._inputs
        return [root for root in self.graphs() if changed in inputs(root)]

    def user_names(self, changed):
        """The variables whose graphs (alone or in a list) use the input `changed`, each
        named once, in the order they were bound."""
        names = {}
        for root in self.users(changed):
            names[self._owners[id(root)]] = True
        return list(names)

    def recompute(self, changed, also=None):
        """Recompute every variable's graph that uses `changed`, and `also` (ans) if it does.

        Raises the engine's DomainError if a graph cannot be computed at the new value.
        """
        nodes = self._plan(changed)
        if nodes:
            recompute(changed, nodes)
        if also.__class__ is Value and not also.is_input and id(also) not in self._owners:
            if self._also[0] is not also:
                order = topological_order(also)
                self._also = (also, order, {v for v in order if v.is_input})
            if changed in self._also[2]:
                recompute(also, self._also[1])

    def first_failing(self, changed, new):
        """The first variable's graph that cannot be computed with changed at `new`."""
        old = changed.data
        changed.data = new
        try:
            for root in self.users(changed):
                try:
                    recompute(root, self._orders[id(root)][1])
                except DomainError:
                    return root
        finally:
            changed.data = old
            self.recompute(changed)
        return None

    def _plan(self, changed):
        roots = self.graphs()
        entry = self._plans.get(id(changed))
        if entry is not None and entry[0] is changed:
            return entry[1]
        nodes, seen = [], set()
        for root in roots:
            if changed in self._inputs(root):
                for node in self._orders[id(root)][1]:
                    if not node.is_input and node not in seen:
                        seen.add(node)
                        nodes.append(node)
        self._plans[id(changed)] = (changed, nodes)
        return nodes

    def _inputs(self, root):
        """The inputs of a variable's graph; its order is computed once while it is held."""
        entry = self._orders.get(id(root))
        if entry is None or entry[0] is not root:
            order = topological_order(root)
            entry = (root, order, {v for v in order if v.is_input})
            self._orders[id(root)] = entry
        return entry[2]


def graphs_in(values, seen_lists=None):
    """The graphs (non-leaf Values) among values and inside their lists, each list read
    once (seen_lists, if given, holds the ids of lists already read), in order of first
    appearance."""
    roots = []
    seen_lists = set() if seen_lists is None else seen_lists
    stack = list(reversed(list(values)))
    while stack:
        value = stack.pop()
        if value.__class__ is Value:
            if not value.is_input:
                roots.append(value)
        elif isinstance(value, (list, tuple)):
            if id(value) not in seen_lists:
                seen_lists.add(id(value))
                stack.extend(reversed(value))
    return roots
