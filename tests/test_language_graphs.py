"""The graph commands through the language: tree, dot, explain, check, watch, plot, boundary."""

import json
import shutil
from pathlib import Path

import pytest

from microcalc.lang.context import Context, Settings
from microcalc.lang.errors import SourceError
from microcalc.errors import MicrocalcError
from microcalc.nn import MLP, Dataset, load_csv, train
from microcalc.lang.library import graphs as commands
from microcalc.lang.namespace import Namespace
from microcalc.lang import Session as new_session
from conftest import (LECTURE_CHECK, LECTURE_EXPLAIN, LECTURE_TREE, LECTURE_TREE_ASCII,
                      NEURON_EXPLAIN, NEURON_TREE)

MOONS = Path(__file__).resolve().parent.parent / "examples" / "data" / "moons100.csv"
LECTURE_PROGRAM = "a = 2; b = -3; c = 10; f = -2\ne = a*b; d = e + c; L = d*f\n"
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
    """What a program shows, its notes about changed graphs left out."""
    return [e.text for e in run(source, settings, session)
            if not (e.kind == "note" and e.text.startswith("changing "))]


def test_tree_of_the_lecture_expression():
    assert texts(LECTURE_PROGRAM + "tree L") == [LECTURE_TREE]
    assert texts(LECTURE_PROGRAM + "tree(L)") == [LECTURE_TREE]


def test_tree_of_the_neuron():
    assert texts(NEURON + "tree o") == [NEURON_TREE]


def test_tree_draws_ascii_and_colour_from_the_settings():
    assert texts(LECTURE_PROGRAM + "tree L", Settings(ascii=True)) == [LECTURE_TREE_ASCII]
    assert "\x1b[" in texts(LECTURE_PROGRAM + "tree L", Settings(color=True))[0]
    assert "\x1b[" not in texts(LECTURE_PROGRAM + "tree L", Settings(color=False))[0]


def test_tree_limits_are_keyword_arguments():
    source = "x0 = 1\n" + "".join(f"x{k} = x{k - 1} + x{k - 1}\n" for k in range(1, 61))
    picture = texts(source + "tree x60, depth=3")[0]
    assert picture.splitlines()[-1] == "4 of 61 nodes shown: cut at depth 3 (raise with depth=N)"
    full = texts(source + "tree x60, depth=61")[0]
    assert len(full.splitlines()) == 122 and "see #59" in full
    event = run(source + "tree x60, depth=3, nodes=2")[0]
    assert event.data["command"] == "tree" and event.data["stopped_at_line_limit"] is True


def test_tree_data_for_json():
    event = run(LECTURE_PROGRAM + "tree L")[0]
    names = {n["id"]: n["name"] for n in event.data["nodes"]}
    assert [(names[p], names[c]) for p, c in event.data["edges"]][:3] == [
        ("L", "d"), ("d", "e"), ("e", "a")]


def test_explain_grad_and_its_short_form():
    assert texts(LECTURE_PROGRAM + "explain grad(L, a)") == [LECTURE_EXPLAIN]
    assert texts(LECTURE_PROGRAM + "explain L, a") == [LECTURE_EXPLAIN]
    assert texts(NEURON + "explain grad(o, x1)") == [NEURON_EXPLAIN]


def test_explain_grad_without_inputs_explains_every_named_input():
    picture = texts(LECTURE_PROGRAM + "explain grad(L)")[0]
    for name, answer in {"a": 6, "b": -4, "c": -2, "f": 4}.items():
        assert f"\ndL/d{name} = {answer}" in picture


def test_explain_path_limit():
    source = "x0 = 1\n" + "".join(f"x{k} = x{k - 1} + x{k - 1}\n" for k in range(1, 5))
    assert run(source + "explain grad(x4, x0)")[0].data["paths"] == 16
    assert run(source + "explain grad(x4, x0), paths=3")[0].data["summarised"] is True


def test_check_table():
    assert texts(LECTURE_PROGRAM + "check L") == [LECTURE_CHECK]
    picture = texts(LECTURE_PROGRAM + "check L, a, f")[0]
    assert [line.split()[0] for line in picture.splitlines()[1:-1]] == ["a", "f"]


def test_dot_to_the_screen_and_to_files(tmp_path, monkeypatch):
    shown = texts(LECTURE_PROGRAM + "dot L")[0]
    assert shown.startswith("digraph microcalc {") and '"{ L | value -8 | grad 1 }"' in shown
    path = tmp_path / "L.dot"
    note = texts(LECTURE_PROGRAM + f'dot L, "{path}"')
    assert note == [f"wrote {path}"] and path.read_text() == shown + "\n"
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(SourceError, match="needs Graphviz: install Graphviz"):
        run(LECTURE_PROGRAM + f'dot L, "{tmp_path / "L.svg"}"')


def test_watch_redraws_after_each_change_and_unwatch_stops_it():
    session = new_session()
    texts(LECTURE_PROGRAM, session=session)
    started = texts("watch L", session=session)
    assert started[0] == LECTURE_TREE
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
    # a -= 1 changes it again: a = 2, the lecture's picture
    assert texts("a -= 1", session=session) == ["watch L:\n" + LECTURE_TREE]
    assert texts("watch", session=session) == ["watching L"]
    assert texts("unwatch L", session=session) == ["stopped watching L"]
    assert texts("a := 5", session=session) == []
    assert texts("watch", session=session) == ["nothing is watched"]


