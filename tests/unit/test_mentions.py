"""Red flags found in free words (content/rules.json `mentions`): what a user might say
when their words reach the skill unresolved, and what must not count."""

import pytest

from spasm_coach import triage


@pytest.mark.parametrize("words, flag", [
    ("i do have numbness in my groin", "saddle_numbness"),
    ("my bottom feels numb", "saddle_numbness"),
    ("tingling around my inner thighs", "saddle_numbness"),
    ("i lost control of my bowels", "bladder_bowel"),
    ("i haven't been able to pee since this morning", "bladder_bowel"),
    ("i'm having trouble peeing", "bladder_bowel"),
    ("i wet myself", "bladder_bowel"),
    ("both my legs hurt", "both_legs"),
    ("my legs feel kind of weak", "both_legs"),
    ("i can't feel my legs", "both_legs"),
    ("my chest feels tight", "chest_pain"),
    ("there's a pressure in my chest", "chest_pain"),
    ("i hurt it in a car crash", "serious_accident"),
    ("i was hit by a car", "serious_accident"),
    ("my left foot is tingling", "one_leg"),
    ("pain shooting down my leg", "one_leg"),
    ("i fell off a ladder", "significant_injury"),
    ("the pain is excruciating", "severe_unimproved"),
    ("i think i have a fever", "fever"),
    ("i've been losing weight", "weight_loss"),
    ("it wakes me up at night", "night_pain"),
    ("it doesn't get better when i rest", "night_pain"),
    # said in the past tense, the way it happened
    ("a van knocked me off my bike", "serious_accident"),
    ("i got rear ended at the lights", "serious_accident"),
    ("i went down hard on the stairs", "significant_injury"),
    ("got kicked in the back at rugby", "significant_injury"),
    ("i had a bad tumble in the garden", "significant_injury"),
    ("it runs down the side of my calf", "one_leg"),
], ids=lambda value: value if isinstance(value, str) and " " in value else None)
def test_mentions_are_found(content, words, flag):
    assert triage.mentioned_flags(content, words)[:1] == [flag]


@pytest.mark.parametrize("words", [
    "no fever", "i don't have chest pain", "there's no numbness in my groin", "without any bladder problems",
    "my bladder is fine", "my back hurts", "it started last night", "i slept badly", "yesterday evening",
    "i hurt my back lifting a box", "what should i eat", "my legs are fine", "",
    "nothing going down my leg", "i wasn't knocked over", "i haven't had a tumble", "can i fall asleep on a heat pad",
    "i hit the gym and now my back hurts",
])
def test_what_is_not_a_mention(content, words):
    assert triage.mentioned_flags(content, words) == []


def test_the_most_urgent_mention_comes_first(content):
    assert triage.mentioned_flags(content, "i have a fever and chest pain") == ["chest_pain", "fever"]
