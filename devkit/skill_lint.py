"""A certification lint of the skill package (interaction_model/skill-package/): the manifest
(skill.json) and every locale's interaction model, checked against Alexa's certification
rules and against the code and template they describe::

    python -m devkit.skill_lint        # lists every problem; exit 1 if there is one

What it checks:
  * each model: the required built-in intents (Cancel, Help, Stop, NavigateHome, Fallback),
    the invocation name rules, no utterance in two intents, every slot used is defined
    and of a built-in or defined type;
  * the manifest: a model for each published locale and the other way round; no
    locale's description naming another locale's emergency number; the
    disclaimer (general information, not medical advice, no substitute for a doctor) and
    the privacy promise (DataTtlDays from template.yaml, "delete my data") in every
    locale's description, and that "delete my data" reaches DeleteDataIntent; example
    phrases that start with "Alexa," and the invocation name and match sample utterances;
    privacy and compliance answers; an endpoint, when there is one, that is a Lambda ARN,
    and regional endpoints (NA, EU, FE) in the AWS region serving each;
  * permissions: exactly those the code uses. What the code uses is read from lambda/:
    calls of ask-sdk service-client methods (SERVICE_SCOPES, METHOD_SCOPES below) and
    permission scopes written out in the code (e.g. for a consent card);
  * interfaces (apis.custom.interfaces): known types, and exactly those the code answers
    or uses (CODE_INTERFACES: a request type or interface name written out in lambda/).
"""

import ast
import functools
import json
import re
import sys
from pathlib import Path

from ask_smapi_model.v1.skill.manifest.interface import Interface
from ask_smapi_model.v1.skill.manifest.permission_name import PermissionName

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "interaction_model" / "skill-package"
CODE = ROOT / "lambda"
TEMPLATE = ROOT / "template.yaml"

REQUIRED_BUILTINS = ("AMAZON.CancelIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent",
                     "AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent")
INVOCATION_FORBIDDEN = {"alexa", "amazon", "echo", "skill", "app", "computer"}
LAUNCH_WORDS = {"ask", "open", "tell", "launch", "load", "begin", "enable", "start", "play", "use", "run"}
DISCLAIMER = ("general information", "not medical advice", "no substitute for a doctor")
DELETE_PHRASE = "delete my data"
PRIVACY_ANSWERS = ("allowsPurchases", "usesPersonalInfo", "isChildDirected", "isExportCompliant", "containsAds")

# The permission scopes that ask-sdk's service clients need, by the method the code calls.
# A service client not listed here is a lint problem until it is added, so a new Alexa API
# cannot reach the code without its permission being declared.
SERVICE_SCOPES = {
    "get_reminder_management_service": {"alexa::alerts:reminders:skill:readwrite"},
    "get_timer_management_service": {"alexa::alerts:timers:skill:readwrite"},
    "get_directive_service": set(),            # progressive responses
    "get_monetization_service": set(),         # in-skill products
    "get_endpoint_enumeration_service": set(),
    "get_ups_service": set(),                  # by method: METHOD_SCOPES
    "get_device_address_service": set(),       # by method: METHOD_SCOPES
}
METHOD_SCOPES = {
    "get_system_time_zone": set(),             # Settings API: no permission
    "get_system_distance_units": set(),
    "get_system_temperature_unit": set(),
    "get_profile_name": {"alexa::profile:name:read"},
    "get_profile_given_name": {"alexa::profile:given_name:read"},
    "get_profile_email": {"alexa::profile:email:read"},
    "get_profile_mobile_number": {"alexa::profile:mobile_number:read"},
    "get_full_address": {"alexa::devices:all:address:full:read"},
    "get_country_and_postal_code": {"alexa:devices:all:address:country_and_postal_code:read"},
}
KNOWN_SCOPES = {permission.value for permission in PermissionName}

# The manifest interface a string in the code means: a request type the code answers, or an
# interface it sends directives for. (SMAPI's model knows the interface types except
# CanFulfillIntentRequest's, which Alexa's name-free interaction documentation gives.)
CODE_INTERFACES = {
    "CanFulfillIntentRequest": "CAN_FULFILL_INTENT_REQUEST",
    "Alexa.Presentation.APL": "ALEXA_PRESENTATION_APL",
}
KNOWN_INTERFACES = set(Interface.discriminator_value_class_map) | {"CAN_FULFILL_INTENT_REQUEST"}


