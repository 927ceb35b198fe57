"""Expand the compact interaction-model source into the ASK JSON file.

Run from the repository root::

    python -m devkit.build_model            # (re)write the JSON
    python -m devkit.build_model --check    # exit 1 if the JSON on disk is stale

The source (``interaction_model/samples/en-US.yaml``) looks like this::

    invocation: back spasm coach
    intents:
      - name: OnsetIntent
        slots: {date: AMAZON.DATE, time: AMAZON.TIME}
        samples:
          - "it started [on ]{date}"
      - name: AMAZON.FallbackIntent      # no samples: still listed
    types:
      - name: SPASM_STATUS
        values:
          better: ["better", "(a bit|a little) better"]   # value name first, then synonyms

Template syntax, used in samples and in slot values/synonyms:

* ``(a|b|c)``  exactly one of the alternatives (an alternative may be empty);
* ``[x]``      optional text, the same as ``(x|)``;
* groups nest, e.g. ``my [(lower|upper) ]back``;
* ``{slot}``   is copied through untouched;
* after expansion whitespace is collapsed, and duplicates are dropped keeping the
  first occurrence.

* ``<name>``   one of the entries of the vocabulary list ``name`` (top-level ``vocab:``),
  each entry itself a template that may use other lists: the words people use for a
  thing are written once and reused by every frame ("does <pain_relief> help").

The generator stops with an error rather than produce a model Alexa would refuse. Alexa's
documented interaction-model limits (developer.amazon.com, "Custom Interaction Model
Reference" and "Create Intents, Utterances, and Slots"): a sample utterance at most 200
characters, a slot value or synonym at most 140, at most 250 intents, and at most 50,000
slot values and synonyms across the skill's custom types. Our own budget on top: one
template at most 10,000 expansions, one intent at most 10,000 samples (the local matcher and
virtual-alexa try every sample for every phrase), and no sample in two intents.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Iterable, Sequence

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "interaction_model" / "samples" / "en-US.yaml"
OUTPUT = (
    ROOT / "interaction_model" / "skill-package" / "interactionModels" / "custom" / "en-US.json"
)

# Every locale the skill has texts for (content/locales/) gets its interaction model.
OTHER_LOCALES = tuple(sorted(path.stem for path in (ROOT / "content" / "locales").glob("*.json")
                             if path.stem != "en-US"))

MAX_PER_TEMPLATE = 10000
MAX_PER_INTENT = 10000
MAX_SAMPLE_CHARS = 200      # Alexa
MAX_SLOT_VALUE_CHARS = 140  # Alexa
MAX_INTENTS = 250           # Alexa
MAX_SLOT_VALUES = 50000     # Alexa: values and synonyms across all custom types
VOCAB_REF = re.compile(r"<([a-z_][a-z0-9_]*)>")


class ModelSourceError(ValueError):
    """The source file is malformed or would expand too far."""


# --------------------------------------------------------------------------- #
# Template expansion
# --------------------------------------------------------------------------- #
# Parse tree: a sequence is a list of parts; a part is either a str (literal
# text) or a list of alternatives, each alternative being a sequence.


def _parse(template: str) -> list:
    pos = 0

    def parse_sequence(closers: str) -> list:
        nonlocal pos
        parts: list = []
        literal: list[str] = []
        while pos < len(template):
            ch = template[pos]
            if ch in closers or ch == "|":
                break
            if ch in ")]":
                raise ModelSourceError(
                    f"unbalanced {ch!r} at position {pos} in template {template!r}"
                )
            if ch in "([":
                if literal:
                    parts.append("".join(literal))
                    literal = []
                closer = ")" if ch == "(" else "]"
                pos += 1
                alternatives = [parse_sequence(closer)]
                while pos < len(template) and template[pos] == "|":
                    pos += 1
                    alternatives.append(parse_sequence(closer))
                if pos >= len(template) or template[pos] != closer:
                    raise ModelSourceError(
                        f"missing {closer!r} for the {ch!r} opened in template {template!r}"
                    )
                pos += 1
                if closer == "]":
                    alternatives.append([])  # optional: the empty alternative
                parts.append(alternatives)
                continue
            literal.append(ch)
            pos += 1
        if literal:
            parts.append("".join(literal))
        return parts

    tree = parse_sequence("")
    if pos < len(template):
        raise ModelSourceError(
            f"{template[pos]!r} outside any (...) group at position {pos} in template {template!r}"
        )
    return tree


def _count(sequence: list) -> int:
    total = 1
    for part in sequence:
        if isinstance(part, list):
            total *= sum(_count(alternative) for alternative in part)
    return total


def _materialise(sequence: list) -> list[str]:
    results = [""]
    for part in sequence:
        if isinstance(part, str):
            results = [prefix + part for prefix in results]
        else:
            options: list[str] = []
            for alternative in part:
                options.extend(_materialise(alternative))
            results = [prefix + option for prefix in results for option in options]
    return results


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    kept: list[str] = []
    for item in items:
        if item not in seen:
            seen.add(item)
            kept.append(item)
    return kept


def expand(template: str, limit: int = MAX_PER_TEMPLATE) -> list[str]:
    """All the strings one template stands for, in order, without duplicates."""
    if not isinstance(template, str):
        raise ModelSourceError(f"template must be a string, got {template!r}")
    tree = _parse(template)
    combinations = _count(tree)
    if combinations > limit:
        raise ModelSourceError(
            f"template {template!r} expands to {combinations} combinations; "
            f"the limit is {limit} per template, so split it up"
        )
    expanded = _dedupe(" ".join(text.split()) for text in _materialise(tree))
    if "" in expanded:
        raise ModelSourceError(f"template {template!r} can expand to an empty string")
    return expanded


def expand_all(templates: Sequence[str], where: str, limit: int = MAX_PER_INTENT) -> list[str]:
    """Expand several templates into one de-duplicated list, capped at ``limit``."""
    results: list[str] = []
    for template in templates:
        try:
            results.extend(expand(template))
        except ModelSourceError as error:
            raise ModelSourceError(f"{where}: {error}") from None
    results = _dedupe(results)
    if len(results) > limit:
        raise ModelSourceError(
            f"{where} expands to {len(results)} samples; the limit is {limit}"
        )
    return results


# --------------------------------------------------------------------------- #
# Source -> ASK JSON
# --------------------------------------------------------------------------- #


def load_source(path: Path | str = SOURCE) -> dict:
    with open(path, encoding="utf-8") as handle:
        source = yaml.safe_load(handle)
    if not isinstance(source, dict):
        raise ModelSourceError(f"{path}: expected a mapping at the top level")
    return source


def _as_list(value, where: str) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    raise ModelSourceError(f"{where}: expected a list, got {value!r}")


def _slots(intent: dict, where: str) -> list[dict]:
    raw = intent.get("slots")
    if raw is None:
        return []
    if isinstance(raw, dict):
        pairs = list(raw.items())
    elif isinstance(raw, list):
        pairs = []
        for entry in raw:
            if not isinstance(entry, dict) or set(entry) != {"name", "type"}:
                raise ModelSourceError(f"{where}: slot entries need exactly 'name' and 'type'")
            pairs.append((entry["name"], entry["type"]))
    else:
        raise ModelSourceError(f"{where}: 'slots' must be a mapping of slot name to type")
    slots = []
    for name, slot_type in pairs:
        if not isinstance(name, str) or not isinstance(slot_type, str) or not name or not slot_type:
            raise ModelSourceError(f"{where}: bad slot {name!r}: {slot_type!r}")
        slots.append({"name": name, "type": slot_type})
    return slots


def substitute(template: str, vocab: dict, where: str, _seen: tuple = ()) -> str:
    """``template`` with each ``<name>`` replaced by ``(entry|entry|...)`` of that list."""
    def one(found):
        name = found.group(1)
        if name not in vocab:
            raise ModelSourceError(f"{where}: unknown vocabulary list <{name}>")
        if name in _seen:
            raise ModelSourceError(f"{where}: vocabulary list <{name}> refers to itself")
        entries = [substitute(entry, vocab, where, _seen + (name,)) for entry in vocab[name]]
        return "(" + "|".join(entries) + ")"
    return VOCAB_REF.sub(one, template)


def _vocab(source: dict) -> dict:
    raw = source.get("vocab") or {}
    if not isinstance(raw, dict):
        raise ModelSourceError("'vocab' must map list names to lists of templates")
    vocab = {}
    for name, entries in raw.items():
        if not VOCAB_REF.fullmatch(f"<{name}>"):
            raise ModelSourceError(f"vocab {name!r}: names are lowercase words joined by _")
        entries = _as_list(entries, f"vocab {name}")
        if not entries or not all(isinstance(entry, str) for entry in entries):
            raise ModelSourceError(f"vocab {name}: needs a list of strings")
        vocab[name] = entries
    return vocab


def check_limits(model: dict) -> None:
    """Fail on anything Alexa would refuse (see the module docstring), two intents
    sharing a sample, or one phrase standing for two values of a slot type ("numbness
    in my legs" as both the groin sign and the both-legs sign)."""
    language = model["interactionModel"]["languageModel"]
    problems = []
    if len(language["intents"]) > MAX_INTENTS:
        problems.append(f"{len(language['intents'])} intents (limit {MAX_INTENTS})")
    owner = {}
    for intent in language["intents"]:
        for sample in intent["samples"]:
            if len(sample) > MAX_SAMPLE_CHARS:
                problems.append(f"{intent['name']}: sample over {MAX_SAMPLE_CHARS} characters: {sample!r}")
            if re.search(r"\}\s*\{", sample):
                problems.append(f"{intent['name']}: two slots side by side, which a literal matcher "
                                f"cannot tell apart: {sample!r}")
            if owner.setdefault(sample, intent["name"]) != intent["name"]:
                problems.append(f"sample {sample!r} is in {owner[sample]} and {intent['name']}")
    count = 0
    for slot_type in language["types"]:
        meaning = {}   # a phrase under two ids of one type would resolve to either
        for value in slot_type["values"]:
            for phrase in [value["name"]["value"], *value["name"]["synonyms"]]:
                count += 1
                said = " ".join(phrase.lower().split())   # as Alexa hears it
                if meaning.setdefault(said, value["id"]) != value["id"]:
                    problems.append(f"{slot_type['name']}: {phrase!r} is both {meaning[said]} and {value['id']}")
                if len(phrase) > MAX_SLOT_VALUE_CHARS:
                    problems.append(f"{slot_type['name']}: value over {MAX_SLOT_VALUE_CHARS} characters: {phrase!r}")
    if count > MAX_SLOT_VALUES:
        problems.append(f"{count} slot values and synonyms (limit {MAX_SLOT_VALUES})")
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise ModelSourceError(f"the model breaks Alexa's limits or our rules: {shown}")


def build_model(source: dict) -> dict:
    """Turn the parsed YAML source into the ASK interaction-model document."""
    unknown = set(source) - {"invocation", "intents", "types", "vocab"}
    if unknown:
        raise ModelSourceError(f"unknown top-level keys: {sorted(unknown)}")
    invocation = source.get("invocation")
    if not isinstance(invocation, str) or not invocation.strip():
        raise ModelSourceError("'invocation' must be a non-empty string")

    vocab = _vocab(source)
    intents = []
    seen_intents: set[str] = set()
    for index, intent in enumerate(_as_list(source.get("intents"), "intents")):
        if not isinstance(intent, dict) or not isinstance(intent.get("name"), str):
            raise ModelSourceError(f"intents[{index}]: each intent needs a 'name'")
        name = intent["name"]
        where = f"intent {name}"
        extra = set(intent) - {"name", "slots", "samples"}
        if extra:
            raise ModelSourceError(f"{where}: unknown keys {sorted(extra)}")
        if name in seen_intents:
            raise ModelSourceError(f"{where}: listed twice")
        seen_intents.add(name)
        intents.append(
            {
                "name": name,
                "slots": _slots(intent, where),
                "samples": expand_all([substitute(t, vocab, where) for t in _as_list(intent.get("samples"), where)], where),
            }
        )

    types = []
    seen_types: set[str] = set()
    for index, slot_type in enumerate(_as_list(source.get("types"), "types")):
        if not isinstance(slot_type, dict) or not isinstance(slot_type.get("name"), str):
            raise ModelSourceError(f"types[{index}]: each type needs a 'name'")
        type_name = slot_type["name"]
        if type_name in seen_types:
            raise ModelSourceError(f"type {type_name}: listed twice")
        seen_types.add(type_name)
        raw_values = slot_type.get("values")
        if not isinstance(raw_values, dict) or not raw_values:
            raise ModelSourceError(f"type {type_name}: 'values' must map ids to phrase lists")
        values = []
        for value_id, phrases in raw_values.items():
            where = f"type {type_name} value {value_id}"
            expanded = expand_all([substitute(t, vocab, where) for t in _as_list(phrases, where)], where, limit=MAX_SLOT_VALUES)
            if not expanded:
                raise ModelSourceError(f"{where}: needs at least a value name")
            values.append(
                {
                    "id": str(value_id),
                    "name": {"value": expanded[0], "synonyms": expanded[1:]},
                }
            )
        types.append({"name": type_name, "values": values})

    model = {
        "interactionModel": {
            "languageModel": {
                "invocationName": " ".join(invocation.split()),
                "intents": intents,
                "types": types,
            }
        }
    }
    check_limits(model)
    return model


def render(model: dict) -> str:
    """The exact text written to disk: indent 2, insertion-ordered keys, final newline."""
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def generate(source_path: Path | str = SOURCE) -> str:
    return render(build_model(load_source(source_path)))


# --------------------------------------------------------------------------- #
# CLI
# --------------------------------------------------------------------------- #


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devkit.build_model",
        description="Generate the ASK interaction-model JSON from the compact YAML source.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if the JSON on disk differs from what the source generates",
    )
    parser.add_argument("--source", type=Path, default=SOURCE, help="YAML source (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="JSON output (default: %(default)s)")
    args = parser.parse_args(argv)

    try:
        text = generate(args.source)
    except (OSError, yaml.YAMLError, ModelSourceError) as error:
        print(f"build_model: error: {error}", file=sys.stderr)
        return 2

    # The other English locales hear the same words (their content differs, not the
    # phrasing of a back spasm): the same model, written for each so none goes stale.
    outputs = [args.output] + ([args.output.with_name(f"{locale}.json") for locale in OTHER_LOCALES]
                               if args.output == OUTPUT else [])
    stale = []
    for output in outputs:
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(f"{_display(output)} {'does not exist' if current is None else 'is out of date'}")
            continue
        output.parent.mkdir(parents=True, exist_ok=True)
        with open(output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    if args.check:
        if stale:
            print(f"build_model: {'; '.join(stale)} with {_display(args.source)}; "
                  "run `python -m devkit.build_model` and commit the result", file=sys.stderr)
            return 1
        print(f"{', '.join(_display(o) for o in outputs)}: up to date")
        return 0
    model = json.loads(text)["interactionModel"]["languageModel"]
    samples = sum(len(intent["samples"]) for intent in model["intents"])
    values = sum(1 + len(v["name"]["synonyms"]) for t in model["types"] for v in t["values"])
    print(
        f"wrote {len(outputs)} models ({len(model['intents'])} intents, {samples} samples, "
        f"{len(model['types'])} types, {values} slot values and synonyms, {len(text) // 1024} KiB each)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
