"""microcalc.render.plot: line charts and decision boundaries as exact small pictures."""

import pytest

from microcalc.engine import Value
from microcalc.errors import MicrocalcError
from microcalc.render import decision_boundary, line_chart

DESCENDING_ASCII = """\
4 |*
  | *
2 |  *
  |   *
0 |    *
  +-----
   0   4"""

# A diagonal in Braille: dots (k, 7-k) over two rows of 4 dots: in each cell the lower-left
# dot pair is ⡠ (dots 7 and 6: 0x40 | 0x20) and the upper-right pair ⠊ (dots 2 and 4).
DIAGONAL_BRAILLE = """\
7 │  ⡠⠊
0 │⡠⠊
  └────
   0  7"""

LOG_ASCII = """\
1e4 |    *
    |   *
100 |  *
    | *
  1 |*
    +-----
     0   4"""

QUADRANTS = """\
 1.2 |O   ...o
     |    ....
     |    ....
-1.2 |x   ...X
     +--------
      -1.2 1.2
score > 0 shaded .;  o label > 0, x label <= 0, capitals on the wrong side;  2/4 correct (50%)"""


def test_descending_line_in_ascii():
    assert line_chart([4, 3, 2, 1, 0], width=5, height=5, ascii=True) == DESCENDING_ASCII


def test_braille_dots():
    assert line_chart(list(range(8)), width=4, height=2) == DIAGONAL_BRAILLE


def test_log_axis():
    assert line_chart([1, 10, 100, 1000, 10000], width=5, height=5, log=True,
                      ascii=True) == LOG_ASCII
    with pytest.raises(MicrocalcError, match="positive"):
        line_chart([1, 0, 2], log=True)


def test_chart_title_axis_label_and_data():
    losses = [0.9 / (k + 1) for k in range(100)]
    picture = line_chart(losses, width=40, height=8, title="loss per step")
    lines = picture.splitlines()
    assert lines[0] == "loss per step"
    assert lines[1].lstrip().startswith("0.9 │")
    assert lines[-1].split() == ["0", "step", "99"]
    assert line_chart(losses, width=40, log=True).splitlines()[-1].split() == [
        "0", "step", "(log", "y)", "99"]
    assert picture.data["series"] == losses
    assert all(len(line) <= 40 + 8 for line in lines)


def test_points_connect_between_steps():
    # two points far apart vertically: the dots between them are drawn too
    picture = line_chart([0, 10], width=2, height=10, ascii=True)
    assert [line.split("|")[1] for line in picture.splitlines()[:10]] == [
        " *", " *", " *", " *", " *", "*", "*", "*", "*", "*"]


def test_flat_and_single_series():
    assert line_chart([2, 2, 2], width=3, height=3, ascii=True).splitlines()[1] == "  |***"
    assert "*" in line_chart([5], width=3, height=3, ascii=True)


def test_chart_errors():
    with pytest.raises(MicrocalcError, match="empty"):
        line_chart([])
    with pytest.raises(MicrocalcError, match="numbers"):
        line_chart(["a"])
    with pytest.raises(MicrocalcError, match="finite"):
        line_chart([1, float("nan")])


def test_decision_boundary_marks_sides_and_mistakes():
    points = [(-1, -1), (1, 1), (1, -1), (-1, 1)]
    picture = decision_boundary(lambda x, y: x, points, [-1, 1, -1, 1], width=8, height=4,
                                ascii=True)
    assert picture == QUADRANTS
    assert picture.data["correct"] == 2
    assert picture.data["positive"][0] == [0, 0, 0, 0, 1, 1, 1, 1]


def test_decision_boundary_accepts_values_and_colours():
    points = [(0.0, 0.0), (1.0, 1.0)]
    picture = decision_boundary(lambda x, y: Value(x) + Value(y) - 1, points, [-1, 1],
                                width=6, height=3, color=True)
    assert "\x1b[44m" in picture and "\x1b[41m" in picture     # both regions coloured
    assert picture.data["correct"] == 2


def test_decision_boundary_errors():
    with pytest.raises(MicrocalcError, match="no data"):
        decision_boundary(lambda x, y: x, [], [])
    with pytest.raises(MicrocalcError, match="labels"):
        decision_boundary(lambda x, y: x, [(0, 0)], [1, 1])


def test_every_character_a_picture_uses_is_declared_for_front_ends():
    """A front end checks its output can encode style.UNICODE_CHARACTERS before choosing
    Unicode: so every non-ASCII character any renderer draws must be listed there (Braille
    by its block), and ASCII pictures must be pure ASCII."""
    from microcalc.render import check, explain, tree
    from microcalc.render.style import UNICODE_CHARACTERS
    from conftest import doubling, lecture_expression

    values, names = lecture_expression()
    xs, xnames = doubling(30)
    x = Value(0.0)
    pictures = {}
    for ascii in (False, True):
        pictures[ascii] = "".join([
            tree(values["L"], names, ascii=ascii), tree(xs[-1], xnames, depth=2, ascii=ascii),
            explain(values["L"], values["a"], names, ascii=ascii),
            explain(xs[-1], xs[0], xnames, ascii=ascii),
            check(values["L"], names=names, ascii=ascii),
            check(x.relu() + x, ascii=ascii),
            line_chart([3, 1, 2, 0], ascii=ascii),
            decision_boundary(lambda p, q: p, [(-1, 0), (1, 1)], [1, -1], ascii=ascii)])
    pictures[True].encode("ascii")
    used = {ch for ch in pictures[False] if ord(ch) > 127}
    undeclared = {ch for ch in used
                  if ch not in UNICODE_CHARACTERS and not 0x2800 <= ord(ch) <= 0x28FF}
    assert not undeclared
    assert used >= set(UNICODE_CHARACTERS) - {"\u2801", "\u28ff"}
