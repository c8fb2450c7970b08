"""Networks, data and training from the language, through the full session."""

import json
import math
from pathlib import Path

import pytest

from microcalc.lang import SourceError
from microcalc.lang.library import BUILTINS
from microcalc.lang.context import Settings
from microcalc.lang import Session as new_session

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run(source, session=None, filename="<input>", **settings):
    session = session or new_session(Settings(**settings))
    return session, session.run(source, filename)


def values(events):
    return [e.text for e in events if e.kind in ("value", "text")]


def progress(events):
    return [e.data for e in events if e.kind == "progress"]


def test_builtins_are_registered_with_categories():
    for name in ("mlp", "train", "predict", "accuracy", "parameters", "save", "load"):
        assert BUILTINS[name].category == "nn"
    for name in ("moons", "circles", "xor", "blobs", "spirals", "load_csv", "dataset"):
        assert BUILTINS[name].category == "data"
    assert BUILTINS["moons"].signature == "moons(n=100, noise=0.1, seed=0)"


def test_a_network_is_called_like_a_function_and_differentiated():
    session, events = run("net = mlp(2, [3, 1], seed=4)\n"
                          "x1 = 0.5\nx2 = -1\n"
                          "y = net([x1, x2])\n"
                          "g = grad(y, [x1, x2])\n")
    assert values(events)[0] == "MLP(2, [3, 1]): 13 parameters"
    net = session.variables["net"]
    y = net([0.5, -1.0])
    assert session.variables["y"].data == y.data
    # central differences of the network itself
    h = 1e-6
    numeric = [(net([0.5 + h, -1.0]).data - net([0.5 - h, -1.0]).data) / (2 * h),
               (net([0.5, -1.0 + h]).data - net([0.5, -1.0 - h]).data) / (2 * h)]
    assert [g.data if hasattr(g, "data") else g for g in session.variables["g"]] == \
        pytest.approx(numeric, abs=1e-7)


def test_the_lectures_regression_example():
    source = (EXAMPLES / "regression.mg").read_text()
    session, events = run(source)
    steps = progress(events)
    assert steps[0]["loss"] == pytest.approx(4.8, abs=0.1)
    assert steps[-1]["step"] == 50 and steps[-1]["loss"] < 0.01
    predictions = [e.data["value"] for e in events if e.kind == "value"][-1]
    assert predictions == pytest.approx([1, -1, -1, 1], abs=0.1)


def test_moons_example_is_micrograds_demo():
    """examples/moons.mg prints micrograd's own losses and ends at 100% accuracy."""
    script = EXAMPLES / "moons.mg"
    session, events = run(script.read_text(), filename=str(script))   # its csv is beside it
    history = session.variables["run"].history
    assert [r.step for r in history] == list(range(100))
    micrograd = {1: (0.8958441028683222, 0.5), 2: (1.723590533697202, 0.81),
                 100: (0.010978370135492717, 1.0)}
    for step, (loss, accuracy) in micrograd.items():
        assert history[step - 1].loss == pytest.approx(loss, rel=1e-9)
        assert history[step - 1].accuracy == accuracy
    reported = progress(events)
    assert [s["step"] for s in reported if s["report"]] == [1] + list(range(10, 101, 10))
    assert reported[-1]["loss"] == history[-1].loss
    shown = values(events)
    assert shown[3] == "1"                      # accuracy(net, data) after training
    assert len(shown) == 6                      # then the loss curve and the boundary
    assert "100/100 correct (100%)" in shown[5]


def test_progress_reports_every_interval():
    _, events = run("data = moons(40, seed=1)\nnet = mlp(2, [4, 1], seed=0)\n"
                    "train(net, data, steps=25, lr=0.1, every=10)")
    reports = [p["step"] for p in progress(events) if p["report"]]
    assert reports == [1, 10, 20, 25]
    last = [e for e in events if e.kind == "progress"][-1]
    assert last.text.startswith("step 25/25  loss ")
    assert "accuracy" in last.text and last.text.endswith("steps/s")
    json.dumps([e.data for e in events])          # every payload is JSON


