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

When several topics are mentioned, the one mentioned first is meant ("should I take
ibuprofen before I stretch"). Pure Python over content/: nothing here knows Alexa.
"""

from dataclasses import dataclass

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
