"""template.yaml, checked offline: cfn-lint, the SAM transform (aws-sam-translator, the code
CloudFormation runs for `Transform: AWS::Serverless-2016-10-31`), and what the skill needs
of it: the Alexa trigger and the handler bound to one skill id, a table that forgets, and
permissions that are exactly what the code uses.

cfn-lint 1.x does not run the SAM translator on its own any more and lets e.g. a misspelled
event type through, so the transform runs here too, with a placeholder S3 location for
the code and an empty managed-policy map (the template names no managed policy)."""

import ast
import copy
import json
import re
from pathlib import Path

import boto3
import pytest
from cfnlint.api import ManualArgs, lint, lint_file
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from devkit.package import read_template
from tests.template import TEMPLATE

ROOT = Path(__file__).resolve().parents[1]
STORE_CODE = ROOT / "lambda" / "spasm_coach" / "storage" / "dynamodb.py"
ALEXA_MAX_WAIT_S = 8
LINT = ManualArgs(include_checks=["I"], regions=["us-east-1", "eu-west-1", "us-west-2"])


def translate(template):
    """The SAM transform, offline: local code locations become placeholders."""
    template = copy.deepcopy(template)
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if key in properties:
                properties[key] = f"s3://placeholder-bucket/{key.lower()}.zip"
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name="us-east-1"))
    return translator.translate(template, parameter_values={}, get_managed_policy_map=lambda: {})


@pytest.fixture(scope="module")
def source():
    return read_template()


@pytest.fixture(scope="module")
def transformed(source):
    return translate(source)


def resources_of(template, kind):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def only(template, kind):
    (resource,) = resources_of(template, kind).values()
    return resource["Properties"]


def lint_messages(matches):
    return [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches]


# --- the offline checks --------------------------------------------------------------------

def test_cfn_lint_passes_with_informational_checks():
    assert lint_messages(lint_file(TEMPLATE, config=LINT)) == []


def test_the_sam_transform_passes(transformed):
    kinds = {r["Type"] for r in transformed["Resources"].values()}
    assert {"AWS::Lambda::Function", "AWS::Lambda::LayerVersion", "AWS::Lambda::Permission"} <= kinds
    assert not any(kind.startswith("AWS::Serverless::") for kind in kinds)


def test_cfn_lint_passes_on_the_transformed_template(transformed):
    assert lint_messages(lint(json.dumps(transformed), config=LINT)) == []


def test_the_transform_catches_what_cfn_lint_misses(source):
    broken = copy.deepcopy(source)
    only(broken, "AWS::Serverless::Function")["Events"]["AlexaSkillEvent"]["Type"] = "AlexaSkil"
    with pytest.raises(InvalidDocumentException):
        translate(broken)


# --- the function --------------------------------------------------------------------------

def test_function_runtime_architecture_and_timeout(source):
    function = only(source, "AWS::Serverless::Function")
    assert function["CodeUri"] == "lambda/" and function["Handler"] == "app.handler"
    version = tuple(int(n) for n in re.fullmatch(r"python(\d+)\.(\d+)", function["Runtime"]).groups())
    assert version >= (3, 12)
    assert function["Architectures"] == ["arm64"]
    assert function["Timeout"] < ALEXA_MAX_WAIT_S


def test_memory_size_states_its_measurement():
    text = TEMPLATE.read_text()
    comment = text[:text.index("      MemorySize:")].rsplit("Architectures", 1)[1]
    assert "benchmarks.bench" in comment and "1,769 MB" in comment, "say how MemorySize was chosen"


def test_alexa_trigger_and_handler_check_use_the_same_skill_id(source, transformed):
    function = only(source, "AWS::Serverless::Function")
    (event,) = function["Events"].values()
    assert event == {"Type": "AlexaSkill", "Properties": {"SkillId": {"Ref": "SkillId"}}}
    assert function["Environment"]["Variables"]["SKILL_ID"] == {"Ref": "SkillId"}
    permission = only(transformed, "AWS::Lambda::Permission")
    assert permission["Principal"] == "alexa-appkit.amazon.com"
    assert permission["EventSourceToken"] == {"Ref": "SkillId"}


