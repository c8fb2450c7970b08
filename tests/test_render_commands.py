"""The graph commands through the language: tree, dot, explain, check, watch, plot, boundary."""

import json
import shutil

import pytest

from microcalc.lang.context import Context, Settings
from microcalc.lang.errors import SourceError
from microcalc.nn import MLP, Dataset
from microcalc.render import commands
from microcalc.session import new_session
from test_render_check import SEED_CHECK
from test_render_explain import NEURON_EXPLAIN, SEED_EXPLAIN
from test_render_tree import NEURON_TREE, SEED_TREE, SEED_TREE_ASCII

SEED = "a = 2; b = -3; c = 10; f = -2\ne = a*b; d = e + c; L = d*f\n"
NEURON = ("x1 = 2; x2 = 0; w1 = -3; w2 = 1; b = 6.8813735870195432\n"
          "n = x1*w1 + x2*w2 + b; o = tanh(n)\n")


def run(source, settings=None, session=None):
    """The events of source that are pictures or notes (not the values it prints)."""
    session = session or new_session(settings)
    events = session.run(source)
    for event in events:
        json.dumps(event.data)          # --json must be able to write every event
    return [e for e in events if e.kind in ("text", "note")]


def texts(source, settings=None, session=None):
    return [e.text for e in run(source, settings, session)]


def test_tree_of_the_seed_expression():
    assert texts(SEED + "tree L") == [SEED_TREE]
    assert texts(SEED + "tree(L)") == [SEED_TREE]


def test_tree_of_the_neuron():
    assert texts(NEURON + "tree o") == [NEURON_TREE]


def test_tree_draws_ascii_and_colour_from_the_settings():
    assert texts(SEED + "tree L", Settings(ascii=True)) == [SEED_TREE_ASCII]
    assert "\x1b[" in texts(SEED + "tree L", Settings(color=True))[0]
    assert "\x1b[" not in texts(SEED + "tree L", Settings(color=False))[0]


def test_tree_limits_are_keyword_arguments():
    source = "x0 = 1\n" + "".join(f"x{k} = x{k - 1} + x{k - 1}\n" for k in range(1, 61))
    picture = texts(source + "tree x60, depth=3")[0]
    assert picture.splitlines()[-1] == "4 of 61 nodes shown: cut at depth 3 (raise with depth=N)"
    full = texts(source + "tree x60, depth=61")[0]
    assert len(full.splitlines()) == 122 and "see #59" in full
    event = run(source + "tree x60, depth=3, nodes=2")[0]
    assert event.data["command"] == "tree" and event.data["stopped_at_line_limit"] is True


def test_tree_data_for_json():
    event = run(SEED + "tree L")[0]
    names = {n["id"]: n["name"] for n in event.data["nodes"]}
    assert [(names[p], names[c]) for p, c in event.data["edges"]][:3] == [
        ("L", "d"), ("d", "e"), ("e", "a")]


def test_explain_grad_and_its_short_form():
    assert texts(SEED + "explain grad(L, a)") == [SEED_EXPLAIN]
    assert texts(SEED + "explain L, a") == [SEED_EXPLAIN]
    assert texts(NEURON + "explain grad(o, x1)") == [NEURON_EXPLAIN]


def test_explain_grad_without_inputs_explains_every_named_input():
    picture = texts(SEED + "explain grad(L)")[0]
    for name, answer in {"a": 6, "b": -4, "c": -2, "f": 4}.items():
        assert f"\ndL/d{name} = {answer}" in picture


def test_explain_path_limit():
    source = "x0 = 1\n" + "".join(f"x{k} = x{k - 1} + x{k - 1}\n" for k in range(1, 5))
    assert run(source + "explain grad(x4, x0)")[0].data["paths"] == 16
    assert run(source + "explain grad(x4, x0), paths=3")[0].data["summarised"] is True


def test_check_table():
    assert texts(SEED + "check L") == [SEED_CHECK]
    picture = texts(SEED + "check L, a, f")[0]
    assert [line.split()[0] for line in picture.splitlines()[1:-1]] == ["a", "f"]


def test_dot_to_the_screen_and_to_files(tmp_path, monkeypatch):
    shown = texts(SEED + "dot L")[0]
    assert shown.startswith("digraph microcalc {") and '"{ L | value -8 | grad 1 }"' in shown
    path = tmp_path / "L.dot"
    note = texts(SEED + f'dot L, "{path}"')
    assert note == [f"wrote {path}"] and path.read_text() == shown + "\n"
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(SourceError, match="needs Graphviz: install Graphviz"):
        run(SEED + f'dot L, "{tmp_path / "L.svg"}"')


