"""Red-flag triage (spasm_coach.triage): which question comes next, and what the answers add
up to. Examples first, then properties over every combination of true signs."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spasm_coach import triage
from spasm_coach.triage import Ask, Done, Emergency, State

# The questions in the order asked on the no-red-flag path (content/rules.json "triage").
NO_RED_FLAG_PATH = ["q:nerves", "q:legs", "q:chest_belly", "q:injury", "q:health", "q:pain"]


# --- helpers ---------------------------------------------------------------------------

def signs_in(content, asking):
    """The signs the question `asking` ('q:id' or 'f:sign') is about."""
    kind, _, item = asking.partition(":")
    return [f for q in content.triage if q.id == item for f in q.flags] if kind == "q" else [item]


def talk(content, replies, floor=None, facts=None):
    """Start a triage and give `replies` in order. Returns (questions asked, outcome)."""
    outcome = triage.start(content, floor, facts)
    asked = []
    for reply in replies:
        assert isinstance(outcome, Ask), f"the triage ended before the reply {reply!r}: {outcome}"
        asked.append(outcome.state.asking)
        outcome = triage.answer(content, outcome.state, reply)
    return asked, outcome


def patient(content, true_signs, floor=None, facts=None, unsure=frozenset()):
    """Play a patient who answers truthfully (yes when any sign a question asks about is
    true), or 'unsure' to the questions in `unsure`. Returns (questions asked, outcome,
    the signs asked or told about)."""
    outcome, asked, state = triage.start(content, floor, facts), [], None
    about = set(facts or {})
    while isinstance(outcome, Ask):
        assert len(asked) < 40, "the triage does not end"
        state = outcome.state
        asked.append(state.asking)
        if state.asking in unsure:
            reply = "unsure"
        else:
            reply = "yes" if any(f in true_signs for f in signs_in(content, state.asking)) else "no"
        about.update(signs_in(content, state.asking))
        outcome = triage.answer(content, state, reply)
    # "Did it start after a fall?" no: so no fall with thin bones either.
    about.update(flag.id for flag in content.follow_ups if flag.after in about and flag.after not in true_signs)
    return asked, outcome, about


def level_id(outcome):
    if isinstance(outcome, Emergency):
        return "emergency"
    return outcome.level.id if outcome.level else None


def rank(content, level):
    return content.levels[level].rank if level else 0


def consistent(content, true_signs):
    """A follow-up sign (thin bones after a fall) is only true with the sign it follows."""
    return all(flag.after in true_signs for flag in content.follow_ups if flag.id in true_signs)


# --- examples --------------------------------------------------------------------------

def test_no_red_flags_is_six_questions_and_no_level(content):
    asked, outcome = talk(content, ["no"] * 6)
    assert asked == NO_RED_FLAG_PATH
    assert outcome == Done(None)


@pytest.mark.parametrize("replies, expected", [
    pytest.param(["yes"], "emergency", id="groin or bladder"),
    pytest.param(["no", "yes", "yes"], "emergency", id="both legs"),
    pytest.param(["no", "yes", "no"] + ["no"] * 4, "provider_prompt", id="one leg"),
    pytest.param(["no", "no", "yes"], "emergency", id="chest or pulsing belly"),
    pytest.param(["no", "no", "no", "yes", "yes"], "emergency", id="a serious accident"),
    pytest.param(["no", "no", "no", "yes", "no", "yes"], "provider_same_day", id="a fall with thin bones"),
    pytest.param(["no", "no", "no", "yes", "no", "no", "no", "no"], "provider_prompt", id="a fall"),
    pytest.param(["no"] * 4 + ["yes"], "provider_same_day", id="cancer, immune system, temperature or weight"),
    pytest.param(["no"] * 5 + ["yes", "yes"], "provider_same_day", id="night pain"),
    pytest.param(["no"] * 5 + ["yes", "no"], "provider_prompt", id="severe pain only"),
])
def test_each_tier(content, replies, expected):
    _, outcome = talk(content, replies)
    assert level_id(outcome) == expected


def test_a_provider_yes_still_asks_every_more_urgent_question(content):
    asked, outcome = talk(content, ["no", "yes", "no", "no", "no"])  # one leg, then on
    assert asked == ["q:nerves", "q:legs", "f:both_legs", "q:chest_belly", "q:injury"]
    assert isinstance(outcome, Ask) and outcome.state.asking == "q:health"  # same day can still raise it
    _, outcome = talk(content, ["no", "yes", "no", "yes"])  # one leg, then chest pain
    assert isinstance(outcome, Emergency)


def test_a_same_day_yes_skips_only_what_cannot_raise_the_level(content):
    asked, outcome = talk(content, ["no", "no", "no", "no", "yes"])
    assert "q:pain" not in asked and level_id(outcome) == "provider_same_day"


def test_thin_bones_is_asked_only_after_a_fall(content):
    asked, _ = talk(content, ["no"] * 6)
    assert "f:thin_bones_fall" not in asked
    asked, outcome = talk(content, ["no", "no", "no", "yes", "no"])
    assert outcome.state.asking == "f:thin_bones_fall"


def test_not_sure_asks_a_grouped_question_a_sign_at_a_time(content):
    _, outcome = talk(content, ["unsure"])
    assert outcome.note == "triage_unsure" and outcome.state.asking == "f:saddle_numbness"
    assert outcome.say == content.red_flags["saddle_numbness"].ask


def test_still_not_sure_about_an_emergency_sign_is_same_day_with_the_safety_net(content):
    _, outcome = talk(content, ["unsure", "unsure"])
    assert outcome.note == "triage_unsure_emergency" and outcome.state.asking == "f:bladder_bowel"
    _, outcome = talk(content, ["unsure", "unsure", "no", "no", "no", "no"])
    assert outcome == Done(content.levels["provider_same_day"], safety_net=True)


def test_still_not_sure_about_another_sign_counts_as_a_yes(content):
    _, outcome = talk(content, ["no"] * 4 + ["unsure", "unsure"])
    assert outcome == Done(content.levels["provider_same_day"], note="triage_unsure_as_yes")


def test_not_sure_about_a_single_sign_is_asked_once_more(content):
    _, outcome = talk(content, ["no", "no", "no", "yes", "no", "unsure"])
    assert outcome.note == "triage_unsure_one" and outcome.state.asking == "f:thin_bones_fall"


@pytest.mark.parametrize("cause, first_questions", [
    pytest.param("strain", ["q:nerves", "q:legs", "q:chest_belly", "q:health", "q:pain"], id="lifting: no injury question"),
    pytest.param("fall", ["q:nerves", "q:legs", "q:chest_belly", "f:thin_bones_fall", "q:health"],
                 id="a fall: thin bones asked, not the fall itself"),
])
def test_what_the_opening_said_is_not_asked_again(content, cause, first_questions):
    known = content.causes[cause]
    facts = {**{f: "no" for f in known.no}, **{f: "yes" for f in known.yes}}
    asked, _, _ = patient(content, set(), facts=facts)
    assert asked[:len(first_questions)] == first_questions


def test_a_car_crash_in_the_opening_is_an_emergency(content):
    assert isinstance(triage.start(content, facts={"serious_accident": "yes"}), Emergency)


def test_a_volunteered_sign_is_noted_and_the_open_question_asked_again(content):
    state = talk(content, ["no"])[1].state  # at the legs question
    outcome = triage.volunteer(content, state, "fever")
    assert outcome.note == "noted_flag" and outcome.state.asking == "q:legs"
    assert isinstance(triage.volunteer(content, state, "chest_pain"), Emergency)


@pytest.mark.parametrize("question", ["nerves", "legs", "chest_belly", "injury", "health", "pain"])
def test_a_denied_sign_of_a_question_leaves_its_other_signs_to_ask(content, question):
    """"I don't have chest pain" at "chest pain or a pulsing belly?" is no answer to the
    belly: a denial (learn, 'no') of one sign never counts as 'no' to its question."""
    flags = next(q.flags for q in content.triage if q.id == question)
    others = set(flags[1:])
    outcome = triage.learn(content, State(), {flags[0]: "no"})
    assert outcome.state.known == {flags[0]: "no"} and question not in outcome.state.groups
    asked, state = set(), outcome.state
    while isinstance(outcome, Ask):
        asked.add(outcome.state.asking)
        outcome = triage.answer(content, outcome.state, "no")
        state = outcome.state if isinstance(outcome, Ask) else state
    assert {f"f:{flag}" for flag in others} <= asked, f"never asked about {others}: {sorted(asked)}"
    assert f"q:{question}" not in asked


def test_a_denial_of_a_sign_asked_later_leaves_the_open_question_open(content):
    state = talk(content, ["no"])[1].state  # at the legs question
    outcome = triage.learn(content, state, {"chest_pain": "no"})
    assert isinstance(outcome, Ask) and outcome.state.asking == "q:legs" and outcome.note is None
    assert outcome.state.known["chest_pain"] == "no" and "legs" not in outcome.state.groups


def test_a_denial_does_not_undo_a_sign_present_or_counted_as_present(content):
    """Yes to the legs question, no to both legs: one leg is what the yes was about. A
    later "no numbness in one leg" must not turn that into no warning sign at all; nor may
    a denial undo a 'not sure' (counted as a yes, or as a maybe for an emergency sign)."""
    outcome = talk(content, ["no", "yes", "no"])[1]  # one leg: present
    level_before = triage.level(content, outcome.state)
    assert level_before is not None
    after = triage.learn(content, outcome.state, {"one_leg": "no"})
    assert triage.level(content, after.state) == level_before
    unsure = talk(content, ["no", "no", "unsure", "unsure"])[1]  # chest pain: still not sure
    assert unsure.state.known.get("chest_pain") == "unsure"
    after = triage.learn(content, unsure.state, {"chest_pain": "no"})
    assert after.state.known["chest_pain"] == "unsure"


def test_a_reply_to_a_question_no_longer_asked_changes_nothing(content):
    stale = State(asking="q:pain")  # not what a fresh triage asks
    outcome = triage.answer(content, stale, "yes")
    assert outcome.state.asking == "q:nerves" and outcome.state.known == {} and outcome.state.groups == {}


# --- the session -----------------------------------------------------------------------

@pytest.mark.parametrize("garbage", [None, "x", [], 7, {"known": "x"}, {"known": {"fever": "maybe"}},
                                     {"groups": {"nerves": 1}}, {"asking": 5, "unsure": "x"},
                                     {"known": {"hiccups": "yes"}}, {"floor": "urgent"}])
def test_a_malformed_state_keeps_only_what_is_usable(content, garbage):
    state = State.from_dict(garbage, content)
    assert state.known == {} and state.groups == {} and state.floor is None and state.unsure == 0


def test_every_state_the_triage_hands_out_survives_the_session(content):
    """Each Ask's state, stored and read back, leads to the same next step."""
    for replies in itertools.product(["yes", "no", "unsure"], repeat=3):
        outcome = triage.start(content)
        for reply in replies:
            if not isinstance(outcome, Ask):
                break
            restored = State.from_dict(outcome.state.to_dict(), content)
            assert restored == outcome.state
            outcome = triage.answer(content, restored, reply)


