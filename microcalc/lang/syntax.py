"""The syntax tree the parser gives the compiler: `Node`s whose leaves are `Token`s.

A node or token knows where it was written as the numbers of its first and last tokens in
the source (`first`, `last`), not as lines and columns: those are worked out by the
`Source` only when an error needs them, so a program that runs without error never pays
for them.

Node names are the grammar's rule names and aliases (add, call, assign, ...); token types
are its terminal names (NAME, NUMBER, COMMAND, ...).
"""

__all__ = ["Node", "Token"]


class Token:
    """A word of the program that the tree keeps: a name, a number, an operator's text."""

    __slots__ = ("type", "value", "first")

    def __init__(self, type, value, first):
        self.type = type
        self.value = value
        self.first = first          # the token's number in the source (counting from 0)

    @property
    def last(self):
        return self.first

    def __eq__(self, other):
        return (other.__class__ is Token and self.type == other.type
                and self.value == other.value and self.first == other.first)

    def __hash__(self):
        return hash((self.type, self.value, self.first))

    def __repr__(self):
        return f"Token({self.type!r}, {self.value!r})"


class Node:
    """A rule of the grammar applied: its name, its children, the tokens it spans."""

    __slots__ = ("data", "children", "first", "last")

    def __init__(self, data, children, first, last):
        self.data = data
        self.children = children
        self.first = first          # the number of its first token in the source
        self.last = last            # and of its last (None for an empty program)

    def __eq__(self, other):
        return (other.__class__ is Node and self.data == other.data
                and self.first == other.first and self.last == other.last
                and self.children == other.children)

    __hash__ = None

    def __repr__(self):
        return f"Node({self.data!r}, {self.children!r})"

    def pretty(self, indent=""):
        """The tree as indented text, one node or token a line (for tests and debugging)."""
        lines = [indent + self.data]
        for child in self.children:
            if child.__class__ is Node:
                lines.append(child.pretty(indent + "  "))
            else:
                lines.append(f"{indent}  {child.type} {child.value}")
        return "\n".join(lines)
