"""The skill package that `ask deploy` uploads (ask-resources.json -> interaction_model/
skill-package/): it passes the certification lint (devkit/skill_lint.py), reads as a
manifest in the Alexa Skill Management API's own types, and the lint catches each kind of
mistake it is there for."""

import json
import shutil
from pathlib import Path

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_smapi_model.v1.skill.manifest.skill_manifest_envelope import SkillManifestEnvelope

from devkit import skill_lint
from tests.conftest import ROOT


def test_the_skill_package_passes_the_certification_lint():
    assert skill_lint.problems() == []


def test_ask_cli_finds_the_package():
    resources = json.loads((ROOT / "ask-resources.json").read_text())
    source = ROOT / resources["profiles"]["default"]["skillMetadata"]["src"]
    assert source.resolve() == skill_lint.PACKAGE
    assert (source / "skill.json").is_file() and (source / "interactionModels" / "custom" / "en-US.json").is_file()


def test_the_manifest_reads_in_the_skill_management_apis_types():
    # ask-smapi-model's Interface types lack CAN_FULFILL_INTENT_REQUEST (the lint checks it)
    data = json.loads((skill_lint.PACKAGE / "skill.json").read_text())
    custom = data["manifest"]["apis"]["custom"]
    custom["interfaces"] = [i for i in custom.get("interfaces", []) if i["type"] != "CAN_FULFILL_INTENT_REQUEST"]
    envelope = DefaultSerializer().deserialize(json.dumps(data), SkillManifestEnvelope)
    publishing = envelope.manifest.publishing_information
    assert publishing.category == "HEALTH_AND_FITNESS"
    assert publishing.locales["en-US"].name == "Back Spasm Coach"
    assert envelope.manifest.privacy_and_compliance.is_export_compliant is True


def test_the_scope_table_names_real_permissions():
    tabled = set().union(*skill_lint.SERVICE_SCOPES.values(), *skill_lint.METHOD_SCOPES.values())
    assert tabled <= skill_lint.KNOWN_SCOPES


def test_the_manifest_declares_the_interfaces_the_code_answers():
    interfaces = {i["type"] for i in json.loads((skill_lint.PACKAGE / "skill.json").read_text())
                  ["manifest"]["apis"]["custom"]["interfaces"]}
    assert "CAN_FULFILL_INTENT_REQUEST" in interfaces and interfaces == skill_lint.interfaces_used_by_code()


def test_an_undeclared_interface_is_caught(package):
    edit(package, lambda m: m["apis"]["custom"].__setitem__("interfaces", []), manifest=True)
    found = skill_lint.problems(package / "skill-package", package / "lambda")
    assert any("CAN_FULFILL_INTENT_REQUEST but apis.custom.interfaces does not declare it" in p for p in found)


def test_the_code_is_read_for_the_permissions_it_uses():
    used, problems = skill_lint.scopes_used_by_code()
    declared = {p["name"] for p in json.loads((skill_lint.PACKAGE / "skill.json").read_text())["manifest"]["permissions"]}
    assert problems == [] and used == declared


# --- the lint catches mistakes --------------------------------------------------------------

