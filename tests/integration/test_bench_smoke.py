"""`make bench` in its one-iteration smoke mode, as CI runs it: the three packages built
(ours, the floor, the baseline), each cold-started, ours and the baseline played and
counted once on DynamoDB Local, ours restored-like, and results written that are well formed. Nothing here looks at how fast anything was: timings on a shared CI
machine say nothing, and the benchmark is for people to read."""

import json
import subprocess
import sys

import pytest

from benchmarks.conversations import CONVERSATIONS
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    result = subprocess.run([sys.executable, "-m", "benchmarks.bench", "--smoke", "--out", str(out),
                             "--work", str(out / "work")],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    return out, result.stdout


def test_it_prints_both_skills_figures_and_the_ratios(smoke):
    _, printed = smoke
    assert "| | ours | floor | baseline | ours / baseline | floor / baseline | ours / floor |" in printed
    assert "## Targets" in printed


def test_the_json_has_every_figure_for_both_skills(smoke):
    out, _ = smoke
    results = json.loads((out / "latest.json").read_text())
    for variant in ("bytecode", "source"):
        cold = results["cold"][variant]
        for skill in ("ours", "floor", "baseline"):
            for key in ("process_ms", "import_ms", "first_answer_ms", "cpu_ms", "peak_rss_mib"):
                figure = cold[skill][key]
                assert figure["n"] == 1 and figure["min"] <= figure["median"] <= figure["max"], (variant, skill, key)
        assert set(cold["ratio"]) == {"process_ms", "import_ms", "first_answer_ms", "cpu_ms", "peak_rss_mib"}
        assert set(cold["ratios"]) == {"ours/baseline", "floor/baseline", "ours/floor"}
    assert results["restore"]["first_answer_ms"]["n"] == 1
    assert [row["certificates"] for row in results["ca_bundle"]["bundles"]][:2][0] == 0
    assert results["ca_bundle"]["bundles"][1]["certificates"] > 100  # certifi's whole bundle
    assert results["package"]["floor"]["function_zip_bytes"] > 0
    for skill in ("ours", "baseline"):
        assert results["package"][skill]["function_zip_bytes"] > 0
        assert results["memory"][skill]["warm_turns"] >= 10
        assert [s["stage"] for s in results["cold_stages"][skill]][-1] == "total (in-process)"
        warm = results["warm"][skill]
        main_labels = list(dict.fromkeys(label for label, _, _ in CONVERSATIONS[skill]["main"]))
        assert [row["turn"] for row in warm["turns"]] == main_labels
        for row in warm["turns"]:
            for mode in ("dynamodb_local", "stubbed"):
                assert row[mode]["n"] >= 1 and row[mode]["p50"] <= row[mode]["p99"] <= row[mode]["max"]
        tour_labels = [label for label, _, _ in CONVERSATIONS[skill]["tour"] if not label.startswith("(")]
        assert [t["label"] for t in warm["tour"]] == tour_labels
        assert all(isinstance(t["reads"], int) and isinstance(t["writes"], int) for t in warm["tour"])
    assert all(isinstance(t["met"], bool) and t["value"] for t in results["targets"])


def test_the_round_trips_are_counted_for_real(smoke):
    """Counts, not times: the baseline reads and writes on every turn of its conversation;
    ours reads nothing while it only asks the safety questions."""
    out, _ = smoke
    warm = json.loads((out / "latest.json").read_text())["warm"]
    assert all(t["reads"] == 1 and t["writes"] == 1 for t in warm["baseline"]["tour"] if t["label"] == "count")
    triage = [t for t in warm["ours"]["tour"] if t["label"].startswith("triage answer")][:4]
    assert triage and all(t["reads"] == 0 and t["writes"] == 0 for t in triage)


def test_the_markdown_tables_are_well_formed(smoke):
    out, _ = smoke
    text = (out / "latest.md").read_text()
    for heading in ("## Summary", "## Targets", "## Cold start", "## Warm turns",
                    "## DynamoDB round trips of every turn type", "## Package and memory"):
        assert heading in text
    table = []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            columns = {row.count("|") for row in table}
            assert len(columns) == 1, f"rows of different widths: {table}"
            assert set(table[1].replace("|", "").split()) <= {"---", "---:"}, table[1]
            table = []
