"""microcalc.render.tree: exact pictures of the micrograd lecture's graphs, shared-node references, cuts."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcalc.engine import Value, grad, topological_order
from microcalc.errors import MicrocalcError
from microcalc.render import dot, tree

from conftest import (LECTURE_TREE, LECTURE_TREE_ASCII, NEURON_TREE, doubling, lecture_expression,
                      lecture_neuron)


DOUBLING_4 = """\
node             value  grad
x4 (+)              16     1
├─ x3 (+)            8     2  #1
│  ├─ x2 (+)         4     4  #2
│  │  ├─ x1 (+)      2     8  #3
│  │  │  ├─ x0       1    16
│  │  │  └─ x0       1    16
│  │  └─ x1 (+)      2     8  see #3
│  └─ x2 (+)         4     4  see #2
└─ x3 (+)            8     2  see #1"""


def test_lecture_expression_tree_is_exact():
    values, names = lecture_expression()
    assert tree(values["L"], names) == LECTURE_TREE


def test_ascii_fallback_is_plain_ascii():
    values, names = lecture_expression()
    picture = tree(values["L"], names, ascii=True)
    assert picture == LECTURE_TREE_ASCII
    picture.encode("ascii")


def test_neuron_tree_is_exact():
    values, names = lecture_neuron()
    assert tree(values["o"], names) == NEURON_TREE


def test_gradients_are_real_before_any_backward_and_grad_fields_stay_untouched():
    values, names = lecture_expression()
    tree(values["L"], names)
    assert all(v.grad == 0.0 for v in values.values())
    values["L"].backward()
    assert tree(values["L"], names) == LECTURE_TREE       # same picture after backward
    assert values["a"].grad == 6.0


def test_operands_keep_their_order():
    x, y = Value(5.0), Value(2.0)
    lines = tree(x - y, {x: "x", y: "y"}).splitlines()
    assert [line.split()[1] for line in lines[2:]] == ["x", "y"]


def test_unnamed_input_is_shown_by_its_number():
    x = Value(3.0)
    lines = tree(2 * x, {x: "x"}).splitlines()
    assert lines[2].split()[:3] == ["├─", "2", "2"]      # the constant 2, value 2, grad 3
    assert lines[2].split()[3] == "3"


def test_shared_nodes_are_drawn_once_and_referred_to():
    xs, names = doubling(4)
    assert tree(xs[-1], names) == DOUBLING_4


def test_sixty_doublings_print_in_size_linear_in_nodes():
    xs, names = doubling(60)
    picture = tree(xs[-1], names, depth=100)
    lines = picture.splitlines()
    # header, x60, then for each of x59..x1 its full line and one "see" line, then two x0s
    assert len(lines) == 1 + 1 + 2 * 59 + 2
    for k in range(1, 60):
        tagged = [line for line in lines if line.endswith(f"  #{k}")]
        see = [line for line in lines if line.endswith(f"see #{k}")]
        assert len(tagged) == 1 and len(see) == 1
    assert picture.data["total_nodes"] == 61 and len(picture.data["nodes"]) == 61
    assert picture.data["nodes"][0]["grad"] == 1.0
    x0 = next(n for n in picture.data["nodes"] if n["name"] == "x0")
    assert x0["grad"] == 2.0 ** 60


def test_depth_cut_is_said():
    xs, names = doubling(60)
    picture = tree(xs[-1], names, depth=3)
    lines = picture.splitlines()
    assert lines[-1] == "4 of 61 nodes shown: cut at depth 3 (raise with depth=N)"
    cut_lines = [line for line in lines if line.endswith("… 2 operands not shown")]
    assert len(cut_lines) == 2 and all("x57 (+)" in line for line in cut_lines)
    assert len(picture.data["cut_at_depth"]) == 2


