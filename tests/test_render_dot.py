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

_ATTRIBUTES = r'((?:, [a-z]+=(?:"[^"]*"|[\w.]+))*)'
_NODE = re.compile(r'^  (v\d+(?:_op)?) \[shape=(record|circle), label="((?:[^"\\]|\\.)*)"'
                   + _ATTRIBUTES + r'\];$')
_EDGE = re.compile(r'^  (v\d+(?:_op)?) -> (v\d+(?:_op)?)( \[color="#[0-9a-f]{6}", '
                   r'penwidth=2\])?;$')
_LEGEND = re.compile(r'^    legend_(\w+) \[shape=box, (?:style=filled, fillcolor="(#[0-9a-f]{6})"|'
                     r'color="#[0-9a-f]{6}", penwidth=2), label="([^"]*)"\];$')


def parse(text, full=False):
    """(nodes: id -> (shape, label), edges: [(from, to)]) of our DOT, failing on any line
    that is not a graph attribute, a node or an edge statement, or the legend. full=True
    also gives each node's other attributes, the edges drawn highlighted, and the legend
    (kind -> (fill colour, label))."""
    lines = text.splitlines()
    assert lines[0] == "digraph microcalc {" and lines[-1] == "}"
    nodes, edges, attributes, marked, legend = {}, [], {}, [], {}
    body = lines[1:-1]
    if "  subgraph cluster_legend {" in body:
        start = body.index("  subgraph cluster_legend {")
        assert body[-1] == "  }" and body[start + 1].startswith('    label="legend";')
        for line in body[start + 2:-1]:
            entry = _LEGEND.match(line)
            assert entry, line
            legend[entry.group(1)] = (entry.group(2), entry.group(3))
        body = body[:start]
    for line in body:
        if line in ("  rankdir=LR;", "  ordering=in;", '  node [fontname="monospace"];'):
            continue
        node, edge = _NODE.match(line), _EDGE.match(line)
        assert node or edge, line
        if node:
            assert node.group(1) not in nodes
            nodes[node.group(1)] = (node.group(2), node.group(3))
            attributes[node.group(1)] = {key: value.strip('"') for key, value in re.findall(
                r'([a-z]+)=("[^"]*"|[\w.]+)', node.group(4))}
        else:
            edges.append(edge.groups()[:2])
            if edge.group(3):
                marked.append(edge.groups()[:2])
    for start, end in edges:
        assert start in nodes and end in nodes
    if full:
        return nodes, edges, attributes, marked, legend
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


def test_values_are_coloured_by_kind_with_a_legend():
    """The output, named inputs, a network's parameters and constants each have a fill of
    their own, and the legend lists exactly the kinds drawn."""
    x, w, b = Value(2.0), Value(-3.0), Value(0.5)
    y = (x * w + b) * 2
    nodes, _, attributes, _, legend = parse(
        dot(y, {x: "x", y: "y"}, parameters=[w, b]), full=True)
    fill = {}
    for key, (shape, label) in nodes.items():
        if shape == "record":
            fields = record_fields(label)
            fill[fields[0] if len(fields) == 3 else fields[0] + "?"] = \
                attributes[key].get("fillcolor")
    colours = {kind: colour for kind, (colour, _) in legend.items()}
    assert set(legend) == {"output", "input", "parameter", "constant"}
    assert fill["y"] == colours["output"] and fill["x"] == colours["input"]
    # w and b are unnamed: their records are value and grad only, filled as parameters.
    assert fill["value -3?"] == fill["value 0.5?"] == colours["parameter"]
    assert fill["value 2?"] == colours["constant"]           # the 2 in (...) * 2
    assert fill["value -5.5?"] is None                         # computed inside: no fill
    assert len(set(colours.values())) == 4


def test_highlight_marks_every_path_from_the_output_to_the_value():
    values, names = lecture_expression()
    nodes, edges, attributes, marked, legend = parse(
        dot(values["L"], names, highlight=values["a"]), full=True)
    by_name = {record_fields(label)[0]: key for key, (shape, label) in nodes.items()
               if shape == "record"}
    red = {name for name, key in by_name.items() if attributes[key].get("color")}
    assert red == {"a", "e", "d", "L"}                        # L → d → e → a
    assert sorted(marked) == sorted([
        (by_name["a"], by_name["e"] + "_op"), (by_name["e"] + "_op", by_name["e"]),
        (by_name["e"], by_name["d"] + "_op"), (by_name["d"] + "_op", by_name["d"]),
        (by_name["d"], by_name["L"] + "_op"), (by_name["L"] + "_op", by_name["L"])])
    assert legend["path"][1] == "on a path to a"
    data = dot(values["L"], names, highlight=values["a"]).data
    assert data["highlight"] == "a"
    assert {n["name"] for n in data["nodes"] if n["highlighted"]} == {"a", "e", "d", "L"}


def test_highlight_of_a_shared_input_marks_both_paths():
    a, b = Value(-2.0), Value(3.0)
    d, e = a * b, a + b
    f = d * e
    _, _, attributes, marked, _ = parse(dot(f, {a: "a", b: "b", d: "d", e: "e", f: "f"},
                                            highlight=a), full=True)
    # a into both ops and each op to its result (4), both results into f's op, that op to f
    assert len(marked) == 4 + 2 + 1
    with pytest.raises(MicrocalcError, match="is not part of this graph"):
        dot(f, {a: "a"}, highlight=Value(1.0))
