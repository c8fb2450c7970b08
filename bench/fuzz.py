"""The fuzz harness of the tests, run for minutes instead of seconds: the nightly run.

    python bench/fuzz.py --minutes N [--time-limit SECONDS] [--memory-gb G] [--seed S]
                         [--no-processes]

Every check of tests/fuzz_programs.py (the grammar, the session, and the hostile programs:
control characters, lists shared 2**40 times, recursion through grad) and
tests/fuzz_doors.py (the pipe, a script, -e, the REPL typed and pasted, each as a real
process, and the hostile doors: devices and FIFOs for file names, stdin that never ends,
memory-hungry programs under a memory cap, stderr on a full disk, planted parser caches)
runs in turn, each on a batch of fresh random inputs, until the time is up.
Unlike the tests, the inputs are not the same every run: each batch has a seed of its own,
printed with any finding so that it can be run again.

A failing input is shrunk by Hypothesis to a small one and reported; the run goes on. An
input that runs past --time-limit seconds is stopped, as Ctrl-C would stop it, and reported
as slow (the tests treat that as a failure). The process may use --memory-gb of memory: an
input that wants more fails with MemoryError instead of starving the machine (the checks
cap each input lower still: 1 GB more than the process holds, 300 MB for a process). At the
end: how many inputs each check tried (counting those Hypothesis ran while shrinking), and
what was found. Exit status 1 if anything was found.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

import hypothesis

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(TESTS.parent))

import fuzz_doors as doors  # noqa: E402  (after the path is set)
import fuzz_programs as fuzz  # noqa: E402

BATCH_SCALE = 2      # a batch is this many times the inputs the tests try per check


class Check:
    def __init__(self, name, fed, check, examples):
        self.name = name
        self.fed = fed
        self.check = check
        self.batch = examples * BATCH_SCALE
        self.tried = 0
        self.seconds = 0.0
        self.findings = {}      # first line of the failure -> (its smallest input, seed)
        self.slow = []          # (input, seed)

    def run_batch(self, seed):
        failing = []

        def counted(value):
            self.tried += 1
            try:
                self.check(value)
            except fuzz.TooSlow:
                self.slow.append((value, seed))
            except BaseException:
                failing.append(value)       # Hypothesis replays the smallest one last
                raise

        started = time.perf_counter()
        run = fuzz.fuzzer(self.fed, counted, max_examples=self.batch, derandomize=False)
        try:
            hypothesis.seed(seed)(run)()
        except Exception as exc:         # a failure, already shrunk; an ExceptionGroup for several
            for failure in getattr(exc, "exceptions", [exc]):
                first_line = (str(failure).strip().splitlines() or [type(failure).__name__])[0]
                key = f"{type(failure).__name__}: {first_line[:200]}"
                self.findings.setdefault(key, (failing[-1] if failing else None, seed))
        self.seconds += time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--time-limit", type=float, default=10.0,
                        help="seconds one input may take before it is stopped (default 10)")
    parser.add_argument("--memory-gb", type=float, default=4.0,
                        help="address space this process (and each it starts) may use")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--no-processes", action="store_true",
                        help="leave out the checks that start a microcalc process per input")
    args = parser.parse_args()
    fuzz.TIME_LIMIT = args.time_limit
    limit = int(args.memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    warnings.simplefilter("ignore")      # Hypothesis's notes on large inputs and slow data

    checks = [Check(*entry) for entry in fuzz.SESSION_CHECKS + doors.DOORS
              if not (args.no_processes and "process" in entry[0])]
    deadline = time.monotonic() + args.minutes * 60
    batch = 0
    with tempfile.TemporaryDirectory(prefix="microcalc-fuzz-") as scratch:
        os.chdir(scratch)        # save, dot and :save write here
        print(f"fuzzing for {args.minutes:g} min, seed {args.seed}, "
              f"inputs stopped after {args.time_limit:g} s")
        while time.monotonic() < deadline:
            for check in checks:
                if time.monotonic() >= deadline:
                    break
                check.run_batch(args.seed + batch)
                batch += 1
            print(f"  {sum(c.tried for c in checks):,} inputs so far, "
                  f"{sum(len(c.findings) for c in checks)} findings, "
                  f"{sum(len(c.slow) for c in checks)} slow", flush=True)
    return report(checks)


def report(checks):
    width = max(len(c.name) for c in checks)
    print(f"\n{'check':{width}}  {'inputs':>9}  {'per s':>7}  findings  slow")
    for c in checks:
        rate = c.tried / c.seconds if c.seconds else 0.0
        print(f"{c.name:{width}}  {c.tried:9,}  {rate:7.1f}  {len(c.findings):8}  {len(c.slow):4}")
    print(f"{'total':{width}}  {sum(c.tried for c in checks):9,}")
    found = False
    for c in checks:
        for key, (value, seed) in c.findings.items():
            found = True
            print(f"\nFOUND in {c.name} (seed {seed}): {key}\n  smallest input: {value!r}")
        for value, seed in c.slow[:5]:
            found = True
            print(f"\nSLOW in {c.name} (seed {seed}): {value!r}"[:2000])
    if not found:
        print("\nnothing found")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