def test_node_limit_cut_is_said():
    xs, names = doubling(60)
    picture = tree(xs[-1], names, depth=100, nodes=10)
    lines = picture.splitlines()
    assert len(lines) == 1 + 10 + 1
    assert lines[-1] == "10 of 61 nodes shown: cut after 10 lines (raise with nodes=N)"
    assert picture.data["stopped_at_line_limit"] is True


def test_cut_glyphs_follow_ascii():
    xs, names = doubling(5)
    picture = tree(xs[-1], names, depth=1, ascii=True)
    assert "... 2 operands not shown" in picture
    picture.encode("ascii")


@pytest.mark.slow
def test_a_million_deep_chain_is_drawn_without_recursion():
    x = Value(0.5)
    y = x
    for _ in range(200_000):         # far beyond Python's recursion limit
        y = y * 1.0
    lines = tree(y, {x: "x"}, depth=3).splitlines()
    assert lines[1].startswith("* ")
    assert lines[-1] == "7 of 400,001 nodes shown: cut at depth 3 (raise with depth=N)"


def test_colour_only_when_asked():
    values, names = lecture_expression()
    assert "\x1b[" not in tree(values["L"], names)
    coloured = tree(values["L"], names, color=True)
    assert "\x1b[" in coloured
    # Colour codes do not move the columns: without them the picture is the plain one.
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == LECTURE_TREE


def test_undefined_gradient_is_said_not_raised():
    x = Value(0.0)
    y = x.sqrt()                    # sqrt'(0) is infinite
    picture = tree(y, {x: "x", y: "y"})
    assert picture.splitlines()[1].split() == ["y", "(sqrt)", "0", "?"]
    assert picture.splitlines()[-1].startswith("gradients unknown: sqrt(0)")


def test_data_holds_nodes_and_edges_in_operand_order():
    values, names = lecture_expression()
    data = tree(values["L"], names).data
    by_id = {n["id"]: n["name"] for n in data["nodes"]}
    assert [(by_id[p], by_id[c]) for p, c in data["edges"]] == [
        ("L", "d"), ("d", "e"), ("e", "a"), ("e", "b"), ("d", "c"), ("L", "f")]
    assert {n["name"]: n["grad"] for n in data["nodes"]} == {
        "L": 1.0, "d": -2.0, "e": -2.0, "a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}


# Random DAGs: a few inputs, each new node an op of two earlier nodes (so sharing is common).
_OPS = [lambda p, q: p + q, lambda p, q: p * q, lambda p, q: p - q,
        lambda p, q: (p * 0.5).tanh() + q]


@st.composite
def dags(draw):
    nodes = [Value(draw(st.floats(-2, 2))) for _ in range(draw(st.integers(1, 3)))]
    for _ in range(draw(st.integers(1, 25))):
        p = nodes[draw(st.integers(0, len(nodes) - 1))]
        q = nodes[draw(st.integers(0, len(nodes) - 1))]
        nodes.append(draw(st.sampled_from(_OPS))(p, q))
    return nodes[-1]


@settings(max_examples=60, deadline=None)
@given(dags())
def test_every_node_is_expanded_at_most_once_and_shows_its_gradient(root):
    order = topological_order(root)
    picture = tree(root, depth=10_000, nodes=10_000)
    operations = sum(1 for v in order if v._op)
    rows = picture.splitlines()[1:]
    assert len(rows) <= 1 + 2 * operations             # linear in nodes, whatever the paths
    assert len(picture.data["nodes"]) == len(order)     # nothing cut
    # Each node is drawn with the engine's d(root)/d(node): compare as multisets.
    expected = sorted((v.data, str(v._op), g) for v, g in zip(order, grad(root, order)))
    drawn = sorted((n["value"], n["op"] or "", n["grad"]) for n in picture.data["nodes"])
    assert drawn == expected


def test_python_api_refuses_what_is_not_a_graph():
    for draw in (tree, dot):
        with pytest.raises(MicrocalcError, match="draws a Value's graph, not float"):
            draw(3.0)
    with pytest.raises(MicrocalcError, match="depth >= 0"):
        tree(Value(1.0), depth=-1)
