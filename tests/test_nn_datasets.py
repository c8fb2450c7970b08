"""Generated data sets: shape, labels, geometry without noise, determinism; CSV loading."""

import math
import random
from pathlib import Path

import pytest

from microcalc import MicrocalcError
from microcalc.nn import GENERATORS, Dataset, blobs, circles, load_csv, moons, spirals, xor

MOONS = Path(__file__).resolve().parent.parent / "examples" / "data" / "moons100.csv"


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_shape_and_determinism(name):
    make = GENERATORS[name]
    data = make(61, seed=5)
    assert len(data) == 61 and len(data.inputs) == 61
    assert all(len(row) == 2 for row in data.inputs)
    assert all(isinstance(v, float) for row in data.inputs for v in row)
    again = make(61, seed=5)
    assert (again.inputs, again.labels) == (data.inputs, data.labels)
    other = make(61, seed=6)
    assert other.inputs != data.inputs


@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spirals"])
def test_two_class_sets_are_labelled_minus_one_plus_one(name):
    data = GENERATORS[name](40, seed=1)
    assert data.classes == [-1.0, 1.0]


def test_moons_without_noise_lie_on_the_half_circles():
    data = moons(50, noise=0.0, seed=0)
    assert data.labels.count(-1.0) == 25 and data.labels.count(1.0) == 25
    for (x, y), label in data:
        if label < 0:     # upper moon: the unit half circle above the axis
            assert math.hypot(x, y) == pytest.approx(1.0) and y >= -1e-12
        else:             # lower moon: centred at (1, 0.5), below its centre
            assert math.hypot(x - 1, y - 0.5) == pytest.approx(1.0) and y <= 0.5 + 1e-12


def test_circles_without_noise_have_two_radii():
    data = circles(40, noise=0.0, factor=0.3, seed=0)
    for (x, y), label in data:
        assert math.hypot(x, y) == pytest.approx(0.3 if label > 0 else 1.0)


def test_xor_labels_follow_the_quadrants():
    data = xor(200, seed=2)
    for (x, y), label in data:
        assert -1 <= x <= 1 and -1 <= y <= 1
        assert label == (1.0 if x * y > 0 else -1.0)
    assert 60 < data.labels.count(1.0) < 140


def test_blobs_cluster_around_their_centres():
    data = blobs(90, centers=3, spread=0.1, seed=3)
    assert data.classes == [0.0, 1.0, 2.0]
    for (x, y), label in data:
        angle = 2 * math.pi * label / 3
        assert math.hypot(x - 2 * math.cos(angle), y - 2 * math.sin(angle)) < 0.6
    assert [data.labels.count(float(k)) for k in range(3)] == [30, 30, 30]
    assert blobs(20, centers=2, seed=0).classes == [-1.0, 1.0]


def test_spirals_stay_inside_the_unit_disc():
    data = spirals(99, classes=3, noise=0.0, seed=0)
    assert data.classes == [0.0, 1.0, 2.0]
    assert all(math.hypot(x, y) <= 1 + 1e-12 for x, y in data.inputs)
    assert [data.labels.count(float(k)) for k in range(3)] == [33, 33, 33]


@pytest.mark.parametrize("bad, message", [
    (lambda: moons(1), "at least 2 examples"),
    (lambda: moons(10.5), "whole number"),
    (lambda: moons(10, noise=-1), "noise must be >= 0"),
    (lambda: circles(10, factor=1.5), "between 0 and 1"),
    (lambda: blobs(10, centers=1), "at least 2 centers"),
    (lambda: spirals(10, classes=1), "at least 2 classes"),
])
def test_bad_generator_arguments(bad, message):
    with pytest.raises(MicrocalcError, match=message):
        bad()


def test_load_csv_reads_micrograds_moons():
    data = load_csv(MOONS)
    assert len(data) == 100 and data.n_features == 2 and data.name == "moons100"
    assert data.inputs[0] == [1.1221146075409685, 0.08147717341718697]
    assert data.labels[0] == -1.0
    assert data.classes == [-1.0, 1.0]
    assert str(data) == "moons100: 100 examples, 2 inputs, classes -1, 1"


