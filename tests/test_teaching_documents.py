"""A run as a document to hand out (`microcalc --html`, the REPL's `:export`), the SVG that
microcalc draws itself, and how a notebook shows Values and pictures.

Each page of examples/ is read as a document: parsed, its tags balanced, every SVG well-formed
XML, nothing loaded from anywhere (no script, no link, no src or href, no url()), every
statement and every output of the example in it in order. Where a headless Chromium is
installed, a page is opened and its screenshot read back: the charts must really be drawn.
"""

import io
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from microcalc.engine import Value
from microcalc.frontend.display import Display
from microcalc.frontend.lesson import source_blocks
from microcalc.frontend.repl.loop import run_repl
from microcalc.lang import Session
from microcalc.render import decision_boundary, dot, line_chart, tree
from microcalc.render import svg
from conftest import LECTURE_TREE, lecture_expression, needs_graphviz

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.mg"))
SVG_NS = "{http://www.w3.org/2000/svg}"
VOID = {"meta", "br", "hr", "img", "input", "link"}


def microcalc(*args, stdin="", cwd=None, **env_changes):
    env = dict(os.environ, PYTHONPATH=str(ROOT), **env_changes)
    return subprocess.run([sys.executable, "-m", "microcalc", *args], input=stdin,
                          capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


class Page(HTMLParser):
    """A document read as a browser would, keeping what the checks need: the tags (which
    must nest), attributes, and the text of each <pre> by its class."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.open, self.tags, self.attributes, self.blocks = [], [], [], []
        self._pre = None
        self.feed(text)
        self.close()
        assert self.open == [], f"tags never closed: {self.open}"

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)
        if tag not in VOID:
            self.open.append(tag)
        if tag == "pre":
            self._pre = [dict(attrs).get("class"), ""]

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()
        if tag == "pre":
            self.blocks.append(tuple(self._pre))
            self._pre = None

    def handle_data(self, data):
        if self._pre is not None:
            self._pre[1] += data

    def texts(self, kind):
        return [text for cls, text in self.blocks if cls == kind]


def svgs(text):
    """Every inline <svg> element of a page, parsed as XML (so well-formed, or it fails)."""
    found = re.findall(r"<svg\b.*?</svg>", text, flags=re.S)
    return [ElementTree.fromstring(element) for element in found]


def assert_self_contained(text, page):
    """Nothing in the page is fetched or run: no script, no frames, no links out."""
    assert not {"script", "link", "iframe", "img", "object", "embed", "base"} & set(page.tags)
    names = {name for name, _ in page.attributes}
    assert not names & {"src", "href", "xlink:href", "srcset", "action"}
    assert not any(name.startswith("on") for name in names)        # no event handlers
    assert "url(" not in text and "@import" not in text
    # The only addresses are XML namespace names, which are never fetched.
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def golden_lines(name):
    return (ROOT / "tests" / "golden" / f"{name}.out").read_text("utf-8").splitlines()


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_every_example_as_a_page(script):
    run = microcalc("--html", script.name, cwd=script.parent)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    text = run.stdout
    assert text.startswith("<!DOCTYPE html>\n") and text.endswith("</html>\n")
    page = Page(text)
    assert_self_contained(text, page)
    for element in svgs(text):
        assert element.tag == SVG_NS + "svg" and element.get("viewBox")
    # Every line of code, in order; comments as prose, not as code.
    code = [line for kind, block in source_blocks(script.read_text("utf-8").split("\n"))
            if kind == "input" for line in block.split("\n")]
    shown = "\n".join(page.texts("input")).split("\n")
    assert [line for line in shown if line.strip()] == [line for line in code if line.strip()]
    # Every output of the example, as the terminal shows it, except the pictures, drawn:
    # charts always, graphs where Graphviz is installed (else their tree).
    outputs = "\n".join(page.texts("output")).split("\n")
    drawing = {"plot", "boundary"} | ({"dot"} if shutil.which("dot") else set())
    commands = [line.split()[0] for line in code if line.split()]
    if not {"plot", "boundary", "dot"} & set(commands):
        printed = [line for line in golden_lines(script.stem) if not line.startswith("note:")]
        assert outputs == printed
    assert len(svgs(text)) == sum(command in drawing for command in commands)


def test_a_lesson_page_in_full():
    """The lecture's expression as a lesson: prose, code and output, a tree and a table as
    text, and the walk: one self-contained page."""
    lesson = ("# The lecture's expression.\n#\n# Each line prints its value.\n"
              "a = 2; b = -3; c = 10; f = -2\ne = a*b; d = e + c; L = d*f\n"
              "tree L\n# The table.\ntable L\nbackward L\n")
    run = microcalc("--html", "-", stdin=lesson)
    assert run.returncode == 0, run.stderr
    page = Page(run.stdout)
    assert_self_contained(run.stdout, page)
    assert re.findall(r"<p>(.*?)</p>", run.stdout) == [
        "The lecture&#x27;s expression.", "Each line prints its value.", "The table."]
    assert page.texts("input") == ["a = 2; b = -3; c = 10; f = -2\ne = a*b; d = e + c; "
                                   "L = d*f", "tree L", "table L", "backward L"]
    outputs = page.texts("output")
    assert outputs[0] == "-6\n4\n-8"
    assert outputs[1] == LECTURE_TREE
    assert outputs[2].startswith("node  op  local derivative")
    assert "every gradient now equals grad(L):" in outputs[3]
    assert "<title>standard input</title>" in run.stdout


def test_a_graph_is_its_tree_without_graphviz_and_an_svg_with_it(tmp_path):
    lesson = "x = 3\ny = x*x + 1\ndot y\n"
    bare = tmp_path / "bin"
    bare.mkdir()
    run = microcalc("--html", "-", stdin=lesson, PATH=str(bare))        # no dot on PATH
    assert run.returncode == 0, run.stderr
    outputs = Page(run.stdout).texts("output")
    assert outputs[-1] == str(tree(*_xy()))
    assert "digraph" not in run.stdout and not svgs(run.stdout)
    if shutil.which("dot"):
        run = microcalc("--html", "-", stdin=lesson)
        drawn = svgs(run.stdout)
        assert len(drawn) == 1 and "legend" in run.stdout
        assert_self_contained(run.stdout, Page(run.stdout))


def _xy():
    x = Value(3.0)
    y = x * x + 1
    return y, {x: "x", y: "y"}


def test_an_error_is_in_the_page_as_in_the_terminal_and_the_rest_is_not_run():
    lesson = 'a = 2\ns = "\\x1b[2J<b>bold</b>"\ns\nL = log(a - 2)\nL + 1\n# never\n'
    terminal = microcalc("-", stdin=lesson)
    run = microcalc("--html", "-", stdin=lesson)
    assert run.returncode == terminal.returncode == 1
    assert run.stderr == terminal.stderr                  # the same error on stderr
    page = Page(run.stdout)
    assert page.texts("error") == [terminal.stderr.rstrip("\n")]
    assert page.texts("skipped") == ["L + 1\n# never"]
    assert "Not run: the run stopped at the error above." in run.stdout
    # The string's control character is shown, not sent; its markup is text.
    assert "\x1b" not in run.stdout and "\\x1b[2J&lt;b&gt;bold&lt;/b&gt;" in run.stdout
    assert "<b>" not in run.stdout


def test_control_characters_from_a_program_are_shown_not_sent():
    """A real escape sequence in a string (one that writes the clipboard) and a bell arrive
    in the page as visible text: no control character is in it."""
    run = microcalc("--html", "-", stdin='t = "\x1b]52;c;SGVsbG8=\x07"\nt\n')
    assert run.returncode == 0
    assert "\\x1b]52;c;SGVsbG8=\\x07" in run.stdout
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", run.stdout)


def test_a_syntax_error_runs_nothing_and_shows_everything_as_not_run():
    run = microcalc("--html", "-", stdin="a = 2\nb = (a +\n")
    assert run.returncode == 1
    page = Page(run.stdout)
    assert page.texts("error")[0].startswith("error: ")
    assert page.texts("skipped") == ["a = 2\nb = (a +"] and page.texts("output") == []


def test_html_is_not_for_the_repl_or_json():
    assert microcalc("--html", "--json", "-e", "1").returncode == 2
    assert "not with -i or --json" in microcalc("--html", "--json", "-e", "1").stderr


def test_source_blocks_split_prose_from_code():
    lines = ["#!/usr/bin/env microcalc", "# A title", "# goes on.", "#", "# Second.",
             "#     microcalc x.mg", "", "x = 1   # a comment stays with its code", "",
             "y = 2", "# after"]
    assert source_blocks(lines) == [
        ("prose", "A title\ngoes on.\n\nSecond.\n\nmicrocalc x.mg"),
        ("input", "x = 1   # a comment stays with its code\n\ny = 2"),
        ("prose", "after")]


# -- the REPL's :export ----------------------------------------------------------------------

def repl(keys):
    shown = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys + "\x04")
        run_repl(Session(), Display(shown, shown), history=InMemoryHistory(), input=pipe,
                 output=DummyOutput())
    return shown.getvalue()


def test_export_writes_the_session_as_markdown_and_html(scratch_folder):
    printed = repl("a = 2; b = -3\rL = a*b\rnope\rplot [3, 2, 1]\r:export s.md\r"
                   ":export s.html\r:export s.pdf\r")
    assert "exported 4 inputs to s.md (Markdown)" in printed
    assert "exported 5 inputs to s.html (HTML)" in printed     # the :export s.md too
    assert "error: :export writes .htm, .html, .markdown, .md files" in printed
    md = (scratch_folder / "s.md").read_text("utf-8")
    assert md.startswith("# microcalc session\n\n```mc\nmc> a = 2; b = -3\n```\n\n")
    assert "```mc\nmc> L = a*b\n```\n\n```text\n-6\n```" in md
    assert "```text\nerror: unknown name 'nope'" in md
    assert ":export" not in md
    html = (scratch_folder / "s.html").read_text("utf-8")
    page = Page(html)
    assert_self_contained(html, page)
    assert len(svgs(html)) == 1                                # the plot, drawn
    assert page.texts("input")[-1] == "mc> :export s.md"


def test_export_draws_the_pictures_that_follow_training(scratch_folder):
    repl("data = moons(40, seed=1)\rnet = mlp(2, [4, 1], seed=1)\r"
         "run = train(net, data, steps=10)\r:export t.html\r")
    html = (scratch_folder / "t.html").read_text("utf-8")
    drawn = svgs(html)
    assert len(drawn) == 2                            # the loss curve and the boundary
    assert [e.find(f"{SVG_NS}title").text for e in drawn] == ["loss per step",
                                                             "decision boundary"]


# -- SVG drawn by microcalc ------------------------------------------------------------------

def test_a_line_chart_as_svg_has_one_point_per_step():
    losses = [4.0, 3.0, 2.0, 1.0, 0.5, 0.25]
    element = ElementTree.fromstring(svg.line_chart(line_chart(losses, title="loss").data))
    points = element.find(f"{SVG_NS}polyline").get("points").split()
    assert len(points) == len(losses)
    ys = [float(p.split(",")[1]) for p in points]
    assert ys == sorted(ys)                           # falling loss: y grows down the page
    texts = [t.text for t in element.iter(f"{SVG_NS}text")]
    assert "loss" in texts and "0" in texts and "5" in texts
    log = ElementTree.fromstring(svg.line_chart(line_chart(losses, log=True).data))
    assert "step (log y)" in [t.text for t in log.iter(f"{SVG_NS}text")]


def test_a_decision_boundary_as_svg_has_every_point():
    points = [(0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0)]
    labels = [1, 1, -1, -1]
    picture = decision_boundary(lambda x, y: y - 0.5, points, labels, width=20, height=10)
    element = ElementTree.fromstring(svg.decision_boundary(picture.data))
    dots = [c for c in element.iter(f"{SVG_NS}circle") if c.get("fill") != "none"]
    rings = [c for c in element.iter(f"{SVG_NS}circle") if c.get("fill") == "none"]
    crosses = list(element.iter(f"{SVG_NS}path"))
    assert (len(dots), len(crosses)) == (2, 2)
    assert len(rings) == picture.data["total"] - picture.data["correct"] == 2
    fills = {r.get("fill") for r in element.iter(f"{SVG_NS}rect")}
    assert {svg.POSITIVE, svg.NEGATIVE} <= fills


# -- notebooks -------------------------------------------------------------------------------

def test_a_value_and_pictures_in_a_notebook_without_graphviz(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    values, names = lecture_expression()
    L = values["L"]
    assert L._repr_svg_() is None
    html = L._repr_html_()
    assert html == f'<pre class="microcalc">{_escaped(tree(L))}</pre>'
    assert "├─ +" in html and "L (*)" not in html     # a Value alone knows only its labels
    picture = dot(L, names)
    assert picture._repr_svg_() is None
    assert picture._repr_html_() == f'<pre class="microcalc">{_escaped(tree(L, names))}</pre>'
    assert tree(L, names)._repr_svg_() is None
    chart = line_chart([3, 2, 1])
    assert chart._repr_svg_().startswith("<svg") and chart._repr_html_() is None


def _escaped(text):
    import html
    return html.escape(str(text))


@needs_graphviz
def test_a_value_in_a_notebook_with_graphviz():
    values, names = lecture_expression()
    drawn = values["L"]._repr_svg_()
    assert drawn.startswith("<svg") and values["L"]._repr_html_() is None
    ElementTree.fromstring(drawn)
    assert dot(values["L"], names)._repr_svg_().startswith("<svg")


def test_the_engine_loads_no_picture_until_a_notebook_asks():
    code = ("import sys\nfrom microcalc import Value\nx = Value(2.0); y = (x * 3).tanh()\n"
            "y.backward(); print(any(m.startswith('microcalc.render') for m in sys.modules))\n"
            "y._repr_html_() or y._repr_svg_()\n"
            "print('microcalc.render.notebook' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert run.stdout.split() == ["False", "True"], run.stderr


# -- opened in a browser ---------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None,
                                    reason="needs a headless Chromium, which is not installed")
HEADLESS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars"]


def read_png(path):
    """(width, height, rows of (r, g, b)) of an 8-bit RGB or RGBA PNG, as Chromium writes."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunks.setdefault(kind, []).append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][0])
    assert depth == 8 and colour in (2, 6) and interlace == 0
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc
                                      else corner)) & 255
        rows.append([tuple(line[i:i + 3]) for i in range(0, stride, channels)])
        previous = line
    return width, height, rows


