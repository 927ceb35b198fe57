"""The five English locales: each says its own emergency number and no other locale's,
inherits from its base only the lines it does not say differently, never falls back to a
wrong number, and speaks clock times in its own style."""

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from spasm_coach import content as content_module
from spasm_coach import speech
from tests.locales import LOCALES, NUMBERS, foreign_numbers_in, numbers_named

ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = ROOT / "content"


def spoken(texts, message_id):
    values = {name: f"<{name}>" for name in content_module.PLACEHOLDERS - {"number"}}
    return texts.say(message_id, **values)


def test_the_lint_sees_numbers_however_they_are_written():
    assert {"911"} <= numbers_named("Call 9-1-1 now")
    assert {"911"} <= numbers_named("call nine one one")
    assert {"000"} <= numbers_named("ring triple zero")
    assert {"999"} <= numbers_named("dial 9 9 9")
    assert "911" not in numbers_named("15 to 20 minutes, 48 hours")


@pytest.mark.parametrize("locale", LOCALES)
def test_no_locale_names_another_locales_emergency_number(content, locale):
    texts = content.texts(locale)
    offenders = [f"{locale} {message_id}: {number}" for message_id in texts.messages
                 for number in foreign_numbers_in(spoken(texts, message_id), locale)]
    assert offenders == [], f"another locale's emergency number: {offenders}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_content_and_its_own_number_in_every_emergency_line(content, locale):
    assert locale in content.locales, f"content/locales/{locale}.json is missing"
    texts = content.texts(locale)
    assert texts.number == NUMBERS[locale] == content.emergency_numbers[locale]
    english = content.locales["en-US"]
    with_number = [m for m in english.messages if "{number}" in english.messages[m] or "{number}" in texts.messages[m]]
    assert with_number
    offenders = [m for m in with_number if NUMBERS[locale] not in spoken(texts, m)]
    assert offenders == [], f"{locale} emergency lines without {NUMBERS[locale]}: {offenders}"


@pytest.mark.parametrize("locale", ["en-NZ", "en-ZA", "en", "fr-FR", ""])
def test_a_locale_without_content_never_hears_a_wrong_number(content, locale):
    texts = content.texts(locale)
    offenders = [m for m in texts.messages if numbers_named(spoken(texts, m)) & set(NUMBERS.values())]
    assert offenders == [], f"{locale!r} would hear someone else's emergency number in {offenders}"
    assert "your local emergency number" in texts.say(content.levels["emergency"].say)


def test_a_locale_with_a_number_but_no_file_speaks_its_own_number(tmp_path):
    copy = Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))
    rules = json.loads((copy / "rules.json").read_text())
    rules["emergency_numbers"]["by_locale"]["en-NZ"] = "111"
    (copy / "rules.json").write_text(json.dumps(rules))
    texts = content_module.load(copy).texts("en-NZ")
    assert "111" in texts.say("outcome_emergency") and "911" not in texts.say("outcome_emergency")


# Where the local way differs, the locale says it (issue 12: same-day care, A&E, words).
LOCAL_WAYS = {
    "en-GB": {"outcome_provider_same_day": ["NHS 111", "urgent appointment", "GP"], "outcome_emergency": ["A&E"],
              "plan_heat": ["heat pack"]},
    "en-AU": {"outcome_provider_same_day": ["GP", "healthdirect"], "plan_heat": ["heat pack"]},
    "en-IN": {"outcome_provider_same_day": ["doctor", "today"]},
    "en-CA": {"outcome_provider_same_day": ["walk-in clinic"]},
}


@pytest.mark.parametrize("locale", sorted(LOCAL_WAYS))
def test_each_locale_says_its_local_way_to_care(content, locale):
    texts = content.texts(locale)
    offenders = [f"{m}: {word!r}" for m, words in LOCAL_WAYS[locale].items() for word in words
                 if word not in texts.say(m, **{})]
    assert offenders == []
    assert "urgent care clinic" not in texts.say("outcome_provider_same_day")
    if locale in ("en-GB", "en-AU", "en-IN"):
        assert "heating pad" not in texts.say("plan_heat")


def test_an_overlay_holds_only_lines_that_differ_and_inherits_the_rest(content):
    raw = {p.stem: json.loads(p.read_text()) for p in (CONTENT_DIR / "locales").glob("*.json")}
    english = content.locales["en-US"].messages
    for locale in LOCALES[1:]:
        assert raw[locale]["base"] == "en-US"
        own = raw[locale]["messages"]
        assert all(own[m]["say"] != raw["en-US"]["messages"][m]["say"] for m in own), f"{locale} repeats en-US"
        texts = content.locales[locale]
        assert set(texts.messages) == set(english)
        assert all(texts.messages[m] == english[m] for m in english if m not in own)


def _broken(tmp_path, locale, change):
    copy = Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))
    path = copy / "locales" / f"{locale}.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    with pytest.raises(content_module.ContentError) as error:
        content_module.load(copy)
    return str(error.value)


def test_an_overlay_line_its_base_does_not_have_is_caught(tmp_path):
    def typo(data):
        data["messages"]["outcome_provider_sameday"] = {"say": "See a GP.", "source": "seed"}
    assert "outcome_provider_sameday: not a line of en-US" in _broken(tmp_path, "en-GB", typo)


def test_an_overlay_whose_base_is_missing_or_loops_is_caught(tmp_path):
    assert "is not a locale file" in _broken(tmp_path, "en-GB", lambda d: d.__setitem__("base", "en-GB"))


def test_an_overlay_line_without_a_source_is_caught(tmp_path):
    def unsourced(data):
        data["messages"]["plan_heat"]["source"] = "my-aunt"
    assert "unknown source 'my-aunt'" in _broken(tmp_path, "en-AU", unsourced)


# --- clock style -----------------------------------------------------------------------

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.parametrize("locale, noon, later", [
    ("en-US", "noon today", "December 5"), ("en-CA", "noon today", "December 5"),
    ("en-GB", "midday today", "5 December"), ("en-AU", "midday today", "5 December"),
    ("en-IN", "noon today", "5 December"),
])
def test_clock_times_are_said_the_way_the_locale_says_them(content, locale, noon, later):
    texts = content.texts(locale)
    midday = NOW.replace(hour=12).timestamp()
    assert speech.clock(texts, midday, NOW) == noon
    assert speech.clock(texts, NOW.replace(hour=15).timestamp(), NOW) == "3 PM today"
    end_of_december_5 = datetime(2026, 12, 6, 0, 0, tzinfo=NOW.tzinfo).timestamp()
    assert speech.clock(texts, end_of_december_5, NOW) == f"the end of {later}"


def test_a_24_hour_locale_would_say_15_00(content):
    texts = content_module.Texts("xx-XX", "112", content.locales["en-GB"].messages,
                                 {**content.locales["en-GB"].clock, "hours": 24})
    assert speech.clock(texts, NOW.replace(hour=15, minute=30).timestamp(), NOW) == "15:30 today"
