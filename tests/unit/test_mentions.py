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
    ("i fell over in the garden", "significant_injury"),
    ("i fell off a ladder", "serious_accident"),
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
    # a negation reaches only its own clause, and a "no" that answers stops at the next subject
    ("nothing works and i wet myself", "bladder_bowel"),
    ("i have nothing but numbness in my groin", "saddle_numbness"),
    ("no i can't feel my legs", "both_legs"),
    ("nope my groin is numb", "saddle_numbness"),
    # the words people use for the same signs: euphemisms, other body words, hedges
    ("everything down below has gone kind of dead", "saddle_numbness"),
    ("it feels weird when i wipe", "saddle_numbness"),
    ("my waterworks have been playing up since my back went", "bladder_bowel"),
    ("i'm leaking a bit of pee", "bladder_bowel"),
    ("i need to wee but nothing comes out", "bladder_bowel"),
    ("the two of my legs feel like jelly", "both_legs"),
    ("i've lost the strength in my legs", "both_legs"),
    ("it feels like a band squeezing around my chest", "chest_pain"),
    ("there's a fluttering in my tummy", "pulsing_belly"),
    ("it started after a pile up on the interstate", "serious_accident"),
    ("i came off my scooter on the way home", "serious_accident"),
    ("i'm shivering under three blankets", "fever"),
    ("my temperature is thirty nine", "fever"),
    ("i've dropped two dress sizes without trying", "weight_loss"),
    ("my jeans are hanging off me these days", "weight_loss"),
    ("it's at its worst in the middle of the night", "night_pain"),
    ("lying down makes no difference at all", "night_pain"),
    ("years ago they removed a tumor from my lung", "past_cancer"),
    ("i've been taking prednisone for my arthritis", "weak_immune"),
    ("i'm in my eighties and slipped in the kitchen", "thin_bones_fall"),
    ("there's an electric feeling down the front of my left thigh", "one_leg"),
    ("nothing i've tried has touched it", "severe_unimproved"),
    ("it's not getting any easier", "severe_unimproved"),
    ("i need to wee but nothing comes out", "bladder_bowel"),
    ("we had a head on collision on the way home", "serious_accident"),
    ("i had a kidney transplant", "weak_immune"),
    # from a fourth batch of strangers' phrasings (dev set)
    ("i got kicked by a horse", "significant_injury"),
    ("i took a massive hit in a rugby tackle", "significant_injury"),
    ("i went down hard and whacked myself on the edge of the bathtub", "significant_injury"),
    ("it's getting worse even though i've been taking painkillers", "severe_unimproved"),
    ("the pain is like a ten and it just isn't easing", "severe_unimproved"),
    ("my immune system is pretty weak because of my arthritis meds", "weak_immune"),
    ("at night it gets so bad i end up sleeping in the recliner", "night_pain"),
    ("it's not just one leg it's both of them they're numb", "both_legs"),
    ("i can't walk properly my legs are all pins and needles", "both_legs"),
    ("it's not really pain in my chest more like somebody sitting on it", "chest_pain"),
    ("i fell off a ladder from the second floor roof", "serious_accident"),
    ("i can't lie down it hurts too much", "night_pain"),
    ("today i leaked in my pants without knowing", "bladder_bowel"),
    ("it feels like both my legs have fallen asleep", "both_legs"),
    ("i've been stumbling about because neither of my legs feels right", "both_legs"),
    ("i've been in a really bad accident at work", "serious_accident"),
    ("the car flipped over and i've been sore ever since", "serious_accident"),
    ("i was hit across the back by a heavy door", "significant_injury"),
    ("i've taken painkillers but it's still getting worse", "severe_unimproved"),
    ("i used to have lymphoma", "past_cancer"),
    ("i've got the shakes and i'm boiling hot", "fever"),
    ("i've dropped a lot of weight recently for no reason", "weight_loss"),
    ("i get woken up at three in the morning by the pain", "night_pain"),
    ("since last week i've been waking up in the night with the pain", "night_pain"),
    ("i can't get to sleep at night because my back hurts so much", "night_pain"),
    ("it feels like an elephant is sitting on me", "chest_pain"),
    ("i'm in remission", "past_cancer"),
    ("i can't feel either leg", "both_legs"),
    ("it stays the same even when i rest", "night_pain"),
    ("my immune system isn't great", "weak_immune"),
    ("without warning both legs went weak", "both_legs"),
    ("for no reason my legs went numb", "both_legs"),
    ("my left leg is numb and my right leg is weak", "both_legs"),
    ("my left leg is numb but my right leg is fine", "one_leg"),
    ("not pain exactly more a tightness in my chest", "chest_pain"),
    ("i can't feel the paper when i wipe", "saddle_numbness"),
    ("i don't get the feeling that i need to go anymore", "bladder_bowel"),
    ("neither leg will hold me up", "both_legs"),
    ("a horse kicked me in the back", "significant_injury"),
    ("the painkillers aren't even touching it", "severe_unimproved"),
    ("i had treatment for bowel cancer years ago", "past_cancer"),
    ("i've got low bone density", "thin_bones_fall"),
    ("one minute i'm boiling and the next i'm freezing", "fever"),
    ("i'm down ten pounds and i haven't changed anything", "weight_loss"),
    ("lying flat is agony at night", "night_pain"),
    ("i've been sleeping in a chair because of the pain", "night_pain"),
], ids=lambda value: value if isinstance(value, str) and " " in value else None)
def test_mentions_are_found(content, words, flag):
    assert triage.mentioned_flags(content, words)[:1] == [flag]


