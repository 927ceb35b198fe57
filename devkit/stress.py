"""`make test-stress`: the test suite, run several times in a row while the machine is busy.

    python -m devkit.stress --runs 3 -- .venv/bin/python -m pytest

Starts busy processes (`--per-core` per CPU core, each spinning on one core), runs the given
command `--runs` times one after another, each to the end even when one fails, and stops
the busy processes afterwards whatever happened (also on Ctrl-C). Each run's output goes to
the terminal as it comes; at the end one line per run gives pytest's counts (passed,
failed...) and its wall time. Exits non-zero unless every run passed.
"""

import argparse
import os
import re
import subprocess
import sys
import time

SPIN = "while True: pass"
COUNTS = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


def busy(count):
    """`count` processes that each keep one core busy, at normal priority."""
    return [subprocess.Popen([sys.executable, "-c", SPIN], stdin=subprocess.DEVNULL) for _ in range(count)]


def stop(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(command):
    """Run `command`, echoing its output; (exit status, its last summary counts, seconds)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})  # progress as it comes
    counts = {}
    for line in process.stdout:
        sys.stdout.write(line)
        found = COUNTS.findall(line)
        if found and " in " in line:  # pytest's final line: "N passed, M failed in 12.3s"
            counts = {kind: int(n) for n, kind in found}
    return process.wait(), counts, time.monotonic() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-core", type=int, default=2)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run")
    spinners = busy(args.per_core * (os.cpu_count() or 1))
    results = []
    try:
        for number in range(1, args.runs + 1):
            print(f"=== stress run {number} of {args.runs}, {len(spinners)} busy processes ===", flush=True)
            results.append(run(command))
    finally:
        stop(spinners)
    print(f"=== make test-stress: {len(spinners)} busy processes on {os.cpu_count()} cores ===")
    for number, (status, counts, seconds) in enumerate(results, 1):
        described = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no pytest summary"
        print(f"run {number}: {'green' if status == 0 else 'RED'}: {described} ({seconds:.0f} s)")
    green = sum(status == 0 for status, _, _ in results)
    print(f"{green} of {len(results)} runs green")
    return 0 if green == len(results) == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