def test_training_options():
    _, events = run("data = blobs(60, centers=3, spread=0.3, seed=1)\n"
                    "net = mlp(2, [8, 3], seed=2)\n"
                    'run = train(net, data, optimizer="adam", lr=0.05, steps=40, batch=20)\n'
                    "accuracy(net, data)")
    summary = values(events)[-2]
    assert "softmax loss, Adam(lr=0.05)" in summary
    assert float(values(events)[-1]) > 0.9


def test_learning_rate_list_is_a_linear_decay():
    session, _ = run("data = moons(20, seed=1)\nnet = mlp(2, [4, 1], seed=0)\n"
                     "run = train(net, data, lr=[1, 0.1], steps=10)\n"
                     'run2 = train(net, data, lr=[1, 0.1], steps=10, schedule="cosine")')
    rates = [r.lr for r in session.variables["run"].history]
    assert rates == [1.0 - 0.9 * k / 10 for k in range(10)]
    cosine = [r.lr for r in session.variables["run2"].history]
    assert cosine[0] == 1.0 and cosine[5] == pytest.approx(0.55)


def test_losses_of_a_run():
    session, events = run("data = moons(20, seed=1)\nnet = mlp(2, [4, 1], seed=0)\n"
                          "run = train(net, data, steps=5)\nlosses(run)")
    assert [e.data["value"] for e in events if e.kind == "value"][-1] == \
        session.variables["run"].losses
    with pytest.raises(SourceError, match="losses needs a training run"):
        session.run("losses(net)")


def test_predict_accuracy_parameters():
    session, events = run("net = mlp(2, [4, 1], seed=0)\ndata = xor(8, seed=1)\n"
                          "predict(net, [0.5, 0.5])\npredict(net, data)\n"
                          "len(parameters(net))\naccuracy(net, data)")
    net = session.variables["net"]
    data = session.variables["data"]
    shown = values(events)
    assert float(shown[2]) == net([0.5, 0.5]).data
    assert len(json.loads(shown[3])) == 8
    assert shown[4] == "17"
    right = sum((net(x).data > 0) == (y > 0) for x, y in data)
    assert float(shown[5]) == right / 8


def test_save_and_load_round_trip(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session, events = run('net = mlp(2, [5, 1], seed=3)\nsave(net, "model.json")\n'
                          'other = load(mlp(2, [5, 1], seed=4), "model.json")\n'
                          "other([0.1, 0.2]) - net([0.1, 0.2])")
    assert [e.text for e in events if e.kind == "note"] == ["saved 21 parameters to model.json"]
    assert values(events)[-1] == "0"
    with pytest.raises(SourceError, match="does not fit this MLP"):
        session.run('load(mlp(2, [4, 1]), "model.json")')
    with pytest.raises(SourceError, match="cannot read absent.json: no such file"):
        session.run('load(net, "absent.json")')


def test_load_csv_relative_to_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "points.csv").write_text("a,b,label\n0,1,1\n1,0,-1\n")
    monkeypatch.chdir(tmp_path)
    session, events = run('data = load_csv("points.csv")')
    assert values(events) == ["points: 2 examples, 2 inputs, classes -1, 1"]
    with pytest.raises(SourceError, match="line 2: not a number"):
        (tmp_path / "bad.csv").write_text("x1,x2,y\n1,2,x\n")
        session.run('load_csv("bad.csv")')


@pytest.mark.parametrize("source, message", [
    ("mlp(2, 16)", "needs a list of layer sizes"),
    ("mlp(2, [16, 0.5])", "a layer size must be a whole number"),
    ('mlp(2, [4, 1], activation="swish")', "unknown activation 'swish'"),
    ("train(3, moons(10))", "train needs a network"),
    ("train(mlp(2, [4, 1]), 3)", "train needs a data set"),
    ('train(mlp(2, [4, 1]), moons(10), loss="cubic")', "unknown loss 'cubic'"),
    ('train(mlp(2, [4, 1]), moons(10), optimizer="adam", momentum=0.9)', "option of the sgd"),
    ("train(mlp(2, [4, 1]), moons(10), lr=[1, 2, 3])", "start, end"),
    ("train(mlp(2, [4, 1]), moons(10), steps=0)", "steps must be a whole number, at least 1, not 0"),
    ('moons(10, noise="big")', "noise must be a number"),
    ("moons(10, wiggle=1)", "wiggle"),
    ("net = mlp(2, [4, 1])\nnet([1, 2, 3])", "takes 2 inputs, got 3"),
    ("accuracy(mlp(2, [4, 1]), dataset([[1, 2]], [0.5]))", "regression targets"),
    ("predict(mlp(2, [4, 1]), \"x\")", "predict needs a list of inputs"),
])
def test_errors_are_one_clear_line(source, message):
    session = new_session()
    with pytest.raises(SourceError) as caught:
        session.run(source)
    assert message in caught.value.message


