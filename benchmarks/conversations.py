"""The conversations the benchmark plays, as data: (label, request, words the answer must
contain). The answer check keeps the bench honest: a run whose stubbed store or warm-up
sent a skill down another path fails instead of timing the wrong thing.

`MAIN` conversations are timed turn by turn; `TOUR` conversations (the main one, then
more turn types) are played once per warm run to count DynamoDB round trips for every
turn type. Requests are made by devkit.alexa.Conversation, so they are real envelopes.
"""

from datetime import datetime, timezone

from devkit.alexa import SlotFill

# The conversation's clock: a Wednesday afternoon, as in the tests.
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)


def launch(talk):
    return talk.launch()


def intent(name, **slots):
    return lambda talk: talk.intent(name, **slots)


def new_session(talk):
    talk.new_session()


def session_ended(talk):
    return talk.end()


NO = intent("AMAZON.NoIntent")

# Ours: a first-time user with a back spasm, from opening the skill to a tip.
OURS_MAIN = (
    ("launch", launch, "is your back spasming right now"),
    ("report spasm", intent("ReportSpasmIntent"), "groin"),
    ("triage answer 1", NO, "in a leg"),
    ("triage answer 2", NO, "chest pain"),
    ("triage answer 3", NO, "a fall"),
    ("triage answer 4", NO, "cancer"),
    ("triage answer 5", NO, "worse at night"),
    ("triage answer 6", NO, "when did the spasm start"),
    ("onset", intent("OnsetIntent", date="2026-11-25", time="MO"), "use ice"),
    ("ice or heat", intent("IceOrHeatIntent"), "keep using ice"),
    ("topic", intent("TopicIntent", topic=SlotFill("ibuprofen", "pain_relief", custom=True)), "ibuprofen"),
)

# The same user coming back, then other turn types, then deleting their data.
OURS_TOUR = OURS_MAIN + (
    ("(new session)", new_session, None),
    ("launch, returning", launch, "welcome back"),
    ("check-in answer", intent("CheckInIntent", status=SlotFill("about the same", "same", custom=True)),
     "few days to settle"),
    ("help", intent("AMAZON.HelpIntent"), "i can help"),
    ("fallback", intent("AMAZON.FallbackIntent"), "didn't get that"),
    ("stop", intent("AMAZON.StopIntent"), "goodbye"),
    ("one-shot ice or heat", intent("IceOrHeatIntent"), "keep using ice"),
    ("session ended", session_ended, None),
    ("(new session)", new_session, None),
    ("delete my data", intent("DeleteDataIntent"), "should i go ahead"),
    ("delete: yes", intent("AMAZON.YesIntent"), "deleted your saved data"),
)

# The baseline: open the counter, then say "count" nine times (ten turns, like ours).
BASELINE_MAIN = (("launch", launch, "welcome to the counter"),) + tuple(
    ("count", intent("CountIntent"), f"the count is {n}") for n in range(1, 10))

BASELINE_TOUR = BASELINE_MAIN + (("session ended", session_ended, None),)

CONVERSATIONS = {
    "ours": {"main": OURS_MAIN, "tour": OURS_TOUR},
    "baseline": {"main": BASELINE_MAIN, "tour": BASELINE_TOUR},
}
