"""Red-flag triage (spasm_coach.triage): which question comes next, and what the answers add
up to. Each case is a conversation: the user's answers in order, and what the skill does."""

import pytest

from spasm_coach import triage
from spasm_coach.triage import Ask, Done, Emergency, State

# The questions, most urgent first (content/rules.json "triage").
NERVES, CHEST, LEG, SEVERE, SAME_DAY = "nerves", "chest_or_accident", "leg_or_injury", "severe", "same_day"
ALL_QUESTIONS = (NERVES, CHEST, LEG, SEVERE, SAME_DAY)

EMERGENCY_FLAGS = ("saddle_numbness", "bladder_bowel", "both_legs", "chest_pain", "serious_accident")
PROMPT_FLAGS = ("one_leg", "significant_injury", "severe_unimproved")
SAME_DAY_FLAGS = ("fever", "weight_loss", "night_pain")


# --- helpers ---------------------------------------------------------------------------

def talk(content, replies, floor=None):
    """Start a triage and give `replies` in order. Returns (question ids asked, outcome)."""
    outcome = triage.start(content, floor)
    asked = []
    for reply in replies:
        assert isinstance(outcome, Ask), f"the triage ended before the reply {reply!r}: {outcome}"
        asked.append(outcome.question.id)
        outcome = triage.answer(content, outcome.state, reply)
    return asked, outcome


def answer_no_until_done(content, outcome):
    """Keep answering "no"; return the question ids asked and the final outcome."""
    asked = []
    while isinstance(outcome, Ask):
        asked.append(outcome.question.id)
        outcome = triage.answer(content, outcome.state, "no")
    return asked, outcome


def waiting_at(content, question_id):
    """The state of a triage that answered "no" to everything before `question_id`."""
    outcome = triage.start(content)
    while outcome.question.id != question_id:
        outcome = triage.answer(content, outcome.state, "no")
    return outcome.state


def summary(outcome):
    """What the user notices: the next question (and what is said before it), the level a
    finished triage found, or an emergency."""
    if isinstance(outcome, Emergency):
        note = getattr(outcome, "note", None)
        return ("emergency",) if note is None else ("emergency", note)
    if isinstance(outcome, Done):
        return ("done", outcome.level.id if outcome.level else None, outcome.note)
    return ("ask", outcome.question.id, outcome.note)


def ask(question_id, note=None):
    return ("ask", question_id, note)


def done(level_id, note=None):
    return ("done", level_id, note)


EMERGENCY = ("emergency",)
EMERGENCY_UNSURE_AS_YES = ("emergency", "triage_unsure_as_yes")


# --- the content the cases below rely on -----------------------------------------------

def test_the_questions_are_asked_most_urgent_first(content):
    assert tuple(q.id for q in content.triage) == ALL_QUESTIONS
    assert [q.level.id for q in content.triage] == [
        "emergency", "emergency", "provider_prompt", "provider_prompt", "provider_same_day"]


def test_the_red_flags_are_sorted_by_urgency_as_these_tests_expect(content):
    by_level = {}
    for flag in content.red_flags.values():
        by_level.setdefault(flag.level.id, set()).add(flag.id)
    assert by_level == {
        "emergency": set(EMERGENCY_FLAGS),
        "provider_prompt": set(PROMPT_FLAGS),
        "provider_same_day": set(SAME_DAY_FLAGS),
    }


# --- answering the questions -----------------------------------------------------------

@pytest.mark.parametrize("replies, asked, outcome", [
    pytest.param(["no"] * 5, list(ALL_QUESTIONS), done(None),
                 id="no to all five questions finds nothing"),
    pytest.param(["yes"], [NERVES], EMERGENCY,
                 id="yes to the nerves question is an emergency"),
    pytest.param(["no", "yes"], [NERVES, CHEST], EMERGENCY,
                 id="yes to the chest-or-accident question is an emergency"),
    pytest.param(["no", "no", "yes"], [NERVES, CHEST, LEG], done("provider_prompt"),
                 id="yes to the leg-or-injury question skips the less urgent questions"),
    pytest.param(["no", "no", "no", "yes"], [NERVES, CHEST, LEG, SEVERE], done("provider_prompt"),
                 id="yes to the severe question skips the same-day question"),
    pytest.param(["no", "no", "no", "no", "yes"], list(ALL_QUESTIONS), done("provider_same_day"),
                 id="yes to the same-day question only needs a same-day check"),
])
def test_answers(content, replies, asked, outcome):
    questions, result = talk(content, replies)
    assert questions == asked
    assert summary(result) == outcome


def test_no_to_everything_asks_exactly_five_questions_each_once(content):
    asked, outcome = answer_no_until_done(content, triage.start(content))
    assert asked == list(ALL_QUESTIONS)
    assert outcome == Done(None)


