"""`make chat`: talk to Back Spasm Coach in a terminal, as if to an Echo.

Type what you would say. Each line is understood with the skill's own interaction model
(devkit.nlu), sent as a real Alexa request envelope to the real Lambda handler
(lambda/app.py), and the answer is printed as Alexa would speak it. The console also plays
Alexa's own part: it answers the skill's Settings API (the device's time zone) and
Reminders API calls on loopback, asks you for the reminders permission when the skill
wants it, and plays a reminder when the clock passes it. Episodes, reminders and the clock
are kept in .local/ between runs.

Commands:
  :advance 2d | 5h | 30m   move the clock forward (days, hours, minutes; combine: 1d6h);
                           reminders due on the way go off
  :time                    show the device's date and time
  :tz America/Chicago      set the device's time zone (:tz none: the Settings API has none)
  :new                     end the session (the next line starts a new one)
  :reset                   forget everything: episodes, reminders, permission, clock
  :help                    this text
  :quit                    leave (Ctrl-D works too)

`make chat LOCALE=en-GB` (or BSC_LOCALE) talks to the skill as a device set to that locale
(en-US, en-CA, en-GB, en-AU, en-IN): its interaction model, its texts and emergency number;
a fresh console then also starts in a time zone of that country. BSC_MODEL=path.json
understands with another interaction model JSON (say, one you are trying out).

Lines are understood exactly as virtual-alexa understands them (devkit.nlu). When no
sample matches, the console notes (not spoken) the intents that came closest, each with
its closest sample and how much of it the line shares, so you can see why.
"""

import json
import logging
import os
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from devkit import voice
from devkit.alexa import Caller, Conversation
from devkit.alexa_apis import LocalAlexaApis
from devkit.nlu import Model, model_path, normalize

ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = Path(os.environ.get("BSC_CHAT_DIR") or ROOT / ".local")
STORE = STATE_DIR / "store.sqlite3"
STATE = STATE_DIR / "chat.json"
DEFAULT_ZONE = "America/New_York"
LOCALE_ZONES = {"en-CA": "America/Toronto", "en-GB": "Europe/London", "en-AU": "Australia/Sydney",
                "en-IN": "Asia/Kolkata"}
FRESH = {"offset_s": 0, "user_id": "amzn1.ask.account.LOCAL-CHAT-USER", "zone": DEFAULT_ZONE,
         "granted": False, "reminders": {}}


def load_handler():
    """The Lambda handler exactly as deployed, on the local store."""
    os.environ.pop("TABLE_NAME", None)
    os.environ["BSC_LOCAL_STORE"] = str(STORE)
    import app
    return app.handler