class StopAtProgress:
    """An output sink that presses Ctrl-C when the n-th progress event arrives."""

    def __init__(self, n):
        self.n, self.seen, self.events = n, 0, []

    def __call__(self, event):
        self.events.append(event)
        if event.kind == "progress":
            self.seen += 1
            if self.seen == self.n:
                raise KeyboardInterrupt


def test_ctrl_c_in_the_repl_keeps_the_model_of_the_last_step():
    session = new_session(Settings(interactive=True))
    session.run("data = moons(30, seed=2)\nnet = mlp(2, [4, 1], seed=0)")
    sink = StopAtProgress(4)
    session.run("run = train(net, data, steps=50, lr=0.1, every=1)", emit=sink)
    run_ = session.variables["run"]
    assert run_.interrupted and len(run_.history) == 4
    notes = [e.text for e in sink.events if e.kind == "note"]
    assert notes == ["stopped at step 4 of 50: the network keeps the parameters of step 4"]
    reference = new_session()
    reference.run("data = moons(30, seed=2)\nnet = mlp(2, [4, 1], seed=0)\n"
                  "train(net, data, steps=4, lr=0.1)")
    assert [p.data for p in session.variables["net"].parameters()] == \
        [p.data for p in reference.variables["net"].parameters()]


def test_ctrl_c_in_a_script_stops_it_with_the_variables_kept():
    session = new_session()
    with pytest.raises(KeyboardInterrupt):
        session.run("data = moons(30, seed=2)\nnet = mlp(2, [4, 1], seed=0)\n"
                    "run = train(net, data, steps=50, every=1)\nafter = 1",
                    emit=StopAtProgress(3))
    assert "net" in session.variables and "run" not in session.variables
    assert "after" not in session.variables


def test_network_and_data_show_as_json():
    _, events = run("mlp(2, [3, 1], seed=0)\nmoons(10)")
    assert [e.data for e in events] == [
        {"value": {"network": "MLP(2, [3, 1])", "parameters": 13}},
        {"value": {"dataset": "moons", "examples": 10, "inputs": 2, "classes": [-1.0, 1.0]}},
    ]


def test_decision_boundary_and_loss_curve_after_training():
    """The render commands draw a training run: they read run.losses, run.model, run.data."""
    _, events = run("data = moons(40, noise=0.05, seed=1)\nnet = mlp(2, [8, 8, 1], seed=3)\n"
                    "run = train(net, data, lr=[1, 0.1], l2=1e-4, steps=30)\n"
                    "plot run\nboundary run", width=60, ascii=True)
    pictures = [e.text for e in events if e.kind == "text"]
    assert len(pictures) == 2
    assert "loss per step" in pictures[0]
    assert pictures[1].count("o") + pictures[1].count("x") >= 20
    assert not math.isnan(float(pictures[0].splitlines()[1].split()[0]))


def test_a_script_reads_files_beside_itself_from_any_folder(tmp_path, monkeypatch):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "points.csv").write_text("x1,y\n1,2\n3,4\n", "utf-8")
    script = folder / "fit.mg"
    script.write_text('data = load_csv("points.csv")\n', "utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    _, events = run(script.read_text(), filename=str(script))
    assert "2 examples" in values(events)[0]
    with pytest.raises(SourceError, match="cannot read points.csv: no such file"):
        run('load_csv("points.csv")')      # typed in: relative to the current folder
