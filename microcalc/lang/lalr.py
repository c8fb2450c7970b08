"""The grammar's LALR(1) tables driven in a tight loop, and a cache of what they did.

The tables are lark's (`Grammar.from_lark`), and the tree is the one lark would build:
tokens written as literals ("(", "+") and terminals named with a leading _ are dropped,
rules named with a leading _ are spliced into their parent, a `?rule` with one child left
is that child, and every node spans the tokens its rule covered.

Parsing a statement is deterministic in its token types alone: `x = (a*b + c) * 2` and
`g = (u*v + w) * 7` take the same shifts and reductions. The first statement of a shape
runs the tables and records the work as a recipe (which tokens the tree keeps, which node
each reduction makes); every later statement of that shape replays the recipe, with no
table lookups and no reductions that only pass a child through. Programs repeat a few
shapes (assignments, calls, updates), so most statements are replayed.

A statement the tables refuse raises `Refused`; the parser then reads the whole program
again with lark to explain the error (lang/parser.py).
"""

from .syntax import Node, Token

__all__ = ["Grammar", "Refused"]

SHIFT = 0
STATEMENT = "statement"
MAX_RECIPES = 10_000


class Refused(Exception):
    """The tables cannot read a statement: a syntax error, which lark will explain."""


class Rule:
    """One rule of the grammar, as the tree builder needs it."""

    __slots__ = ("origin", "size", "kept", "dropped", "build")

    def __init__(self, data):
        self.origin = data["origin"]["name"]
        expansion = data["expansion"]
        self.size = len(expansion)
        # The children the tree keeps, each with whether it is spliced in (a _rule).
        kept = [(index, not symbol["__type__"] == "Terminal" and symbol["name"].startswith("_"))
                for index, symbol in enumerate(expansion)
                if not (symbol["__type__"] == "Terminal" and symbol["filter_out"])]
        self.kept = [index for index, _ in kept]
        self.dropped = [index for index in range(self.size) if index not in self.kept]
        splices = [spliced for _, spliced in kept]
        name = data["alias"] or self.origin
        expand_single = data["options"]["expand1"] and not data["alias"]
        if data["options"]["keep_all_tokens"]:
            raise ValueError(f"rule {name}: keep_all_tokens is not supported")
        self.build = _builder(name, splices, expand_single)


def _builder(name, splices, expand_single):
    """build(children, first, last) for a rule: its node, the list of children to splice
    into the parent (a _rule), or None when the rule only passes its one child through."""
    inline = name.startswith("_")
    if expand_single and splices == [False]:
        return None
    if not any(splices):
        if inline:
            return lambda children, first, last: children
        if not expand_single:
            return lambda children, first, last: Node(name, children, first, last)

    def build(children, first, last):
        flat = []
        for child, spliced in zip(children, splices):
            if spliced:
                flat.extend(child)
            else:
                flat.append(child)
        if inline:
            return flat
        if expand_single and len(flat) == 1:
            return flat[0]
        return Node(name, flat, first, last)
    return build


class Grammar:
    """The parse tables of the grammar, and the recipes of the statements read so far."""

    def __init__(self, actions, rules, start):
        self.actions = actions      # state -> {symbol: state to go to, or ~rule to reduce}
        self.rules = rules          # rule number -> Rule
        self.start = start
        self._recipes = {}

    @classmethod
    def from_lark(cls, data, memo):
        """The tables of a grammar as lark serializes them (Lark.memo_serialize)."""
        table = data["parser"]["parser"]
        names = table["tokens"]
        actions, rules = {}, {}
        for state, row in table["states"].items():
            moves = {}
            for symbol, (action, argument) in row.items():
                if action == SHIFT:
                    moves[names[symbol]] = argument
                else:
                    number = argument["@"]
                    moves[names[symbol]] = ~number
                    if number not in rules:
                        rules[number] = Rule(memo[number])
            actions[state] = moves
        return cls(actions, rules, table["start_states"]["start"])

    def statement(self, kinds, texts, numbers, end):
        """The tree of one top-level statement: its tokens' types, texts and numbers in
        the source, and the type of what follows it (a separator or END)."""
        key = (tuple(kinds), end)
        recipe = self._recipes.get(key)
        if recipe is None:
            recipe = self._record(kinds, end)
            if len(self._recipes) >= MAX_RECIPES:
                self._recipes.clear()
            self._recipes[key] = recipe
        values = []
        push = values.append
        for step in recipe:
            if step.__class__ is int:               # a token the tree keeps, at that place
                push(Token(kinds[step], texts[step], numbers[step]))
                continue
            build, count, first, last = step        # a node of count children
            if count:
                children = values[-count:]
                del values[-count:]
            else:
                children = []
            push(build(children, numbers[first], numbers[last]))
        return values[0]

    def _record(self, kinds, end):
        """Run the tables over one statement: the recipe of its tree, or Refused. A recipe
        is a list of steps: a token's place (push that token, which the tree keeps), or
        (build, count, first, last) (make a node of the last count values, spanning the
        tokens at places first to last)."""
        actions, rules = self.actions, self.rules
        states = [self.start]
        entries = []        # per symbol on the stack: (first token, last token, push op)
        recipe = []
        for place, kind in enumerate(kinds + [end]):
            while True:
                move = actions[states[-1]].get(kind)
                if move is None:
                    raise Refused(place)
                if move >= 0:                       # shift
                    if place == len(kinds):         # the end, and still no whole statement
                        raise Refused(place)
                    states.append(move)
                    entries.append((place, place, len(recipe)))
                    recipe.append(place)
                    break
                rule = rules[~move]
                size = rule.size
                if not size:             # an empty rule spans no token: lark's tree, then
                    raise Refused(place)
                children = entries[len(entries) - size:]
                del entries[len(entries) - size:]
                del states[len(states) - size:]
                for index in rule.dropped:          # a dropped token is never pushed
                    recipe[children[index][2]] = None
                first, last = children[0][0], children[-1][1]
                if rule.build is not None:
                    recipe.append((rule.build, len(rule.kept), first, last))
                entries.append((first, last, None))
                goto = actions[states[-1]][rule.origin]
                states.append(goto)
                if rule.origin == STATEMENT and len(entries) == 1:
                    if place != len(kinds) or end not in actions[goto]:
                        raise Refused(place)
                    return [op for op in recipe if op is not None]
        raise Refused(len(kinds))
