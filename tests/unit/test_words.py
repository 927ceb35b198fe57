"""Free words no sample took (spasm_coach.words, slots.reread): a question about a topic, a
spasm report, an onset, or nothing we know. The phrases here are our own, never the
held-out set's (tests/nlu/heldout-en-US.yaml measures what we did not write)."""

import json

import pytest

from spasm_coach import words
from spasm_coach.alexa import slots
from tests.conftest import ROOT


@pytest.mark.parametrize("text, topic", [
    ("would soaking in a tub loosen things up", "ice_heat"),
    ("is a bag of frozen sweetcorn as good as peas", "ice_heat"),
    ("is yoga a bad idea with a knot this size", "stretches"),
    ("could a theragun make it worse", "massage"),
    ("does drinking more water do anything for cramps", "diet"),
    ("what's the strongest thing i can buy over the counter", "pain_relief"),
    ("is it worth booking a physio", "stretches"),
    ("would an osteopath be able to sort me out", "chiropractic"),
    ("could my job stress be behind this", "stress"),
    ("what stops it coming back", "prevention"),
    ("at what stage do i need a doctor for this", "see_doctor"),
    ("how long till i'm back to normal", "how_long"),
    ("what causes them in the first place", "about_spasms"),
    ("why does my back do this to me", "about_spasms"),
    ("is it ok if my wife rubs my back", "massage"),
    ("how should i sit without making it worse", "rest"),
    # the topic mentioned first is the one asked about
    ("should i take ibuprofen before i stretch", "pain_relief"),
    ("should i stretch before i take ibuprofen", "stretches"),
])
def test_a_question_that_mentions_a_topic_asks_about_it(content, text, topic):
    assert words.read(content, text) == words.Meaning(words.TOPIC, topic)


@pytest.mark.parametrize("text, topic", [
    ("can i stretch while my back is in spasm", "stretches"),
    ("is a massage ok when my back has locked up like this", "massage"),
])
def test_a_question_that_also_reports_a_spasm_is_a_report_asking_about_the_topic(content, text, topic):
    assert words.read(content, text) == words.Meaning(words.REPORT, topic)


@pytest.mark.parametrize("text", [
    "my spine has turned to concrete",
    "the muscles along my spine are rock solid",
    "there's a muscle under my shoulder blade that keeps jumping",
    "i tweaked it reaching for the kettle",
    "i can hardly get my shoes on",
    "ugh i'm stuck on the bathroom floor",
    # a statement that names a topic too is still a report: the red-flag questions first
    "my back locked up in the shower",
])
def test_words_that_say_the_back_is_wrong_are_a_spasm_report(content, text):
    assert words.read(content, text) == words.Meaning(words.REPORT)


@pytest.mark.parametrize("text", ["what's the weather like", "put on some jazz", "my cat is orange", "", "   "])
def test_words_about_nothing_we_know_mean_nothing(content, text):
    assert words.read(content, text) is None


def test_every_topic_is_found_by_its_own_name(content):
    texts = content.texts("en-US")
    for topic in content.topics.values():
        name = texts.say(topic.name).lower()
        assert words.read(content, f"tell me about {name}") == words.Meaning(words.TOPIC, topic.id), name