def test_watching_twice_keeps_one_watcher():
    session = new_session()
    texts(LECTURE_PROGRAM + "watch L\nwatch L, depth=1", session=session)
    redrawn = texts("c := 11", session=session)
    assert len(redrawn) == 1 and "not shown" in redrawn[0]


def test_unwatch_of_something_not_watched_is_an_error():
    with pytest.raises(SourceError, match="L is not being watched"):
        run(LECTURE_PROGRAM + "unwatch L")


def test_commands_refuse_plain_numbers_and_bad_limits():
    with pytest.raises(SourceError, match="tree needs a graph"):
        run("tree 3")
    with pytest.raises(SourceError, match="depth= must be a whole number from 0 to 1000"):
        run(LECTURE_PROGRAM + "tree L, depth=-1")
    with pytest.raises(SourceError, match="nodes= must be a whole number from 1 to 10000"):
        run(LECTURE_PROGRAM + "tree L, nodes=1.5")
    with pytest.raises(SourceError, match="explain needs the input"):
        run(LECTURE_PROGRAM + "explain L")


def test_plot_a_list_of_numbers():
    picture = texts("plot [4, 3, 2, 1, 0], width=5, height=5", Settings(ascii=True))[0]
    assert picture.splitlines()[0] == "4 |*"
    assert picture.splitlines()[4] == "0 |    *"


def _context(**settings):
    events = []
    return Context(events.append, Settings(**settings), Namespace()), events


def _trained():
    """A real training run: a small network, a few steps of the moons problem."""
    data = load_csv(str(MOONS))
    return train(MLP(2, [8, 1], seed=1), data, steps=5, l2=1e-4)


def test_plot_of_a_training_run_is_its_loss_per_step():
    run_ = _trained()
    ctx, events = _context(ascii=True, width=40)
    commands.plot(ctx, run_, height=4)
    assert events[0].text.splitlines()[0] == "loss per step"
    assert events[0].data["series"] == run_.losses and len(run_.losses) == 5


def test_boundary_of_a_trained_network_over_its_data():
    run_ = _trained()
    model, data = run_.model, run_.data
    ctx, events = _context(ascii=True, width=40)
    commands.boundary(ctx, model, data, height=6)
    # Every picture cell agrees with the network itself at that cell's centre, and the
    # count of correct points with the network's own predictions.
    event = events[0]
    (x_low, x_high), (y_low, y_high) = event.data["x_range"], event.data["y_range"]
    grid = event.data["positive"]
    for row, cells in enumerate(grid):
        for col, positive in enumerate(cells):
            x = x_low + (col + 0.5) * (x_high - x_low) / len(cells)
            y = y_high - (row + 0.5) * (y_high - y_low) / len(grid)
            assert positive == (model([x, y]).data > 0)
    right = sum((model(list(p)).data > 0) == (y > 0) for p, y in zip(data.inputs, data.labels))
    assert event.data["correct"] == right
    # A run knows its network and data: `boundary run` draws the same picture.
    ctx2, events2 = _context(ascii=True, width=40)
    commands.boundary(ctx2, run_, height=6)
    assert events2[0].text == event.text


def test_boundary_needs_two_inputs_and_one_output():
    ctx, _ = _context()
    data = Dataset([[0.0, 1.0, 2.0]], [1.0])
    with pytest.raises(MicrocalcError, match="two inputs"):
        commands.boundary(ctx, MLP(3, [1], seed=1), data)
    data = Dataset([[0.0, 1.0], [1.0, 0.0]], [0.0, 1.0])
    with pytest.raises(MicrocalcError, match="one output score"):
        commands.boundary(ctx, MLP(2, [2], seed=1), data)


def _training_events(program, interactive):
    from microcalc.lang.context import Settings
    from microcalc.lang import Session as new_session
    session = new_session(Settings(interactive=interactive, width=70))
    return [e for e in session.run(program) if e.kind in ("value", "text")]


def test_in_the_repl_training_is_followed_by_its_pictures():
    events = _training_events("data = moons(60, seed=2)\nnet = mlp(2, [8, 1], seed=1)\n"
                              "run = train(net, data, steps=40, lr=0.2)", interactive=True)
    summary, curve, boundary = events[2:]
    assert summary.text.startswith("40 steps:")
    assert curve.kind == boundary.kind == "text"      # one picture each, for a document too
    assert curve.text.startswith("loss per step") and curve.text.kind == "line_chart"
    assert boundary.text.rstrip().endswith("correct (88%)") and boundary.text.kind == "boundary"


def test_a_regression_run_shows_only_its_loss_curve():
    events = _training_events(
        'data = dataset([[2, 3, -1], [3, -1, 0.5], [0.5, 1, 1], [1, 1, -1]], [1, -1, -1, 1])\n'
        'net = mlp(3, [4, 4, 1], activation="tanh", seed=6)\n'
        'run = train(net, data, loss="sse", lr=0.05, steps=50)', interactive=True)
    assert events[-1].text.startswith("loss per step")
    assert "correct" not in events[-1].text
    assert "(log y)" in events[-1].text            # 4.8 down to 0.0026: a log scale


def test_scripts_and_pipes_draw_only_when_asked():
    events = _training_events("data = moons(60, seed=2)\nnet = mlp(2, [8, 1], seed=1)\n"
                              "run = train(net, data, steps=40, lr=0.2)", interactive=False)
    assert [e.text.split(":")[0] for e in events] == ["moons", "MLP(2, [8, 1])", "40 steps"]