@pytest.mark.slow
@needs_chromium
def test_the_moons_lesson_opened_in_chromium(tmp_path):
    run = microcalc("--html", "moons.mg", cwd=ROOT / "examples")
    page = tmp_path / "moons.html"
    page.write_text(run.stdout, "utf-8")
    browse = [CHROMIUM, *HEADLESS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(browse + ["--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=120)
    assert dom.stdout.count("<svg") == 2 and "<h1>moons.mg</h1>" in dom.stdout
    shot = tmp_path / "moons.png"
    subprocess.run(browse + ["--window-size=1000,1800", f"--screenshot={shot}",
                             page.as_uri()], capture_output=True, timeout=120)
    width, height, rows = read_png(shot)
    assert (width, height) == (1000, 1800)
    line = tuple(int(svg.LINE[i:i + 2], 16) for i in (1, 3, 5))
    positive = tuple(int(svg.POSITIVE[i:i + 2], 16) for i in (1, 3, 5))
    counts = {line: 0, positive: 0}
    for row in rows:
        for pixel in row:
            for colour in counts:
                if all(abs(a - b) <= 8 for a, b in zip(pixel, colour)):
                    counts[colour] += 1
    # The loss curve and the points (the line's blue) and the positive region were drawn.
    assert counts[line] > 500 and counts[positive] > 20000, counts


def test_a_chart_whose_data_cannot_be_drawn_is_shown_as_its_text():
    from microcalc.render.picture import Picture
    odd = Picture("a chart\n⠑⠢⢄", {"series": [{"name": "f", "ys": [1, 2]}]}, kind="line_chart")
    assert odd._repr_svg_() is None
    assert odd._repr_html_() == '<pre class="microcalc">a chart\n⠑⠢⢄</pre>'