@pytest.mark.parametrize("intent, text, expected", [
    # an onset answer stays an onset, even when it says what they were doing or begins "when"
    ("OnsetIntent", "two hours ago while i was stretching", ("OnsetIntent", None)),
    ("OnsetIntent", "while i was doing pilates", ("OnsetIntent", None)),
    ("OnsetIntent", "when i got out of the bath this morning", ("OnsetIntent", None)),
    ("OnsetIntent", "it was during my pilates class", ("OnsetIntent", None)),
    # words about a topic that are no onset are about that topic
    ("OnsetIntent", "i'm so anxious about all this", ("TopicIntent", "stress")),
    # ... unless it reports the spasm (which carries its onset) or asks a question
    ("OnsetIntent", "my back gave out on me yesterday", ("ReportSpasmIntent", None)),
    ("OnsetIntent", "is yoga ok when my back has locked up", ("ReportSpasmIntent", "stretches")),
    ("OnsetIntent", "can i have a hot bath tonight", ("TopicIntent", "ice_heat")),
    ("OnsetIntent", "when should i get it looked at", ("TopicIntent", "see_doctor")),
    # a yes or a no with nothing but more of the same is that answer; words that begin as
    # an answer and go on answered what we asked: nothing else is read into them, and a no
    # that names a sign ("no chest pain at all") is a denial of that sign, no answer to
    # another question
    ("OnsetIntent", "yes a little", ("AMAZON.YesIntent", None)),
    ("OnsetIntent", "yeah go on then", ("AMAZON.YesIntent", None)),
    ("OnsetIntent", "nah i'm fine", ("AMAZON.NoIntent", None)),
    ("OnsetIntent", "no thanks maybe tomorrow", ("AMAZON.NoIntent", None)),
    ("OnsetIntent", "no chest pain at all", ("DenySignIntent", None)),
    ("OnsetIntent", "uh huh that's right", ("AMAZON.YesIntent", None)),
    # a denial said as a statement; a question is none
    ("OnsetIntent", "my legs feel totally normal", ("DenySignIntent", None)),
    ("OnsetIntent", "peeing is fine", ("DenySignIntent", None)),
    ("TopicIntent", "i sleep fine", ("DenySignIntent", None)),
    ("OnsetIntent", "is my chest ok", ("OnsetIntent", None)),  # (an onset that names no time)
    # fillers before the words are left out
    ("OnsetIntent", "um so would a massage gun help", ("TopicIntent", "massage")),
    ("OnsetIntent", "uh my back it's uh it's locked", ("ReportSpasmIntent", None)),
    # how the back is, at a check-in, before any time it names; a report stays a report
    # (the safety questions come first)
    ("OnsetIntent", "still the same as yesterday", ("CheckInIntent", "same")),
    ("OnsetIntent", "pretty much how it was", ("CheckInIntent", "same")),
    ("OnsetIntent", "it's gone downhill", ("CheckInIntent", "worse")),
    ("OnsetIntent", "i can move a lot more now", ("CheckInIntent", "better")),
    ("OnsetIntent", "i'm totally back to normal", ("CheckInIntent", "gone")),
    ("OnsetIntent", "much worse today i can barely move", ("ReportSpasmIntent", None)),
    ("OnsetIntent", "it's gone into my legs", ("OnsetIntent", None)),   # (a red flag: read before any of this)
    ("OnsetIntent", "it's better when i lean forward", ("OnsetIntent", None)),
    # what a spasm report says wins over anything its words might ask for
    ("OnsetIntent", "it hurts from the top of my back", ("ReportSpasmIntent", None)),
    ("OnsetIntent", "the pain won't stop", ("OnsetIntent", None)),
    ("OnsetIntent", "not sure maybe two days ago", ("OnsetIntent", None)),
    ("OnsetIntent", "is it better to rest", ("TopicIntent", "rest")),
    # a question about nothing we know is no onset, whatever time it names
    ("OnsetIntent", "who won the football last night", ("AMAZON.FallbackIntent", None)),
    ("OnsetIntent", "yes it hurts when i lie in bed", ("OnsetIntent", None)),
    ("OnsetIntent", "no i'll go and lie down", ("OnsetIntent", None)),
    ("OnsetIntent", "no thanks i'm heading back out", ("OnsetIntent", None)),
    ("OnsetIntent", "er i don't know", ("UnsureIntent", None)),
    ("TopicIntent", "no i'm not worried", ("TopicIntent", None)),
    # a topic question whose topic did not resolve: the topic from its words, never a report
    ("TopicIntent", "my back is sore would a massage gun help", ("TopicIntent", "massage")),
    ("TopicIntent", "my back is killing me", ("TopicIntent", None)),
    # other intents keep what the model said (Fallback carries no words on a device)
    ("CheckInIntent", "my back is killing me", ("CheckInIntent", None)),
    ("ReportSpasmIntent", "should i use ice", ("ReportSpasmIntent", None)),
    ("AMAZON.FallbackIntent", "is walking the dog okay", ("AMAZON.FallbackIntent", None)),
])
def test_reread_gives_the_intent_the_words_mean(content, intent, text, expected):
    meant = slots.reread(content, intent, text)
    assert (meant.intent, meant.topic or meant.status) == expected


