"""The English locales the skill speaks, their emergency numbers (../shared/CONTENT-SOURCES.md,
emergency-numbers), and how to find an emergency number in spoken text however it is
written: shared by the content lint and the conversation tests."""

import re

LOCALES = ("en-US", "en-CA", "en-GB", "en-AU", "en-IN")
NUMBERS = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "000", "en-IN": "112"}
_DIGIT_WORDS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "nine": "9"}


def numbers_named(text):
    """Every digit string the text names: digits written together or apart ('9-1-1',
    '9 1 1'), spelled out ('nine one one', 'triple zero', 'double nine nine')."""
    words = text.lower()
    words = re.sub(r"\b(double|triple) (\w+)",
                   lambda m: " ".join([m.group(2)] * (2 if m.group(1) == "double" else 3)), words)
    words = re.sub(r"\b(" + "|".join(_DIGIT_WORDS) + r")\b", lambda m: _DIGIT_WORDS[m.group(1)], words)
    return {re.sub(r"\D", "", run) for run in re.findall(r"\d(?:[\s.\-]?\d)*", words)}


def foreign_numbers_in(text, locale):
    """The other locales' emergency numbers that `text`, spoken in `locale`, names."""
    own = NUMBERS.get(locale)
    foreign = {number for number in NUMBERS.values() if number != own}
    return sorted({number for found in numbers_named(text) for number in foreign if number in found})
