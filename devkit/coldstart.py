"""Measure a cold start: a fresh Python process imports lambda/app.py (content read and
checked, store client made, skill built) and answers a first-use LaunchRequest, the way
a new Lambda container does; then it answers warm requests. Against DynamoDB Local.

    python -m devkit.coldstart [--runs 5] [--package .aws-sam/build] [--python python3.12]

--package measures a built package (python -m devkit.package) instead of the checkout:
its function folder first on the import path, content from its layer folder, botocore
from this environment as the Lambda runtime provides it. --python picks the interpreter
(e.g. one matching the function's runtime). Prints the median of each figure:

  process   wall time from spawning the process to the first answer (includes
            interpreter start-up)
  import    time to import lambda/app.py
  first     time to answer the first request, after the import
  cpu       CPU time the process used up to the first answer: what Lambda's CPU share
            (memory / 1,769 MB of one vCPU) stretches
  warm      median time of 20 further requests
  peak rss  the process's peak resident memory
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import botocore

from devkit.dynamodb_local import DynamoDbLocal, clean_environment

ROOT = Path(__file__).resolve().parents[1]
EVENT = ROOT / "tests" / "events" / "launch.json"

CHILD = r"""
import json, resource, sys, time
started = time.perf_counter()
sys.path[:0] = json.loads(sys.argv[1])
import app
imported = time.perf_counter()
event = json.loads(sys.argv[2])
response = app.handler(event, None)
answered = time.perf_counter()
assert "not medical advice" in response["response"]["outputSpeech"]["ssml"], response
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
warm = []
for n in range(20):
    event["request"]["requestId"] = f"warm-{n}"
    start = time.perf_counter()
    app.handler(event, None)
    warm.append(time.perf_counter() - start)
warm.sort()
print(json.dumps({
    "import": imported - started, "first": answered - imported, "cpu": cpu,
    "warm": warm[len(warm) // 2], "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def runtime_libs(directory):
    """A folder holding what the Lambda runtime provides (botocore and its jmespath)."""
    import jmespath
    for module in (botocore, jmespath):
        source = Path(module.__file__).parent
        (directory / source.name).symlink_to(source)
    return directory


def measure(python, paths, env, user_event):
    started = time.perf_counter()
    result = subprocess.run([python, "-S", "-c", CHILD, json.dumps(paths), json.dumps(user_event)],
                            env=env, capture_output=True, text=True, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"the measured process failed:\n{result.stderr}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["process"] = wall - figures["warm"] * 20  # the warm loop ran after the answer
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description="Measure the Lambda handler's cold start.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--package", type=Path, help="a built package (python -m devkit.package)")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)

    version = subprocess.run([args.python, "--version"], capture_output=True, text=True).stdout.strip()
    with DynamoDbLocal() as db, tempfile.TemporaryDirectory() as libs:
        table = "coldstart"
        db.create_table(table, _table_definition())
        env = clean_environment({**db.environment(table), "DATA_TTL_DAYS": "30"})
        if args.package:
            paths = [str(args.package / "SkillFunction"), str(runtime_libs(Path(libs)))]
            env["BSC_CONTENT_DIR"] = str(args.package / "ContentLayer")
            what = f"package {args.package}"
        else:
            paths = [str(ROOT / "lambda"), *[p for p in sys.path if p.endswith("site-packages")]]
            what = "checkout lambda/"
        runs = []
        for _ in range(args.runs):
            event = json.loads(EVENT.read_text())
            user = f"amzn1.ask.account.COLDSTART-{uuid.uuid4()}"  # a first-time user each run
            event["session"]["user"]["userId"] = event["context"]["System"]["user"]["userId"] = user
            runs.append(measure(args.python, paths, env, event))

    def median(key, scale=1000):
        return statistics.median(run[key] for run in runs) * scale

    print(f"{what}, {version}, {args.runs} runs on {os.cpu_count()} cores, DynamoDB Local")
    print(f"  process  {median('process'):6.0f} ms   (spawn to first answer)")
    print(f"  import   {median('import'):6.0f} ms")
    print(f"  first    {median('first'):6.0f} ms")
    print(f"  cpu      {median('cpu'):6.0f} ms   (up to the first answer)")
    print(f"  warm     {median('warm'):6.1f} ms")
    print(f"  peak rss {median('peak_rss_mb', 1):6.0f} MB")
    return 0


def _table_definition():
    sys.path.insert(0, str(ROOT))
    from tests.template import table_definition
    return table_definition()


if __name__ == "__main__":
    sys.exit(main())