@pytest.mark.parametrize("replies, outcome", [
    pytest.param(["unsure"], ask(NERVES, "triage_unsure"),
                 id="unsure once repeats the same question with a hint"),
    pytest.param(["unsure", "unsure"], EMERGENCY_UNSURE_AS_YES,
                 id="unsure twice to an emergency question counts as yes: emergency, and says so"),
    pytest.param(["no", "unsure", "unsure"], EMERGENCY_UNSURE_AS_YES,
                 id="unsure twice to the chest-or-accident question is an emergency"),
    pytest.param(["no", "no", "unsure", "unsure"], done("provider_prompt", "triage_unsure_as_yes"),
                 id="unsure twice to the leg question counts as yes and says so"),
    pytest.param(["no", "no", "no", "no", "unsure", "unsure"], done("provider_same_day", "triage_unsure_as_yes"),
                 id="unsure twice to the same-day question counts as yes and says so"),
    pytest.param(["unsure", "no"], ask(CHEST),
                 id="unsure then no moves on to the next question"),
    pytest.param(["unsure", "no", "unsure"], ask(CHEST, "triage_unsure"),
                 id="one unsure per question: the next question gets its own second chance"),
    pytest.param(["no", "no", "unsure", "yes"], done("provider_prompt"),
                 id="unsure then yes is a plain yes"),
])
def test_unsure_answers(content, replies, outcome):
    _, result = talk(content, replies)
    assert summary(result) == outcome


def test_unsure_once_keeps_the_same_step(content):
    first = triage.start(content)
    again = triage.answer(content, first.state, "unsure")
    assert again.question == first.question
    assert again.state.step == first.state.step
    assert again.state.unsure == 1


def test_unsure_as_yes_to_the_leg_question_still_skips_the_less_urgent_questions(content):
    asked, outcome = talk(content, ["no", "no", "unsure", "unsure"])
    assert asked == [NERVES, CHEST, LEG, LEG]
    assert isinstance(outcome, Done)


@pytest.mark.parametrize("reply", ["yes", "unsure"])
def test_the_emergency_outcome_carries_the_emergency_level(content, reply):
    outcome = triage.answer(content, triage.start(content).state, reply)
    if reply == "unsure":
        outcome = triage.answer(content, outcome.state, reply)
    assert isinstance(outcome, Emergency)
    assert outcome.level == content.levels["emergency"]
    assert outcome.level.ends_session


# --- a level already known before the questions ----------------------------------------

@pytest.mark.parametrize("floor, asked, level", [
    pytest.param("provider_prompt", [NERVES, CHEST], "provider_prompt",
                 id="known provider-prompt level still asks both emergency questions, then stops"),
    pytest.param("provider_same_day", [NERVES, CHEST, LEG, SEVERE], "provider_same_day",
                 id="known same-day level skips only the same-day question"),
    pytest.param(None, list(ALL_QUESTIONS), None,
                 id="no known level asks everything"),
])
def test_start_with_a_floor(content, floor, asked, level):
    questions, outcome = answer_no_until_done(content, triage.start(content, floor))
    assert questions == asked
    assert summary(outcome) == done(level)


def test_a_floor_can_still_be_raised_to_an_emergency(content):
    _, outcome = talk(content, ["no", "yes"], floor="provider_prompt")
    assert outcome == Emergency(content.levels["emergency"])


def test_a_same_day_floor_is_raised_by_yes_to_the_leg_question(content):
    _, outcome = talk(content, ["no", "no", "yes"], floor="provider_same_day")
    assert summary(outcome) == done("provider_prompt")


# --- red flags the user mentions without being asked -----------------------------------

def _expected_volunteered_without_triage(flag):
    if flag in EMERGENCY_FLAGS:
        return EMERGENCY
    return ask(NERVES, "noted_flag")  # a triage starts, with both emergency questions


@pytest.mark.parametrize("flag", EMERGENCY_FLAGS + PROMPT_FLAGS + SAME_DAY_FLAGS)
def test_volunteering_a_flag_with_no_triage_running(content, flag):
    outcome = triage.volunteer(content, None, flag)
    assert summary(outcome) == _expected_volunteered_without_triage(flag)


@pytest.mark.parametrize("flag, level", [(f, "provider_prompt") for f in PROMPT_FLAGS]
                         + [(f, "provider_same_day") for f in SAME_DAY_FLAGS])
def test_a_volunteered_flag_sets_the_level_the_triage_ends_with(content, flag, level):
    _, outcome = answer_no_until_done(content, triage.volunteer(content, None, flag))
    assert summary(outcome) == done(level)


# What happens when a flag is mentioned while the skill waits for an answer to `waiting`.
VOLUNTEERED_MID_TRIAGE = (
    [(NERVES, f, EMERGENCY) for f in EMERGENCY_FLAGS]
    + [(LEG, f, EMERGENCY) for f in EMERGENCY_FLAGS]
    + [(CHEST, f, ask(CHEST, "noted_flag")) for f in PROMPT_FLAGS + SAME_DAY_FLAGS]
    + [(LEG, f, done("provider_prompt")) for f in PROMPT_FLAGS]
    + [(LEG, f, ask(LEG, "noted_flag")) for f in SAME_DAY_FLAGS]
    + [(SEVERE, f, ask(SEVERE, "noted_flag")) for f in SAME_DAY_FLAGS]
    + [(SAME_DAY, f, done("provider_same_day")) for f in SAME_DAY_FLAGS]
    + [(SAME_DAY, f, done("provider_prompt")) for f in PROMPT_FLAGS]
)


