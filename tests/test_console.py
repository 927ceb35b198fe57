"""`make chat` as a new user meets it: lines typed in, Alexa's answers printed, the clock
travelling, and episodes remembered between runs of the console."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from tests.conftest import HANG_S

ROOT = Path(__file__).resolve().parents[1]


def chat(lines, state_dir, locale=None, model=None):
    env = {**os.environ, "BSC_CHAT_DIR": str(state_dir)}
    if model:
        env["BSC_MODEL"] = str(model)
    if locale:
        env["BSC_LOCALE"] = locale
    env.pop("TABLE_NAME", None)
    done = subprocess.run([sys.executable, "-m", "devkit.chat"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=HANG_S)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_whole_episode_from_report_to_heat(tmp_path):
    out = chat([
        "open back spasm coach", "yes", "no", "no", "no", "no", "no", "no",
        "it started two hours ago", "no thanks",
        ":advance 2d",
        "ask back spasm coach should i use ice or heat",
    ], tmp_path)
    assert "not medical advice" in out
    assert "[OnsetIntent" in out and "Use ice" in out
    after_travel = out.split(":advance 2d")[1]
    assert "switch to heat now" in after_travel


def test_episodes_survive_a_restart_and_reset_forgets_them(tmp_path):
    chat(["ask back spasm coach ice or heat", "yesterday"], tmp_path)
    out = chat(["open back spasm coach"], tmp_path)
    assert "Welcome back" in out and "yesterday" in out
    out = chat([":reset", "open back spasm coach"], tmp_path)
    assert "Welcome back" not in out and "Welcome to Back Spasm Coach" in out


def test_unknown_words_are_not_understood_like_on_a_device(tmp_path):
    """virtual-alexa hears words no other sample takes as OnsetIntent's bare "{date}"
    (its built-in slots take anything), the skill finds no date in them: not understood."""
    out = chat(["open back spasm coach", "the weather in paris"], tmp_path)
    heard = out.split("you> the weather in paris", 1)[1]
    assert re.search(r"\[(AMAZON.FallbackIntent|OnsetIntent date=the weather in paris.*)\]", heard), heard
    assert "didn't get that" in heard


def test_when_nothing_matches_the_developer_sees_the_closest_intents(tmp_path):
    """Not spoken: a side note names the three intents that came closest, each with its
    closest sample and how much the line shares with it. (A model whose samples include
    slots alone takes every line, so this one is ours without those.)"""
    model = json.loads((ROOT / "interaction_model" / "skill-package" / "interactionModels" / "custom"
                        / "en-US.json").read_text())
    for intent in model["interactionModel"]["languageModel"]["intents"]:
        intent["samples"] = [s for s in intent.get("samples", []) if not re.fullmatch(r"(\s*\{\w+\}\s*)+", s)]
        if intent["name"] == "TopicIntent":
            intent["samples"].append("could {topic} ever sort out my poor old back")
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model))
    out = chat(["open back spasm coach", "could the weather ever sort out my poor old back", "yes"], tmp_path / "chat", model=path)
    heard = out.split("could the weather ever sort out my poor old back")[1]
    assert "[AMAZON.FallbackIntent]" in heard and "didn't get that" in heard
    note = re.search(r"\n  \(no sample matched; closest: (.*)\)\n", heard)
    assert note, heard
    closest = note.group(1).split("; ")
    assert len(closest) == 3
    assert re.fullmatch(r'TopicIntent \d+% "could \{topic\} ever sort out my poor old back"', closest[0]), closest
    assert not any(line.startswith("Alexa:") and "closest" in line for line in out.splitlines())


def test_commands_are_explained(tmp_path):
    out = chat([":help", ":advance soon", ":time"], tmp_path)
    assert ":advance" in out and "usage" in out and "clock:" in out


def test_a_reminder_set_by_voice_consent_goes_off_when_the_clock_passes_it(tmp_path):
    """The console's clock starts at the real time of day, and a heat reminder that would
    fall in the night moves to the morning: it goes off 48 to 59.5 hours after "just now".
    So the clock moves a day (nothing yet), then a day and a half more, and the reminder
    plays at the very time the skill said it would."""
    out = chat([
        ":tz America/Chicago",
        "ask back spasm coach should i use ice or heat", "just now",
        "yes",          # remind me when it's time to switch to heat
        "yes",          # Alexa's own question: permission for reminders
        "no",           # no check-in reminder
        ":advance 1d",
        ":advance 1d12h",
    ], tmp_path)
    assert "Do you give Back Spasm Coach permission" in out
    assert "[Alexa's consent answer: ACCEPTED]" in out and "I'll remind you to switch to heat at" in out
    # "noon" is how a reminder due at 12:00 PM is said (the console's clock is the real time of day)
    promised = re.search(r"switch to heat at (\d{1,2})(?::(\d\d))? ([AP]M) on (\w+)",
                         out.replace("switch to heat at noon", "switch to heat at 12 PM"))
    first_day, rest = out.split(":advance 1d\n")[1].split(":advance 1d12h")
    assert "[reminder," not in first_day
    played = re.search(r"\[reminder, (\w+) (\d\d):(\d\d) ([AP]M)\] Alexa: (.*)", rest)
    assert played and played.group(5).startswith("It's time to switch from ice to heat for your back.")
    hour, minute, half, day = promised.groups()
    assert (day, int(hour), int(minute or 0), half) == \
        (played.group(1), int(played.group(2)), int(played.group(3)), played.group(4)), "at the time it said"


def test_reminders_and_permission_survive_a_restart(tmp_path):
    chat(["ask back spasm coach ice or heat", "just now", "yes", "yes", "no"], tmp_path)
    out = chat(["ask back spasm coach what reminders do i have"], tmp_path)
    assert "I'll remind you to switch to heat at" in out


def test_a_british_console_says_999_for_a_red_flag_and_gives_the_plan_otherwise(tmp_path):
    """`make chat LOCALE=en-GB`: a patient with a red flag hears 999 (never 911); a
    self-care patient gets the plan, with times on a British clock."""
    out = chat(["open back spasm coach", "yes", "yes"], tmp_path / "red", locale="en-GB")
    assert "Call 999 now, or go to A&E" in out and "911" not in out
    out = chat(["open back spasm coach", "yes", "no", "no", "no", "no", "no",
                "it started this morning", "no thanks"], tmp_path / "plan", locale="en-GB")
    assert "Use ice" in out and "switch to heat" in out and "911" not in out
    assert "Europe/London" in out


def test_the_console_says_how_the_skill_read_words_no_sample_took(tmp_path):
    out = chat(["open back spasm coach", "is it worth booking an osteopath"], tmp_path)
    heard = out.split("you> is it worth booking an osteopath", 1)[1]
    assert "[OnsetIntent date=is it worth booking an osteopath]" in heard
    assert "(the skill reads the words as TopicIntent topic=chiropractic)" in heard
    assert "chiropractor" in heard
