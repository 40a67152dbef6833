"""How much the judge costs over running the same solution plainly.

Judges an accepted `two-sum` submission against all its tests, and, side by side in the
same process, runs the same solution over the same inputs in a plain interpreter process
(no sandbox, no limits, no per-test isolation) that prints its outputs as JSON. Prints the
medians, their ratio, and the targets: judge <= 1.3 x plain + 15 ms, and judge < 150 ms.

    python bench/judge.py [--rounds N] [--problem SLUG]
"""

from __future__ import annotations

import argparse
import json
import marshal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loopcoach.catalog import load_catalog
from loopcoach.judge import Judge, Sandbox
from loopcoach.judge.sandbox import find_interpreter
from loopcoach.verdict import Verdict

PLAIN_RUNNER = """
import json, marshal, sys
with open(sys.argv[1], "rb") as handle:
    source, entry, inputs = marshal.loads(handle.read())
namespace = {}
exec(compile(source, "solution.py", "exec"), namespace)
function = namespace[entry]
sys.stdout.write(json.dumps([function(*case["args"]) for case in inputs]))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rounds", type=int, default=21, help="timed rounds (default 21)"
    )
    parser.add_argument("--problem", default="two-sum", help="a kind: function problem")
    arguments = parser.parse_args()

    problem = load_catalog().problem(arguments.problem)
    source = problem.reference
    entry = problem.meta.entry.function
    with tempfile.TemporaryDirectory() as scratch:
        judge = Judge(Sandbox(), cache_dir=Path(scratch) / "cases")
        cases = judge.cases(problem)
        payload = Path(scratch) / "inputs.marshal"
        payload.write_bytes(marshal.dumps((source, entry, [c.input for c in cases])))
        interpreter = find_interpreter().executable
        plain_command = [interpreter, "-I", "-S", "-c", PLAIN_RUNNER, str(payload)]

        # Warm both paths once: page cache, the judge's encoded inputs.
        report = judge.judge(problem, source)
        assert report.verdict is Verdict.ACCEPTED, report.message
        subprocess.run(plain_command, check=True, capture_output=True)

        judged, plain = [], []
        for _ in range(arguments.rounds):
            started = time.perf_counter()
            report = judge.judge(problem, source)
            judged.append(time.perf_counter() - started)
            assert report.verdict is Verdict.ACCEPTED, report.message

            started = time.perf_counter()
            finished = subprocess.run(plain_command, check=True, capture_output=True)
            json.loads(finished.stdout)
            plain.append(time.perf_counter() - started)
        judge.sandbox.close()

    judge_ms = statistics.median(judged) * 1000
    plain_ms = statistics.median(plain) * 1000
    allowed_ms = 1.3 * plain_ms + 15
    print(
        f"problem            {problem.slug} ({len(cases)} tests, "
        f"{sum(1 for c in cases if c.hidden)} hidden)"
    )
    print(f"isolation          {report.isolation.value}")
    print(f"rounds             {arguments.rounds}")
    print(f"judge   median     {judge_ms:7.1f} ms   (min {min(judged) * 1000:.1f})")
    print(f"plain   median     {plain_ms:7.1f} ms   (min {min(plain) * 1000:.1f})")
    print(f"ratio              {judge_ms / plain_ms:7.2f} x")
    print(f"overhead           {judge_ms - plain_ms:7.1f} ms")
    print(
        f"target 1.3x+15ms   {allowed_ms:7.1f} ms   "
        f"{'met' if judge_ms <= allowed_ms else 'MISSED'}"
    )
    if problem.slug == "two-sum":
        print(f"target < 150 ms    {'met' if judge_ms < 150 else 'MISSED'}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