def test_every_environment_variable_is_one_the_code_reads(source):
    variables = only(source, "AWS::Serverless::Function")["Environment"]["Variables"]
    code = "\n".join(path.read_text() for path in (ROOT / "lambda").rglob("*.py"))
    unread = [name for name in variables if f'"{name}"' not in code]
    assert not unread, f"variables the code never reads: {unread}"


def test_content_travels_as_a_layer_found_through_bsc_content_dir(source):
    function = only(source, "AWS::Serverless::Function")
    (layer_name,) = resources_of(source, "AWS::Serverless::LayerVersion")
    layer = source["Resources"][layer_name]["Properties"]
    assert function["Layers"] == [{"Ref": layer_name}]
    assert layer["ContentUri"] == "content/"
    assert layer["CompatibleRuntimes"] == [function["Runtime"]]
    assert layer["CompatibleArchitectures"] == function["Architectures"]
    assert function["Environment"]["Variables"]["BSC_CONTENT_DIR"] == "/opt"  # where layers land


def test_logs_go_to_a_log_group_with_retention(source):
    function = only(source, "AWS::Serverless::Function")
    (group_name, group), = resources_of(source, "AWS::Logs::LogGroup").items()
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": group_name}
    assert group["Properties"]["RetentionInDays"] <= 30


def test_outputs_give_the_live_alias_arn_for_the_console(source, transformed):
    output = source["Outputs"]["SkillFunctionArn"]
    assert output["Value"] == {"Ref": "SkillFunction.Alias"}
    assert "developer console" in output["Description"]
    (alias_name, alias), = resources_of(transformed, "AWS::Lambda::Alias").items()
    assert alias["Properties"]["Name"] == "live"
    assert transformed["Outputs"]["SkillFunctionArn"]["Value"] == {"Ref": alias_name}


# --- SnapStart and versions ----------------------------------------------------------------

def test_snapstart_restores_published_versions_that_alexa_reaches_through_the_alias(source, transformed):
    function = only(source, "AWS::Serverless::Function")
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert function["AutoPublishAlias"] == "live" and function["AutoPublishAliasAllProperties"] is True
    assert only(transformed, "AWS::Lambda::Function")["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    (alias_name, alias), = resources_of(transformed, "AWS::Lambda::Alias").items()
    (version_name, version), = resources_of(transformed, "AWS::Lambda::Version").items()
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_name, "Version"]}
    permission = only(transformed, "AWS::Lambda::Permission")
    assert permission["FunctionName"] == {"Ref": alias_name}  # Alexa may invoke the alias, nothing else


def test_published_versions_stay_bounded(source, transformed):
    """A deploy's new version replaces the last one, which is then deleted: one cached
    snapshot at a time, not one per deploy."""
    assert only(source, "AWS::Serverless::Function")["VersionDeletionPolicy"] == "Delete"
    (version,) = resources_of(transformed, "AWS::Lambda::Version").values()
    assert version["DeletionPolicy"] == "Delete"


# --- alarms and the dashboard --------------------------------------------------------------

def alarm_metrics(alarm):
    """[(namespace, metric name, dimensions)] an alarm watches."""
    if "MetricName" in alarm:
        return [(alarm["Namespace"], alarm["MetricName"], {d["Name"]: d["Value"] for d in alarm["Dimensions"]})]
    return [(m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"],
             {d["Name"]: d["Value"] for d in m["MetricStat"]["Metric"]["Dimensions"]})
            for m in alarm["Metrics"] if "MetricStat" in m]


