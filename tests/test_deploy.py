"""`make deploy` as a new user meets it without AWS set up: it stops before building, saying
what to set up. And what it does after a deploy, writing the function's ARN into skill.json,
changes nothing else and leaves a package that passes the certification lint."""

import difflib
import json
import os
import shutil
import subprocess

from devkit import deploy, skill_lint
from tests.conftest import ROOT

ARN = "arn:aws:lambda:us-east-1:123456789012:function:back-spasm-coach-SkillFunction-AbCdEf123456"


def without_aws(tmp_path):
    """The environment of someone who never set up AWS: no AWS_* variables, no ~/.aws."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), AWS_CONFIG_FILE=str(tmp_path / "no-config"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"))
    return env


def test_make_deploy_without_credentials_stops_with_what_to_set_up(tmp_path):
    result = subprocess.run(["make", "--no-print-directory", "deploy"], cwd=ROOT, env=without_aws(tmp_path),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    message = result.stderr
    assert "no AWS credentials found, so nothing was built or deployed" in message
    for step in ("aws configure", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", 'README, "Deploy"'):
        assert step in message
    assert "Building" not in result.stdout and "Installing" not in result.stdout


def test_credentials_without_a_region_are_not_enough(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in without_aws(tmp_path).items():
        if name.startswith("AWS_") or name == "HOME":
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    assert deploy.aws_setup_problem() == "no AWS region set"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert deploy.aws_setup_problem() is None


def test_skill_json_is_kept_in_the_form_make_deploy_writes():
    text = deploy.SKILL_JSON.read_text()
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_the_endpoint_is_written_into_skill_json_and_nothing_else_changes(tmp_path):
    shutil.copytree(skill_lint.PACKAGE, tmp_path / "skill-package")
    path = tmp_path / "skill-package" / "skill.json"
    before = path.read_text()
    deploy.set_endpoint(ARN, path)
    after = path.read_text()
    expected = json.loads(before)
    expected["manifest"]["apis"]["custom"]["endpoint"] = {"uri": ARN}
    assert json.loads(after) == expected
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(changed) <= 6, changed  # "custom": {} becomes four lines; nothing else moves
    assert skill_lint.problems(tmp_path / "skill-package") == []


def test_console_events_are_made_out_to_the_skill(monkeypatch, tmp_path):
    from devkit import console_events
    from tests.test_handlers import SKILL_ID
    monkeypatch.setattr(console_events, "OUT", tmp_path)
    mine = "amzn1.ask.skill.12345678-aaaa-bbbb-cccc-1234567890ab"
    assert console_events.main([mine]) == 0
    written = sorted(tmp_path.glob("*.json"))
    assert [p.name for p in written] == sorted(p.name for p in console_events.EVENTS.glob("*.json"))
    for path in written:
        text = path.read_text()
        assert SKILL_ID not in text and text.count(mine) >= 1
    assert console_events.main(["not-a-skill-id"]) == 2


EU_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:back-spasm-coach-SkillFunction-EuRoPe123456"
FE_ARN = "arn:aws:lambda:us-west-2:123456789012:function:back-spasm-coach-SkillFunction-FarEast12345"


def test_each_region_deployed_becomes_its_alexa_regions_endpoint(tmp_path):
    """`make deploy REGION=eu-west-1` then `REGION=us-west-2` then `REGION=us-east-1`: the EU
    (en-GB, en-IN) and Far East (en-AU) endpoints call their own region's function (and
    table); North America's is also the default."""
    shutil.copytree(skill_lint.PACKAGE, tmp_path / "skill-package")
    path = tmp_path / "skill-package" / "skill.json"
    deploy.set_region_endpoint(EU_ARN, "eu-west-1", path)
    custom = json.loads(path.read_text())["manifest"]["apis"]["custom"]
    assert custom["regions"] == {"EU": {"endpoint": {"uri": EU_ARN}}} and custom["endpoint"] == {"uri": EU_ARN}
    deploy.set_region_endpoint(FE_ARN, "us-west-2", path)
    deploy.set_region_endpoint(ARN, "us-east-1", path)
    custom = json.loads(path.read_text())["manifest"]["apis"]["custom"]
    assert {name: r["endpoint"]["uri"] for name, r in custom["regions"].items()} == {"NA": ARN, "EU": EU_ARN, "FE": FE_ARN}
    assert custom["endpoint"] == {"uri": ARN}
    assert custom["interfaces"], "nothing else changed"
    assert skill_lint.problems(tmp_path / "skill-package") == []


def test_the_lint_catches_a_region_calling_another_regions_function(tmp_path):
    shutil.copytree(skill_lint.PACKAGE, tmp_path / "skill-package")
    path = tmp_path / "skill-package" / "skill.json"
    deploy.set_region_endpoint(ARN, "us-east-1", path)
    data = json.loads(path.read_text())
    data["manifest"]["apis"]["custom"]["regions"]["EU"] = {"endpoint": {"uri": ARN}}
    path.write_text(json.dumps(data))
    assert "skill.json: regions.EU calls a function in us-east-1, not eu-west-1" in skill_lint.problems(
        tmp_path / "skill-package")


def test_make_deploy_to_a_region_alexa_does_not_serve_stops_at_once(tmp_path):
    result = subprocess.run(["make", "--no-print-directory", "deploy", "REGION=eu-central-1"], cwd=ROOT,
                            env=without_aws(tmp_path), capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "invalid choice: 'eu-central-1'" in result.stderr
    assert "Building" not in result.stdout


def test_make_deploy_to_a_region_without_credentials_says_what_to_set_up(tmp_path):
    result = subprocess.run(["make", "--no-print-directory", "deploy", "REGION=eu-west-1"], cwd=ROOT,
                            env=without_aws(tmp_path), capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "no AWS credentials found" in result.stderr