@pytest.mark.parametrize("words", [
    "no fever", "i don't have chest pain", "there's no numbness in my groin", "without any bladder problems",
    "my bladder is fine", "my back hurts", "it started last night", "i slept badly", "yesterday evening",
    "i hurt my back lifting a box", "what should i eat", "my legs are fine", "",
    "nothing going down my leg", "i wasn't knocked over", "i haven't had a tumble", "can i fall asleep on a heat pad",
    "i hit the gym and now my back hurts", "i got out of the car and the pain hit me",
    "i was loading the van and it hit me", "i had a knock on the door", "i got kicked out of the gym",
    "there's nothing wrong with my legs and the ice helps", "i'm not on steroids", "my temperature is normal",
    "i've been trying to lose weight", "i'm not shivering", "is it okay to rest at night",
    # found by a cold review: a mention never takes in a negation its pattern does not ask
    # for, and everyday words are not signs
    "my bladder has never been a problem", "my waterworks are fine no trouble at all",
    "i have a throbbing pain in the middle of my back", "i wrecked my back lifting",
    "the kids crashed out early so i had time to stretch", "i collided with someone at football",
    "i'm dead tired and my bum hurts", "both my legs are tired and heavy after the run", "my temp job",
    "my friend had a transplant", "i'm on a steroid nasal spray",
        # found by a second cold review
        "should i alternate hot and cold", "in my sweats", "i got the flu jab",
        "any aids to help me put my socks on", "would losing weight help my back", "the baby woke me up",
        "it's been really bad since last night",
        "i hit my head on the cupboard when i stood up", "after a long drive in the car my back is wrecked",
        "i was lifting a chest of drawers and now my back hurts", "i'm struggling my poor back is killing me",
        "it's been a week and i can't control the pain", "i can't move a wee bit without it hurting",
    "it radiates down my back to my hip",
    "no pain in my chest it just aches in my back", "no tingling down my legs",
    # found by a third cold review
    "i nearly fell off a ladder", "i fell asleep and then came down from the top floor",
    "it's not just one side it's both sides of my back", "my sleep took a hit", "i took a hit on my inhaler",
    "i'm not shifting any furniture anymore", "what if it isn't improving by tomorrow",
    "it hasn't improved much but it's a bit better", "it's worse than yesterday although i've been on my feet all day",
    "it feels like a ten pound weight on my back", "i got my immunisation shot yesterday",
    "my immune system is not weak", "nights are fine but the mornings are really bad",
    "i put an ice pack on my chest and something is pressing on it",
    "the bath water is boiling hot", "the car rolled over my foot", "i wake up in the night to pee",
    "i got woken up by the kids", "i can walk fine on both legs it's just sore to bend",
    "it's a ten minute walk to the shops", "i can't lie down on the floor to stretch because it hurts", "i took a hit of my inhaler", "it started last night and it's bad",
    "i had the sweats after the gym", "i peed myself laughing at the film",
    "i don't have chest pain just a bit of a cough",
    # a negation the pattern does not need is the sign's own denial
    "nothing like that between my legs no tingling", "i don't get the feeling it's getting better",
    "i've lost ten pounds on my diet", "one minute it's hot the next it's cold outside",
    "i sleep in a chair sometimes because i like it",
])
def test_what_is_not_a_mention(content, words):
    assert triage.mentioned_flags(content, words) == []


def test_the_most_urgent_mention_comes_first(content):
    assert triage.mentioned_flags(content, "i have a fever and chest pain") == ["chest_pain", "fever"]


# --- a denial ("i don't have chest pain", DenySignIntent's `denied` slot) ----------------
# slots.read turns a request into what it said. A denied sign is a 'no' fact, never the
# request's red flag, and its words are never scanned for mentions: the negation that
# makes them a denial was in the carrier phrase, not in the slot.