class Console:
    def __init__(self, handler, out=print, locale=None):
        self.out = out
        self.locale = locale or os.environ.get("BSC_LOCALE") or "en-US"
        self.model = Model(os.environ.get("BSC_MODEL") or model_path(self.locale))
        self.state = self._load_state()
        self.apis = LocalAlexaApis(zone=self.state["zone"], granted=self.state["granted"],
                                   reminders=dict(self.state["reminders"]))
        endpoint = self.apis.start(STATE_DIR / "certs")
        self.apis.trust()
        caller = Caller(user_id=self.state["user_id"], api_endpoint=endpoint, api_token="local-console-token",
                        locale=self.locale)
        self.talk = Conversation(handler, caller, now=self.now())
        self.consent_token = None  # set while Alexa waits for a yes or no to a permission

    def close(self):
        self.apis.stop()

    # --- clock and state ---------------------------------------------------------------

    def now(self):
        return datetime.now(timezone.utc) + timedelta(seconds=self.state["offset_s"])

    def local(self, moment):
        return moment.astimezone(ZoneInfo(self.state["zone"])) if self.state["zone"] else moment

    def _load_state(self):
        try:
            state = json.loads(STATE.read_text())
            if isinstance(state, dict) and isinstance(state.get("offset_s"), (int, float)):
                return {**FRESH, **state}
        except (OSError, ValueError):
            pass
        return {**FRESH, "zone": LOCALE_ZONES.get(self.locale, DEFAULT_ZONE)}

    def _save_state(self):
        self.state.update(zone=self.apis.zone, granted=self.apis.granted, reminders=self.apis.reminders)
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        STATE.write_text(json.dumps(self.state, indent=1))

    def _clock(self):
        return f"  clock: {self.local(self.now()):%A %d %B %Y, %I:%M %p} ({self.state['zone'] or 'UTC'})"

    # --- one line ----------------------------------------------------------------------

    def handle(self, line):
        """Process one typed line. Returns False when the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            return self.command(line[1:].split())
        self.talk.now = self.now()
        if self.consent_token:
            self._answer_consent(line)
        else:
            said = voice.say(self.talk, self.model, line, today=self.local(self.talk.now).date())
            if said.implied_invocation:
                self.out(f"  (no open session: as if you said \"ask {self.model.invocation} {line}\")")
            if said.heard.intent:
                self.out(f"  [{said.heard.describe()}]")
            if said.heard.intent and said.heard.sample is None:
                self._closest(said.heard)
            elif said.heard.intent and said.heard.said:
                self._read_as(said.heard)
            self.show(said.turn)
        self._save_state()
        return True

    def _closest(self, heard):
        """For the developer: no sample matched; which intents came closest, and with what."""
        near = self.model.closest(heard.said or "")
        self.out("  (no sample matched; closest: " + "; ".join(
            f"{intent} {round(100 * score)}% \"{sample}\"" for intent, sample, score in near) + ")")

    def _read_as(self, heard):
        """For the developer: words no slot value resolved that the skill reads as another
        intent (a red flag, a topic question, a spasm report: spasm_coach.words)."""
        from devkit.nlu_eval import as_the_skill_reads
        intent, slots = as_the_skill_reads(self.model, heard.said)
        if intent != heard.intent and intent != "AMAZON.FallbackIntent":
            shown = " ".join(f"{name}={value}" for name, value in slots.items())
            self.out(f"  (the skill reads the words as {intent} {shown})".replace(" )", ")"))

    def _answer_consent(self, line):
        """Alexa's own consent dialog: yes grants the reminders permission."""
        words = normalize(line)
        if re.match(r"(yes|yeah|yep|sure|ok|okay|i do|i approve)\b", words):
            self.apis.granted, status = True, "ACCEPTED"
        elif re.match(r"(no|nope|nah|don't)\b", words):
            status = "DENIED"
        else:
            status = "NOT_ANSWERED"
        self.out(f"  [Alexa's consent answer: {status}]")
        token, self.consent_token = self.consent_token, None
        self.show(self.talk.permission_answer(status, token))

    def show(self, turn):
        if turn.response is None:
            self.out("Alexa: (no answer)")
            return
        self.out(f"Alexa: {turn.speech}" if turn.speech else "Alexa: (silence)")
        if turn.card:
            self.out(f"  [card] {turn.card[0]}: {turn.card[1]}")
        card = (turn.response.get("response") or {}).get("card") or {}
        if card.get("type") == "AskForPermissionsConsent":
            self.out(f"  [card in the Alexa app] allow: {', '.join(card.get('permissions', []))}")
        for directive in turn.directives:
            if directive.get("type") == "Connections.SendRequest" and directive.get("name") == "AskFor":
                self.consent_token = directive.get("token")
                self.out("Alexa (its own voice): Do you give Back Spasm Coach permission to create "
                         "and edit reminders? (yes or no)")
                return
        if turn.ends_session:
            self.out("  (session closed)")
        elif turn.reprompt:
            self.out(f"  (if you say nothing: {turn.reprompt})")

    def command(self, words):
        name, args = (words[0].lower(), words[1:]) if words else ("help", [])
        if name in ("quit", "exit", "q"):
            return False
        if name == "advance" and args:
            delta = parse_delta("".join(args))
            if delta is None:
                self.out("  usage: :advance 2d | 5h | 30m | 1d6h")
                return True
            start = self.now()
            self.state["offset_s"] += delta.total_seconds()
            for moment, text in self.apis.go_off_between(start, self.now()):
                self.out(f"  [reminder, {self.local(moment):%A %I:%M %p}] Alexa: {text}")
            self.out(self._clock())
        elif name == "time":
            self.out(self._clock())
        elif name == "tz" and args:
            zone = None if args[0].lower() == "none" else args[0]
            try:
                if zone:
                    ZoneInfo(zone)
            except (KeyError, ValueError):
                self.out(f"  unknown time zone {zone!r}; try America/Chicago or Europe/London")
                return True
            self.apis.zone = self.state["zone"] = zone
            voice.fresh_session(self.talk)  # the skill asks for the zone once a session
            self.out(self._clock())
        elif name == "new":
            voice.fresh_session(self.talk)
            self.out("  (session ended; the next line starts a new one)")
        elif name == "reset":
            voice.fresh_session(self.talk)
            from spasm_coach.storage.sqlite import SqliteStore
            SqliteStore(STORE).clear()
            self.state.update(offset_s=0)
            self.apis.reminders.clear()
            self.apis.granted = False
            self.out("  (everything forgotten; clock back to now)")
        else:
            self.out(__doc__.split("Commands:")[1].rstrip())
        self._save_state()
        return True


def parse_delta(text):
    """'2d', '5h', '30m', '1d6h' as a timedelta; None if it isn't one."""
    parts = re.findall(r"(\d+)\s*([dhm])", text.lower())
    if not parts or re.sub(r"\d+\s*[dhm]", "", text.lower()).strip():
        return None
    unit = {"d": "days", "h": "hours", "m": "minutes"}
    return sum((timedelta(**{unit[u]: int(n)}) for n, u in parts), timedelta())


def main():
    # The skill's JSON log lines go to a file, not between the answers.
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=STATE_DIR / "skill.log", level=logging.INFO, format="%(message)s")
    console = Console(load_handler())
    print("Back Spasm Coach, local console. Say \"open back spasm coach\", or \"ask back spasm "
          "coach ...\". :help lists commands, :quit leaves.")
    print(console._clock())
    interactive = sys.stdin.isatty()
    try:
        while True:
            try:
                line = input("you> ")
            except (EOFError, KeyboardInterrupt):
                print()
                break
            if not interactive:
                print(line)
            if not console.handle(line):
                break
    finally:
        console.close()


if __name__ == "__main__":
    main()
