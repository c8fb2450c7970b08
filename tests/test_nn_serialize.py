"""Saving and loading parameters: exact round trips, and clear errors for files that do not fit."""

import json

import pytest

from microcalc import MicrocalcError
from microcalc.nn import MLP, load, save


def test_round_trip_is_exact(tmp_path):
    path = tmp_path / "model.json"
    trained = MLP(2, [16, 16, 1], seed=1)
    for k, p in enumerate(trained.parameters()):
        p.data += k / 7          # values that need all 17 digits
    save(trained, path)
    fresh = MLP(2, [16, 16, 1], seed=2)
    assert load(fresh, path) is fresh
    assert [p.data for p in fresh.parameters()] == [p.data for p in trained.parameters()]
    assert fresh([0.3, -0.2]).data == trained([0.3, -0.2]).data


def test_file_names_its_model_and_parameters(tmp_path):
    path = tmp_path / "m.json"
    save(MLP(3, [2, 1], activation="tanh", seed=0), path)
    document = json.loads(path.read_text())
    assert document["format"] == "microcalc-parameters" and document["version"] == 1
    assert document["model"] == "MLP(3, [2, 1], activation='tanh')"
    assert list(document["parameters"])[:4] == ["layer0.neuron0.w0", "layer0.neuron0.w1",
                                                "layer0.neuron0.w2", "layer0.neuron0.b"]
    assert len(document["parameters"]) == 11


def _unchanged_after_failure(path, message):
    model = MLP(2, [3, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(MicrocalcError, match=message):
        load(model, path)
    assert [p.data for p in model.parameters()] == before


def test_wrong_shape(tmp_path):
    path = tmp_path / "big.json"
    save(MLP(2, [16, 16, 1], seed=0), path)
    _unchanged_after_failure(path, r"holds 337 parameters of MLP\(2, \[16, 16, 1\]\), which "
                                   r"does not fit this MLP\(2, \[3, 1\]\) with 13 parameters")


def test_same_count_different_shape(tmp_path):
    # MLP(2, [3, 1]) and MLP(3, [2, 1]) have 13 and 11 parameters; MLP(1, [4, 1]) has 13.
    path = tmp_path / "other.json"
    save(MLP(1, [4, 1], seed=0), path)
    _unchanged_after_failure(path, "does not fit")


@pytest.mark.parametrize("text, message", [
    ("{not json", "is not JSON"),
    ('{"format": "something else", "parameters": {}}', "not a microcalc parameter file"),
    ('[1, 2, 3]', "not a microcalc parameter file"),
    ('{"format": "microcalc-parameters", "version": 9, "parameters": {}}', "version 9"),
])
def test_bad_files(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    _unchanged_after_failure(path, message)


def test_non_number_parameter(tmp_path):
    path = tmp_path / "m.json"
    save(MLP(2, [3, 1], seed=5), path)
    document = json.loads(path.read_text())
    document["parameters"]["layer1.neuron0.b"] = "zero"
    path.write_text(json.dumps(document))
    _unchanged_after_failure(path, "layer1.neuron0.b is not a finite number")


def test_missing_file_and_unwritable_path(tmp_path):
    _unchanged_after_failure(tmp_path / "absent.json", "no such file")
    with pytest.raises(MicrocalcError, match="cannot write"):
        save(MLP(2, [3, 1], seed=0), tmp_path / "no" / "such" / "dir.json")