@pytest.mark.parametrize("text, cause", [
    ("i tripped over the dog", "fall"),
    ("i bent down to tie my shoe", "strain"),
    ("i was moving a wardrobe", "strain"),
    ("i was lifting a box when i slipped on the stairs", "fall"),       # the more urgent wins
    ("i was carrying the shopping and got hit by a car", "accident"),
    ("i didn't lift anything it just went", None),                      # a denied cause is none
    ("i slipped a disc lifting the shopping", "strain"),
    ("i nearly fell but caught myself", None),
    ("i fell asleep on the sofa", None),
    ("it just went for no reason", None),
])
def test_a_report_s_words_give_its_cause(content, text, cause):
    assert words.mentioned_cause(content, text) == cause


@pytest.mark.parametrize("text, intent, reminder", [
    ("when's my next reminder", "ListRemindersIntent", None),
    ("get rid of all those reminders", "CancelRemindersIntent", None),
    ("can you nudge me when it's time to switch to heat", "SetReminderIntent", "heat"),
    ("don't let me forget to check in tomorrow", "SetReminderIntent", "checkin"),
    ("is it better to put something hot or cold on it", "IceOrHeatIntent", None),
    ("start over from the beginning", "AMAZON.StartOverIntent", None),
    ("sorry i didn't catch that", "AMAZON.RepeatIntent", None),
    ("how does this thing work", "AMAZON.HelpIntent", None),
    ("got any other ideas", "MoreTipsIntent", None),
    ("honestly i couldn't tell you", "UnsureIntent", None),
    ("actually no wait cancel", "AMAZON.CancelIntent", None),
    ("okay bye for now", "AMAZON.StopIntent", None),
    # a topic question is read before the requests read after topics
    ("how do i stop it coming back", "TopicIntent", None),
    ("let's begin again from the top", "AMAZON.StartOverIntent", None),
    ("what more can i do", "MoreTipsIntent", None),
])
def test_words_that_ask_for_something_the_skill_does(content, text, intent, reminder):
    meant = slots.reread(content, "OnsetIntent", text)
    assert (meant.intent, meant.reminder) == (intent, reminder)


@pytest.mark.parametrize("said, meant", [
    ("he can't feel his legs", "i can't feel my legs"),
    ("she's wet herself without noticing", "i've wet myself without noticing"),
    ("he says his bum has gone numb", "i say my bum has gone numb"),
    ("she's in agony", "i'm in agony"),
    ("my husband's legs have gone numb", "my legs have gone numb"),
    ("they can't feel their legs", "i can't feel my legs"),
    ("my wife says her bum is numb", "i say my bum is numb"),
    ("my dad is on chemo", "i am on chemo"),
])
def test_a_carer_s_words_are_read_as_if_said_of_themselves(content, said, meant):
    assert content.reading.in_first_person(said) == meant


@pytest.mark.parametrize("said, meant", [
    ("i cant feel my legs", "i can't feel my legs"),
    ("im not sure i dont know", "i'm not sure i don't know"),
    ("its getting worse and ive been on steroids", "it's getting worse and i've been on steroids"),
    ("thats all whats next", "that's all what's next"),
    ("lets begin again from the top", "let's begin again from the top"),
    ("it never lets up", "it never lets up"),
    ("my husbands legs have gone numb", "my husband's legs have gone numb"),
    ("my backs gone and theyre worried", "my back's gone and they're worried"),
    # and a few said the long way
    ("im not able to feel my legs", "i can't feel my legs"),
    ("she is unable to pee", "she can't pee"),
    ("i wasnt able to go to the toilet", "i couldn't go to the toilet"),
    # words that are words as they stand are left alone
    ("my legs were weak and i feel ill", "my legs were weak and i feel ill"),
    ("will it go away on its own", "will it go away on its own"),
    ("it hurts like hell", "it hurts like hell"),
])
def test_words_given_without_their_apostrophe_are_read_with_it(content, said, meant):
    assert content.reading.as_spelled(said) == meant


def test_every_request_the_content_names_has_an_intent(content):
    assert {wanted.id for wanted in content.reading.requests} <= set(slots.REQUESTS)
    schema = json.loads((ROOT / "content" / "schema" / "rules.schema.json").read_text())
    ids = schema["properties"]["reading"]["properties"]["requests"]["items"]["properties"]["id"]["enum"]
    assert set(ids) == set(slots.REQUESTS)