def _mid_triage_id(case):
    waiting, flag, outcome = case
    result = {"emergency": "emergency"}.get(outcome[0]) or (
        f"asks {outcome[1]} again" if outcome[0] == "ask" else f"done at {outcome[1]}")
    return f"{flag} mentioned while asking {waiting} -> {result}"


@pytest.mark.parametrize("waiting, flag, outcome", VOLUNTEERED_MID_TRIAGE,
                         ids=[_mid_triage_id(c) for c in VOLUNTEERED_MID_TRIAGE])
def test_volunteering_a_flag_during_the_triage(content, waiting, flag, outcome):
    result = triage.volunteer(content, waiting_at(content, waiting), flag)
    assert summary(result) == outcome


def test_a_provider_flag_mid_triage_keeps_asking_the_remaining_emergency_question(content):
    outcome = triage.volunteer(content, waiting_at(content, CHEST), "one_leg")
    assert summary(outcome) == ask(CHEST, "noted_flag")
    assert summary(triage.answer(content, outcome.state, "no")) == done("provider_prompt")
    assert summary(triage.answer(content, outcome.state, "yes")) == EMERGENCY


def test_a_provider_flag_with_no_triage_asks_both_emergency_questions_then_stops(content):
    asked, outcome = answer_no_until_done(content, triage.volunteer(content, None, "significant_injury"))
    assert asked == [NERVES, CHEST]
    assert summary(outcome) == done("provider_prompt")


def test_a_less_urgent_flag_never_lowers_the_level_found(content):
    asking_chest = triage.answer(content, triage.start(content, "provider_prompt").state, "no")
    outcome = triage.volunteer(content, asking_chest.state, "fever")
    assert summary(outcome) == ask(CHEST, "noted_flag")
    assert summary(triage.answer(content, outcome.state, "no")) == done("provider_prompt")


def test_volunteering_forgets_a_pending_unsure(content):
    unsure = triage.answer(content, triage.start(content).state, "unsure")
    outcome = triage.volunteer(content, unsure.state, "fever")
    assert outcome.state.unsure == 0
    assert summary(triage.answer(content, outcome.state, "unsure")) == ask(NERVES, "triage_unsure")


# --- state kept in the session between turns -------------------------------------------

@pytest.mark.parametrize("garbage", [
    pytest.param({}, id="empty"),
    pytest.param(None, id="None"),
    pytest.param("step", id="a string"),
    pytest.param([], id="a list"),
    pytest.param(7, id="a number"),
    pytest.param({"step": None}, id="step is None"),
    pytest.param({"step": "x"}, id="step is not a number"),
    pytest.param({"step": [1]}, id="step is a list"),
    pytest.param({"step": -3}, id="step is negative"),
    pytest.param({"level": "provider_prompt"}, id="no step"),
    pytest.param({"step": 0, "unsure": "x"}, id="unsure is not a number"),
    pytest.param({"step": 5}, id="step is just past the last question"),
    pytest.param({"step": 99}, id="step is far past the last question"),
])
def test_a_malformed_state_starts_the_triage_over(content, garbage):
    state = State.from_dict(garbage, questions=len(content.triage))
    assert state == State()
    assert summary(triage.answer(content, state, "yes")) == EMERGENCY


@pytest.mark.parametrize("data, expected", [
    pytest.param({"step": 2, "level": 5}, State(step=2), id="a level that is not a string is dropped"),
    pytest.param({"step": 1, "unsure": -4}, State(step=1), id="a negative unsure count becomes zero"),
    pytest.param({"step": "3"}, State(step=3), id="a step sent as text is read"),
    pytest.param({"step": 1, "level": None, "unsure": 1, "after": "plan"}, State(step=1, unsure=1),
                 id="extra session keys are ignored"),
])
def test_a_partly_odd_state_keeps_what_is_usable(data, expected):
    assert State.from_dict(data) == expected


@pytest.mark.parametrize("state", [
    pytest.param(State(), id="fresh"),
    pytest.param(State(step=1, level=None, unsure=1), id="unsure once at the second question"),
    pytest.param(State(step=2, level="provider_same_day"), id="a level found"),
    pytest.param(State(step=4, level="provider_prompt", unsure=0), id="at the last question"),
])
def test_state_round_trips_through_the_session(state):
    data = state.to_dict()
    assert data == {"step": state.step, "level": state.level, "unsure": state.unsure}
    assert State.from_dict(data) == state


def test_every_state_the_triage_hands_out_survives_the_session(content):
    """Each Ask's state, stored and read back, leads to the same next step."""
    outcome = triage.start(content)
    while isinstance(outcome, Ask):
        restored = State.from_dict(outcome.state.to_dict())
        assert restored == outcome.state
        for reply in ("yes", "no", "unsure"):
            assert triage.answer(content, restored, reply) == triage.answer(content, outcome.state, reply)
        outcome = triage.answer(content, restored, "no")