def scopes_used_by_code(code_dir=CODE):
    """(the permission scopes the code needs, problems found while reading it)."""
    used, problems = set(), []
    for path in sorted(Path(code_dir).rglob("*.py")):
        where = path.relative_to(code_dir.parent) if code_dir.parent in path.parents else path
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in KNOWN_SCOPES:
                used.add(node.value)
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            name = node.func.attr
            if name in SERVICE_SCOPES:
                used |= SERVICE_SCOPES[name]
            elif name in METHOD_SCOPES:
                used |= METHOD_SCOPES[name]
            elif re.fullmatch(r"get_\w+_service", name) or name.startswith("get_persons_profile"):
                problems.append(f"{where}:{node.lineno}: {name}() needs a permission scope this "
                                "lint does not know: add it to devkit/skill_lint.py")
    return used, problems


def interfaces_used_by_code(code_dir=CODE):
    """The manifest interface types the code needs (CODE_INTERFACES)."""
    used = set()
    for path in sorted(Path(code_dir).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and node.value in CODE_INTERFACES:
                used.add(CODE_INTERFACES[node.value])
    return used


def normalize(text):
    """An utterance as Alexa hears it: lowercase words, no punctuation but apostrophes."""
    return " ".join(re.sub(r"[^\w' {}.]|(?<!\w)\.|\.(?!\w)", " ", text.lower()).split())


_TYPE_VALUES = {}   # id of a model's types list -> (that list, {type name: phrases})


def _type_values(model):
    """{type name: the phrases it accepts, as Alexa hears them}, worked out once per model
    (a model of 50,000 slot values is linted phrase by phrase)."""
    types = model.get("types", [])
    cached = _TYPE_VALUES.get(id(types))
    if cached is None or cached[0] is not types:
        cached = (types, {slot_type["name"]: {normalize(text) for value in slot_type.get("values", [])
                                              for text in [value["name"]["value"], *value["name"].get("synonyms", [])]}
                          for slot_type in types})
        _TYPE_VALUES.clear()
        _TYPE_VALUES[id(types)] = cached
    return cached[1]


def slot_values(model, intent):
    """{slot name: the phrases a custom type accepts}; AMAZON.* types accept anything (None)."""
    values = _type_values(model)
    return {slot["name"]: values.get(slot["type"]) for slot in intent.get("slots", [])}


@functools.lru_cache(maxsize=None)
def sample_pattern(sample):
    """(regex with one group a slot, the slots in order) for a sample utterance."""
    parts = re.split(r"(\{[^{}]+\})", normalize(sample))
    slots = [part[1:-1] for part in parts if part.startswith("{")]
    return re.compile("".join("(.+)" if part.startswith("{") else re.escape(part) for part in parts)), slots


def matching_intents(model, utterance):
    """The intents with a sample that `utterance` matches, slot values included; a sample
    that is nothing but a slot ("{date}") matches everything, so it does not count."""
    said = normalize(utterance)
    found = set()
    for intent in model["intents"]:
        accepts = slot_values(model, intent)
        for sample in intent.get("samples", []):
            if not re.sub(r"\{[^{}]+\}", "", sample).strip():
                continue
            pattern, slots = sample_pattern(sample)
            match = pattern.fullmatch(said)
            if match and all(accepts.get(slot) is None or value.strip() in accepts[slot]
                             for slot, value in zip(slots, match.groups())):
                found.add(intent["name"])
    return found


def literal_owners(model, utterance):
    """The intents that have `utterance` itself (no slots) as a sample."""
    said = normalize(utterance)
    return {intent["name"] for intent in model["intents"]
            for sample in intent.get("samples", []) if normalize(sample) == said}


def model_problems(locale, model):
    where = f"interactionModels/custom/{locale}.json"
    problems = []
    names = [intent["name"] for intent in model["intents"]]
    problems += [f"{where}: required built-in intent {name} is missing" for name in REQUIRED_BUILTINS
                 if name not in names]

    invocation = model.get("invocationName", "")
    words = invocation.split()
    if len(words) < 2:
        problems.append(f"{where}: invocation name {invocation!r} needs two or more words")
    if not re.fullmatch(r"[a-z][a-z' .]*", invocation):
        problems.append(f"{where}: invocation name {invocation!r}: lowercase letters, spaces, apostrophes and periods only")
    for word in words:
        if word in INVOCATION_FORBIDDEN or word in LAUNCH_WORDS:
            problems.append(f"{where}: invocation name {invocation!r} must not contain {word!r}")

    owner = {}
    types = {slot_type["name"] for slot_type in model.get("types", [])}
    for intent in model["intents"]:
        slots = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for slot, kind in slots.items():
            if not (kind.startswith("AMAZON.") or kind in types):
                problems.append(f"{where}: {intent['name']}.{slot} has undefined type {kind}")
        for sample in intent.get("samples", []):
            key = normalize(sample)
            if owner.setdefault(key, intent["name"]) != intent["name"]:
                problems.append(f"{where}: {sample!r} is in both {owner[key]} and {intent['name']}")
            for slot in re.findall(r"\{([^{}]+)\}", sample):
                if slot not in slots:
                    problems.append(f"{where}: {intent['name']} sample {sample!r} uses undefined slot {{{slot}}}")
    return problems


def example_phrase_problems(locale, phrases, model):
    invocation = model["invocationName"]
    problems = []
    if not 1 <= len(phrases) <= 3:
        problems.append(f"{locale}: give one to three example phrases, not {len(phrases)}")
    for number, phrase in enumerate(phrases):
        where = f"{locale} example phrase {phrase!r}"
        if not phrase.startswith("Alexa, "):
            problems.append(f"{where}: must start with 'Alexa, '")
            continue
        said = normalize(phrase[len("Alexa, "):])
        if number == 0:
            if said not in {f"{word} {invocation}" for word in ("open", "launch", "start")}:
                problems.append(f"{where}: the first phrase opens the skill: 'Alexa, open {invocation}'")
            continue
        match = re.fullmatch(rf"(?:ask|tell|open|launch|start|use) {re.escape(invocation)}(?: to| for| about| if| whether)? (.+)", said)
        if not match:
            problems.append(f"{where}: must say 'Alexa, ask|tell {invocation} ...'")
        elif not matching_intents(model, match.group(1)):
            problems.append(f"{where}: {match.group(1)!r} is not a sample utterance of the model")
    return problems


def manifest_problems(manifest, models, ttl_days, code_dir=CODE):
    problems = []
    publishing = manifest.get("publishingInformation", {})
    locales = publishing.get("locales", {})
    for locale in sorted(set(locales) - set(models)):
        problems.append(f"skill.json: {locale} is published but has no interactionModels/custom/{locale}.json")
    for locale in sorted(set(models) - set(locales)):
        problems.append(f"skill.json: interactionModels/custom/{locale}.json has no publishing information")
    if not publishing.get("category"):
        problems.append("skill.json: publishingInformation.category is missing")
    if not (publishing.get("isAvailableWorldwide") or publishing.get("distributionCountries")):
        problems.append("skill.json: say where the skill is available (distributionCountries)")
    if not publishing.get("testingInstructions"):
        problems.append("skill.json: testingInstructions are missing (certification reads them)")

    for locale, info in sorted(locales.items()):
        for field, limit in (("name", 50), ("summary", 160), ("description", 4000)):
            if not info.get(field):
                problems.append(f"skill.json {locale}: {field} is missing")
            elif len(info[field]) > limit:
                problems.append(f"skill.json {locale}: {field} is longer than {limit} characters")
        description = " ".join(info.get("description", "").lower().split())
        for words in DISCLAIMER:
            if words not in description:
                problems.append(f"skill.json {locale}: the description must say {words!r} (the disclaimer)")
        for words in (f"{ttl_days} days", DELETE_PHRASE):
            if words not in description:
                problems.append(f"skill.json {locale}: the description's privacy text must say {words!r}")
        own, numbers = emergency_numbers().get(locale), set(emergency_numbers().values())
        said = set(re.findall(r"\d+", info.get("description", "")))
        if own is None:
            problems.append(f"skill.json {locale}: content/rules.json has no emergency number for this locale")
        problems += [f"skill.json {locale}: the description names {number}, another locale's emergency number"
                     for number in sorted((said & numbers) - {own})]
        if locale in models:
            if literal_owners(models[locale], DELETE_PHRASE) != {"DeleteDataIntent"}:
                problems.append(f"{locale}: {DELETE_PHRASE!r}, as the description promises, must be a sample of DeleteDataIntent")
            problems += example_phrase_problems(locale, info.get("examplePhrases", []), models[locale])

    privacy = manifest.get("privacyAndCompliance", {})
    for answer in PRIVACY_ANSWERS:
        if not isinstance(privacy.get(answer), bool):
            problems.append(f"skill.json: privacyAndCompliance.{answer} must be answered true or false")
    if privacy.get("usesPersonalInfo"):
        for locale in locales:
            if not privacy.get("locales", {}).get(locale, {}).get("privacyPolicyUrl"):
                problems.append(f"skill.json {locale}: a skill that uses personal information needs a privacyPolicyUrl")

    declared = [item.get("name") for item in manifest.get("permissions", [])]
    problems += [f"skill.json: unknown permission {name!r}" for name in declared if name not in KNOWN_SCOPES]
    used, code_problems = scopes_used_by_code(code_dir)
    problems += code_problems
    problems += [f"skill.json: the code uses {scope!r} but the manifest does not declare it"
                 for scope in sorted(used - set(declared))]
    problems += [f"skill.json: the manifest declares {scope!r} but the code never uses it"
                 for scope in sorted(set(declared) - used)]

    custom = manifest.get("apis", {}).get("custom")
    interfaces = [item.get("type") for item in (custom or {}).get("interfaces", [])]
    problems += [f"skill.json: unknown interface {kind!r}" for kind in interfaces if kind not in KNOWN_INTERFACES]
    needed = interfaces_used_by_code(code_dir)
    problems += [f"skill.json: the code uses {kind} but apis.custom.interfaces does not declare it"
                 for kind in sorted(needed - set(interfaces))]
    problems += [f"skill.json: apis.custom.interfaces declares {kind} but the code never uses it"
                 for kind in sorted(set(interfaces) - needed)]
    if custom is None:
        problems.append("skill.json: apis.custom is missing")
    else:
        problems += endpoint_problems(custom)
    return problems


LAMBDA_ARN = re.compile(r"arn:aws:lambda:([a-z0-9-]+):\d{12}:function:[\w-]+(:[\w-]+)?")


def endpoint_problems(custom):
    """The default endpoint and the per-region ones (NA, EU, FE): Lambda ARNs, each in the
    AWS region that serves its Alexa region (devkit/deploy.py ALEXA_REGIONS)."""
    from devkit.deploy import ALEXA_REGIONS
    ALEXA_REGION_AWS = {alexa: aws for aws, alexa in ALEXA_REGIONS.items()}
    problems = []
    if "endpoint" in custom:
        uri = custom["endpoint"].get("uri", "")
        if not LAMBDA_ARN.fullmatch(uri):
            problems.append(f"skill.json: endpoint {uri!r} is not a Lambda function ARN")
    for name, region in sorted(custom.get("regions", {}).items()):
        uri = region.get("endpoint", {}).get("uri", "")
        match = LAMBDA_ARN.fullmatch(uri)
        if name not in ALEXA_REGION_AWS:
            problems.append(f"skill.json: regions.{name} is not an Alexa region (NA, EU, FE)")
        elif not match:
            problems.append(f"skill.json: regions.{name} endpoint {uri!r} is not a Lambda function ARN")
        elif match.group(1) != ALEXA_REGION_AWS[name]:
            problems.append(f"skill.json: regions.{name} calls a function in {match.group(1)}, "
                            f"not {ALEXA_REGION_AWS[name]}")
    if custom.get("regions") and "endpoint" not in custom:
        problems.append("skill.json: regional endpoints need a default endpoint too")
    return problems


def load(package_dir=PACKAGE):
    manifest = json.loads((package_dir / "skill.json").read_text())["manifest"]
    models = {path.stem: json.loads(path.read_text())["interactionModel"]["languageModel"]
              for path in sorted((package_dir / "interactionModels" / "custom").glob("*.json"))}
    return manifest, models


@functools.lru_cache(maxsize=None)
def emergency_numbers(rules=ROOT / "content" / "rules.json"):
    """{locale: emergency number} from the content's rules."""
    return json.loads(Path(rules).read_text())["emergency_numbers"]["by_locale"]


def data_ttl_days(template=TEMPLATE):
    from devkit.package import read_template
    return read_template(template)["Parameters"]["DataTtlDays"]["Default"]


def problems(package_dir=PACKAGE, code_dir=CODE, template=TEMPLATE):
    """Every problem in the skill package, as readable lines; [] when it is ready."""
    manifest, models = load(package_dir)
    found = []
    for locale, model in models.items():
        found += model_problems(locale, model)
    return found + manifest_problems(manifest, models, data_ttl_days(template), code_dir)


def main():
    found = problems()
    for problem in found:
        print(problem)
    print(f"skill package: {len(found)} problem{'s' if len(found) != 1 else ''}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