def test_alarms_watch_errors_throttles_slowness_and_the_tables_troubles(source):
    alarms = [r["Properties"] for r in resources_of(source, "AWS::CloudWatch::Alarm").values()]
    watched = {(ns, name) for alarm in alarms for ns, name, _ in alarm_metrics(alarm)}
    assert watched == {("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles"), ("AWS/Lambda", "Duration"),
                       ("AWS/DynamoDB", "ThrottledRequests"), ("AWS/DynamoDB", "SystemErrors")}
    function = only(source, "AWS::Serverless::Function")
    (slow,) = [a for a in alarms if a.get("MetricName") == "Duration"]
    assert slow["ExtendedStatistic"] == "p99"
    assert slow["Threshold"] < ALEXA_MAX_WAIT_S * 1000 and slow["Threshold"] < function["Timeout"] * 1000
    for alarm in alarms:
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}
        for namespace, _, dimensions in alarm_metrics(alarm):
            expected = {"FunctionName": {"Ref": "SkillFunction"}} if namespace == "AWS/Lambda" else None
            if expected:
                assert dimensions == expected
            else:
                assert dimensions["TableName"] == {"Ref": "UserTable"}
    table_ops = {d["Operation"] for a in alarms for ns, _, d in alarm_metrics(a) if ns == "AWS/DynamoDB"}
    assert {"dynamodb:" + op for op in table_ops} == dynamodb_calls_in_the_store()  # every call the store makes
    assert source["Parameters"]["AlarmTopicArn"]["Default"] == ""


def test_the_dashboard_is_valid_json_once_substituted(source):
    (dashboard,) = resources_of(source, "AWS::CloudWatch::Dashboard").values()
    body, names = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    for name in ("AWS::Region", "SkillFunction", "UserTable", *names):
        body = body.replace("${" + name + "}", "x")
    widgets = json.loads(body)["widgets"]
    titles = " ".join(w["properties"]["title"] for w in widgets)
    for wanted in ("Invocations", "errors", "p50", "p99", "restore duration"):
        assert wanted.lower() in titles.lower(), wanted


# --- the table -----------------------------------------------------------------------------

def test_table_is_on_demand_encrypted_recoverable_and_expiring(source):
    table = only(source, "AWS::DynamoDB::Table")
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSESpecification"] == {"SSEEnabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert source["Parameters"]["DataTtlDays"]["Default"] == 30


def test_deletion_protection_is_on_in_production(source):
    table = only(source, "AWS::DynamoDB::Table")
    assert table["DeletionProtectionEnabled"] == {"Fn::If": ["IsProduction", True, False]}
    assert source["Conditions"]["IsProduction"] == {"Fn::Equals": [{"Ref": "Stage"}, "production"]}
    assert source["Parameters"]["Stage"]["Default"] == "production"


# --- permissions: exactly what the code uses -------------------------------------------------

def dynamodb_calls_in_the_store():
    """The DynamoDB operations storage/dynamodb.py makes: self._call("get_item", ...)."""
    calls = set()
    for node in ast.walk(ast.parse(STORE_CODE.read_text())):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "_call"
                and node.args and isinstance(node.args[0], ast.Constant)):
            calls.add("dynamodb:" + "".join(part.title() for part in node.args[0].value.split("_")))
    return calls


def statements(transformed):
    for role in resources_of(transformed, "AWS::IAM::Role").values():
        assert not role["Properties"].get("ManagedPolicyArns"), "no managed policies: they grant more"
        for policy in role["Properties"].get("Policies", []):
            yield from policy["PolicyDocument"]["Statement"]


def test_the_store_makes_only_item_calls():
    assert dynamodb_calls_in_the_store() == {"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}


def test_iam_allows_exactly_the_calls_the_code_makes_on_its_own_resources(transformed):
    allowed = {}
    for statement in statements(transformed):
        assert statement["Effect"] == "Allow"
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            allowed.setdefault(action, []).append(statement["Resource"])
    assert not [a for a in allowed if "*" in a], "no wildcard actions"
    dynamodb = {a for a in allowed if a.startswith("dynamodb:")}
    assert dynamodb == dynamodb_calls_in_the_store()
    assert all(allowed[a] == [{"Fn::GetAtt": ["UserTable", "Arn"]}] for a in dynamodb)
    logs = {a for a in allowed if a.startswith("logs:")}
    assert logs == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert all(allowed[a] == [{"Fn::GetAtt": ["SkillLogGroup", "Arn"]}] for a in logs)
    assert set(allowed) == dynamodb | logs
