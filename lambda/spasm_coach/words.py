"""What free words are about, when no sample of the interaction model took them.

Such words still reach the skill: virtual-alexa puts a phrase no other sample matches into
OnsetIntent's date slot, and Alexa hands a question it could not place to TopicIntent's
AMAZON.SearchQuery slot. Red flags in them are found first, and win (triage.mentioned_flags).
The rest is read here, from content/rules.json (`reading`, and each topic's `mentions`):

* words that ask a question and mention a topic ask about that topic ("do cold packs
  actually work" is about ice and heat); when they also say the back is wrong ("is yoga
  ok when my back has locked up") they are a report that asks about the topic;
* otherwise words that say something is wrong with the back are a spasm report ("my back
  is absolutely killing me"), which starts the red-flag questions: the safe reading;
* otherwise words that mention a topic are about it ("a massage gun");
* anything else is not understood, and words that begin as an answer ("yes it hurts
  when I lie in bed", "no I'll go lie down") answered what we asked (`reply`).

Filler words before the real ones ("um so would a massage help") are left out
(`without_fillers`). Words may also say how the back is at a check-in (`status`: "pretty
much how it was" is the same) and what started the spasm (`mentioned_cause`: "i tripped
over the dog" is a fall), and ask for one thing the skill does (`request`: "start over
from the beginning", "when's my next reminder").

When several topics are mentioned, the one mentioned first is meant ("should I take
ibuprofen before I stretch"). Pure Python over content/: nothing here knows Alexa.
"""

from dataclasses import dataclass

from . import triage

REPORT = "report"
TOPIC = "topic"
YES, NO = "yes", "no"


@dataclass(frozen=True)
class Meaning:
    kind: str               # REPORT or TOPIC
    topic: str | None = None


def mentioned_topic(content, text):
    """The id of the topic `text` mentions first, or None (ties: the topics' order)."""
    best = None
    for order, topic in enumerate(content.topics.values()):
        starts = [match.start() for pattern in topic.mentions for match in [pattern.search(text)] if match]
        if starts and (best is None or (min(starts), order) < best[0]):
            best = ((min(starts), order), topic.id)
    return best[1] if best else None


def is_question(content, text):
    return content.reading.says("question", text)


def is_answer(content, text):
    return content.reading.says("answer", text)


def reply(content, text):
    """YES or NO when the words begin with one ("yes a little", "nah I'm fine"), else None."""
    return next((kind for kind in (YES, NO) if content.reading.says(kind, text)), None)


def is_circumstance(content, text):
    return content.reading.says("circumstance", text)


def read(content, text):
    """The Meaning of free words `text` (lowercase or not), or None when they say nothing
    we know."""
    text = (text or "").strip()
    if not text or is_answer(content, text) or reply(content, text):
        return None
    topic = mentioned_topic(content, text)
    if topic and is_question(content, text):
        # "is yoga ok when my back has locked up": the report comes first, the topic later
        return Meaning(REPORT, topic) if content.reading.says("complaint", text) else Meaning(TOPIC, topic)
    if content.reading.says("report", text):
        return Meaning(REPORT)
    return Meaning(TOPIC, topic) if topic else None


# How the back is, in the order the check-in statuses are read: "no better" is the same,
# "all better" is gone, and what is worse is worse whatever else is said.
STATUS_ORDER = ("same", "worse", "gone", "better")


def without_fillers(content, text):
    """`text` without the filler words it begins with ("um so is ice ok"); words that are
    nothing but fillers stay as they are (an answer: "um")."""
    return content.reading.without("filler", text) or text


def status(content, text):
    """The check-in status the words say (better, same, worse, gone), or None."""
    return next((kind for kind in STATUS_ORDER if content.reading.says(kind, text)), None)


def mentioned_cause(content, text):
    """The id of the most urgent cause the words say started the spasm ("i tripped over the
    dog": fall; rules.json triage.causes `mentions`), or None. One said with a negation
    before it ("i didn't lift anything") does not count."""
    for cause in content.causes.values():  # the most urgent first
        if any(triage.affirmed(match, text) for pattern in cause.mentions for match in pattern.finditer(text)):
            return cause.id
    return None


def request(content, text, read):
    """The first of rules.json's reading.requests the words make (content.Request) of those
    read at `read` ("before_topics", "after_topics", "last"), or None."""
    return next((wanted for wanted in content.reading.requests if wanted.read == read
                 and any(pattern.search(text) for pattern in wanted.mentions)), None)