def _request(intent_name, slot_name, words, ids=None):
    """The HandlerInput of an IntentRequest whose one slot holds `words`, resolved to
    `ids` (a list: entity resolution's matches), unresolved (ids=[]) or with no
    resolutions at all (ids=None)."""
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Intent, IntentRequest, RequestEnvelope, Slot
    from ask_sdk_model.slu.entityresolution import (
        Resolution, Resolutions, Status, StatusCode, Value, ValueWrapper)
    resolutions = None
    if ids is not None:
        status = Status(code=StatusCode.ER_SUCCESS_MATCH if ids else StatusCode.ER_SUCCESS_NO_MATCH)
        values = [ValueWrapper(value=Value(name=words, id=i)) for i in ids] or None
        resolutions = Resolutions(resolutions_per_authority=[
            Resolution(authority=f"amzn1.er-authority.echo-sdk.skill.{slot_name}", status=status, values=values)])
    slot = Slot(name=slot_name, value=words, resolutions=resolutions)
    request = IntentRequest(intent=Intent(name=intent_name, slots={slot_name: slot}))
    return HandlerInput(request_envelope=RequestEnvelope(request=request))


def _read(content, words, ids=None, intent="DenySignIntent", slot="denied"):
    from spasm_coach.alexa import slots
    return slots.read(_request(intent, slot, words, ids), content)


def test_a_resolved_denial_rules_that_sign_out_and_is_no_red_flag(content):
    said = _read(content, "chest pain", ["chest_pain"])
    assert said.intent == "DenySignIntent"
    assert said.sign is None and said.facts == {"chest_pain": "no"}


@pytest.mark.parametrize("flag", ["saddle_numbness", "bladder_bowel", "both_legs", "chest_pain", "pulsing_belly",
                                  "serious_accident", "fever", "one_leg"])
def test_no_denied_sign_ever_becomes_the_sign(content, flag):
    said = _read(content, flag.replace("_", " "), [flag])
    assert said.sign is None and said.facts == {flag: "no"}


@pytest.mark.parametrize("words", ["chest pain", "chest pain and i can't control my bladder",
                                   "numbness in both legs", "i wet myself"])
@pytest.mark.parametrize("ids", [[], None], ids=["no match", "no resolutions"])
def test_an_unresolved_denial_adds_nothing_and_its_words_are_no_mention(content, words, ids):
    assert triage.mentioned_flags(content, words), "these words would be a red flag if they were a mention"
    said = _read(content, words, ids)
    assert said.sign is None and said.facts == {}


def test_a_denial_spelling_an_id_without_resolution_is_not_guessed(content):
    said = _read(content, "chest_pain", None)
    assert said.sign is None and said.facts == {}


def test_a_denial_that_resolved_to_several_signs_rules_none_out(content):
    said = _read(content, "numbness in my legs", ["saddle_numbness", "both_legs"])
    assert said.sign is None and said.facts == {}


def test_the_same_words_in_the_sign_slot_are_a_red_flag(content):
    """The contrast: SymptomIntent's `sign` is what the user has."""
    said = _read(content, "chest pain", ["chest_pain"], intent="SymptomIntent", slot="sign")
    assert said.sign == "chest_pain" and said.facts == {"chest_pain": "yes"}


@pytest.mark.parametrize("words, flags", [
    ("my chest is fine", ["chest_pain"]),
    ("peeing is fine", ["bladder_bowel"]),
    ("my bladder has never been a problem", ["bladder_bowel"]),
    ("i'm not on steroids or chemo", ["weak_immune"]),
    ("i didn't fall or bang it", ["significant_injury"]),
    ("my weight's about the same", ["weight_loss"]),
    ("no fever or chills", ["fever"]),
    ("no fever at all", ["fever"]),
    ("my bones aren't brittle", ["thin_bones_fall"]),
    ("the pain isn't that bad", ["severe_unimproved"]),
    # said with more around the denial, as strangers do
    ("nope no sciatica", ["one_leg"]),
    ("no i haven't lost any weight", ["weight_loss"]),
    ("no my heart feels fine thank goodness", ["chest_pain"]),
    ("nope my temperature's normal i checked", ["fever"]),
    ("i don't have a fever really", ["fever"]),
    ("no car crash nothing like that", ["serious_accident"]),
    ("no i wasn't in any kind of accident", ["serious_accident"]),
    ("no temperature", ["fever"]),
    ("nah no cancer thank god", ["past_cancer"]),
    ("i'm peeing fine", ["bladder_bowel"]),
    ("nothing in my chest no", ["chest_pain"]),
])
def test_words_that_deny_a_sign_rule_out_that_sign(content, words, flags):
    assert triage.denied_flags(content, words) == flags
    assert triage.mentioned_flags(content, words) == []


