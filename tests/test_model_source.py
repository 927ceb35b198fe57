"""The interaction-model source language (devkit/build_model.py): vocabulary lists, and the
limits Alexa documents, which the build enforces rather than letting the upload fail."""

import pytest

from devkit import build_model

def _model(samples, types=None, vocab=None):
    source = {"invocation": "back spasm coach", "intents": [{"name": "A", "samples": samples}], "types": types or []}
    if vocab:
        source["vocab"] = vocab
    return build_model.build_model(source)["interactionModel"]["languageModel"]


def test_vocabulary_lists_expand_in_samples_and_nest():
    vocab = {"pad": ["heating pad", "<bottle>"], "bottle": ["hot water bottle"]}
    model = _model(["does a <pad> help"], vocab=vocab)
    assert model["intents"][0]["samples"] == ["does a heating pad help", "does a hot water bottle help"]


def test_unknown_or_self_referring_lists_are_errors():
    with pytest.raises(build_model.ModelSourceError, match="unknown vocabulary list <nope>"):
        _model(["<nope>"], vocab={"x": ["y"]})
    with pytest.raises(build_model.ModelSourceError, match="refers to itself"):
        _model(["<x>"], vocab={"x": ["a <x>"]})


def test_a_sample_in_two_intents_fails_the_build():
    source = {"invocation": "back spasm coach", "types": [],
              "intents": [{"name": "A", "samples": ["is it time for heat"]},
                          {"name": "B", "samples": ["(is it time for heat|heat)"]}]}
    with pytest.raises(build_model.ModelSourceError, match="'is it time for heat' is in A and B"):
        build_model.build_model(source)


def test_alexa_length_limits_fail_the_build():
    with pytest.raises(build_model.ModelSourceError, match="sample over 200 characters"):
        _model(["word " * 45])
    long_value = {"name": "T", "values": {"x": ["v" * 141]}}
    with pytest.raises(build_model.ModelSourceError, match="value over 140 characters"):
        _model(["{s}"], types=[long_value])


def test_the_live_model_builds_within_alexas_limits():
    """The frames-and-vocabulary source (interaction_model/samples/en-US.yaml) builds within
    Alexa's limits (build_model.check_limits raises otherwise) and has DenySignIntent."""
    model = build_model.build_model(build_model.load_source(build_model.SOURCE))["interactionModel"]["languageModel"]
    values = sum(1 + len(v["name"]["synonyms"]) for t in model["types"] for v in t["values"])
    assert values <= build_model.MAX_SLOT_VALUES
    assert "DenySignIntent" in {intent["name"] for intent in model["intents"]}


def test_a_phrase_under_two_values_of_one_type_fails_the_build():
    """"numbness in my legs" must mean one sign: under two it could resolve to either."""
    signs = {"name": "SIGN", "values": {"groin": ["numbness in my (groin|legs)"], "legs": ["numbness in my legs"]}}
    with pytest.raises(build_model.ModelSourceError, match="'numbness in my legs' is both groin and legs"):
        _model(["{s}"], types=[signs])


def test_two_slots_side_by_side_fail_the_build():
    """virtual-alexa's matcher gives the first slot every word, so "{lead} {topic}" never matches."""
    with pytest.raises(build_model.ModelSourceError, match="two slots side by side"):
        _model(["{lead} {topic} please"])
