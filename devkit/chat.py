"""`make chat`: talk to Back Spasm Coach in a terminal, as if to an Echo.

Type what you would say. Each line is understood with the skill's own interaction model
(devkit.nlu), sent as a real Alexa request envelope to the real Lambda handler
(lambda/app.py), and the answer is printed as Alexa would speak it. Episodes are kept in
.local/store.sqlite3 between runs; the console's clock can travel in time.

Commands:
  :advance 2d | 5h | 30m   move the clock forward (days, hours, minutes; combine: 1d6h)
  :time                    show the console's date and time
  :new                     end the session (the next line starts a new one)
  :reset                   forget everything: stored episodes, clock, session
  :help                    this text
  :quit                    leave (Ctrl-D works too)
"""

import json
import os
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from devkit import voice
from devkit.alexa import Caller, Conversation
from devkit.nlu import Model

ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = Path(os.environ.get("BSC_CHAT_DIR") or ROOT / ".local")
STORE = STATE_DIR / "store.sqlite3"
STATE = STATE_DIR / "chat.json"


def load_handler():
    """The Lambda handler exactly as deployed, on the local store."""
    os.environ.pop("TABLE_NAME", None)
    os.environ["BSC_LOCAL_STORE"] = str(STORE)
    import app
    return app.handler


class Console:
    def __init__(self, handler, out=print):
        self.out = out
        self.model = Model()
        self.state = self._load_state()
        caller = Caller(user_id=self.state["user_id"])
        self.talk = Conversation(handler, caller, now=self.now())

    # --- clock and state ---------------------------------------------------------------

    def now(self):
        return datetime.now(timezone.utc) + timedelta(seconds=self.state["offset_s"])

    def _load_state(self):
        try:
            state = json.loads(STATE.read_text())
            if isinstance(state.get("offset_s"), (int, float)) and isinstance(state.get("user_id"), str):
                return state
        except (OSError, ValueError):
            pass
        return {"offset_s": 0, "user_id": "amzn1.ask.account.LOCAL-CHAT-USER"}

    def _save_state(self):
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        STATE.write_text(json.dumps(self.state))

    # --- one line ----------------------------------------------------------------------

    def handle(self, line):
        """Process one typed line. Returns False when the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            return self.command(line[1:].split())
        self.talk.now = self.now()
        said = voice.say(self.talk, self.model, line)
        if said.implied_invocation:
            self.out(f"  (no open session: as if you said \"ask {self.model.invocation} {line}\")")
        if said.heard.intent:
            self.out(f"  [{said.heard.describe()}]")
        self.show(said.turn)
        return True

    def show(self, turn):
        if turn.response is None:
            self.out("Alexa: (no answer)")
            return
        self.out(f"Alexa: {turn.speech}" if turn.speech else "Alexa: (silence)")
        if turn.card:
            self.out(f"  [card] {turn.card[0]}: {turn.card[1]}")
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
            else:
                self.state["offset_s"] += delta.total_seconds()
                self._save_state()
                self.out(f"  clock: {self.now():%A %d %B %Y, %H:%M} UTC")
        elif name == "time":
            self.out(f"  clock: {self.now():%A %d %B %Y, %H:%M} UTC")
        elif name == "new":
            voice.fresh_session(self.talk)
            self.out("  (session ended; the next line starts a new one)")
        elif name == "reset":
            voice.fresh_session(self.talk)
            from spasm_coach.storage.sqlite import SqliteStore
            SqliteStore(STORE).clear()
            self.state["offset_s"] = 0
            self._save_state()
            self.out("  (everything forgotten; clock back to now)")
        else:
            self.out(__doc__.split("Commands:")[1].rstrip())
        return True


def parse_delta(text):
    """'2d', '5h', '30m', '1d6h' as a timedelta; None if it isn't one."""
    parts = re.findall(r"(\d+)\s*([dhm])", text.lower())
    if not parts or re.sub(r"\d+\s*[dhm]", "", text.lower()).strip():
        return None
    unit = {"d": "days", "h": "hours", "m": "minutes"}
    return sum((timedelta(**{unit[u]: int(n)}) for n, u in parts), timedelta())


def main():
    console = Console(load_handler())
    print("Back Spasm Coach, local console. Say \"open back spasm coach\", or \"ask back spasm "
          "coach ...\". :help lists commands, :quit leaves.")
    print(f"  clock: {console.now():%A %d %B %Y, %H:%M} UTC")
    interactive = sys.stdin.isatty()
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


if __name__ == "__main__":
    main()
