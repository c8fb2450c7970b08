"""microcalc.render.dot: DOT text checked for structure by a small parser of our own, and
by Graphviz itself when its `dot` program is installed."""

import re
import shutil
import subprocess

import pytest

from microcalc.engine import Value
from microcalc.errors import MicrocalcError
from microcalc.render import dot, write_dot
from conftest import doubling, lecture_expression, lecture_neuron

_NODE = re.compile(r'^  (v\d+(?:_op)?) \[shape=(record|circle), label="((?:[^"\\]|\\.)*)"\];$')
_EDGE = re.compile(r"^  (v\d+(?:_op)?) -> (v\d+(?:_op)?);$")


def parse(text):
    """(nodes: id -> (shape, label), edges: [(from, to)]) of our DOT, failing on any line
    that is not a graph attribute, a node or an edge statement."""
    lines = text.splitlines()
    assert lines[0] == "digraph microcalc {" and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        if line in ("  rankdir=LR;", "  ordering=in;", '  node [fontname="monospace"];'):
            continue
        node, edge = _NODE.match(line), _EDGE.match(line)
        assert node or edge, line
        if node:
            assert node.group(1) not in nodes
            nodes[node.group(1)] = (node.group(2), node.group(3))
        else:
            edges.append(edge.groups())
    for start, end in edges:
        assert start in nodes and end in nodes
    return nodes, edges


def record_fields(label):
    """A record label's fields, unescaped."""
    assert label.startswith("{ ") and label.endswith(" }")
    fields, current, i, body = [], "", 0, label[2:-2]
    while i < len(body):
        if body[i] == "\\":
            current += body[i + 1]
            i += 2
        elif body.startswith(" | ", i):
            fields.append(current)
            current = ""
            i += 3
        else:
            assert body[i] not in '{}|<>"', body
            current += body[i]
            i += 1
    return fields + [current]


def test_lecture_expression_dot_structure():
    values, names = lecture_expression()
    nodes, edges = parse(dot(values["L"], names))
    records = {k: record_fields(label) for k, (shape, label) in nodes.items()
               if shape == "record"}
    ops = {k: label for k, (shape, label) in nodes.items() if shape == "circle"}
    assert sorted(records.values()) == sorted([
        ["a", "value 2", "grad 6"], ["b", "value -3", "grad -4"], ["c", "value 10", "grad -2"],
        ["f", "value -2", "grad 4"], ["e", "value -6", "grad -2"], ["d", "value 4", "grad -2"],
        ["L", "value -8", "grad 1"]])
    assert sorted(ops.values()) == ["*", "*", "+"]
    by_name = {fields[0]: k for k, fields in records.items()}
    # e = a*b: a and b into the op, the op into e; operands in order.
    e_op = by_name["e"] + "_op"
    assert [s for s, t in edges if t == e_op] == [by_name["a"], by_name["b"]]
    assert (e_op, by_name["e"]) in edges
    assert len(edges) == 3 * 3           # three ops: two operands in, one result out each


def test_labels_are_escaped():
    weird = Value(1.5, label='we{ir}d "|<x>\\ name')
    nodes, _ = parse(dot(weird * 2))
    fields = [record_fields(label) for shape, label in nodes.values() if shape == "record"]
    assert ['we{ir}d "|<x>\\ name', "value 1.5", "grad 2"] in fields


def test_data_holds_nodes_and_edges():
    values, names = lecture_neuron()
    data = dot(values["o"], names).data
    assert len(data["nodes"]) == 10
    assert data["nodes"][data["root"]]["name"] == "o"
    assert len(data["edges"]) == 9


def test_graphviz_accepts_our_dot_when_installed():
    """Graphviz's own parser reads the text (checked whenever `dot` is on PATH; the structural
    tests above run everywhere)."""
    program = shutil.which("dot")
    values, names = lecture_expression()
    weird = Value(1.5, label='we{ir}d "|<x>\\ name')
    xs, xnames = doubling(10)
    for text in (dot(values["L"], names), dot(weird * values["L"], names), dot(xs[-1], xnames)):
        parse(text)
        if program:
            result = subprocess.run([program, "-Tplain"], input=text, capture_output=True,
                                    text=True, timeout=60)
            assert result.returncode == 0, result.stderr
            assert result.stdout.startswith("graph ")


def test_write_dot_text_file(tmp_path):
    values, names = lecture_expression()
    path = tmp_path / "L.dot"
    assert write_dot(values["L"], str(path), names) == str(path)
    assert path.read_text() == dot(values["L"], names) + "\n"


def test_write_image_with_or_without_graphviz(tmp_path, monkeypatch):
    values, names = lecture_expression()
    path = tmp_path / "L.svg"
    if shutil.which("dot"):
        write_dot(values["L"], str(path), names)
        assert "<svg" in path.read_text()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(MicrocalcError, match="needs Graphviz: install Graphviz"):
        write_dot(values["L"], str(tmp_path / "again.png"), names)


def test_a_path_with_spaces_and_quotes_is_one_argument(tmp_path):
    values, names = lecture_expression()
    path = tmp_path / 'a "strange" name; rm -rf x.svg'
    if shutil.which("dot"):
        write_dot(values["L"], str(path), names)
        assert path.exists()
    else:
        with pytest.raises(MicrocalcError):
            write_dot(values["L"], str(path), names)


def test_unknown_suffix_and_unwritable_path_are_clear_errors(tmp_path):
    values, names = lecture_expression()
    with pytest.raises(MicrocalcError, match="cannot tell what to write"):
        write_dot(values["L"], str(tmp_path / "L.txt"), names)
    with pytest.raises(MicrocalcError, match="cannot write"):
        write_dot(values["L"], str(tmp_path / "no such folder" / "L.dot"), names)