# --- properties ------------------------------------------------------------------------

def _check(content, true_signs, floor, asked, outcome, about):
    expected = max([rank(content, floor)] + [content.red_flags[f].level.rank for f in true_signs & about])
    assert rank(content, level_id(outcome)) == expected, (sorted(true_signs), asked, outcome)
    final = rank(content, level_id(outcome))
    missed = [f for f in content.red_flags if content.red_flags[f].level.rank > final and f not in about]
    assert not missed, (sorted(true_signs), asked, missed)


def test_property_every_combination_of_true_signs(content):
    """For all 2^N combinations of true signs (a follow-up only with the sign it follows):
    the final level is the highest level among the true signs the patient was asked
    about, and every sign more urgent than the final level was asked about."""
    flags = list(content.red_flags)
    checked = 0
    for bits in itertools.product((False, True), repeat=len(flags)):
        true_signs = {f for f, bit in zip(flags, bits) if bit}
        if not consistent(content, true_signs):
            continue
        asked, outcome, about = patient(content, true_signs)
        _check(content, true_signs, None, asked, outcome, about)
        assert len(asked) == len(set(asked)), f"a question asked twice: {asked}"
        checked += 1
    assert checked > 2 ** (len(flags) - 1)


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_property_with_a_floor_and_what_the_opening_said(content, data):
    """The same, with a level known before (worse at a check-in) and signs the opening told
    (present or ruled out, truthfully): other answer orders the engine produces."""
    flags = sorted(content.red_flags)
    true_signs = set(data.draw(st.sets(st.sampled_from(flags))))
    if not consistent(content, true_signs):
        true_signs -= {flag.id for flag in content.follow_ups}
    told = data.draw(st.sets(st.sampled_from(flags)))
    facts = {f: "yes" if f in true_signs else "no" for f in told}
    floor = data.draw(st.sampled_from([None, "provider_prompt", "provider_same_day"]))
    asked, outcome, about = patient(content, true_signs, floor=floor, facts=facts)
    _check(content, true_signs, floor, asked, outcome, about)


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_property_not_sure_never_counts_as_no(content, data):
    """Whatever the patient is unsure about: a sign answered yes still counts, an unsure
    emergency sign gives at least same-day advice with the safety net, and the triage
    always ends (no silence, no loop)."""
    flags = sorted(content.red_flags)
    true_signs = set(data.draw(st.sets(st.sampled_from(flags))))
    if not consistent(content, true_signs):
        true_signs -= {flag.id for flag in content.follow_ups}
    questions = [f"q:{q.id}" for q in content.triage] + [f"f:{f}" for f in flags]
    unsure = frozenset(data.draw(st.sets(st.sampled_from(questions))))
    outcome, asked, answers, notes = triage.start(content), [], [], []
    while isinstance(outcome, Ask):
        assert len(asked) < 40, "the triage does not end"
        state = outcome.state
        signs = signs_in(content, state.asking)
        reply = "unsure" if state.asking in unsure else ("yes" if any(f in true_signs for f in signs) else "no")
        asked.append(state.asking)
        answers.append((signs, reply))
        outcome = triage.answer(content, state, reply)
        notes.append(outcome.note)
    # A yes to a single sign counts; a yes to a group counts at least as its least urgent sign.
    lowest = max([0] + [min(content.red_flags[f].level.rank for f in signs) for signs, reply in answers
                        if reply == "yes"])
    assert rank(content, level_id(outcome)) >= lowest, (asked, answers, outcome)
    # An emergency sign still unsure after its plainer question: same day, and the safety net.
    emergency_asked_alone = {s[0] for s, _ in answers if len(s) == 1 and content.red_flags[s[0]].level.ends_session}
    stayed_unsure = [f for f in emergency_asked_alone
                     if [r for s, r in answers if s == [f]][-1] == "unsure"
                     and (len([r for s, r in answers if s == [f]]) == 2 or any(
                         r == "unsure" and len(s) > 1 and f in s for s, r in answers))]
    if stayed_unsure and not isinstance(outcome, Emergency):
        assert outcome.safety_net and rank(content, level_id(outcome)) >= content.unsure_emergency.rank
        assert "triage_unsure_emergency" in notes


def test_mentions_find_the_new_signs(content):
    cases = {
        "there's a throbbing in my tummy": "pulsing_belly",
        "i had breast cancer years ago": "past_cancer",
        "i'm on chemo": "weak_immune",
        "i have osteoporosis and slipped": "thin_bones_fall",
        "i have no fever": None,
    }
    for text, flag in cases.items():
        found = triage.mentioned_flags(content, text)
        assert (found[0] if found else None) == flag or flag in found, (text, found)
