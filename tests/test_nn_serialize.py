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


# -- malformed files: clear errors in microcalc's words, the model unchanged ---------------------

def _with_parameter(tmp_path, text):
    """A parameter file of MLP(2, [3, 1]) whose last parameter is written as `text`."""
    path = tmp_path / "m.json"
    save(MLP(2, [3, 1], seed=5), path)
    written = path.read_text()
    last = json.loads(written)["parameters"]["layer1.neuron0.b"]
    path.write_text(written.replace(f'"layer1.neuron0.b": {json.dumps(last)}',
                                    f'"layer1.neuron0.b": {text}'))
    return path


@pytest.mark.parametrize("text", ["9" * 5001, "-" + "1" * 400, "1e999", "NaN", "Infinity",
                                  "-Infinity"])
def test_a_number_no_float_can_hold_is_refused_in_microcalcs_words(tmp_path, text):
    """A 5001-digit number gave Python's advice to call sys.set_int_max_str_digits()."""
    path = _with_parameter(tmp_path, text)
    model = MLP(2, [3, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(MicrocalcError) as caught:
        load(model, path)
    message = str(caught.value)
    assert message.startswith(f"{path} holds a number that is not finite: {text[:60]}")
    assert "sys." not in message and len(message) < len(str(path)) + 120
    assert [p.data for p in model.parameters()] == before


def test_a_whole_number_of_many_digits_that_fits_a_float_is_read(tmp_path):
    path = _with_parameter(tmp_path, "1" + "0" * 300)
    model = load(MLP(2, [3, 1], seed=0), path)
    assert model.parameters()[-1].data == 1e300


def test_json_nested_too_deeply_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    _unchanged_after_failure(path, "its JSON is nested too deeply")


def test_what_the_file_says_is_shown_short_and_escaped(tmp_path):
    """A "model" field of a megabyte, or with terminal escapes in it, is not repeated whole."""
    path = tmp_path / "odd.json"
    document = {"format": "microcalc-parameters", "version": 1,
                "model": "\x1b]52;c;SGVsbG8=\x07" + "x" * 1_000_000, "parameters": {"w": 1}}
    path.write_text(json.dumps(document))
    with pytest.raises(MicrocalcError) as caught:
        load(MLP(2, [3, 1]), path)
    message = str(caught.value)
    assert len(message) < 300 and "\x1b" not in message and "\x07" not in message
    shown = '"\\u001b]52;c;SGVsbG8=\\u0007' + "x" * (60 - 27) + "..."
    assert message == (f"{path} holds 1 parameters of {shown}, which does not fit this "
                       f"MLP(2, [3, 1]) with 13 parameters")
    document.update(model="MLP(1, [1])", version="9" * 10_000)
    path.write_text(json.dumps(document))
    with pytest.raises(MicrocalcError, match=r"has parameter file version \"9{50,60}\.\.\.; "):
        load(MLP(2, [3, 1]), path)


def test_a_byte_order_mark_is_not_part_of_the_json(tmp_path):
    path = tmp_path / "m.json"
    model = MLP(2, [3, 1], seed=1)
    save(model, path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert [p.data for p in load(MLP(2, [3, 1]), path).parameters()] == \
        [p.data for p in model.parameters()]


def test_a_file_that_is_not_utf8_says_where(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"format": "caf\xe9"}')
    _unchanged_after_failure(path, r"not UTF-8 \(byte 0xe9 at offset 15\)")


def test_save_is_atomic(tmp_path, monkeypatch):
    """A save that fails half-way (the disk fills) leaves the previous file whole."""
    path = tmp_path / "m.json"
    save(MLP(2, [3, 1], seed=1), path)
    before = path.read_bytes()

    def full(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("os.fsync", full)
    with pytest.raises(MicrocalcError, match="cannot write .*: the disk is full"):
        save(MLP(2, [3, 1], seed=2), path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["m.json"]