def test_watch_redraws_after_each_change_and_unwatch_stops_it():
    session = new_session()
    texts(SEED, session=session)
    started = texts("watch L", session=session)
    assert started[0] == SEED_TREE
    assert started[1] == "watching L: its tree is drawn again after every change of an input " \
                         "(unwatch L stops)"
    # a = 3: e = -9, d = 1, L = -2; dL/da = f*b = 6, dL/db = f*a = -6, dL/df = d = 1
    redrawn = texts("a := 3", session=session)
    assert len(redrawn) == 1
    lines = redrawn[0].splitlines()
    assert lines[0] == "watch L:"
    assert lines[2].split() == ["L", "(*)", "-2", "1"]
    assert lines[5].split()[-3:] == ["a", "3", "6"]
    assert lines[6].split()[-3:] == ["b", "-3", "-6"]
    assert lines[8].split()[-3:] == ["f", "-2", "1"]
    # a -= 1 changes it again: a = 2, the seed's picture
    assert texts("a -= 1", session=session) == ["watch L:\n" + SEED_TREE]
    assert texts("watch", session=session) == ["watching L"]
    assert texts("unwatch L", session=session) == ["stopped watching L"]
    assert texts("a := 5", session=session) == []
    assert texts("watch", session=session) == ["nothing is watched"]


def test_watching_twice_keeps_one_watcher():
    session = new_session()
    texts(SEED + "watch L\nwatch L, depth=1", session=session)
    redrawn = texts("c := 11", session=session)
    assert len(redrawn) == 1 and "not shown" in redrawn[0]


def test_unwatch_of_something_not_watched_is_an_error():
    with pytest.raises(SourceError, match="L is not being watched"):
        run(SEED + "unwatch L")


def test_commands_refuse_plain_numbers_and_bad_limits():
    with pytest.raises(SourceError, match="tree needs a graph"):
        run("tree 3")
    with pytest.raises(SourceError, match="depth= needs a whole number >= 0"):
        run(SEED + "tree L, depth=-1")
    with pytest.raises(SourceError, match="nodes= needs a whole number >= 1"):
        run(SEED + "tree L, nodes=1.5")
    with pytest.raises(SourceError, match="explain needs the input"):
        run(SEED + "explain L")


def test_plot_a_list_of_numbers():
    picture = texts("plot [4, 3, 2, 1, 0], width=5, height=5", Settings(ascii=True))[0]
    assert picture.splitlines()[0] == "4 |*"
    assert picture.splitlines()[4] == "0 |    *"


class _Run:
    """What plot and boundary use of a training run: its losses, model and data."""

    def __init__(self, model, data, losses):
        self.model, self.data, self.losses = model, data, losses


def _context(**settings):
    events = []
    return Context(emit=events.append, settings=Settings(**settings)), events


def test_plot_of_a_training_run_is_its_loss_per_step():
    ctx, events = _context(ascii=True, width=40)
    commands.plot(ctx, _Run(None, None, [1.0, 0.5, 0.25]), height=3)
    assert events[0].text.splitlines()[0] == "loss per step"
    assert events[0].data["series"] == [1.0, 0.5, 0.25]


def test_boundary_of_a_network_over_its_data():
    data = Dataset([[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], [-1.0, 1.0, 1.0])
    model = MLP(2, [4, 1], seed=1)
    ctx, events = _context(ascii=True, width=40)
    commands.boundary(ctx, model, data, height=6)
    # Every picture cell agrees with the network itself at that cell's centre.
    event = events[0]
    (x_low, x_high), (y_low, y_high) = event.data["x_range"], event.data["y_range"]
    for row, cells in enumerate(event.data["positive"]):
        for col, positive in enumerate(cells):
            x = x_low + (col + 0.5) * (x_high - x_low) / len(cells)
            y = y_high - (row + 0.5) * (y_high - y_low) / len(event.data["positive"])
            assert positive == (model([x, y]).data > 0)
    ctx2, events2 = _context(ascii=True, width=40)
    commands.boundary(ctx2, _Run(model, data, []), height=6)
    assert events2[0].text == event.text