@pytest.fixture
def package(tmp_path):
    """A copy of the skill package and of lambda/, to break on purpose."""
    shutil.copytree(skill_lint.PACKAGE, tmp_path / "skill-package")
    shutil.copytree(skill_lint.CODE, tmp_path / "lambda", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def edit(package, change, manifest=False):
    path = package / "skill-package" / ("skill.json" if manifest else "interactionModels/custom/en-US.json")
    data = json.loads(path.read_text())
    change(data["manifest"] if manifest else data["interactionModel"]["languageModel"])
    path.write_text(json.dumps(data))


def lint(package):
    return "\n".join(skill_lint.problems(package / "skill-package", package / "lambda"))


def intent(model, name):
    return next(i for i in model["intents"] if i["name"] == name)


def test_a_missing_required_builtin_is_caught(package):
    edit(package, lambda m: m.update(intents=[i for i in m["intents"] if i["name"] != "AMAZON.StopIntent"]))
    assert "AMAZON.StopIntent is missing" in lint(package)


@pytest.mark.parametrize("name, complaint", [
    ("spasm", "two or more words"),
    ("back spasm skill", "must not contain 'skill'"),
    ("open back coach", "must not contain 'open'"),
    ("Back Spasm Coach", "lowercase"),
    ("back spasm coach 2", "lowercase letters"),
])
def test_invocation_name_rules(package, name, complaint):
    edit(package, lambda m: m.update(invocationName=name))
    assert complaint in lint(package)


def test_an_utterance_in_two_intents_is_caught(package):
    edit(package, lambda m: intent(m, "MoreTipsIntent")["samples"].append("should i ice it or heat it"))
    assert "'should i ice it or heat it' is in both IceOrHeatIntent and MoreTipsIntent" in lint(package)


def test_an_undefined_slot_is_caught(package):
    edit(package, lambda m: intent(m, "IceOrHeatIntent")["samples"].append("ice or heat for my {body_part}"))
    assert "undefined slot {body_part}" in lint(package)


def test_an_undefined_slot_type_is_caught(package):
    edit(package, lambda m: intent(m, "TopicIntent")["slots"][0].update(type="ADVICE_TOPICS"))
    assert "undefined type ADVICE_TOPICS" in lint(package)


@pytest.mark.parametrize("said, instead, complaint", [
    ("not medical advice", "just advice", "the description must say 'not medical advice' (the disclaimer)"),
    ("no substitute for a doctor", "a doctor's friend", "must say 'no substitute for a doctor'"),
    ("30 days", "90 days", "privacy text must say '30 days'"),  # template.yaml's DataTtlDays
    ("delete my data", "forget it all", "privacy text must say 'delete my data'"),
])
def test_the_description_keeps_the_disclaimer_and_the_privacy_promise(package, said, instead, complaint):
    def change(manifest):
        info = manifest["publishingInformation"]["locales"]["en-US"]
        info["description"] = info["description"].replace(said, instead)
    edit(package, change, manifest=True)
    assert complaint in lint(package)


@pytest.mark.parametrize("phrase, complaint", [
    ("Alexa, ask back spasm coach what is the weather", "is not a sample utterance"),
    ("ask back spasm coach should I use ice or heat", "must start with 'Alexa, '"),
    ("Alexa, ask spasm helper should I use ice or heat", "must say 'Alexa, ask|tell back spasm coach"),
])
def test_example_phrases_must_match_the_model(package, phrase, complaint):
    edit(package, lambda m: m["publishingInformation"]["locales"]["en-US"]["examplePhrases"].__setitem__(2, phrase),
         manifest=True)
    assert complaint in lint(package)


def test_a_permission_the_code_does_not_use_is_caught(package):
    edit(package, lambda m: m["permissions"].append({"name": "alexa::profile:email:read"}), manifest=True)
    assert "declares 'alexa::profile:email:read' but the code never uses it" in lint(package)


def test_a_permission_the_code_uses_must_be_declared(package):
    edit(package, lambda m: m.update(permissions=[]), manifest=True)
    assert "uses 'alexa::alerts:reminders:skill:readwrite' but the manifest does not declare it" in lint(package)
    edit(package, lambda m: m.update(permissions=[{"name": "alexa::alerts:reminders:skill:readwrite"}]), manifest=True)
    assert lint(package) == ""


def test_a_service_client_the_lint_does_not_know_is_caught(package):
    (package / "lambda" / "lists.py").write_text(
        "def lists(factory):\n    return factory.get_list_management_service()\n")
    assert "get_list_management_service() needs a permission scope" in lint(package)


def test_a_scope_written_in_the_code_counts_as_used(package):
    (package / "lambda" / "consent.py").write_text('SCOPES = ["alexa::profile:given_name:read"]\n')
    assert "uses 'alexa::profile:given_name:read'" in lint(package)


@pytest.mark.parametrize("uri, ok", [
    ("arn:aws:lambda:us-east-1:123456789012:function:back-spasm-coach-SkillFunction-AbC123", True),
    ("https://example.com/skill", False),
    ("REPLACE_ME", False),
])
def test_an_endpoint_must_be_a_lambda_arn(package, uri, ok):
    edit(package, lambda m: m["apis"]["custom"].update(endpoint={"uri": uri}), manifest=True)
    assert ("is not a Lambda function ARN" not in lint(package)) is ok


def test_a_locale_without_a_model_is_caught(package):
    edit(package, lambda m: m["publishingInformation"]["locales"].update(
        {"en-NZ": m["publishingInformation"]["locales"]["en-US"]}), manifest=True)
    assert "en-NZ is published but has no interactionModels/custom/en-NZ.json" in lint(package)


def test_every_english_locale_is_published_with_its_own_emergency_number():
    manifest, models = skill_lint.load()
    locales = manifest["publishingInformation"]["locales"]
    assert set(locales) == {"en-US", "en-CA", "en-GB", "en-AU", "en-IN"} == set(models)
    for locale, info in locales.items():
        assert f"call {skill_lint.emergency_numbers()[locale]}" in info["description"], locale
        assert {"back spasm", "ice or heat", "back pain tips"} <= set(info["keywords"]), locale


def test_a_description_with_another_locales_number_is_caught(package):
    def wrong(m):
        info = m["publishingInformation"]["locales"]["en-GB"]
        info["description"] = info["description"].replace("call 999", "call 911")
    edit(package, wrong, manifest=True)
    found = skill_lint.problems(package / "skill-package", package / "lambda")
    assert "skill.json en-GB: the description names 911, another locale's emergency number" in found