@pytest.mark.parametrize("words, flag", [
    ("no my legs are numb", "both_legs"),              # a no, then the sign said as there
    ("i don't know my legs feel numb", "both_legs"),   # a negation further away denies nothing
    ("i'm not sure if my legs are numb", "both_legs"),
    ("my legs are fine but i can't feel my bum", "saddle_numbness"),
    ("my chest is fine but it hurts in my chest when i breathe", "chest_pain"),
    # found by a cold review: words that say the sign, with a no, never or without in them
    ("i have no control over my bladder", "bladder_bowel"),
    ("peeing is fine but pooing i can't control", "bladder_bowel"),
    ("i've never had pain like this in my chest", "chest_pain"),
    ("never had numbness down there before now", "saddle_numbness"),
    ("i can't walk without pins and needles in both legs", "both_legs"),
    ("my chest is fine apart from a tight feeling", "chest_pain"),
    ("my bladder is fine apart from leaking a bit", "bladder_bowel"),
    ("i can walk fine but both feet feel numb", "both_legs"),
    ("it's gone into my legs", "both_legs"),
    ("i was bending down when a car reversed into me", "serious_accident"),
    ("i fell off my motorbike", "serious_accident"),
    ("i don't think i have a fever", "fever"),           # a hedge is no denial
    # found by a second cold review: a negation in an earlier clause does not reach the sign
    ("my bum doesn't hurt but it feels numb", "saddle_numbness"),
    ("it's a bit better but now i've got pins and needles in my legs", "both_legs"),
    ("the back's easing off but i keep wetting myself", "bladder_bowel"),
    ("it's better but i haven't peed since yesterday", "bladder_bowel"),
    ("much better thanks just a tight chest", "chest_pain"),
    ("i can barely feel my legs", "both_legs"),
    ("i didn't make it to the toilet in time", "bladder_bowel"),
    # a denial in one clause, the sign in the next
    ("my chest doesn't hurt it just feels tight", "chest_pain"),
    ("my bum isn't sore it's gone numb", "saddle_numbness"),
    ("not really my chest feels tight", "chest_pain"),
    # found by a third cold review: a "no" that answers, then a sign that is itself a negation
    ("no can't pee at all", "bladder_bowel"),
    ("well no can't pee at all", "bladder_bowel"),
    ("no can't move my legs at all", "both_legs"),
    ("oh no can't feel my legs at all", "both_legs"),
    ("no no feeling in my legs at all", "both_legs"),
    ("no don't have control of my bladder or bowels", "bladder_bowel"),
    ("no the pain isn't easing at all", "severe_unimproved"),
    ("no nothing helps", "severe_unimproved"),
    # ... a negation of another word inside the mention
    ("my bum isn't sore just numb", "saddle_numbness"),
    ("my legs don't hurt they're just giving way", "both_legs"),
    ("my tummy isn't sore just throbbing", "pulsing_belly"),
    ("i don't know what the chest pain means", "chest_pain"),
    ("my bladder hasn't stopped leaking", "bladder_bowel"),
    ("i don't know why my chest hurts", "chest_pain"),
])
def test_a_sign_said_as_there_is_never_denied(content, words, flag):
    assert flag in triage.mentioned_flags(content, words)
    assert flag not in triage.denied_flags(content, words)


@pytest.mark.parametrize("words", [
    "i don't know", "not that i know of", "my back is fine now", "i'm not sure about my legs",
    "i can't remember if i fell",
    # found by a cold review: a denial only when the words are nothing but one
    "no pins and needles in both legs",      # may be "no." and then the sign
    "no no pins and needles in both legs", "no pain going down my leg",
    "no numbness down there",
    "my chest is fine but my back is sore", "i think my chest is fine", "my legs seem ok",
    "my breathing is fine", "down there looks normal", "it's not ok", "it's not bearable",
    "it's barely bearable", "nights are not ok", "it's ok if i don't move", "heat helped at first now it doesn't",
    "i never had problems with my bladder until now", "i've never had a fever this high",
    "my bladder was never a problem before last week",
    "i've never wet myself before", "i can walk fine", "i haven't had any accidents",
    # found by a third cold review: a denial of one part, or of something near, is not one of the sign
    "my legs aren't numb", "i slept ok last night", "i'm going fine", "i'm cancer free", "no cancer now",
    # found by a fourth cold review: a denial never reaches past a contrast or a new clause
    # inside the mention, nor a negation of another word
    "i don't have any pain except in my chest", "not a pain more a pressure in my chest",
    "nothing hurts except in my chest", "i don't feel numb anywhere except my groin", "i'm not numb only in my bum",
    "i don't have numbness in my legs it's in my bum", "not weak more numb in both legs",
    "my bum isn't sore more numb", "my legs don't hurt keep giving way", "i'm not on anything except steroids",
])
def test_words_that_deny_nothing_we_ask_about_rule_nothing_out(content, words):
    assert triage.denied_flags(content, words) == []
