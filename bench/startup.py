"""Start-up time of each way into microcalc, beside `python -c pass` and `import lark`, in one run.

    python bench/startup.py [--repeats N] [--installed VENV]

Users pipe one-liners all day, so what counts is a real install: this builds microcalc's
wheel, installs it into a fresh virtual environment (or uses --installed VENV), compiles
its modules to .pyc as an install does, and runs every case there. The cases take turns,
round after round, so they share the machine's noise; the median of each is printed with
its ratio to the baselines, then the targets, then the slowest imports of a piped one-liner
(`python -X importtime`).

Targets: a piped one-liner at most 1.2x `python -c 'import lark'`; `microcalc --version` at
most 2x `python -c pass`.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """\
#!/usr/bin/env microcalc
a = 2; b = -3; c = 10; f = -2
L = (a*b + c) * f
grad(L, a)
"""


def install(folder):
    """A fresh venv in folder with microcalc's wheel installed and compiled; its bin/."""
    venv = Path(folder) / "venv"
    quiet = {"check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], **quiet)
    python = venv / "bin" / "python"
    wheels = Path(folder) / "wheels"
    subprocess.run([str(python), "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
                    str(wheels), str(ROOT)], **quiet)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *wheels.glob("*.whl")],
                   **quiet)
    subprocess.run([str(python), "-m", "compileall", "-q", str(venv / "lib")], **quiet)
    return venv / "bin"


def time_once(command, stdin_text, env):
    started = time.perf_counter()
    subprocess.run(command, input=stdin_text, text=True, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def slowest_imports(python, stdin_text, env, count=10):
    """The imports of `python -m microcalc` with the largest cumulative time, in ms."""
    run = subprocess.run([str(python), "-X", "importtime", "-m", "microcalc"],
                         input=stdin_text, text=True, env=env, check=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    rows = []
    for line in run.stderr.splitlines():
        fields = line.split("|")
        if line.startswith("import time:") and fields[1].strip().isdigit():
            rows.append((int(fields[1]) / 1000, fields[2].rstrip()))
    return sorted(rows, reverse=True)[:count]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--installed", help="a venv where microcalc is already installed")
    args = parser.parse_args()

    env = {**os.environ, "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory() as folder:
        bin_folder = Path(args.installed) / "bin" if args.installed else install(folder)
        python, microcalc = str(bin_folder / "python"), str(bin_folder / "microcalc")
        script = Path(folder) / "lecture.mg"
        script.write_text(SCRIPT)
        # One run first, so that every case finds the files in the cache as a second run would.
        subprocess.run([microcalc, "-e", "1+1"], env=env, check=True, stdout=subprocess.DEVNULL)
        cases = {
            "python -c pass": ([python, "-c", "pass"], None),
            "python -c 'import lark'": ([python, "-c", "import lark"], None),
            "echo 1+1 | microcalc": ([microcalc], "1+1\n"),
            "microcalc -e '1+1'": ([microcalc, "-e", "1+1"], None),
            "microcalc lecture.mg (4 lines)": ([microcalc, str(script)], None),
            "microcalc --version": ([microcalc, "--version"], None),
            "microcalc --help": ([microcalc, "--help"], None),
            "import the REPL": ([python, "-c", "import microcalc.frontend.repl.loop"], None),
        }
        times = {label: [] for label in cases}
        for _ in range(args.repeats):
            for label, (command, stdin_text) in cases.items():
                times[label].append(time_once(command, stdin_text, env))
        median = {label: statistics.median(values) for label, values in times.items()}

        print(f"start-up, median of {args.repeats} interleaved runs, installed wheel in "
              f"{bin_folder.parent}")
        nothing, lark = median["python -c pass"], median["python -c 'import lark'"]
        print(f"  {'':34s} {'time':>8s}   {'/ pass':>6s}  {'/ lark':>6s}")
        for label, seconds in median.items():
            print(f"  {label:34s} {seconds * 1000:6.1f} ms   {seconds / nothing:5.2f}x  "
                  f"{seconds / lark:5.2f}x")
        pipe = median["echo 1+1 | microcalc"] / lark
        version = median["microcalc --version"] / nothing
        print("targets:")
        print(f"  piped one-liner / import lark  {pipe:5.2f}  (at most 1.2)  "
              f"{'met' if pipe <= 1.2 else 'NOT MET'}")
        print(f"  --version / python -c pass     {version:5.2f}  (at most 2.0)  "
              f"{'met' if version <= 2.0 else 'NOT MET'}")

        print("slowest imports of `echo 1+1 | python -m microcalc` (cumulative, nesting indented):")
        for milliseconds, name in slowest_imports(python, "1+1\n", env):
            print(f"  {name:36s} {milliseconds:8.1f} ms")


if __name__ == "__main__":
    main()