def test_load_csv_without_header_and_with_regression_targets(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("1,2,0.5\n3,4,1.25\n\n")
    data = load_csv(path)
    assert data.inputs == [[1.0, 2.0], [3.0, 4.0]] and data.labels == [0.5, 1.25]
    assert data.classes is None


@pytest.mark.parametrize("text, message", [
    ("x1,x2,y\n1,2,1\n3,oops,-1\n", 'line 3: not a number: "oops"'),
    ("x1,x2,y\n1,2,1\n3,4\n", "line 3: 2 columns, expected 3"),
    ("x1,x2,y\n", "no rows of data"),
    ("", "no rows of data"),
    ("y\n1\n", "at least 2 columns"),
    ("x,y\n1,1e999\n", "line 2: numbers must be finite"),
])
def test_load_csv_bad_files(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(MicrocalcError, match=message):
        load_csv(path)


def test_load_csv_missing_file(tmp_path):
    with pytest.raises(MicrocalcError, match="no such file"):
        load_csv(tmp_path / "absent.csv")
    with pytest.raises(MicrocalcError, match="is a directory"):
        load_csv(tmp_path)


def test_batches_cover_every_example_once_per_pass():
    data = moons(23, seed=0)
    batches = list(data.batches(5, random.Random(1)))
    assert [len(b) for b in batches] == [5, 5, 5, 5, 3]
    seen = sorted(tuple(row) for b in batches for row in b.inputs)
    assert seen == sorted(tuple(row) for row in data.inputs)
    unshuffled = list(data.batches(10))
    assert unshuffled[0].inputs == data.inputs[:10]


def test_dataset_checks_its_rows():
    with pytest.raises(MicrocalcError, match="different lengths"):
        Dataset([[1, 2], [3]], [1, 2])
    with pytest.raises(MicrocalcError, match="2 input rows but 1 labels"):
        Dataset([[1, 2], [3, 4]], [1])
    with pytest.raises(MicrocalcError, match="not a number"):
        Dataset([[1, "a"]], [1])
    assert Dataset([1, 2], [3, 4]).inputs == [[1.0], [2.0]]


# -- what load_csv takes for a number, and for a header -------------------------------------------

def _csv(tmp_path, data, name="d.csv"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_a_byte_order_mark_without_a_header_keeps_the_first_row(tmp_path):
    """The mark made the first cell '\\ufeff1': not a number, so the row was taken for a
    header and silently dropped."""
    data = load_csv(_csv(tmp_path, b"\xef\xbb\xbf1,2,1\n3,4,-1\n"))
    assert data.inputs == [[1.0, 2.0], [3.0, 4.0]] and data.labels == [1.0, -1.0]
    named = load_csv(_csv(tmp_path, b"\xef\xbb\xbfx1,x2,y\n1,2,1\n", "named.csv"))
    assert named.inputs == [[1.0, 2.0]]


@pytest.mark.parametrize("cell", ["1_000", "١٢", "１", "²", "inf", "-Infinity", "nan", "0x10",
                                  "1e", "--1", "1.2.3", "", " ", "1 2", "\u00a01", "1\x00"])
def test_only_ascii_decimal_numbers_are_numbers(tmp_path, cell):
    """float() takes 1_000, Arabic-Indic and full-width digits, inf and nan; a CSV of
    numbers does not."""
    with pytest.raises(MicrocalcError, match=r"d\.csv, line 2: not a number: "):
        load_csv(_csv(tmp_path, f"1,2,1\n3,{cell},-1\n"))


@pytest.mark.parametrize("cell, value", [("-1.5", -1.5), ("+2", 2.0), (".5", 0.5), ("5.", 5.0),
                                         ("2e-3", 0.002), ("6.02E23", 6.02e23),
                                         (" 7 ", 7.0), ("\t8", 8.0), ("007", 7.0)])
def test_numbers_as_the_language_writes_them_are_read(tmp_path, cell, value):
    assert load_csv(_csv(tmp_path, f"{cell},1\n")).inputs == [[value]]


def test_a_first_row_with_a_number_in_it_is_data_not_a_header(tmp_path):
    """A first row with a typo ('1.5,x,1') is reported, not skipped as if it named columns."""
    with pytest.raises(MicrocalcError, match='line 1: not a number: "x"'):
        load_csv(_csv(tmp_path, "1.5,x,1\n2,3,-1\n"))


def test_a_bad_cell_is_shown_short_and_quoted(tmp_path):
    with pytest.raises(MicrocalcError) as caught:
        load_csv(_csv(tmp_path, "1,2\n" + "\x1b[2J" + "y" * 1000 + ",1\n"))
    assert str(caught.value).endswith('line 2: not a number: "\\u001b[2J' + "y" * 36 + '..."')


# -- sizes ---------------------------------------------------------------------------------------

def test_a_csv_of_more_than_100_000_examples_is_refused(tmp_path):
    with pytest.raises(MicrocalcError, match=r"d\.csv: a data set holds at most 100,000 "
                                             r"examples, not 100,001"):
        load_csv(_csv(tmp_path, "1,1\n" * 100_001))


@pytest.mark.slow
def test_a_csv_of_too_many_numbers_is_refused(tmp_path):
    row = ",".join(["1"] * 1000) + "\n"
    with pytest.raises(MicrocalcError, match=r"d\.csv: a data set holds at most 1,000,000 "
                                             r"numbers"):
        load_csv(_csv(tmp_path, row * 1001))


def test_a_line_of_a_megabyte_is_refused_before_it_is_split(tmp_path):
    with pytest.raises(MicrocalcError, match=r"d\.csv, line 2: longer than 1,000,000 "
                                             r"characters"):
        load_csv(_csv(tmp_path, "1,1\n" + "1," * 500_001 + "1\n"))


@pytest.mark.parametrize("make, message", [
    (lambda: moons(1e9), "at most 100,000 examples, not 1,000,000,000"),
    (lambda: xor(float("inf")), "must be a whole number, not inf"),
    (lambda: circles(100_001), "at most 100,000 examples, not 100,001"),
    (lambda: Dataset([[1.0]] * 100_001, [1.0] * 100_001), "at most 100,000 examples"),
    (lambda: Dataset([[1.0] * 1_000_000], [1.0]), "example 1 has 1,000,000 inputs"),
])
def test_data_sets_past_their_limits_are_refused_at_once(make, message):
    with pytest.raises(MicrocalcError, match=message):
        make()
